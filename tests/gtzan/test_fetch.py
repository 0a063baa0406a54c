"""Getting GTZAN: the known archives, fetch_gtzan and its command line.

Everything runs against a local HTTP server on 127.0.0.1 (the ``server`` fixture of
``conftest.py``) serving a small generated archive in GTZAN's layout
(``genres/<genre>/<genre>.000NN.wav``). The real archives are too big to test with, so
tests of "is it a known GTZAN archive" put the generated archives' digests into the
module's table of known archives (``GTZAN_ARCHIVES``), which the real code path reads
when called.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from conftest import ARCHIVE_CLIPS, ARCHIVE_FILES, ARCHIVE_GENRES, relative_files
from helpers.audio import load_audio
from helpers.config import REPO_ROOT, work_dir
from helpers.data import discover
from helpers.gtzan import archives
from helpers.gtzan import fetch as gtzan
from helpers.gtzan.archives import KnownArchive, UnknownArchiveError
from helpers.gtzan.download import ChecksumError, DownloadError, file_digests
from helpers.gtzan.fetch import fetch_gtzan

# --------------------------------------------------------------------------- fetch_gtzan


def test_wrong_checksum_through_fetch_gtzan_extracts_nothing(server, archive):
    with pytest.raises(ChecksumError):
        fetch_gtzan(url=server.url, md5="f" * 32, sha256=None)
    assert not (work_dir() / "gtzan").exists()
    assert list((work_dir() / "downloads").iterdir()) == []


def test_download_failure_explains_the_manual_steps(dead_url):
    sha256, md5 = "1" * 64, "2" * 32  # every checksum given is one the user must check
    with pytest.raises(DownloadError) as err:
        fetch_gtzan(url=dead_url, sha256=sha256, md5=md5)
    message = str(err.value)
    assert dead_url in message
    assert "browser" in message
    assert f"must print {sha256}" in message and f"must print {md5}" in message
    assert "python -m helpers.gtzan --archive /path/genres.tar.gz" in message
    assert "data/gtzan/<genre>/<genre>.000NN.au" in message
    assert not (work_dir() / "gtzan").exists()
    assert list((work_dir() / "downloads").iterdir()) == []


def test_fetch_gtzan_from_a_local_archive(archive, tmp_path, dead_url):
    path = archive.write(tmp_path / "genres.tar.gz")
    dest = fetch_gtzan(archive=path, sha256=archive.sha256, md5=archive.md5)
    assert dest == work_dir() / "gtzan"
    assert relative_files(dest) == ARCHIVE_FILES
    # Already there: returned at once, no network (the URL is dead) and no archive needed.
    assert fetch_gtzan(url=dead_url) == dest


def test_fetch_gtzan_refuses_a_local_archive_that_is_not_gtzan(archive, tmp_path):
    path = archive.write(tmp_path / "genres.tar.gz")
    with pytest.raises(ChecksumError, match="--no-verify") as err:
        fetch_gtzan(archive=path)  # the real table of known archives
    assert isinstance(err.value, UnknownArchiveError)
    message = str(err.value)
    # Both known archives, each with its digest, and the digests this file has.
    assert f"{archives.GTZAN_HF.name} (" in message and f"sha256 {archives.GTZAN_HF_SHA256}" in message
    assert f"{archives.GTZAN_ORIGINAL.name} (" in message and f"md5 {archives.GTZAN_ORIGINAL_MD5}" in message
    assert archive.sha256 in message and archive.md5 in message
    assert "Nothing was extracted" in message
    assert err.value.known == archives.GTZAN_ARCHIVES
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
    assert relative_files(dest) == ARCHIVE_FILES
    err = capsys.readouterr().err
    assert "WARNING" in err and "unverified" in err and str(path) in err


def test_fetch_gtzan_downloads_and_extracts(server, archive, tmp_path):
    dest = fetch_gtzan(tmp_path / "gtzan", url=server.url, sha256=archive.sha256, md5=None)
    assert dest == tmp_path / "gtzan"
    assert relative_files(dest) == ARCHIVE_FILES
    assert (work_dir() / "downloads" / "genres.tar.gz").read_bytes() == archive.data


def test_fetch_gtzan_unverified_url_warns(server, capsys):
    dest = fetch_gtzan(url=server.url, sha256=None, md5=None)
    assert relative_files(dest) == ARCHIVE_FILES
    err = capsys.readouterr().err
    assert "WARNING" in err and "unverified" in err and server.url in err


# --------------------------------------------------------------------------- CLI


def test_cli_failure_exits_1_with_the_message(dead_url, tmp_path, capsys):
    assert gtzan.main(["--url", dead_url, "--dest", str(tmp_path / "gtzan")]) == 1
    err = capsys.readouterr().err
    assert "unverified" in err  # a user-given URL has no known checksum
    assert "error: Could not download" in err
    assert "--archive" in err and "Traceback" not in err


def test_cli_failure_in_a_subprocess_has_no_traceback(dead_url, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "helpers.gtzan", "--url", dead_url,
         "--dest", str(tmp_path / "gtzan")],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 1
    assert "Could not download" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_with_a_local_archive_says_where_and_what_next(archive, tmp_path, capsys):
    path = archive.write(tmp_path / "genres.tar.gz")
    dest = tmp_path / "gtzan"
    assert gtzan.main(["--archive", str(path), "--dest", str(dest), "--sha256", archive.sha256]) == 0
    out = capsys.readouterr().out
    assert f"{len(ARCHIVE_FILES)} audio files under {dest}" in out
    assert "make run PARAMS=" in out and f"data_dir: {dest.resolve()}" in out
    assert relative_files(dest) == ARCHIVE_FILES


def test_cli_no_verify_and_run_hint_for_the_default_folder(archive, tmp_path, capsys):
    path = archive.write(tmp_path / "genres.tar.gz")
    assert gtzan.main(["--archive", str(path), "--dest", str(tmp_path / "g"), "--no-verify"]) == 0
    assert "unverified" in capsys.readouterr().err
    assert gtzan._run_hint(work_dir() / "gtzan").endswith(
        "make run PARAMS=params/gtzan.yaml")


def test_cli_rejects_a_malformed_checksum(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        gtzan.main(["--archive", str(tmp_path / "x.tar.gz"), "--md5", "xyz"])
    assert exit_info.value.code == 2
    assert "md5 must be 32" in capsys.readouterr().err


# --------------------------------------------------------------------------- known GTZAN archives


def test_known_archives_pin_the_published_digests():
    # The download URL is checked by the sha256 its public users pin, not by the
    # original archive's md5 (the two files differ).
    assert gtzan.GTZAN_URL == ("https://huggingface.co/datasets/marsyas/gtzan/resolve/main/"
                            "data/genres.tar.gz")
    assert archives.known_archive_for_url(gtzan.GTZAN_URL) is archives.GTZAN_HF
    assert archives.GTZAN_HF.expected == {
        "sha256": "b28cc067ff6199bd826f5d1a6931458586d64acae7f44b2e882b7a97af057531"}
    assert archives.GTZAN_ORIGINAL.expected == {"md5": "5b3d6dddb579ab49814ab86dba69e7c7"}
    assert archives.GTZAN_ORIGINAL.url != gtzan.GTZAN_URL
    assert archives.GTZAN_ARCHIVES == (archives.GTZAN_HF, archives.GTZAN_ORIGINAL)
    assert archives.known_archive_for_url("https://example.org/genres.tar.gz") is None


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
    assert archives.identify_archive(path, [other_sha256, by_md5]) is by_md5
    assert archives.identify_archive(path, [by_sha256, other_md5]) is by_sha256
    with pytest.raises(UnknownArchiveError) as err:
        archives.identify_archive(path, [other_sha256, other_md5])
    assert err.value.actual == {"sha256": archive.sha256, "md5": archive.md5}
    assert err.value.expected == {"sha256": "0" * 64, "md5": "0" * 32}


def _serve_as_gtzan_url(monkeypatch: pytest.MonkeyPatch, url: str, sha256: str,
                        original_md5: str = archives.GTZAN_ORIGINAL_MD5) -> None:
    """Make ``url`` the module's download address, its Hugging Face entry pinned to ``sha256``."""
    monkeypatch.setattr(gtzan, "GTZAN_URL", url)
    monkeypatch.setattr(archives, "GTZAN_ARCHIVES", (
        dataclasses.replace(archives.GTZAN_HF, url=url, digest=sha256),
        dataclasses.replace(archives.GTZAN_ORIGINAL, digest=original_md5),
    ))


