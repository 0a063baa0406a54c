"""Files and folders that appear whole or not at all, so an interrupted run never leaves one half-written."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psutil


@contextlib.contextmanager
def staged_folder(dest: str | Path, replace: bool = True) -> Iterator[Path]:
    """Build a folder beside ``dest`` and put it in place only if the ``with`` block succeeds.

    Yields ``<dest>.partial-<process id>``, new and empty. Leftovers of interrupted runs beside it
    (``<dest>.partial...`` whose process has ended) are removed first; a folder another running
    process is building is left alone, so two runs that make the same folder at once do not undo
    each other. On success the new folder goes in place. If ``dest`` exists by then (made before,
    or by the other run meanwhile), ``replace`` decides: ``True`` moves it aside to
    ``<dest>.old-<process id>`` and deletes it once the new folder is in place; ``False`` keeps
    it (a reader may be using it) and deletes the new one. If the block raises, the partial
    folder is deleted and ``dest`` is left as it was.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with staged_folder(Path(tmp, "out")) as partial:
    ...         _ = (partial / "a.txt").write_text("a")
    ...     sorted(p.name for p in Path(tmp).rglob("*"))
    ['a.txt', 'out']
    """
    dest = Path(dest)
    for leftover in dest.parent.glob(f"{glob.escape(dest.name)}.partial*"):
        if not _builder_running(leftover):
            shutil.rmtree(leftover, ignore_errors=True)
    partial = dest.with_name(f"{dest.name}.partial-{os.getpid()}")
    partial.mkdir(parents=True)
    try:
        yield partial
        old = dest.with_name(f"{dest.name}.old-{os.getpid()}")
        if dest.exists() and not replace:
            return
        if dest.exists():
            dest.rename(old)
        try:
            partial.rename(dest)
        except OSError:
            if not dest.exists():
                raise
            # the other run put its folder in place between our two renames: keep theirs
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(partial, ignore_errors=True)  # still there only if the block failed or lost


def _builder_running(partial: Path) -> bool:
    """Whether the process whose id ends ``partial``'s name (``...partial-<id>``) still runs."""
    _, _, pid = partial.name.rpartition("-")
    return pid.isdigit() and int(pid) != os.getpid() and psutil.pid_exists(int(pid))


@contextlib.contextmanager
def staged_file(target: str | Path) -> Iterator[Path]:
    """Write a file beside ``target`` and rename it onto ``target`` only if the ``with`` block succeeds.

    Yields the path of a new temporary file in ``target``'s folder (created if needed). On
    success it replaces ``target`` in one step (:func:`os.replace`); if the block raises, the
    temporary file is deleted and ``target`` is left as it was.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with staged_file(Path(tmp, "a.txt")) as part:
    ...         _ = part.write_text("a")
    ...     sorted(p.name for p in Path(tmp).iterdir())
    ['a.txt']
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)  # still there only if the block failed
