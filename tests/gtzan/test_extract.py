"""Unpacking a tar archive: the files, refused members, no half-written folder, not a tar.

Unsafe members are refused by tarfile's ``"data"`` filter (plus absolute names, which it
would write inside the destination): whatever it refuses, nothing stays behind.
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest
import soundfile as sf

from conftest import ARCHIVE_FILES, relative_files
from helpers.gtzan.download import DownloadError
from helpers.gtzan.extract import extract


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


def _special(name: str, kind: bytes) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type = kind
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
    "device": lambda root: [_file("genres/ok.txt", b"ok"), _special("genres/null", tarfile.CHRTYPE)],
    "fifo": lambda root: [_special("genres/pipe", tarfile.FIFOTYPE)],
}


def test_extract_gives_the_files(archive, tmp_path):
    dest = extract(archive.write(tmp_path / "dl" / "genres.tar.gz"), tmp_path / "gtzan")
    assert dest == tmp_path / "gtzan"
    assert relative_files(dest) == ARCHIVE_FILES
    audio, sr = sf.read(dest / ARCHIVE_FILES[0])
    assert sr == 8000 and len(audio) == 4000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dl", "gtzan"]  # no temp folder left


@pytest.mark.parametrize("case", sorted(MALICIOUS))
def test_malicious_tar_is_refused_and_nothing_is_left(tmp_path, case):
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


def test_inside_symlink_is_allowed(tmp_path):
    archive = _tar(tmp_path / "ok.tar.gz", [_file("genres/a.txt", b"a"),
                                            _link("genres/b.txt", "a.txt")])
    dest = extract(archive, tmp_path / "dest")
    assert (dest / "genres" / "b.txt").read_bytes() == b"a"


def test_interrupted_extraction_leaves_no_dest(archive, tmp_path, monkeypatch):
    path = archive.write(tmp_path / "genres.tar.gz")
    original = tarfile.TarFile.makefile  # writes one regular file's data
    calls = []

    def flaky_makefile(self, member, *args, **kwargs):
        calls.append(member.name)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return original(self, member, *args, **kwargs)

    monkeypatch.setattr(tarfile.TarFile, "makefile", flaky_makefile)
    with pytest.raises(KeyboardInterrupt):
        extract(path, tmp_path / "out" / "gtzan")
    assert len(calls) == 4
    assert not (tmp_path / "out").exists()  # no dest, no temporary folder, not even their parent


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
    assert relative_files(extract(archive.write(tmp_path / "g.tar.gz"), dest)) == ARCHIVE_FILES
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(archive.data[: len(archive.data) // 2])
    with pytest.raises(DownloadError, match="Could not extract"):
        extract(broken, tmp_path / "other")
    assert not (tmp_path / "other").exists()


def test_a_zip_is_refused_before_anything_is_written(tmp_path):
    path = tmp_path / "genres.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("genres/blues/blues.00000.wav", b"RIFF")
    with pytest.raises(DownloadError, match=r"is not a tar archive .*\.zip") as err:
        extract(path, tmp_path / "out" / "gtzan")
    assert str(path) in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["genres.zip"]
    with pytest.raises(DownloadError, match="does not exist"):
        extract(tmp_path / "missing.tar.gz", tmp_path / "out")
