"""Getting GTZAN: a resumable, verified download and a safe extraction.

``python -m helpers.download`` fetches the archive (about 1.2 GB) from the Hugging
Face hub, checks it against the sha256 that public users of that copy pin, and
unpacks it into ``<work dir>/gtzan/``. An interrupted download resumes where it
stopped the next time; a machine without internet gets a message saying how to
bring the archive in by hand (``python -m helpers.download --archive
/path/genres.tar.gz``). A local archive is accepted if it is one of the known GTZAN
archives (:data:`GTZAN_ARCHIVES`): the Hugging Face copy or the original one from
marsyas.info. Their audio is ``genres/<genre>/<genre>.000NN.au`` or ``.wav``; both
unpack and load the same way.

Downloads use ``requests``.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import posixpath
import re
import sys
import tarfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from urllib.parse import urlparse

import requests
from tqdm.auto import tqdm

from helpers.atomic import staged_folder
from helpers.config import work_dir

#: Where ``make gtzan`` downloads GTZAN from: the copy on the Hugging Face hub
#: (dataset ``marsyas/gtzan``). See :data:`GTZAN_HF` for how it is verified.
GTZAN_URL = "https://huggingface.co/datasets/marsyas/gtzan/resolve/main/data/genres.tar.gz"
#: The original host of ``genres.tar.gz`` (linked from marsyas.info), long offline.
GTZAN_ORIGINAL_URL = "http://opihi.cs.uvic.ca/sound/genres.tar.gz"

# The two archives are not byte-identical, so each has its own digest; neither is
# valid for the other. Where each value comes from:
#
#: sha256 of the archive served at :data:`GTZAN_URL`, as pinned by several public
#: projects that download GTZAN from there (GitHub code and READMEs that fetch
#: ``marsyas/gtzan``'s ``data/genres.tar.gz`` and check it with this value).
GTZAN_HF_SHA256 = "b28cc067ff6199bd826f5d1a6931458586d64acae7f44b2e882b7a97af057531"
#: md5 of the original ``genres.tar.gz`` from :data:`GTZAN_ORIGINAL_URL`, as listed by
#: mirdata (``mirdata.datasets.gtzan_genre``, ``REMOTES["all"]``) and by torchaudio
#: releases before its switch to sha256 (``torchaudio.datasets.gtzan._CHECKSUMS``).
GTZAN_ORIGINAL_MD5 = "5b3d6dddb579ab49814ab86dba69e7c7"

#: File extensions that count as "this folder already holds the dataset".
GTZAN_AUDIO_EXTENSIONS = frozenset({".au", ".wav"})

_DIGEST_LENGTHS = {"sha256": 64, "md5": 32}
_TAR_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")


class DownloadError(RuntimeError):
    """Getting or unpacking a dataset failed; the message says why and what to do."""


class ChecksumError(DownloadError):
    """A file's checksum differs from the expected one.

    Attributes
    ----------
    path
        The file that was checked.
    expected, actual
        ``{algorithm: hex digest}`` of the algorithms that did not match.
    """

    def __init__(self, message: str, path: Path, expected: dict[str, str],
                 actual: dict[str, str]) -> None:
        super().__init__(message)
        self.path = path
        self.expected = expected
        self.actual = actual


# --------------------------------------------------------------------------- checksums


def _expected_digests(sha256: str | None = None, md5: str | None = None) -> dict[str, str]:
    """``{algorithm: lower-case hex}`` of the given checksums, checked for shape."""
    expected = {}
    for name, value in (("sha256", sha256), ("md5", md5)):
        if value is None:
            continue
        value = value.strip().lower()
        if not re.fullmatch(f"[0-9a-f]{{{_DIGEST_LENGTHS[name]}}}", value):
            raise ValueError(
                f"{name} must be {_DIGEST_LENGTHS[name]} hexadecimal digits, not {value!r}"
            )
        expected[name] = value
    return expected


def file_digests(path: str | Path, algorithms: Iterable[str] = ("sha256", "md5"),
                 chunk_size: int = 1 << 20) -> dict[str, str]:
    """Hex digests of one file, all algorithms computed in a single read.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = Path(tmp, "abc.txt").write_bytes(b"abc")
    ...     file_digests(Path(tmp, "abc.txt"), ["md5"])
    {'md5': '900150983cd24fb0d6963f7d28e17f72'}
    """
    hashes = {name: hashlib.new(name) for name in algorithms}
    with open(path, "rb") as f:
        while block := f.read(chunk_size):
            for h in hashes.values():
                h.update(block)
    return {name: h.hexdigest() for name, h in hashes.items()}


def verify_checksum(path: str | Path, *, sha256: str | None = None,
                    md5: str | None = None) -> None:
    """Check ``path`` against the given checksums (none given: nothing to check).

    Raises
    ------
    ChecksumError
        If any given checksum differs; the message names expected and actual digests.
    """
    path = Path(path)
    expected = _expected_digests(sha256, md5)
    if not expected:
        return
    actual = file_digests(path, expected)
    wrong = [name for name in expected if actual[name] != expected[name]]
    if wrong:
        lines = "\n".join(
            f"  {name}: expected {expected[name]}\n  {' ' * len(name)}  actual   {actual[name]}"
            for name in wrong
        )
        raise ChecksumError(
            f"Checksum mismatch for {path}:\n{lines}",
            path,
            {name: expected[name] for name in wrong},
            {name: actual[name] for name in wrong},
        )


def _matches(path: Path, expected: dict[str, str]) -> bool:
    return file_digests(path, expected) == expected


# --------------------------------------------------------------------------- known archives


@dataclasses.dataclass(frozen=True)
class KnownArchive:
    """A published GTZAN archive, recognised by one digest of the whole file.

    Attributes
    ----------
    name
        Short name used in messages (``"Hugging Face copy"``).
    source
        Where the file comes from, in words.
    algorithm, digest
        ``"sha256"`` or ``"md5"`` and its hex digest (lower case).
    url
        Address that serves this very file, or ``None``. A download from it is
        checked against :attr:`digest`.
    """

    name: str
    source: str
    algorithm: str
    digest: str
    url: str | None = None

    def __post_init__(self) -> None:
        if self.algorithm not in _DIGEST_LENGTHS:
            raise ValueError(f"algorithm must be one of {sorted(_DIGEST_LENGTHS)}, "
                             f"not {self.algorithm!r}")
        checked = _expected_digests(**{self.algorithm: self.digest})
        object.__setattr__(self, "digest", checked[self.algorithm])

    @property
    def expected(self) -> dict[str, str]:
        """``{algorithm: digest}``, as :func:`download` and :func:`verify_checksum` take it."""
        return {self.algorithm: self.digest}

    def describe(self) -> str:
        """One line: name, source and digest."""
        return f"{self.name} ({self.source}): {self.algorithm} {self.digest}"


#: The copy :data:`GTZAN_URL` serves. Its audio may be ``genres/<genre>/<genre>.000NN.wav``
#: rather than the original's ``.au``; both are handled alike.
GTZAN_HF = KnownArchive(
    name="Hugging Face copy",
    source="huggingface.co/datasets/marsyas/gtzan, data/genres.tar.gz",
    algorithm="sha256", digest=GTZAN_HF_SHA256, url=GTZAN_URL,
)
#: The original archive (``genres/<genre>/<genre>.000NN.au``), as copies of it circulate.
GTZAN_ORIGINAL = KnownArchive(
    name="original archive",
    source=f"marsyas.info's genres.tar.gz, once at {GTZAN_ORIGINAL_URL}",
    algorithm="md5", digest=GTZAN_ORIGINAL_MD5, url=GTZAN_ORIGINAL_URL,
)
#: Every archive accepted as GTZAN. :func:`fetch_gtzan` and the command line read this
#: name when called (not when defined), so adding an entry here is enough.
GTZAN_ARCHIVES: tuple[KnownArchive, ...] = (GTZAN_HF, GTZAN_ORIGINAL)


class UnknownArchiveError(ChecksumError):
    """A file matches none of the known archives.

    Attributes
    ----------
    known
        The archives it was compared with. ``expected`` maps each of their
        algorithms to a digest, ``actual`` to the file's digest.
    """

    def __init__(self, message: str, path: Path, known: Sequence[KnownArchive],
                 actual: dict[str, str]) -> None:
        super().__init__(message, path, {k.algorithm: k.digest for k in known}, actual)
        self.known = tuple(known)


def _known(known: Sequence[KnownArchive] | None) -> tuple[KnownArchive, ...]:
    return tuple(GTZAN_ARCHIVES if known is None else known)


def known_archive_for_url(url: str,
                          known: Sequence[KnownArchive] | None = None) -> KnownArchive | None:
    """The known archive served at ``url`` (default table :data:`GTZAN_ARCHIVES`), else ``None``.

    >>> known_archive_for_url(GTZAN_URL).expected
    {'sha256': 'b28cc067ff6199bd826f5d1a6931458586d64acae7f44b2e882b7a97af057531'}
    >>> known_archive_for_url("https://example.org/genres.tar.gz") is None
    True
    """
    return next((k for k in _known(known) if k.url == url), None)


def identify_archive(path: str | Path,
                     known: Sequence[KnownArchive] | None = None) -> KnownArchive:
    """Which known GTZAN archive ``path`` is, by its digests (all computed in one read).

    Parameters
    ----------
    path
        The archive file.
    known
        Archives to compare with; default :data:`GTZAN_ARCHIVES`.

    Returns
    -------
    KnownArchive
        The first entry of ``known`` whose digest the file has.

    Raises
    ------
    UnknownArchiveError
        If it matches none; the message names every known archive with its digest,
        and the digests the file has.
    """
    path, known = Path(path), _known(known)
    if not known:
        raise ValueError("no known archives to compare with")
    algorithms = sorted({k.algorithm for k in known}, key=list(_DIGEST_LENGTHS).index)
    actual = file_digests(path, algorithms)
    for entry in known:
        if actual[entry.algorithm] == entry.digest:
            return entry
    listed = "\n".join(f"  - {k.describe()}" for k in known)
    found = "\n".join(f"  {name:<6} {value}" for name, value in actual.items())
    raise UnknownArchiveError(
        f"{path} is none of the known GTZAN archives (or it is damaged).\n"
        f"Known archives:\n{listed}\nThis file has:\n{found}",
        path, known, actual,
    )


# --------------------------------------------------------------------------- download


def manual_steps(url: str, sha256: str | None = None, md5: str | None = None) -> str:
    """How to get the archive by hand, for machines that cannot download it."""
    checks = []
    if sha256:
        checks.append(f"     sha256sum (macOS: shasum -a 256) must print {sha256}")
    if md5:
        checks.append(f"     md5sum (macOS: md5) must print {md5}")
    check = "\n".join(checks) or "     (no checksum is known for this URL; be sure you trust it)"
    return (
        "To get the data by hand:\n"
        f"  1. On a machine with internet, open {url}\n"
        "     in a browser and save the file.\n"
        f"  2. Check it:\n{check}\n"
        "  3. Copy it here and either pass it as a local archive:\n"
        "         python -m helpers.download --archive /path/genres.tar.gz\n"
        "     or unpack it yourself into data/gtzan/ so that\n"
        "     data/gtzan/<genre>/<genre>.000NN.au (or .wav) exists, for example:\n"
        "         mkdir -p data/gtzan && tar -xzf genres.tar.gz -C data/gtzan --strip-components=1"
    )


def _part_path(target: Path) -> Path:
    return target.with_suffix(target.suffix + ".part")


def _content_range(response: requests.Response) -> tuple[int | None, int | None]:
    """``(first byte, total size)`` from a ``Content-Range`` header; ``None`` where unknown."""
    match = re.fullmatch(r"\s*bytes\s+(?:(\d+)-\d+|\*)/(\d+|\*)\s*",
                         response.headers.get("Content-Range", ""))
    if not match:
        return None, None
    start, total = match.groups()
    return (int(start) if start else None), (None if total == "*" else int(total))


def _content_length(response: requests.Response) -> int | None:
    value = response.headers.get("Content-Length", "")
    return int(value) if value.isdigit() else None


def _stream(response: requests.Response, part: Path, offset: int, total: int | None,
            chunk_size: int) -> int:
    """Write the response body to ``part`` (appended at ``offset`` if > 0); return its size."""
    mode = "ab" if offset else "wb"
    with open(part, mode) as f, tqdm(total=total, initial=offset, unit="B", unit_scale=True,
                                     unit_divisor=1024, desc=part.name[:-5]) as bar:
        for chunk in response.iter_content(chunk_size):
            f.write(chunk)
            bar.update(len(chunk))
    return part.stat().st_size


def _fetch_to_part(url: str, part: Path, chunk_size: int, timeout: float) -> None:
    """Bring ``part`` to the full file, resuming it if it exists. Network errors propagate."""
    for _ in range(3):  # a restart from scratch takes at most one extra round
        offset = part.stat().st_size if part.exists() else 0
        headers = {"Accept-Encoding": "identity"}  # byte offsets must be those of the file
        if offset:
            headers["Range"] = f"bytes={offset}-"
        with requests.get(url, headers=headers, stream=True, timeout=timeout) as response:
            if response.status_code == 416 and offset:
                _, total = _content_range(response)
                if total is None or total == offset:
                    return  # the part is already complete; the checksum will tell
                part.unlink()  # larger than the file: not a prefix of it
                continue
            if response.status_code >= 400:
                raise DownloadError(
                    f"the server answered HTTP {response.status_code} {response.reason}"
                )
            if response.status_code == 206:
                start, total = _content_range(response)
                if start != offset:
                    part.unlink()  # not the piece we asked for: start again
                    continue
            else:  # 200: the whole file, whether or not we asked for a range
                offset, total = 0, _content_length(response)
            size = _stream(response, part, offset, total, chunk_size)
        if total is not None and size < total:
            raise DownloadError(f"the connection ended after {size:,} of {total:,} bytes")
        if total is not None and size > total:
            part.unlink()
            raise DownloadError(f"received {size:,} bytes but the server announced {total:,}")
        return
    raise DownloadError("the server kept answering with ranges other than the one asked for")


def _reason(err: Exception, timeout: float) -> str:
    """One line saying what went wrong with the transfer."""
    if isinstance(err, requests.Timeout):
        return f"no answer within {timeout} s (slow or no network) [{type(err).__name__}]"
    if isinstance(err, requests.ConnectionError):
        return f"cannot reach the server (no internet, or the server is down) [{err}]"
    if isinstance(err, requests.exceptions.ChunkedEncodingError):
        return f"the connection broke off [{err}]"
    return str(err)


def download(
    url: str,
    target: str | Path,
    *,
    sha256: str | None = None,
    md5: str | None = None,
    chunk_size: int = 1 << 20,
    timeout: float = 30,
) -> Path:
    """Download ``url`` to ``target``, resumably, and verify it.

    The file is written to ``<target>.part`` and renamed to ``target`` only once
    complete and verified. An existing ``.part`` (left by an interrupted run) is
    resumed with an HTTP ``Range`` request; a server that ignores ranges sends the
    whole file again, which then replaces the part.

    Parameters
    ----------
    url
        Address of the file.
    target
        Where the file ends up. Its folder is created if needed.
    sha256, md5
        Expected hex digests; every one given is checked. With neither, the file
        is not verified, and an existing ``target`` is trusted as is.
    chunk_size
        Bytes per read (and progress-bar step).
    timeout
        Seconds to wait for the connection and for each read.

    Returns
    -------
    Path
        ``target``. If it already exists with the expected checksums, it is
        returned at once, without any network access.

    Raises
    ------
    ChecksumError
        If the downloaded file does not match; the ``.part`` is deleted.
    DownloadError
        If the server cannot be reached, answers with an error or the transfer
        breaks off. The message says how to get the file by hand; the ``.part``
        is kept so the next call resumes it.
    """
    target = Path(target)
    expected = _expected_digests(sha256, md5)
    if target.is_file() and (not expected or _matches(target, expected)):
        return target
    part = _part_path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        _fetch_to_part(url, part, chunk_size, timeout)
    except (requests.RequestException, DownloadError) as err:
        kept = (f"The partial download {part} was kept; running the same command again "
                "resumes it.\n") if part.exists() else ""
        raise DownloadError(
            f"Could not download {url}:\n  {_reason(err, timeout)}\n"
            f"{kept}{manual_steps(url, sha256, md5)}"
        ) from err
    except OSError as err:  # writing failed (disk full, permissions)
        raise DownloadError(f"Could not write {part}: {err}") from err
    try:
        verify_checksum(part, sha256=sha256, md5=md5)
    except ChecksumError as err:
        part.unlink(missing_ok=True)
        raise ChecksumError(
            f"{err}\nThe download was deleted: the server sent a different or damaged file. "
            "Try again later, or get it by hand.\n" + manual_steps(url, sha256, md5),
            part, err.expected, err.actual,
        ) from None
    os.replace(part, target)
    return target


# --------------------------------------------------------------------------- extraction


def _archive_kind(archive: Path) -> str:
    """``"tar"`` or ``"zip"``, from the file name, else from the content."""
    name = archive.name.lower()
    if name.endswith(".zip"):
        return "zip"
    if name.endswith(_TAR_SUFFIXES):
        return "tar"
    if tarfile.is_tarfile(archive):
        return "tar"
    if zipfile.is_zipfile(archive):
        return "zip"
    raise DownloadError(f"{archive} is not a .tar.gz, .tgz, .tar or .zip archive.")


def _prefixes(parts: Iterable[str], member: str) -> Iterator[str]:
    """Lexically normalized prefixes of a relative path, in order; raise if it climbs out."""
    stack: list[str] = []
    for part in parts:
        if part in ("", "."):
            continue
        if part == "..":
            if not stack:
                raise _unsafe(member, "points outside the destination ('..')")
            stack.pop()
        else:
            stack.append(part)
        yield "/".join(stack)


def _unsafe(member: str, why: str) -> DownloadError:
    return DownloadError(f"Refusing to extract: archive member {member!r} {why}. "
                         "Nothing was extracted; the archive is damaged or not what it claims.")


def _split(name: str, member: str) -> list[str]:
    """Path components of a member name; absolute names (``/x``, ``C:x``, ``\\\\x``) refused."""
    clean = name.replace("\\", "/")
    if clean.startswith("/") or re.match(r"[A-Za-z]:", clean):
        raise _unsafe(member, "has an absolute path")
    return clean.split("/")


def check_members(members: list[tuple[str, str, str | None]]) -> None:
    """Refuse archive members that would land outside the destination folder.

    Parameters
    ----------
    members
        ``(name, kind, link target)`` per member, ``kind`` one of ``"file"``,
        ``"dir"``, ``"symlink"``, ``"hardlink"`` or ``"other"`` (devices, fifos).
        Symlink targets are relative to the link's folder, hard-link targets to
        the archive root.

    Raises
    ------
    DownloadError
        Naming the first member that has an absolute path, climbs out with
        ``..``, is a link to a place outside, goes through a symbolic link, or is
        a special file.

    Notes
    -----
    Paths are resolved lexically. That is exact because no path may pass
    through a symbolic link of the archive (only end at one).
    """
    symlinks = {posixpath.normpath("/".join(_split(n, n))) for n, k, _ in members
                if k == "symlink"}

    def check_path(parts: list[str], member: str, last_may_be_link: bool) -> None:
        prefixes = list(_prefixes(parts, member))
        inner = prefixes[:-1] if last_may_be_link else prefixes
        for prefix in inner:
            if prefix in symlinks:
                raise _unsafe(member, f"goes through the symbolic link {prefix!r}")

    for name, kind, link in members:
        parts = _split(name, name)
        check_path(parts, name, last_may_be_link=True)
        if kind == "other":
            raise _unsafe(name, "is a device or other special file")
        if kind in ("symlink", "hardlink"):
            if not link or link.replace("\\", "/").startswith("/") or re.match(r"[A-Za-z]:",
                                                                                  link):
                raise _unsafe(name, f"is a link to {link!r}, outside the destination")
            base = parts[:-1] if kind == "symlink" else []
            try:
                check_path(base + link.replace("\\", "/").split("/"), name,
                           last_may_be_link=True)
            except DownloadError:
                raise _unsafe(name, f"is a link to {link!r}, outside the destination") from None


def _tar_kind(member: tarfile.TarInfo) -> str:
    if member.isreg():
        return "file"
    if member.isdir():
        return "dir"
    if member.issym():
        return "symlink"
    if member.islnk():
        return "hardlink"
    return "other"


def _extract_tar(archive: Path, dest: Path) -> None:
    with tarfile.open(archive, "r:*") as tf:
        members = tf.getmembers()
        check_members([(m.name, _tar_kind(m), m.linkname or None) for m in members])
        # The "data" filter (Python >= 3.11.4) re-checks every member while writing.
        extra = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        with staged_folder(dest) as tmp:
            for member in tqdm(members, desc=f"Extracting {archive.name}", unit="file"):
                tf.extract(member, tmp, **extra)


def _extract_zip(archive: Path, dest: Path) -> None:
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        check_members([(i.filename, "dir" if i.is_dir() else "file", None) for i in infos])
        with staged_folder(dest) as tmp:
            for info in tqdm(infos, desc=f"Extracting {archive.name}", unit="file"):
                zf.extract(info, tmp)


def _check_free(dest: Path) -> None:
    """Raise unless ``dest`` is missing or an empty folder."""
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise DownloadError(f"Cannot extract into {dest}: it already exists and is not an "
                            "empty folder. Remove it or choose another destination.")


def extract(archive: str | Path, dest: str | Path) -> Path:
    """Unpack a ``.tar.gz``/``.tgz``/``.tar``/``.zip`` archive into ``dest``, safely.

    Every member is checked before anything is written: absolute paths, ``..``
    and links pointing outside ``dest`` are refused. Tar members are written
    through tarfile's ``"data"`` filter as a second guard. The archive is
    unpacked into a sibling folder (``<dest>.partial``) that is renamed to ``dest``
    only when complete (:func:`helpers.atomic.staged_folder`), so an interrupted or
    failed extraction never leaves a half-filled ``dest``.

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
        If ``dest`` is not empty, the archive is unreadable, or a member is unsafe
        (the message names it).
    """
    archive, dest = Path(archive), Path(dest)
    if not archive.is_file():
        raise DownloadError(f"Archive {archive} does not exist.")
    _check_free(dest)
    unpack = _extract_tar if _archive_kind(archive) == "tar" else _extract_zip
    try:
        unpack(archive, dest)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, zlib.error, OSError) as err:
        raise DownloadError(f"Could not extract {archive} ({type(err).__name__}: {err}). "
                            "If it is damaged, delete it and get it again.") from err
    return dest


# --------------------------------------------------------------------------- GTZAN


def _audio_files(folder: Path) -> Iterator[Path]:
    """Audio files (``.au``/``.wav``, not hidden) anywhere under ``folder``."""
    if folder.is_dir():
        for path in folder.rglob("*"):
            if path.suffix.lower() in GTZAN_AUDIO_EXTENSIONS and not path.name.startswith("."):
                yield path


def _archive_name(url: str) -> str:
    return Path(urlparse(url).path).name or "genres.tar.gz"


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
        (any ``.au`` or ``.wav`` at any depth) it is returned as is.
    url
        Where to download the archive from (used only without ``archive``). It is
        saved as ``<work dir>/downloads/<file name of the URL>`` and kept there.
    archive
        A local copy of the archive (``.tar.gz``, ``.tgz``, ``.tar`` or ``.zip``)
        to use instead of downloading.
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
        or holds no audio. Nothing is unpacked into ``dest`` then.
    """
    dest = Path(dest) if dest is not None else work_dir() / "gtzan"
    if next(_audio_files(dest), None) is not None:
        return dest
    expected = _expected_digests(sha256, md5) if verify else {}
    known = _known(known)
    _check_free(dest)  # before a long download, not after
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
        if not archive.is_file():
            raise DownloadError(f"Archive {archive} does not exist.")
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
        target = work_dir() / "downloads" / _archive_name(url)
        try:
            archive = download(url, target, **(entry.expected if entry else expected))
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
    if next(_audio_files(dest), None) is None:
        raise DownloadError(f"{archive} was unpacked into {dest} but holds no .au or .wav "
                            f"files. Remove {dest} and check that the archive is GTZAN.")
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
    """Command line: ``python -m helpers.download [--url URL] [--archive PATH] [--dest DIR]``."""
    names = " or ".join(f"the {k.name}" for k in GTZAN_ARCHIVES)
    parser = argparse.ArgumentParser(
        prog="python -m helpers.download",
        description="Download (or take a local copy of) GTZAN, verify it and unpack it.",
        epilog=f"Without --sha256/--md5, a local archive must be one of the known GTZAN archives "
               f"({names}); the download from the default URL is checked by its sha256.",
    )
    parser.add_argument("--url", default=GTZAN_URL, help="where to download the archive from")
    parser.add_argument("--archive", type=Path, help="local archive to use instead of downloading")
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
            _expected_digests(args.sha256, args.md5)
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
    n_files = sum(1 for _ in _audio_files(dest))
    print(f"GTZAN is ready: {n_files} audio files under {dest}")
    print(_run_hint(dest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
