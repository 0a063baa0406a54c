"""Downloading and unpacking GTZAN: resume, checksums, safe extraction, offline help.

Everything runs against a local HTTP server on 127.0.0.1 serving a small generated
archive in GTZAN's layout (``genres/<genre>/<genre>.000NN.wav``). The real archives
are too big to test with, so tests of "is it a known GTZAN archive" put the generated
archives' digests into the module's table of known archives (``GTZAN_ARCHIVES``),
which the real code path reads when called.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import socket
import subprocess
import sys
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from helpers import download as dl
from helpers.audio import load_audio
from helpers.config import REPO_ROOT, work_dir
from helpers.data import discover
from helpers.download import (
    ChecksumError,
    DownloadError,
    KnownArchive,
    UnknownArchiveError,
    download,
    extract,
    fetch_gtzan,
)

GENRES = ("blues", "classical", "rock")
CLIPS = 2
#: Relative paths of the audio files in the generated archive.
EXPECTED_FILES = sorted(f"genres/{g}/{g}.{i:05d}.wav" for g in GENRES for i in range(CLIPS))
TIMEOUT = 5


# --------------------------------------------------------------------------- fixtures


@dataclasses.dataclass(frozen=True)
class Archive:
    """The generated test archive: its bytes and checksums."""

    data: bytes
    sha256: str
    md5: str

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.data)
        return path


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    """A tar.gz of 3 genres x 2 noise clips (0.5 s at 8 kHz, about 50 kB: barely compressible)."""
    root = tmp_path_factory.mktemp("archive-src")
    rng = np.random.default_rng(0)
    for rel in EXPECTED_FILES:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(path, (0.3 * rng.standard_normal(4000)).astype(np.float32), 8000,
                 subtype="PCM_16")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        tf.add(root / "genres", arcname="genres")
    data = buffer.getvalue()
    return Archive(data, hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest())


@dataclasses.dataclass
class ServerState:
    """What the test server serves and how it misbehaves; records each request's Range."""

    data: bytes
    url: str = ""
    drop_after: int | None = None  # send only this many body bytes, then close
    ignore_range: bool = False  # answer 200 with the whole file even to a Range request
    status: int | None = None  # answer every request with this HTTP error
    ranges: list[str | None] = dataclasses.field(default_factory=list)
    answers: list[int] = dataclasses.field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # http.server calls it by this name
        state = self.server.state
        state.ranges.append(self.headers.get("Range"))
        if state.status:
            state.answers.append(state.status)
            self.send_error(state.status)
            return
        data, start = state.data, 0
        match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
        if match and not state.ignore_range:
            start = int(match.group(1))
            if start >= len(data):
                state.answers.append(416)
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            state.answers.append(206)
        else:
            self.send_response(200)
            state.answers.append(200)
        body = data[start:]
        self.send_header("Content-Type", "application/gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body if state.drop_after is None else body[:state.drop_after])
            self.wfile.flush()
        except OSError:  # the client went away
            pass
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: ServerState

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # dropped connections are the point of some tests


@pytest.fixture
def server(archive: Archive) -> Iterator[ServerState]:
    """A local HTTP server (Range-aware, configurable faults) serving the test archive."""
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.state = ServerState(archive.data)
    httpd.state.url = f"http://127.0.0.1:{httpd.server_address[1]}/data/genres.tar.gz"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield httpd.state
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=TIMEOUT)


@pytest.fixture
def dead_url() -> str:
    """URL of a port on 127.0.0.1 that nothing listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/data/genres.tar.gz"


def relative_files(root: Path) -> list[str]:
    """Every file under ``root``, as sorted posix paths relative to it."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def part_of(target: Path) -> Path:
    return target.with_suffix(target.suffix + ".part")


# --------------------------------------------------------------------------- download


def test_download_verifies_and_extraction_gives_the_files(server, archive, tmp_path):
    target = tmp_path / "dl" / "genres.tar.gz"
    got = download(server.url, target, sha256=archive.sha256, md5=archive.md5, timeout=TIMEOUT)
    assert got == target
    assert target.read_bytes() == archive.data
    assert not part_of(target).exists()
    dest = extract(target, tmp_path / "gtzan")
    assert dest == tmp_path / "gtzan"
    assert relative_files(dest) == EXPECTED_FILES
    audio, sr = sf.read(dest / EXPECTED_FILES[0])
    assert sr == 8000 and len(audio) == 4000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dl", "gtzan"]  # no temp folder left


