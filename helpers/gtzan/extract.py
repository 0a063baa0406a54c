"""Unpacking a tar archive safely, into a folder that appears whole or not at all.

:func:`extract` writes every member through tarfile's ``"data"`` filter (Python 3.11.4 and
later), so no member can land outside the destination, and stages the folder with
:func:`helpers.atomic.staged_folder`. Only tar archives are handled (compressed or not):
GTZAN ships as ``genres.tar.gz`` (see :mod:`helpers.gtzan.fetch`).
"""

from __future__ import annotations

import contextlib
import tarfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from helpers.atomic import staged_folder
from helpers.gtzan.download import DownloadError
from helpers.progress import progress_bar


def check_tar(archive: Path) -> None:
    """Check that ``archive`` is a tar file (``.tar.gz``, ``.tgz``, ``.tar``, ...).

    Only its first block is read, so this is cheap even for a large archive.

    Raises
    ------
    DownloadError
        If it does not exist or is not a tar file (a ``.zip``, for example).
    """
    if not archive.is_file():
        raise DownloadError(f"Archive {archive} does not exist.")
    if not tarfile.is_tarfile(archive):
        raise DownloadError(
            f"{archive} is not a tar archive (.tar.gz, .tgz, .tar), the only kind unpacked here. "
            "Unpack another kind of archive (a .zip, for example) yourself, so that the dataset "
            "folder holds <genre>/<audio files>."
        )


def check_free(dest: Path) -> None:
    """Check that ``dest`` can be extracted into: it is missing or an empty folder.

    Raises
    ------
    DownloadError
        If ``dest`` is a file or a folder that is not empty.
    """
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise DownloadError(f"Cannot extract into {dest}: it already exists and is not an "
                            "empty folder. Remove it or choose another destination.")


def _data_filter(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo:
    """tarfile's ``"data"`` extraction filter, refusing absolute member names too."""
    # The data filter refuses members that would land outside ``dest`` (``..``, also through
    # links extracted before), links to absolute paths or outside ``dest``, and device files
    # and fifos. What it leaves is an absolute name: it strips the leading "/" and writes the
    # member inside ``dest``. Such an archive is not what it claims, so it is refused too.
    if member.name.startswith("/"):
        raise tarfile.AbsolutePathError(member)
    return tarfile.data_filter(member, dest)


@contextlib.contextmanager
def _parents_removed_on_failure(dest: Path) -> Iterator[None]:
    """If the block raises, remove the folders above ``dest`` that did not exist before it."""
    created = [folder for folder in dest.parents if not folder.exists()]  # nearest first
    try:
        yield
    except BaseException:
        for folder in created:
            with contextlib.suppress(OSError):  # not empty: something else wrote there
                folder.rmdir()
        raise


def extract(archive: str | Path, dest: str | Path) -> Path:
    """Unpack a tar archive (``.tar.gz``, ``.tgz``, ``.tar``) into ``dest``, safely.

    Members go through tarfile's ``"data"`` filter, which refuses ``..``, links
    pointing outside ``dest`` and device files; absolute names are refused as well.
    The archive is unpacked into a sibling folder (``<dest>.partial``) that is renamed
    to ``dest`` only when complete (:func:`helpers.atomic.staged_folder`), so an
    interrupted, refused or failed extraction leaves no ``dest``, nor any folder it
    created above it.

    Parameters
    ----------
    archive
        The archive file.
    dest
        Folder to create. It may exist only if empty.

    Returns
    -------
    Path
        ``dest``.

    Raises
    ------
    DownloadError
        If ``dest`` is not empty, the archive is not a tar file or unreadable, or a
        member is unsafe (the message names it).
    """
    archive, dest = Path(archive), Path(dest)
    check_tar(archive)
    check_free(dest)
    try:
        with (_parents_removed_on_failure(dest), tarfile.open(archive, "r:*") as tf,
              staged_folder(dest) as tmp):
            members = progress_bar(tf.getmembers(), desc=f"Extracting {archive.name}", unit="file")
            tf.extractall(tmp, members=members, filter=_data_filter)
    except tarfile.FilterError as err:
        raise DownloadError(f"Refusing to extract {archive}: {err}. Nothing was extracted; "
                            "the archive is damaged or not what it claims.") from err
    except (tarfile.TarError, EOFError, zlib.error, OSError) as err:
        raise DownloadError(f"Could not extract {archive} ({type(err).__name__}: {err}). "
                            "If it is damaged, delete it and get it again.") from err
    return dest
