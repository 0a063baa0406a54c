"""Downloading one file: resume, checksums, HTTP faults, the manual steps when offline.

Everything runs against a local HTTP server on 127.0.0.1 (the ``server`` fixture of
``conftest.py``) serving a small generated archive.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import HTTP_TIMEOUT as TIMEOUT
from helpers.gtzan.download import ChecksumError, DownloadError, download, expected_digests, verify_checksum


def part_of(target: Path) -> Path:
    return target.with_suffix(target.suffix + ".part")


def test_download_verifies_and_renames_the_part(server, archive, tmp_path):
    target = tmp_path / "dl" / "genres.tar.gz"
    got = download(server.url, target, sha256=archive.sha256, md5=archive.md5, timeout=TIMEOUT)
    assert got == target
    assert target.read_bytes() == archive.data
    assert not part_of(target).exists()


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


def test_server_down_explains_the_manual_steps(dead_url, tmp_path):
    sha256, md5 = "1" * 64, "2" * 32  # every checksum given is one the user must check
    with pytest.raises(DownloadError) as err:
        download(dead_url, tmp_path / "genres.tar.gz", sha256=sha256, md5=md5, timeout=TIMEOUT,
                 use_by_hand="Pass it to the tool with --archive.")
    message = str(err.value)
    assert dead_url in message
    assert "browser" in message
    assert f"must print {sha256}" in message and f"must print {md5}" in message
    assert "3. Pass it to the tool with --archive." in message
    assert not (tmp_path / "genres.tar.gz").exists()


@pytest.mark.parametrize("status", [404, 500])
def test_http_errors_raise_download_error(server, tmp_path, status):
    server.status = status
    with pytest.raises(DownloadError, match=f"HTTP {status}") as err:
        download(server.url, tmp_path / "genres.tar.gz", timeout=TIMEOUT,
                 use_by_hand="Pass it with --archive.")
    assert "--archive" in str(err.value)
    assert "be sure you trust it" in str(err.value)  # no checksum is known
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
    with pytest.raises(ValueError, match="md5 must be 32"):
        expected_digests(md5="0" * 64)


def test_verify_checksum_names_only_the_wrong_digest(archive, tmp_path):
    path = archive.write(tmp_path / "genres.tar.gz")
    verify_checksum(path, sha256=archive.sha256.upper(), md5=archive.md5)  # case does not matter
    verify_checksum(path)  # nothing given: nothing to check
    with pytest.raises(ChecksumError, match="Checksum mismatch") as err:
        verify_checksum(path, sha256=archive.sha256, md5="0" * 32)
    assert err.value.path == path
    assert err.value.expected == {"md5": "0" * 32}
    assert err.value.actual == {"md5": archive.md5}