def test_interrupted_download_keeps_part_and_resumes(server, archive, tmp_path):
    target = tmp_path / "genres.tar.gz"
    server.drop_after = 20_000
    with pytest.raises(DownloadError, match="connection|Connection|ended") as err:
        download(server.url, target, sha256=archive.sha256, chunk_size=4096, timeout=TIMEOUT)
    part = part_of(target)
    assert part.exists() and not target.exists()
    assert "resumes it" in str(err.value)
    size = part.stat().st_size
    assert 0 < size <= 20_000
    assert part.read_bytes() == archive.data[:size]

    server.drop_after = None
    download(server.url, target, sha256=archive.sha256, chunk_size=4096, timeout=TIMEOUT)
    assert server.ranges[-1] == f"bytes={size}-"
    assert server.answers[-1] == 206
    assert target.read_bytes() == archive.data
    assert not part.exists()


def test_server_ignoring_range_restarts_from_scratch(server, archive, tmp_path):
    target = tmp_path / "genres.tar.gz"
    part_of(target).write_bytes(b"garbage that must not stay in front" * 100)
    server.ignore_range = True
    download(server.url, target, sha256=archive.sha256, timeout=TIMEOUT)
    assert server.ranges == [f"bytes={len(b'garbage that must not stay in front') * 100}-"]
    assert server.answers == [200]
    assert target.read_bytes() == archive.data


def test_complete_part_answered_416_is_verified_and_kept(server, archive, tmp_path):
    target = tmp_path / "genres.tar.gz"
    part_of(target).write_bytes(archive.data)
    download(server.url, target, md5=archive.md5, timeout=TIMEOUT)
    assert server.answers == [416]
    assert target.read_bytes() == archive.data


def test_part_longer_than_the_file_is_replaced(server, archive, tmp_path):
    target = tmp_path / "genres.tar.gz"
    part_of(target).write_bytes(archive.data + b"extra")
    download(server.url, target, sha256=archive.sha256, timeout=TIMEOUT)
    assert server.answers == [416, 200]
    assert server.ranges == [f"bytes={len(archive.data) + 5}-", None]
    assert target.read_bytes() == archive.data


def test_wrong_checksum_is_rejected_and_nothing_kept(server, archive, tmp_path):
    target = tmp_path / "genres.tar.gz"
    wrong = "0" * 64
    with pytest.raises(ChecksumError) as err:
        download(server.url, target, sha256=wrong, timeout=TIMEOUT)
    message = str(err.value)
    assert wrong in message and archive.sha256 in message
    assert err.value.expected == {"sha256": wrong}
    assert err.value.actual == {"sha256": archive.sha256}
    assert isinstance(err.value, DownloadError)
    assert list(tmp_path.iterdir()) == []


def test_wrong_checksum_through_fetch_gtzan_extracts_nothing(server, archive):
    with pytest.raises(ChecksumError):
        fetch_gtzan(url=server.url, md5="f" * 32, sha256=None)
    assert not (work_dir() / "gtzan").exists()
    assert list((work_dir() / "downloads").iterdir()) == []


def test_server_down_explains_the_manual_steps(dead_url, tmp_path):
    sha256, md5 = "1" * 64, "2" * 32  # every checksum given is one the user must check
    with pytest.raises(DownloadError) as err:
        download(dead_url, tmp_path / "genres.tar.gz", sha256=sha256, md5=md5, timeout=TIMEOUT)
    message = str(err.value)
    assert dead_url in message
    assert "browser" in message
    assert f"must print {sha256}" in message and f"must print {md5}" in message
    assert "python -m helpers.download --archive /path/genres.tar.gz" in message
    assert "data/gtzan/<genre>/<genre>.000NN.au" in message
    assert not (tmp_path / "genres.tar.gz").exists()


