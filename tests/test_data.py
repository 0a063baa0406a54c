"""Dataset discovery: the clips table, the bad-file report (files and dropped labels), and helpful
errors."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from test_audio import write_with_ffmpeg

from helpers.audio import load_audio
from helpers.data import CLIP_COLUMNS, REPORT_COLUMNS, DatasetError, discover, format_summary, genre_list


def test_discover_lists_every_clip_with_its_properties(tiny_dataset, tiny_dataset_spec):
    clips, bad = discover(tiny_dataset)
    assert list(clips.columns) == CLIP_COLUMNS
    assert list(bad.columns) == REPORT_COLUMNS
    assert bad.empty
    assert len(clips) == len(tiny_dataset_spec) == 12
    assert clips["path"].tolist() == [str(tiny_dataset / s.relpath) for s in tiny_dataset_spec]
    assert clips["label"].tolist() == [s.label for s in tiny_dataset_spec]
    assert clips["song_id"].tolist() == [s.relpath.split("/")[1][:-4] for s in tiny_dataset_spec]
    assert clips["sample_rate"].tolist() == [s.sample_rate for s in tiny_dataset_spec]
    assert clips["channels"].tolist() == [s.channels for s in tiny_dataset_spec]
    np.testing.assert_allclose(clips["duration"], [s.duration for s in tiny_dataset_spec],
                               atol=1e-9)
    assert clips.index.tolist() == list(range(12))


def test_discover_sorts_by_label_then_path(tiny_dataset):
    clips, _ = discover(tiny_dataset)
    assert genre_list(clips) == ["classical", "disco", "metal"]
    assert clips.equals(clips.sort_values(["label", "path"]).reset_index(drop=True))
    assert clips["label"].is_monotonic_increasing


def test_mixed_rates_and_stereo_present(tiny_dataset):
    clips, _ = discover(tiny_dataset)
    assert set(clips["sample_rate"]) == {16000, 22050, 44100}
    assert set(clips["channels"]) == {1, 2}


def test_hidden_and_appledouble_files_are_ignored(tiny_dataset):
    good = tiny_dataset / "metal" / "metal.00000.wav"
    shutil.copy(good, tiny_dataset / "metal" / ".hidden.wav")
    (tiny_dataset / "metal" / "._metal.00000.wav").write_bytes(b"\x00\x05\x16\x07" + bytes(60))
    (tiny_dataset / ".DS_Store").write_bytes(bytes(16))
    hidden_dir = tiny_dataset / ".trash" / "rock"
    hidden_dir.mkdir(parents=True)
    shutil.copy(good, hidden_dir / "rock.00000.wav")
    clips, bad = discover(tiny_dataset)
    assert len(clips) == 12
    assert bad.empty
    assert "rock" not in set(clips["label"])
    assert not any("/." in p for p in clips["path"])


def test_extra_nesting_level(tiny_dataset, tmp_path):
    nested_root = tmp_path / "gtzan"
    shutil.copytree(tiny_dataset, nested_root / "genres_original")
    clips, bad = discover(nested_root)
    assert bad.empty
    assert len(clips) == 12
    assert genre_list(clips) == ["classical", "disco", "metal"]
    for path, label in zip(clips["path"], clips["label"], strict=True):
        assert os.path.basename(os.path.dirname(path)) == label
        assert "genres_original" in path


def test_bad_files_are_reported_and_good_ones_kept(tiny_dataset):
    corrupt = tiny_dataset / "disco" / "disco.00099.wav"
    corrupt.write_bytes(np.random.default_rng(0).bytes(4000))
    empty = tiny_dataset / "classical" / "classical.00098.wav"
    sf.write(empty, np.zeros((0,), dtype=np.float32), 22050)
    assert sf.info(str(empty)).frames == 0
    notes = tiny_dataset / "metal" / "notes.txt"
    notes.write_text("not audio")
    loose = tiny_dataset / "loose.wav"
    shutil.copy(tiny_dataset / "metal" / "metal.00000.wav", loose)

    clips, bad = discover(tiny_dataset)
    assert len(clips) == 12
    assert not set(clips["path"]) & {str(corrupt), str(empty), str(notes), str(loose)}
    reasons = dict(zip(bad["path"], bad["reason"], strict=True))
    assert set(reasons) == {str(corrupt), str(empty), str(notes), str(loose)}
    assert all(isinstance(r, str) and r.strip() for r in reasons.values())
    assert len(set(reasons.values())) == 4, "each kind of problem should get its own reason"
    assert "empty" in reasons[str(empty)].lower()
    assert "audio" in reasons[str(notes)].lower()
    assert "label" in reasons[str(loose)].lower()


def test_missing_folder_explains_layout(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(DatasetError) as info:
        discover(missing)
    message = str(info.value)
    assert str(missing) in message
    assert "blues/blues.00000.wav" in message
    assert isinstance(info.value, ValueError)


def test_folder_without_audio(tmp_path):
    (tmp_path / "rock").mkdir()
    (tmp_path / "rock" / "readme.txt").write_text("hello")
    with pytest.raises(DatasetError, match="No readable audio"):
        discover(tmp_path)
    with pytest.raises(DatasetError):
        discover(tmp_path / "rock")


def test_folder_with_only_unreadable_audio(tmp_path):
    (tmp_path / "rock").mkdir()
    (tmp_path / "rock" / "rock.00000.wav").write_bytes(b"garbage" * 100)
    with pytest.raises(DatasetError):
        discover(tmp_path)


def test_single_genre_is_rejected(tiny_dataset):
    for genre in ("disco", "metal"):
        shutil.rmtree(tiny_dataset / genre)
    with pytest.raises(DatasetError, match="classical"):
        discover(tiny_dataset)


def test_two_genres_are_enough(tiny_dataset):
    shutil.rmtree(tiny_dataset / "metal")
    clips, _ = discover(tiny_dataset)
    assert genre_list(clips) == ["classical", "disco"]


def test_other_formats_and_upper_case_extensions(tmp_path):
    t = np.arange(16000) / 16000
    y = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    sf.write(tmp_path / "a" / "a.00000.flac", y, 16000)
    sf.write(tmp_path / "b" / "b.00000.WAV", y, 16000, format="WAV")
    sf.write(tmp_path / "b" / "b.00001.au", y, 16000, format="AU")
    clips, bad = discover(tmp_path)
    assert bad.empty
    assert clips["label"].tolist() == ["a", "b", "b"]
    np.testing.assert_allclose(clips["duration"], 1.0)


def test_genre_list_is_sorted_unique():
    clips = pd.DataFrame({"label": ["rock", "blues", "metal", "blues", "rock"]})
    assert genre_list(clips) == ["blues", "metal", "rock"]


def test_same_file_name_in_two_label_folders_is_two_songs(tmp_path):
    y = (0.3 * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)).astype(np.float32)
    for label in ("hip hop", "música", "waltz"):
        (tmp_path / label).mkdir()
        sf.write(tmp_path / label / "01 Track 1.wav", y, 16000)
    sf.write(tmp_path / "waltz" / "waltz.00003.wav", y, 16000)  # a GTZAN-style id keeps its id
    clips, bad = discover(tmp_path)
    assert bad.empty
    assert clips["song_id"].tolist() == ["hip hop/01 Track 1.wav", "música/01 Track 1.wav",
                                         "waltz/01 Track 1.wav", "waltz.00003"]
    assert clips.groupby("song_id")["label"].nunique().max() == 1


# --------------------------------------------------------------------------- formats FFmpeg reads


def test_discover_lists_compressed_formats_with_their_properties(tmp_path):
    t = np.arange(round(2.0 * 48000)) / 48000
    y = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_with_ffmpeg(tmp_path / "a" / "one.m4a", np.stack([y, y], axis=1)[:88200], 44100, "aac")
    write_with_ffmpeg(tmp_path / "b" / "two.opus", y[:72000], 48000, "libopus")
    write_with_ffmpeg(tmp_path / "b" / "three.webm", y, 48000, "libopus")
    clips, bad = discover(tmp_path)
    assert bad.empty
    assert [os.path.basename(p) for p in clips["path"]] == ["one.m4a", "three.webm", "two.opus"]
    assert clips["sample_rate"].tolist() == [44100, 48000, 48000]
    assert clips["channels"].tolist() == [2, 1, 1]
    np.testing.assert_allclose(clips["duration"], [2.0, 2.0, 1.5], atol=1e-9)
    for path, duration, rate in zip(clips["path"], clips["duration"], clips["sample_rate"], strict=True):
        assert len(load_audio(path, rate)) == round(duration * rate)


def test_corrupt_m4a_is_reported_and_skipped(tiny_dataset):
    corrupt = tiny_dataset / "disco" / "disco.00099.m4a"
    corrupt.write_bytes(np.random.default_rng(0).bytes(4000))
    clips, bad = discover(tiny_dataset)
    assert len(clips) == 12
    assert bad["path"].tolist() == [str(corrupt)]
    assert bad["action"].tolist() == ["skipped"]
    assert bad["reason"].iloc[0] == "cannot be decoded: FFmpeg: Invalid data found when processing input"


# --------------------------------------------------------------------------- dropped labels


def _corrupt_folder(folder, n: int = 2):
    folder.mkdir(parents=True)
    for i in range(n):
        (folder / f"{folder.name}.{i:05d}.wav").write_bytes(np.random.default_rng(i).bytes(3000))


def test_label_folder_of_only_bad_files_is_dropped(tiny_dataset, capsys):
    rock = tiny_dataset / "rock"
    _corrupt_folder(rock)
    (rock / "notes.txt").write_text("liner notes")
    clips, bad = discover(tiny_dataset)
    assert genre_list(clips) == ["classical", "disco", "metal"] and len(clips) == 12
    rows = bad.set_index("path")
    assert set(rows.index) == {str(rock), str(rock / "notes.txt"), str(rock / "rock.00000.wav"),
                               str(rock / "rock.00001.wav")}
    assert rows.loc[str(rock), "reason"] == "every file in this label folder was skipped"
    assert rows.loc[str(rock), "action"] == "label dropped"
    assert (rows.drop(index=str(rock))["action"] == "skipped").all()
    note = capsys.readouterr().out
    assert "\n  rock/: all 3 file(s) skipped" in note and str(tiny_dataset) not in note  # as in the folder
    assert "rock.00000.wav: cannot be decoded" in note


def test_label_with_good_files_in_another_folder_is_kept(tiny_dataset, capsys):
    _corrupt_folder(tiny_dataset / "more" / "metal")
    clips, bad = discover(tiny_dataset)
    assert len(clips) == 12
    assert (bad["action"] == "skipped").all() and len(bad) == 2
    assert capsys.readouterr().out == ""


def test_one_label_left_after_dropping_names_what_was_dropped(tiny_dataset):
    for genre in ("disco", "metal"):
        shutil.rmtree(tiny_dataset / genre)
    _corrupt_folder(tiny_dataset / "rock")
    with pytest.raises(DatasetError) as info:
        discover(tiny_dataset)
    message = str(info.value)
    assert "only one label ('classical')" in message and "at least two label folders" in message
    assert "rock/: all 2 file(s) skipped" in message
    assert "rock.00000.wav: cannot be decoded: libsndfile: Format not recognised" in message
    assert "blues/blues.00000.wav" in message  # the layout help


def test_every_label_dropped_names_the_folders(tmp_path):
    for label in ("jazz", "rock"):
        _corrupt_folder(tmp_path / label, n=1)
    with pytest.raises(DatasetError, match="No readable audio") as info:
        discover(tmp_path)
    message = str(info.value)
    assert f"under {tmp_path}." in message
    assert "jazz/: all 1 file(s) skipped" in message and "rock/: all 1 file(s) skipped" in message


def test_format_summary_lists_each_label_when_they_differ(tiny_dataset):
    clips, _ = discover(tiny_dataset)
    assert format_summary(clips).index.tolist() == ["every genre"]  # every label: 3 rates, mono+stereo
    clips = clips[clips["path"] != clips["path"].iloc[-1]]  # metal loses its longest clip
    table = format_summary(clips)
    assert table.index.tolist() == ["classical", "disco", "metal"]
    assert table["clips"].tolist() == [4, 4, 3]
    assert table.loc["classical", "sample_rates"] == "16000, 22050, 44100"
    assert table.loc["metal", "mean_seconds"] < table.loc["classical", "mean_seconds"]
    uniform = clips.assign(duration=30.0, sample_rate=16000, channels=1)
    assert format_summary(uniform).index.tolist() == ["every genre"]
    assert format_summary(uniform)["clips"].item() == 11