def test_download_from_the_gtzan_url_is_checked_by_its_sha256(server, archive, monkeypatch,
                                                               capsys):
    # The original's md5 in the table is wrong for this file: only the URL's sha256 counts.
    _serve_as_gtzan_url(monkeypatch, server.url, archive.sha256, original_md5="0" * 32)
    dest = fetch_gtzan(url=server.url)
    assert relative_files(dest) == ARCHIVE_FILES
    out, err = capsys.readouterr()
    assert f"GTZAN's {archives.GTZAN_HF.name}" in out and archive.sha256 in out
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
    assert gtzan.main(["--dest", str(dest)]) == 0  # no --url: the module's GTZAN_URL
    out, err = capsys.readouterr()
    assert server.ranges == [None]
    assert f"GTZAN's {archives.GTZAN_HF.name}" in out
    assert f"{len(ARCHIVE_FILES)} audio files under {dest}" in out
    assert "unverified" not in err


def test_gtzan_url_down_names_its_sha256_and_the_accepted_archives(dead_url, monkeypatch):
    _serve_as_gtzan_url(monkeypatch, dead_url, archives.GTZAN_HF_SHA256)
    with pytest.raises(DownloadError) as err:
        fetch_gtzan(url=dead_url)
    message = str(err.value)
    assert f"sha256sum (macOS: shasum -a 256) must print {archives.GTZAN_HF_SHA256}" in message
    assert "md5sum" not in message  # the download is not checked by the original's md5
    assert "--archive" in message
    assert archives.GTZAN_HF.describe() in message and archives.GTZAN_ORIGINAL.describe() in message
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
    for g, genre in enumerate(ARCHIVE_GENRES):
        for i in range(ARCHIVE_CLIPS):
            rel = f"genres/{genre}/{genre}.{i:05d}{ext}"
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            signals[rel] = _tone(g, i)
            sf.write(src / rel, signals[rel], SAMPLE_RATE, format=fmt, subtype="PCM_16")
    # An AppleDouble file, as archives made on macOS hold: extracted, but not a clip.
    (src / f"genres/{ARCHIVE_GENRES[0]}/._{ARCHIVE_GENRES[0]}.00000{ext}").write_bytes(b"\x00\x05\x16\x07")
    path = folder / "genres.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        tf.add(src / "genres", arcname="genres")
    return path, signals


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_each_known_archive_layout_extracts_and_loads(layout, tmp_path, monkeypatch, capsys):
    ext, fmt, entry_name, algorithm = LAYOUTS[layout]
    path, signals = _layout_archive(tmp_path / "in", ext, fmt)
    digest = file_digests(path, [algorithm])[algorithm]
    entry = dataclasses.replace(getattr(archives, entry_name), digest=digest)
    # The matching entry takes this archive's digest; the other keeps its real one.
    monkeypatch.setattr(archives, "GTZAN_ARCHIVES", tuple(
        entry if k.name == entry.name else k for k in archives.GTZAN_ARCHIVES))
    dest = tmp_path / "gtzan"

    assert gtzan.main(["--archive", str(path), "--dest", str(dest)]) == 0  # no --sha256/--md5

    out, err = capsys.readouterr()
    assert f"is GTZAN's {entry.name} ({entry.source}; {algorithm} {digest} matches)" in out
    assert f"{len(signals)} audio files under {dest}" in out
    assert "unverified" not in err
    hidden = f"genres/{ARCHIVE_GENRES[0]}/._{ARCHIVE_GENRES[0]}.00000{ext}"
    assert relative_files(dest) == sorted([*signals, hidden])

    clips, bad = discover(dest)
    assert sorted(Path(p).relative_to(dest).as_posix() for p in clips["path"]) == sorted(signals)
    assert sorted(clips["label"].unique()) == sorted(ARCHIVE_GENRES)
    assert sorted(clips["song_id"]) == sorted(Path(rel).stem for rel in signals)
    assert (clips["sample_rate"] == SAMPLE_RATE).all() and (clips["duration"] == 0.5).all()
    assert bad.empty  # the AppleDouble file is ignored, not reported

    rel = f"genres/{ARCHIVE_GENRES[1]}/{ARCHIVE_GENRES[1]}.00001{ext}"
    y = load_audio(dest / rel, SAMPLE_RATE)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, signals[rel], atol=1e-4)  # the very samples, 16-bit
    assert len(load_audio(dest / rel, 2 * SAMPLE_RATE)) == 2 * len(signals[rel])


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_archive_matching_neither_known_digest_is_refused(layout, tmp_path, capsys):
    ext, fmt, _, _ = LAYOUTS[layout]
    path, _ = _layout_archive(tmp_path / "in", ext, fmt)  # right layout, unknown digests
    dest = tmp_path / "gtzan"
    assert gtzan.main(["--archive", str(path), "--dest", str(dest)]) == 1
    err = capsys.readouterr().err
    digests = file_digests(path)
    assert f"error: {path} is none of the known GTZAN archives" in err
    assert archives.GTZAN_HF.describe() in err and archives.GTZAN_ORIGINAL.describe() in err
    assert digests["sha256"] in err and digests["md5"] in err
    assert "Nothing was extracted" in err and "Traceback" not in err
    assert not dest.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]  # no partial folder either


def test_cli_refuses_a_zip_with_a_clear_error(tmp_path, capsys):
    path = tmp_path / "genres.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("genres/blues/blues.00000.wav", b"RIFF")
    dest = tmp_path / "gtzan"
    assert gtzan.main(["--archive", str(path), "--dest", str(dest)]) == 1
    err = capsys.readouterr().err
    assert f"error: {path} is not a tar archive (.tar.gz, .tgz, .tar)" in err
    assert "none of the known GTZAN archives" not in err  # refused before any checksum
    assert "Traceback" not in err
    assert not dest.exists()