@pytest.mark.parametrize("status", [404, 500])
def test_http_errors_raise_download_error(server, tmp_path, status):
    server.status = status
    with pytest.raises(DownloadError, match=f"HTTP {status}") as err:
        download(server.url, tmp_path / "genres.tar.gz", timeout=TIMEOUT)
    assert "--archive" in str(err.value)
    assert not (tmp_path / "genres.tar.gz").exists()


def test_existing_verified_target_makes_no_request(server, archive, tmp_path):
    target = archive.write(tmp_path / "genres.tar.gz")
    assert download(server.url, target, sha256=archive.sha256, md5=archive.md5) == target
    assert server.ranges == []


def test_existing_target_with_wrong_content_is_downloaded_again(server, archive, tmp_path):
    target = tmp_path / "genres.tar.gz"
    target.write_bytes(b"stale")
    download(server.url, target, sha256=archive.sha256, timeout=TIMEOUT)
    assert server.ranges == [None]
    assert target.read_bytes() == archive.data


def test_malformed_checksum_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="sha256 must be 64"):
        download("http://127.0.0.1:9/x", tmp_path / "x", sha256="abc")


# --------------------------------------------------------------------------- extraction


def _tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            tf.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def _file(name: str, data: bytes = b"evil") -> tuple[tarfile.TarInfo, bytes]:
    return tarfile.TarInfo(name), data


def _link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info, None


MALICIOUS = {
    "dotdot": lambda root: [_file("genres/ok.txt", b"ok"), _file("../evil.txt")],
    "nested-dotdot": lambda root: [_file("genres/../../evil.txt")],
    "absolute": lambda root: [_file(str(root / "abs-evil.txt"))],
    "symlink-out": lambda root: [_link("genres/link", "../../outside"),
                                 _file("genres/link/evil.txt")],
    "symlink-absolute": lambda root: [_link("genres/link", str(root))],
    "hardlink-out": lambda root: [_link("genres/hard", "../evil.txt", tarfile.LNKTYPE)],
    # lexically inside (self/.. == .), really outside (self -> . so self/.. is dest's parent)
    "symlink-chain": lambda root: [_link("self", "."), _link("x", "self/..")],
    "through-symlink": lambda root: [_link("genres/here", "."),
                                     _file("genres/here/../../evil.txt")],
}


@pytest.mark.parametrize("case", sorted(MALICIOUS))
def test_malicious_tar_is_refused_before_writing(tmp_path, case):
    root = tmp_path / "root"
    root.mkdir()
    members = MALICIOUS[case](root)
    archive = _tar(tmp_path / "evil.tar.gz", members)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    dest = root / "out" / "gtzan"
    with pytest.raises(DownloadError, match="Refusing to extract") as err:
        extract(archive, dest)
    bad_names = [info.name for info, _ in members]
    assert any(repr(name) in str(err.value) for name in bad_names)
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert after == before  # nothing written: not dest, not its parent, not outside


def test_malicious_zip_is_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("genres/ok.txt", b"ok")
        zf.writestr("../evil.txt", b"evil")
    dest = tmp_path / "out" / "gtzan"
    with pytest.raises(DownloadError, match=r"'\.\./evil\.txt'"):
        extract(archive, dest)
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "evil.txt").exists()


def test_zip_extracts_like_tar(archive, tmp_path):
    src = extract(archive.write(tmp_path / "a.tar.gz"), tmp_path / "src")
    zipped = tmp_path / "genres.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for rel in EXPECTED_FILES:
            zf.write(src / rel, rel)
    assert relative_files(extract(zipped, tmp_path / "dest")) == EXPECTED_FILES


def test_inside_symlink_is_allowed(tmp_path):
    archive = _tar(tmp_path / "ok.tar.gz", [_file("genres/a.txt", b"a"),
                                            _link("genres/b.txt", "a.txt")])
    dest = extract(archive, tmp_path / "dest")
    assert (dest / "genres" / "b.txt").read_bytes() == b"a"


