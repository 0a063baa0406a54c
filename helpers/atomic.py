"""Files and folders that appear whole or not at all, so an interrupted run never leaves one half-written."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def staged_folder(dest: str | Path) -> Iterator[Path]:
    """Build a folder beside ``dest`` and put it in place only if the ``with`` block succeeds.

    Yields ``<dest>.partial``, emptied first (a leftover of an interrupted run is removed).
    On success it replaces ``dest``: an existing ``dest`` is moved aside to ``<dest>.old``
    and deleted once the new folder is in place. If the block raises, the partial folder is
    deleted and ``dest`` is left as it was.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with staged_folder(Path(tmp, "out")) as partial:
    ...         _ = (partial / "a.txt").write_text("a")
    ...     sorted(p.name for p in Path(tmp).rglob("*"))
    ['a.txt', 'out']
    """
    dest = Path(dest)
    partial, old = dest.with_name(dest.name + ".partial"), dest.with_name(dest.name + ".old")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        yield partial
        shutil.rmtree(old, ignore_errors=True)
        if dest.exists():
            dest.rename(old)
        partial.rename(dest)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(partial, ignore_errors=True)  # still there only if the block failed


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
