"""Getting GTZAN: the known archives, a verified download and a safe extraction.

``python -m helpers.gtzan`` fetches the archive (about 1.2 GB) from the Hugging Face
hub, checks it against the sha256 that public users of that copy pin, and unpacks it
into ``<work dir>/gtzan/`` (:func:`helpers.gtzan.extract.extract`). An interrupted download
resumes where it stopped the next time (:func:`helpers.gtzan.download.download`); a machine
without internet gets a message saying how to bring the archive in by hand
(``python -m helpers.gtzan --archive /path/genres.tar.gz``). A local archive is
accepted if it is one of the known GTZAN archives (:data:`GTZAN_ARCHIVES`): the
Hugging Face copy or the original one from marsyas.info. Both are tar.gz files whose
audio is ``genres/<genre>/<genre>.000NN.au`` or ``.wav``; both unpack and load the
same way.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse

from helpers.config import work_dir
from helpers.data import scan_folder
from helpers.gtzan.archives import (
    GTZAN_URL,
    USE_BY_HAND,
    KnownArchive,
    UnknownArchiveError,
    identify_archive,
    known_archive_for_url,
    known_archives,
)
from helpers.gtzan.download import ChecksumError, DownloadError, download, expected_digests, verify_checksum
from helpers.gtzan.extract import check_free, check_tar, extract


def _audio_files(folder: Path) -> list[Path]:
    """The audio files under ``folder`` that :mod:`helpers.data` reads; none if it is missing."""
    return scan_folder(folder)[0] if folder.is_dir() else []


def _amend(err: DownloadError, note: str) -> DownloadError:
    """The same kind of error as ``err``, its message followed by ``note``."""
    message = f"{err}\n{note}"
    if isinstance(err, UnknownArchiveError):
        return UnknownArchiveError(message, err.path, err.known, err.actual)
    if isinstance(err, ChecksumError):
        return ChecksumError(message, err.path, err.expected, err.actual)
    return DownloadError(message)


_SKIP_HINT = ("If it is another copy on purpose, pass its own checksum (--sha256/--md5), or skip "
              "verification (--no-verify; verify=False in Python).")


def fetch_gtzan(
    dest: str | Path | None = None,
    url: str = GTZAN_URL,
    archive: str | Path | None = None,
    sha256: str | None = None,
    md5: str | None = None,
    *,
    verify: bool = True,
    known: Sequence[KnownArchive] | None = None,
) -> Path:
    """Make sure GTZAN is unpacked in ``dest``; download it if needed.

    Parameters
    ----------
    dest
        Dataset folder; default ``<work dir>/gtzan``. If it already holds audio
        (any visible file of an audio type :func:`helpers.data.scan_folder` lists, at
        any depth) it is returned as is.
    url
        Where to download the archive from (used only without ``archive``). It is
        saved as ``<work dir>/downloads/<file name of the URL>`` and kept there.
    archive
        A local copy of the archive (``.tar.gz``, ``.tgz`` or ``.tar``) to use
        instead of downloading.
    sha256, md5
        Expected checksums of the archive, for a copy that is none of the known
        ones; every one given is checked and ``known`` is not used.
    verify
        ``False`` uses the archive unchecked, with a warning.
    known
        The archives recognised without ``sha256``/``md5``; default
        :data:`GTZAN_ARCHIVES`. A local ``archive`` must be one of them (any one);
        a download from the ``url`` of one of them must be that one (the download
        from :data:`GTZAN_URL` is checked by :data:`GTZAN_HF_SHA256`). A download from
        any other URL has no known checksum and is used unverified, with a warning.
        Which archive matched is printed.

    Returns
    -------
    Path
        ``dest``. GTZAN's archives unpack to ``dest/genres/<genre>/<genre>.000NN.au``
        (the original) or ``.wav``; :func:`helpers.data.discover` finds clips at any
        depth and takes each clip's label from the name of the folder holding the
        audio file.

    Raises
    ------
    DownloadError
        If the archive cannot be downloaded, read or verified (:class:`ChecksumError`;
        :class:`UnknownArchiveError` for a local archive that is none of ``known``),
        is not a tar file, or holds no audio. Nothing is unpacked into ``dest`` then.
    """
    dest = Path(dest) if dest is not None else work_dir() / "gtzan"
    if _audio_files(dest):
        return dest
    expected = expected_digests(sha256, md5) if verify else {}
    known = known_archives(known)
    check_free(dest)  # before a long download, not after
    entry = None  # the known archive it must be, when checked against the table
    if not verify:
        source = archive if archive is not None else url
        print(f"WARNING: {source} is used unverified (verification turned off); "
              "make sure you trust it.", file=sys.stderr)
    elif archive is None and not expected:
        entry = known_archive_for_url(url, known)
        if entry is None:
            print(f"WARNING: {url} is used unverified (no checksum is known for this URL and "
                  "no --sha256/--md5 was given); make sure you trust it.", file=sys.stderr)
    if archive is not None:
        archive = Path(archive).expanduser()
        check_tar(archive)  # before reading 1.2 GB for its digests
        if expected:
            try:
                verify_checksum(archive, **expected)
            except ChecksumError as err:
                raise _amend(err, f"{archive} is not the archive with the checksum given (or it "
                             f"is damaged). Nothing was extracted. {_SKIP_HINT}") from None
        elif verify:
            try:
                entry = identify_archive(archive, known)
            except UnknownArchiveError as err:
                raise _amend(err, f"Nothing was extracted. {_SKIP_HINT}") from None
    else:
        target = work_dir() / "downloads" / (Path(urlparse(url).path).name or "genres.tar.gz")
        try:
            archive = download(url, target, **(entry.expected if entry else expected),
                               use_by_hand=USE_BY_HAND)
        except DownloadError as err:
            if entry is None:
                raise
            accepted = "\n".join(f"  - {k.describe()}" for k in known)
            raise _amend(err, f"A local archive (--archive) is accepted if it is one of the "
                         f"known GTZAN archives:\n{accepted}") from err
    if entry is not None:
        print(f"{archive} is GTZAN's {entry.name} ({entry.source}; {entry.algorithm} "
              f"{entry.digest} matches).")
    extract(archive, dest)
    if not _audio_files(dest):
        raise DownloadError(f"{archive} was unpacked into {dest} but holds no audio files. "
                            f"Remove {dest} and check that the archive is GTZAN.")
    return dest


# --------------------------------------------------------------------------- CLI


def _run_hint(dest: Path) -> str:
    """The command that runs the tutorial on ``dest``."""
    if dest.resolve() == (work_dir() / "gtzan").resolve():
        return "Run the tutorial on it with:\n    make run PARAMS=params/gtzan.yaml"
    return ("params/gtzan.yaml reads <work dir>/gtzan/; to use this folder instead, copy it to a new "
            f"params file with\n    data_dir: {dest.resolve()}\n"
            "and run:\n    make run PARAMS=<your params file>")


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m helpers.gtzan [--url URL] [--archive PATH] [--dest DIR]``.

    Parameters
    ----------
    argv
        The arguments; default ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status: 0 when GTZAN is ready, 1 on an error (its message printed), 130
        when interrupted.
    """
    names = " or ".join(f"the {k.name}" for k in known_archives(None))
    parser = argparse.ArgumentParser(
        prog="python -m helpers.gtzan",
        description="Download (or take a local copy of) GTZAN, verify it and unpack it.",
        epilog=f"Without --sha256/--md5, a local archive must be one of the known GTZAN archives "
               f"({names}); the download from the default URL is checked by its sha256.",
    )
    parser.add_argument("--url", default=GTZAN_URL, help="where to download the archive from")
    parser.add_argument("--archive", type=Path,
                        help="local archive (.tar.gz, .tgz, .tar) to use instead of downloading")
    parser.add_argument("--dest", type=Path, help="dataset folder (default: <work dir>/gtzan)")
    parser.add_argument("--sha256", help="expected sha256 of the archive "
                        "(default: that of a known GTZAN archive)")
    parser.add_argument("--md5", help="expected md5 of the archive "
                        "(default: that of a known GTZAN archive)")
    parser.add_argument("--no-verify", action="store_true",
                        help="use the archive without checking any checksum")
    args = parser.parse_args(argv)
    if not args.no_verify:
        try:
            expected_digests(args.sha256, args.md5)
        except ValueError as err:
            parser.error(str(err))
    try:
        dest = fetch_gtzan(args.dest, url=args.url, archive=args.archive, sha256=args.sha256,
                           md5=args.md5, verify=not args.no_verify)
    except DownloadError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted. Run the same command again to resume the download.", file=sys.stderr)
        return 130
    print(f"GTZAN is ready: {len(_audio_files(dest))} audio files under {dest}")
    print(_run_hint(dest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