def test_interrupted_extraction_leaves_no_dest(archive, tmp_path, monkeypatch):
    path = archive.write(tmp_path / "genres.tar.gz")
    original = tarfile.TarFile.extract
    calls = []

    def flaky_extract(self, member, *args, **kwargs):
        calls.append(member.name)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return original(self, member, *args, **kwargs)

    monkeypatch.setattr(tarfile.TarFile, "extract", flaky_extract)
    with pytest.raises(KeyboardInterrupt):
        extract(path, tmp_path / "out" / "gtzan")
    assert len(calls) == 4
    assert list((tmp_path / "out").iterdir()) == []  # no dest, no temporary folder


def test_extract_refuses_a_non_empty_dest(archive, tmp_path):
    dest = tmp_path / "gtzan"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    with pytest.raises(DownloadError, match="not an empty folder"):
        extract(archive.write(tmp_path / "genres.tar.gz"), dest)
    assert relative_files(dest) == ["notes.txt"]


def test_extract_into_an_empty_dest_and_damaged_archive(archive, tmp_path):
    dest = tmp_path / "gtzan"
    dest.mkdir()
    assert relative_files(extract(archive.write(tmp_path / "g.tar.gz"), dest)) == EXPECTED_FILES
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(archive.data[: len(archive.data) // 2])
    with pytest.raises(DownloadError, match="Could not extract"):
        extract(broken, tmp_path / "other")
    assert not (tmp_path / "other").exists()


# --------------------------------------------------------------------------- fetch_gtzan


def test_fetch_gtzan_from_a_local_archive(archive, tmp_path, dead_url):
    path = archive.write(tmp_path / "genres.tar.gz")
    dest = fetch_gtzan(archive=path, sha256=archive.sha256, md5=archive.md5)
    assert dest == work_dir() / "gtzan"
    assert relative_files(dest) == EXPECTED_FILES
    # Already there: returned at once, no network (the URL is dead) and no archive needed.
    assert fetch_gtzan(url=dead_url) == dest


def test_fetch_gtzan_refuses_a_local_archive_that_is_not_gtzan(archive, tmp_path):
    path = archive.write(tmp_path / "genres.tar.gz")
    with pytest.raises(ChecksumError, match="--no-verify") as err:
        fetch_gtzan(archive=path)  # the real table of known archives
    assert isinstance(err.value, UnknownArchiveError)
    message = str(err.value)
    # Both known archives, each with its digest, and the digests this file has.
    assert f"{dl.GTZAN_HF.name} (" in message and f"sha256 {dl.GTZAN_HF_SHA256}" in message
    assert f"{dl.GTZAN_ORIGINAL.name} (" in message and f"md5 {dl.GTZAN_ORIGINAL_MD5}" in message
    assert archive.sha256 in message and archive.md5 in message
    assert "Nothing was extracted" in message
    assert err.value.known == dl.GTZAN_ARCHIVES
    assert err.value.actual == {"sha256": archive.sha256, "md5": archive.md5}
    assert not (work_dir() / "gtzan").exists()
    assert not (work_dir() / "downloads").exists()  # no download was tried instead
    assert path.exists()  # the user's file is never deleted


def test_fetch_gtzan_local_archive_with_a_wrong_given_checksum(archive, tmp_path):
    path = archive.write(tmp_path / "genres.tar.gz")
    with pytest.raises(ChecksumError) as err:
        fetch_gtzan(archive=path, md5="e" * 32)
    assert not isinstance(err.value, UnknownArchiveError)  # the given checksum, not the table
    assert err.value.expected == {"md5": "e" * 32}
    assert err.value.actual == {"md5": archive.md5}
    assert "checksum given" in str(err.value) and "--no-verify" in str(err.value)
    assert not (work_dir() / "gtzan").exists()


def test_fetch_gtzan_verify_false_uses_any_archive_with_a_warning(archive, tmp_path, capsys):
    path = archive.write(tmp_path / "genres.tar.gz")
    dest = fetch_gtzan(archive=path, md5="e" * 32, verify=False)  # checksums ignored
    assert relative_files(dest) == EXPECTED_FILES
    err = capsys.readouterr().err
    assert "WARNING" in err and "unverified" in err and str(path) in err


def test_fetch_gtzan_downloads_and_extracts(server, archive, tmp_path):
    dest = fetch_gtzan(tmp_path / "gtzan", url=server.url, sha256=archive.sha256, md5=None)
    assert dest == tmp_path / "gtzan"
    assert relative_files(dest) == EXPECTED_FILES
    assert (work_dir() / "downloads" / "genres.tar.gz").read_bytes() == archive.data


def test_fetch_gtzan_unverified_url_warns(server, capsys):
    dest = fetch_gtzan(url=server.url, sha256=None, md5=None)
    assert relative_files(dest) == EXPECTED_FILES
    err = capsys.readouterr().err
    assert "WARNING" in err and "unverified" in err and server.url in err


# --------------------------------------------------------------------------- CLI


def test_cli_failure_exits_1_with_the_message(dead_url, tmp_path, capsys):
    assert dl.main(["--url", dead_url, "--dest", str(tmp_path / "gtzan")]) == 1
    err = capsys.readouterr().err
    assert "unverified" in err  # a user-given URL has no known checksum
    assert "error: Could not download" in err
    assert "--archive" in err and "Traceback" not in err


def test_cli_failure_in_a_subprocess_has_no_traceback(dead_url, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "helpers.download", "--url", dead_url,
         "--dest", str(tmp_path / "gtzan")],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 1
    assert "Could not download" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_with_a_local_archive_says_where_and_what_next(archive, tmp_path, capsys):
    path = archive.write(tmp_path / "genres.tar.gz")
    dest = tmp_path / "gtzan"
    assert dl.main(["--archive", str(path), "--dest", str(dest), "--sha256", archive.sha256]) == 0
    out = capsys.readouterr().out
    assert f"{len(EXPECTED_FILES)} audio files under {dest}" in out
    assert "make run PARAMS=" in out and f"data_dir: {dest.resolve()}" in out
    assert relative_files(dest) == EXPECTED_FILES


def test_cli_no_verify_and_run_hint_for_the_default_folder(archive, tmp_path, capsys):
    path = archive.write(tmp_path / "genres.tar.gz")
    assert dl.main(["--archive", str(path), "--dest", str(tmp_path / "g"), "--no-verify"]) == 0
    assert "unverified" in capsys.readouterr().err
    assert dl._run_hint(work_dir() / "gtzan").endswith(
        "make run PARAMS=params/gtzan.yaml")


def test_cli_rejects_a_malformed_checksum(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        dl.main(["--archive", str(tmp_path / "x.tar.gz"), "--md5", "xyz"])
    assert exit_info.value.code == 2
    assert "md5 must be 32" in capsys.readouterr().err


# --------------------------------------------------------------------------- known GTZAN archives


def test_known_archives_pin_the_published_digests():
    # The download URL is checked by the sha256 its public users pin, not by the
    # original archive's md5 (the two files differ).
    assert dl.GTZAN_URL == ("https://huggingface.co/datasets/marsyas/gtzan/resolve/main/"
                            "data/genres.tar.gz")
    assert dl.known_archive_for_url(dl.GTZAN_URL) is dl.GTZAN_HF
    assert dl.GTZAN_HF.expected == {
        "sha256": "b28cc067ff6199bd826f5d1a6931458586d64acae7f44b2e882b7a97af057531"}
    assert dl.GTZAN_ORIGINAL.expected == {"md5": "5b3d6dddb579ab49814ab86dba69e7c7"}
    assert dl.GTZAN_ORIGINAL.url != dl.GTZAN_URL
    assert dl.GTZAN_ARCHIVES == (dl.GTZAN_HF, dl.GTZAN_ORIGINAL)
    assert dl.known_archive_for_url("https://example.org/genres.tar.gz") is None


def test_known_archive_checks_its_digest():
    assert KnownArchive("x", "y", "md5", "ABCDEF" + "0" * 26).digest == "abcdef" + "0" * 26
    with pytest.raises(ValueError, match="md5 must be 32"):
        KnownArchive("x", "y", "md5", "0" * 64)
    with pytest.raises(ValueError, match="algorithm must be one of"):
        KnownArchive("x", "y", "sha1", "0" * 40)


def test_identify_archive_names_the_one_it_matches(archive, tmp_path):
    path = archive.write(tmp_path / "genres.tar.gz")
    by_md5 = KnownArchive("by md5", "test", "md5", archive.md5)
    by_sha256 = KnownArchive("by sha256", "test", "sha256", archive.sha256)
    other_md5 = KnownArchive("other", "test", "md5", "0" * 32)
    other_sha256 = KnownArchive("other", "test", "sha256", "0" * 64)
    assert dl.identify_archive(path, [other_sha256, by_md5]) is by_md5
    assert dl.identify_archive(path, [by_sha256, other_md5]) is by_sha256
    with pytest.raises(UnknownArchiveError) as err:
        dl.identify_archive(path, [other_sha256, other_md5])
    assert err.value.actual == {"sha256": archive.sha256, "md5": archive.md5}
    assert err.value.expected == {"sha256": "0" * 64, "md5": "0" * 32}


def _serve_as_gtzan_url(monkeypatch: pytest.MonkeyPatch, url: str, sha256: str,
                        original_md5: str = dl.GTZAN_ORIGINAL_MD5) -> None:
    """Make ``url`` the module's download address, its Hugging Face entry pinned to ``sha256``."""
    monkeypatch.setattr(dl, "GTZAN_URL", url)
    monkeypatch.setattr(dl, "GTZAN_ARCHIVES", (
        dataclasses.replace(dl.GTZAN_HF, url=url, digest=sha256),
        dataclasses.replace(dl.GTZAN_ORIGINAL, digest=original_md5),
    ))


def test_download_from_the_gtzan_url_is_checked_by_its_sha256(server, archive, monkeypatch,
                                                               capsys):
    # The original's md5 in the table is wrong for this file: only the URL's sha256 counts.
    _serve_as_gtzan_url(monkeypatch, server.url, archive.sha256, original_md5="0" * 32)
    dest = fetch_gtzan(url=server.url)
    assert relative_files(dest) == EXPECTED_FILES
    out, err = capsys.readouterr()
    assert f"GTZAN's {dl.GTZAN_HF.name}" in out and archive.sha256 in out
    assert "unverified" not in err


def test_download_from_the_gtzan_url_is_not_accepted_by_the_original_md5(server, archive,
                                                                        monkeypatch):
    _serve_as_gtzan_url(monkeypatch, server.url, "0" * 64, original_md5=archive.md5)
    with pytest.raises(ChecksumError) as err:
        fetch_gtzan(url=server.url)
    assert err.value.expected == {"sha256": "0" * 64}
    assert err.value.actual == {"sha256": archive.sha256}
    assert not (work_dir() / "gtzan").exists()
    assert list((work_dir() / "downloads").iterdir()) == []


def test_cli_default_download_is_verified_by_the_table(server, archive, monkeypatch, capsys,
                                                      tmp_path):
    _serve_as_gtzan_url(monkeypatch, server.url, archive.sha256)
    dest = tmp_path / "gtzan"
    assert dl.main(["--dest", str(dest)]) == 0  # no --url: the module's GTZAN_URL
    out, err = capsys.readouterr()
    assert server.ranges == [None]
    assert f"GTZAN's {dl.GTZAN_HF.name}" in out
    assert f"{len(EXPECTED_FILES)} audio files under {dest}" in out
    assert "unverified" not in err


def test_gtzan_url_down_names_its_sha256_and_the_accepted_archives(dead_url, monkeypatch):
    _serve_as_gtzan_url(monkeypatch, dead_url, dl.GTZAN_HF_SHA256)
    with pytest.raises(DownloadError) as err:
        fetch_gtzan(url=dead_url)
    message = str(err.value)
    assert f"sha256sum (macOS: shasum -a 256) must print {dl.GTZAN_HF_SHA256}" in message
    assert "md5sum" not in message  # the download is not checked by the original's md5
    assert "--archive" in message
    assert dl.GTZAN_HF.describe() in message and dl.GTZAN_ORIGINAL.describe() in message
    assert "resumes it" not in message  # nothing was received, so no part to resume
    assert not (work_dir() / "gtzan").exists()


# --------------------------------------------------------------------------- both GTZAN layouts

SAMPLE_RATE = 8000
#: Per layout: file extension, soundfile format, the known archive whose digest the test
#: archive takes, and the digest's algorithm.
LAYOUTS = {
    "original-au": (".au", "AU", "GTZAN_ORIGINAL", "md5"),
    "huggingface-wav": (".wav", "WAV", "GTZAN_HF", "sha256"),
}


def _tone(genre_index: int, clip: int) -> np.ndarray:
    t = np.arange(SAMPLE_RATE // 2) / SAMPLE_RATE
    return (0.5 * np.sin(2 * np.pi * (220 * (genre_index + 1) + 10 * clip) * t)).astype(np.float32)


def _layout_archive(folder: Path, ext: str, fmt: str) -> tuple[Path, dict[str, np.ndarray]]:
    """A tar.gz of ``genres/<genre>/<genre>.000NN<ext>``, and the signal of each file."""
    src = folder / "src"
    signals = {}
    for g, genre in enumerate(GENRES):
        for i in range(CLIPS):
            rel = f"genres/{genre}/{genre}.{i:05d}{ext}"
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            signals[rel] = _tone(g, i)
            sf.write(src / rel, signals[rel], SAMPLE_RATE, format=fmt, subtype="PCM_16")
    # An AppleDouble file, as archives made on macOS hold: extracted, but not a clip.
    (src / f"genres/{GENRES[0]}/._{GENRES[0]}.00000{ext}").write_bytes(b"\x00\x05\x16\x07")
    path = folder / "genres.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        tf.add(src / "genres", arcname="genres")
    return path, signals


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_each_known_archive_layout_extracts_and_loads(layout, tmp_path, monkeypatch, capsys):
    ext, fmt, entry_name, algorithm = LAYOUTS[layout]
    path, signals = _layout_archive(tmp_path / "in", ext, fmt)
    digest = dl.file_digests(path, [algorithm])[algorithm]
    entry = dataclasses.replace(getattr(dl, entry_name), digest=digest)
    # The matching entry takes this archive's digest; the other keeps its real one.
    monkeypatch.setattr(dl, "GTZAN_ARCHIVES", tuple(
        entry if k.name == entry.name else k for k in dl.GTZAN_ARCHIVES))
    dest = tmp_path / "gtzan"

    assert dl.main(["--archive", str(path), "--dest", str(dest)]) == 0  # no --sha256/--md5

    out, err = capsys.readouterr()
    assert f"is GTZAN's {entry.name} ({entry.source}; {algorithm} {digest} matches)" in out
    assert f"{len(signals)} audio files under {dest}" in out
    assert "unverified" not in err
    hidden = f"genres/{GENRES[0]}/._{GENRES[0]}.00000{ext}"
    assert relative_files(dest) == sorted([*signals, hidden])

    clips, bad = discover(dest)
    assert sorted(Path(p).relative_to(dest).as_posix() for p in clips["path"]) == sorted(signals)
    assert sorted(clips["label"].unique()) == sorted(GENRES)
    assert sorted(clips["song_id"]) == sorted(Path(rel).stem for rel in signals)
    assert (clips["sample_rate"] == SAMPLE_RATE).all() and (clips["duration"] == 0.5).all()
    assert bad.empty  # the AppleDouble file is ignored, not reported

    rel = f"genres/{GENRES[1]}/{GENRES[1]}.00001{ext}"
    y = load_audio(dest / rel, SAMPLE_RATE)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, signals[rel], atol=1e-4)  # the very samples, 16-bit
    assert len(load_audio(dest / rel, 2 * SAMPLE_RATE)) == 2 * len(signals[rel])


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_archive_matching_neither_known_digest_is_refused(layout, tmp_path, capsys):
    ext, fmt, _, _ = LAYOUTS[layout]
    path, _ = _layout_archive(tmp_path / "in", ext, fmt)  # right layout, unknown digests
    dest = tmp_path / "gtzan"
    assert dl.main(["--archive", str(path), "--dest", str(dest)]) == 1
    err = capsys.readouterr().err
    digests = dl.file_digests(path)
    assert f"error: {path} is none of the known GTZAN archives" in err
    assert dl.GTZAN_HF.describe() in err and dl.GTZAN_ORIGINAL.describe() in err
    assert digests["sha256"] in err and digests["md5"] in err
    assert "Nothing was extracted" in err and "Traceback" not in err
    assert not dest.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]  # no partial folder either
