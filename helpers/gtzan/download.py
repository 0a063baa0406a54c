"""Downloading one file: resumable over HTTP, verified by its checksums before it is kept.

:func:`download` writes ``<target>.part`` and renames it to ``target`` only once it is
complete and matches the checksums given; an interrupted download resumes with an HTTP
``Range`` request the next time. When the file cannot be downloaded, the error says how to
get it by hand (:func:`manual_steps`). Nothing here knows any particular dataset: GTZAN's
archives and their digests are in :mod:`helpers.gtzan.fetch`.

Downloads use ``requests``.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path

import requests

from helpers.progress import progress_bar

#: Checksum algorithms understood here, with the length of their hex digests.
DIGEST_LENGTHS = {"sha256": 64, "md5": 32}


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


def expected_digests(sha256: str | None = None, md5: str | None = None) -> dict[str, str]:
    """The checksums given, checked for shape: ``{algorithm: lower-case hex}``.

    Parameters
    ----------
    sha256, md5
        Hex digests, or ``None`` for an algorithm not checked.

    Returns
    -------
    dict
        One entry per digest given, in the order of :data:`DIGEST_LENGTHS`.

    Raises
    ------
    ValueError
        If a digest is not the right number of hexadecimal digits.

    >>> expected_digests(md5=" 900150983CD24FB0D6963F7D28E17F72 ")
    {'md5': '900150983cd24fb0d6963f7d28e17f72'}
    """
    expected = {}
    for name, value in (("sha256", sha256), ("md5", md5)):
        if value is None:
            continue
        value = value.strip().lower()
        if not re.fullmatch(f"[0-9a-f]{{{DIGEST_LENGTHS[name]}}}", value):
            raise ValueError(
                f"{name} must be {DIGEST_LENGTHS[name]} hexadecimal digits, not {value!r}"
            )
        expected[name] = value
    return expected


def file_digests(path: str | Path, algorithms: Iterable[str] = ("sha256", "md5"),
                 chunk_size: int = 1 << 20) -> dict[str, str]:
    """Hex digests of one file, all algorithms computed in a single read.

    Parameters
    ----------
    path
        The file.
    algorithms
        Names :func:`hashlib.new` takes.
    chunk_size
        Bytes per read.

    Returns
    -------
    dict
        ``{algorithm: lower-case hex digest}``.

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

    Parameters
    ----------
    path
        The file.
    sha256, md5
        Expected hex digests; every one given is checked.

    Raises
    ------
    ChecksumError
        If any given checksum differs; the message names expected and actual digests.
    """
    path = Path(path)
    expected = expected_digests(sha256, md5)
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


# --------------------------------------------------------------------------- download


def manual_steps(url: str, sha256: str | None = None, md5: str | None = None,
                 use_by_hand: str | None = None) -> str:
    """How to get the file by hand, for machines that cannot download it.

    Parameters
    ----------
    url
        Address of the file.
    sha256, md5
        Its checksums, each given one shown with the command that prints it.
    use_by_hand
        What to do with the saved file (the last step), or ``None``.

    Returns
    -------
    str
        Numbered steps, several lines.
    """
    checks = []
    if sha256:
        checks.append(f"     sha256sum (macOS: shasum -a 256) must print {sha256}")
    if md5:
        checks.append(f"     md5sum (macOS: md5) must print {md5}")
    check = "\n".join(checks) or "     (no checksum is known for this URL; be sure you trust it)"
    last = f"\n  3. {use_by_hand}" if use_by_hand else ""
    return (
        "To get the data by hand:\n"
        f"  1. On a machine with internet, open {url}\n"
        "     in a browser and save the file.\n"
        f"  2. Check it:\n{check}{last}"
    )


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
    with open(part, mode) as f, progress_bar(total=total, initial=offset, unit="B", unit_scale=True,
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
    use_by_hand: str | None = None,
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
    use_by_hand
        What to do with a file saved by hand: the last of the :func:`manual_steps`
        that the error messages give.

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
    expected = expected_digests(sha256, md5)
    if target.is_file() and (not expected or file_digests(target, expected) == expected):
        return target
    part = target.with_suffix(target.suffix + ".part")
    target.parent.mkdir(parents=True, exist_ok=True)
    by_hand = manual_steps(url, sha256, md5, use_by_hand)
    try:
        _fetch_to_part(url, part, chunk_size, timeout)
    except (requests.RequestException, DownloadError) as err:
        kept = (f"The partial download {part} was kept; running the same command again "
                "resumes it.\n") if part.exists() else ""
        raise DownloadError(
            f"Could not download {url}:\n  {_reason(err, timeout)}\n{kept}{by_hand}"
        ) from err
    except OSError as err:  # writing failed (disk full, permissions)
        raise DownloadError(f"Could not write {part}: {err}") from err
    try:
        verify_checksum(part, sha256=sha256, md5=md5)
    except ChecksumError as err:
        part.unlink(missing_ok=True)
        raise ChecksumError(
            f"{err}\nThe download was deleted: the server sent a different or damaged file. "
            "Try again later, or get it by hand.\n" + by_hand,
            part, err.expected, err.actual,
        ) from None
    os.replace(part, target)
    return target
