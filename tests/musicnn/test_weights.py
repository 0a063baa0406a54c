"""Fetching and unpacking the musicnn weights: checksums, atomicity, pip, offline errors.

A small fake wheel stands in for ``musicnn-0.1.0-py3-none-any.whl`` (same member
layout, made-up contents, checksums computed here), and pip is pointed at a local
folder with ``--no-index --find-links``, so nothing here touches the network.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import pytest

from helpers.musicnn import weights as pretrained
from helpers.musicnn.weights import PretrainedWeightsError, extract_weights, fetch_weights

CONTENTS = {
    "musicnn/MSD_musicnn/.index": b"msd index",
    "musicnn/MSD_musicnn/.data-00000-of-00001": b"msd weights" * 100,
    "musicnn/configuration.py": b"MSD_LABELS = ['rock', 'pop']\n",
    "musicnn-0.1.0.dist-info/LICENSE.md": b"ISC",
}
EXPECTED = {name: hashlib.sha256(data).hexdigest() for name, data in CONTENTS.items()}
METADATA = b"Metadata-Version: 2.1\nName: musicnn\nVersion: 0.1.0\n"
WHEEL = b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def make_wheel(folder: Path, contents: dict[str, bytes] = CONTENTS) -> Path:
    """A minimal valid wheel holding ``contents`` (pip checks the name, version and tags)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "musicnn-0.1.0-py3-none-any.whl"
    files = {**contents, "musicnn/__init__.py": b"",
             "musicnn-0.1.0.dist-info/METADATA": METADATA, "musicnn-0.1.0.dist-info/WHEEL": WHEEL}
    record = "".join(f"{name},,\n" for name in files) + "musicnn-0.1.0.dist-info/RECORD,,\n"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        zf.writestr("musicnn-0.1.0.dist-info/RECORD", record)
    return path


def test_extract_checks_and_unpacks(tmp_path):
    dest = extract_weights(make_wheel(tmp_path / "wheels"), tmp_path / "weights", EXPECTED)
    assert (dest / "MSD_musicnn" / ".data-00000-of-00001").read_bytes() == b"msd weights" * 100
    assert (dest / "configuration.py").read_bytes() == CONTENTS["musicnn/configuration.py"]
    assert (dest / "LICENSE.md").is_file() and not (dest / "__init__.py").exists()
    assert pretrained.is_complete(dest, EXPECTED)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weights", "wheels"]  # no temporary left


def test_wrong_checksum_installs_nothing_and_keeps_old(tmp_path):
    dest = tmp_path / "weights"
    extract_weights(make_wheel(tmp_path / "good"), dest, EXPECTED)
    bad = dict(CONTENTS, **{"musicnn/MSD_musicnn/.data-00000-of-00001": b"tampered"})
    with pytest.raises(PretrainedWeightsError, match="SHA-256") as info:
        extract_weights(make_wheel(tmp_path / "bad", bad), dest, EXPECTED)
    assert "pip download --no-deps musicnn==0.1.0" in str(info.value)  # says what to do
    assert (dest / "MSD_musicnn" / ".data-00000-of-00001").read_bytes() == b"msd weights" * 100
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad", "good", "weights"]


def test_missing_member_and_not_a_zip(tmp_path):
    partial = {k: v for k, v in CONTENTS.items() if "configuration" not in k}
    with pytest.raises(PretrainedWeightsError, match="lacks musicnn/configuration.py"):
        extract_weights(make_wheel(tmp_path / "w", partial), tmp_path / "weights", EXPECTED)
    junk = tmp_path / "junk.whl"
    junk.write_text("not a zip")
    with pytest.raises(PretrainedWeightsError, match="not a readable wheel"):
        extract_weights(junk, tmp_path / "weights", EXPECTED)
    assert not (tmp_path / "weights").exists()


@pytest.fixture
def plain_pip(monkeypatch, tmp_path):
    """pip without this machine's configuration (indexes, find-links, constraints)."""
    for name in [n for n in os.environ if n.startswith("PIP_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_CACHE_DIR", str(tmp_path / "pip-cache"))


@pytest.mark.slow
def test_fetch_through_pip_from_a_local_index(tmp_path, plain_pip):
    local_index = ["--no-index", "--find-links", str(make_wheel(tmp_path / "index").parent)]
    dest = fetch_weights(tmp_path / "cache" / "musicnn", local_index, EXPECTED)
    assert pretrained.is_complete(dest, EXPECTED)
    assert sorted(p.name for p in dest.parent.iterdir()) == ["musicnn"]  # download folder removed


@pytest.mark.slow
def test_fetch_offline_says_what_to_do(tmp_path, plain_pip):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(PretrainedWeightsError, match="Could not download") as info:
        fetch_weights(tmp_path / "cache" / "musicnn", ["--no-index", "--find-links", str(empty)], EXPECTED)
    assert "python -m helpers.musicnn.weights --wheel" in str(info.value)
    assert not (tmp_path / "cache" / "musicnn").exists()


def test_weights_dir_uses_the_cache_and_cli_unpacks_a_wheel(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(pretrained, "WHEEL_FILES", EXPECTED)
    monkeypatch.setattr(pretrained, "fetch_weights", lambda *a, **k: pytest.fail("fetched"))
    with pytest.raises(PretrainedWeightsError, match="python -m helpers.musicnn.weights"):
        pretrained.weights_dir(fetch=False)
    assert pretrained.main(["--wheel", str(make_wheel(tmp_path / "w"))]) == 0
    assert "weights ready" in capsys.readouterr().out
    assert pretrained.weights_dir() == tmp_path / "xdg" / "genre-tutorial" / "musicnn-0.1.0"
