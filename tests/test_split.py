"""Song-level, genre-stratified train/validation/test splits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.config import GTZAN_GENRES, load_settings
from helpers.data import song_id
from helpers.split import (
    FAULT_FILTERED_DIR,
    LEFT_OUT_BY_PARTITION,
    NOT_IN_PARTITION,
    fault_filtered_report,
    fault_filtered_split,
    make_split,
    split_clips_randomly,
    split_songs,
)

PARTS = ("train", "val", "test")


def _clips(n_genres: int = 10, songs_per_genre: int = 20, seed: int = 0) -> pd.DataFrame:
    """Clips table: some songs have 2 or 3 clips, rows in shuffled order."""
    rng = np.random.default_rng(seed)
    rows = []
    for g in range(n_genres):
        for s in range(songs_per_genre):
            n_clips = 1 + (s % 3 == 0) + (s % 5 == 0)  # 1, 2 or 3 clips
            for c in range(n_clips):
                song = f"genre{g}.{s:05d}"
                rows.append({"path": f"/x/genre{g}/{song}-{c}.wav", "label": f"genre{g}",
                             "song_id": song})
    clips = pd.DataFrame(rows)
    return clips.iloc[rng.permutation(len(clips))].reset_index(drop=True)


def test_parts_names():
    assert PARTS == ("train", "val", "test")


def test_every_clip_gets_a_part():
    clips = _clips()
    part = split_songs(clips, 0.15, 0.15, seed=0)
    assert isinstance(part, pd.Series)
    assert part.index.equals(clips.index)
    assert part.notna().all()
    assert set(part) == set(PARTS)


def test_no_song_in_two_parts():
    clips = _clips()
    assert clips.groupby("song_id").size().max() == 3  # multi-clip songs exist
    part = split_songs(clips, 0.15, 0.15, seed=0)
    assert (clips.assign(part=part).groupby("song_id")["part"].nunique() == 1).all()


@pytest.mark.parametrize("val, test", [(0.15, 0.15), (0.2, 0.1), (0.1, 0.3)])
def test_song_proportions_per_genre(val, test):
    clips = _clips()
    part = split_songs(clips, val, test, seed=1)
    songs = clips.assign(part=part).drop_duplicates("song_id")
    counts = pd.crosstab(songs["label"], songs["part"])
    expected = {"train": 20 * (1 - val - test), "val": 20 * val, "test": 20 * test}
    for name, n in expected.items():
        assert (counts[name] - n).abs().max() <= 1 + 1e-9, (name, counts[name].tolist())
    assert counts.sum(axis=1).eq(20).all()


def test_same_seed_same_split_different_seed_different_split():
    clips = _clips()
    a = split_songs(clips, 0.15, 0.15, seed=0)
    b = split_songs(clips, 0.15, 0.15, seed=0)
    c = split_songs(clips, 0.15, 0.15, seed=1)
    pd.testing.assert_series_equal(a, b)
    assert not a.equals(c)


def test_split_does_not_depend_on_row_order():
    clips = _clips(seed=0)
    shuffled = clips.sample(frac=1, random_state=7)
    a = clips.assign(part=split_songs(clips, 0.15, 0.15, seed=3))
    b = shuffled.assign(part=split_songs(shuffled, 0.15, 0.15, seed=3))
    assert a.set_index("path")["part"].sort_index().equals(b.set_index("path")["part"].sort_index())


def test_song_with_two_labels_is_rejected():
    clips = _clips()
    clips.loc[clips["song_id"] == "genre3.00004", "label"] = "genre3"
    extra = pd.DataFrame([{"path": "/x/genre5/genre3.00004-9.wav", "label": "genre5",
                           "song_id": "genre3.00004"}])
    clips = pd.concat([clips, extra], ignore_index=True)
    with pytest.raises(ValueError, match="genre3.00004"):
        split_songs(clips, 0.15, 0.15, seed=0)


def test_genre_with_fewer_than_three_songs_is_rejected():
    clips = _clips()
    small = clips[(clips["label"] != "genre2") | clips["song_id"].isin(
        ["genre2.00000", "genre2.00001"])]
    assert small.loc[small["label"] == "genre2", "song_id"].nunique() == 2
    with pytest.raises(ValueError) as info:
        split_songs(small, 0.15, 0.15, seed=0)
    assert "genre2" in str(info.value)
    assert "3" in str(info.value), "the message should state the minimum number of songs"


def test_three_songs_per_genre_is_enough():
    clips = _clips(n_genres=3, songs_per_genre=4)
    part = split_songs(clips, 0.15, 0.15, seed=0)
    songs = clips.assign(part=part).drop_duplicates("song_id")
    counts = pd.crosstab(songs["label"], songs["part"])
    assert (counts[list(PARTS)] >= 1).all().all()


def test_small_dataset_with_larger_fractions():
    clips = _clips(n_genres=3, songs_per_genre=4)
    part = split_songs(clips, 0.25, 0.25, seed=0)
    songs = clips.assign(part=part).drop_duplicates("song_id")
    counts = pd.crosstab(songs["label"], songs["part"])
    assert counts["train"].tolist() == [2, 2, 2]
    assert counts["val"].tolist() == [1, 1, 1]
    assert counts["test"].tolist() == [1, 1, 1]


def _gtzan_like():
    genres = ["blues", "classical", "country", "disco", "hiphop", "jazz", "metal", "pop",
              "reggae", "rock"]
    ids = [f"{g}.{i:05d}" for g in genres for i in range(100)]
    return pd.DataFrame({"song_id": ids, "label": [i.split(".")[0] for i in ids]})


def test_fault_filtered_split_has_the_published_sizes():
    split = fault_filtered_split(_gtzan_like())
    assert split.value_counts().to_dict() == {"train": 443, "val": 197, "test": 290,
                                              "unused": 70}
    clips = _gtzan_like()
    assert split[clips["song_id"] == "reggae.00086"].item() == "unused"
    assert split[clips["song_id"] == "blues.00029"].item() == "train"


def test_fault_filtered_split_refuses_other_datasets():
    with pytest.raises(ValueError, match="only applies to GTZAN"):
        fault_filtered_split(_clips(n_genres=3, songs_per_genre=4))
    root = Path("/music")
    paths = [root / label / f"{i:02d} Track {i}.mp3" for label in ("hip hop", "waltz") for i in range(5)]
    clips = pd.DataFrame({"path": map(str, paths), "label": [p.parent.name for p in paths],
                          "song_id": [song_id(p, root) for p in paths]})
    for call in (lambda: fault_filtered_report(clips),
                 lambda: make_split(clips, load_settings(split="fault_filtered"))):
        with pytest.raises(ValueError, match="only applies to GTZAN. Use split='song'"):
            call()


def _gtzan_folder(numbers=range(100), without=(), extra=()) -> pd.DataFrame:
    """Clips table of a GTZAN-named folder ``/gtzan/<genre>/<genre>.000NN.wav``, as ``discover``
    gives it (song ids from the paths): clips ``numbers`` of every genre, less the ids in
    ``without``, plus the relative paths in ``extra``."""
    root = Path("/gtzan")
    paths = [root / g / f"{g}.{i:05d}.wav" for g in GTZAN_GENRES for i in numbers
             if f"{g}.{i:05d}" not in without]
    paths += [root / rel for rel in extra]
    return pd.DataFrame({"path": [str(p) for p in paths], "label": [p.parent.name for p in paths],
                         "song_id": [song_id(p, root) for p in paths]})


def test_whole_partition_is_used_and_reported():
    clips = _gtzan_folder()
    split = make_split(clips, load_settings(split="fault_filtered"))
    assert split.value_counts().to_dict() == {"train": 443, "val": 197, "test": 290, "unused": 70}
    report = fault_filtered_report(clips)
    assert report.ok and report.problems == ()
    assert report.split.equals(split)
    assert report.listed == report.held == {"train": 443, "val": 197, "test": 290}
    assert report.absent == {"train": (), "val": (), "test": ()}
    assert len(report.left_out[LEFT_OUT_BY_PARTITION]) == 70
    assert "reggae.00086" in report.left_out[LEFT_OUT_BY_PARTITION]
    assert report.left_out[NOT_IN_PARTITION] == ()
    assert report.per_genre.sum().to_dict() == {"train": 443, "val": 197, "test": 290}
    assert report.per_genre.loc["blues"].to_dict() == {"train": 46, "val": 23, "test": 31}
    text = str(report)
    assert "holds 930 of the 930 clips" in text
    assert "train 443 of 443" in text and "test  290 of 290" in text
    assert "70 GTZAN clip(s) that the published lists leave out" in text
    assert "reggae.00086" in text and "lacks" not in text


def test_copy_missing_one_clip_runs_with_a_note_naming_it():
    clips = _gtzan_folder(without={"jazz.00054"})  # the Hugging Face copy lacks this clip
    split = make_split(clips, load_settings(split="fault_filtered"))
    assert split.value_counts().to_dict() == {"train": 442, "val": 197, "test": 290, "unused": 70}
    report = fault_filtered_report(clips)
    assert report.ok
    assert report.absent == {"train": ("jazz.00054",), "val": (), "test": ()}
    assert report.per_genre.loc["jazz", "train"] == 42
    text = str(report)
    assert "holds 929 of the 930 clips" in text
    assert "lacks 1 listed clip(s):\n  jazz.00054 (train)" in text


def test_ten_per_genre_subset_is_refused():
    clips = _gtzan_folder(numbers=range(10))  # blues.00000 to rock.00009
    report = fault_filtered_report(clips)
    assert report.held == {"train": 38, "val": 51, "test": 4}
    assert not report.ok
    assert len(report.left_out[LEFT_OUT_BY_PARTITION]) == 7
    for call in (lambda: fault_filtered_split(clips),
                 lambda: make_split(clips, load_settings(split="fault_filtered"))):
        with pytest.raises(ValueError, match="cannot split this folder honestly") as info:
            call()
        message = str(info.value)
        assert "holds 93 of the 930 clips" in message
        assert "test holds 4 of its 290 listed clips (1.4%; at least 90% needed)" in message
        assert "no training clip for blues, classical, country" in message
        assert "no test clip for blues, classical, country, jazz, metal, reggae, rock" in message
        assert 'use split = "song"' in message


@pytest.mark.parametrize("n_missing, ok", [(29, True), (30, False)])
def test_each_part_must_hold_ninety_percent_of_its_clips(n_missing, ok):
    test_ids = (FAULT_FILTERED_DIR / "test.txt").read_text().split()
    clips = _gtzan_folder(without=set(test_ids[::9][:n_missing]))  # spread over the genres
    report = fault_filtered_report(clips)
    assert report.held["test"] == 290 - n_missing  # 261 / 290 = 90.0%, 260 / 290 = 89.7%
    assert report.ok is ok
    if not ok:
        with pytest.raises(ValueError, match=r"test holds 260 of its 290 listed clips \(89.7%"):
            fault_filtered_split(clips)


def test_clips_outside_the_lists_are_named_and_a_genre_without_training_clips_is_refused():
    clips = _gtzan_folder(extra=["rock/rock.00100.wav"])
    report = fault_filtered_report(clips)
    assert report.ok and report.left_out[NOT_IN_PARTITION] == ("rock.00100",)
    assert "1 clip(s) not among GTZAN's 1,000 clip ids" in str(report)
    clips = _gtzan_folder(extra=["polka/01 Track 1.mp3", "polka/02 Track 2.mp3"])
    assert fault_filtered_report(clips).left_out[NOT_IN_PARTITION] == (
        "polka/01 Track 1.mp3", "polka/02 Track 2.mp3")
    with pytest.raises(ValueError, match="no training clip for polka"):
        make_split(clips, load_settings(split="fault_filtered"))


def test_random_split_warns_and_ignores_songs():
    clips = _gtzan_like()
    with pytest.warns(UserWarning, match="overstates"):
        split = split_clips_randomly(clips, 0.1, 0.1, seed=0)
    assert split.value_counts().to_dict() == {"train": 800, "val": 100, "test": 100}
    with pytest.warns(UserWarning):
        again = split_clips_randomly(clips, 0.1, 0.1, seed=0)
    assert split.equals(again)


def test_make_split_follows_the_setting():
    clips = _gtzan_like()
    assert (make_split(clips, load_settings(split="fault_filtered")) == "unused").sum() == 70
    song = make_split(clips, load_settings())
    assert song.equals(split_songs(clips, 0.15, 0.15, 0))


def test_make_split_rejects_an_unknown_split():
    cfg = load_settings()
    object.__setattr__(cfg, "split", "artist")  # past Settings' own check
    with pytest.raises(ValueError, match="split must be 'song', 'fault_filtered' or 'random', not 'artist'"):
        make_split(_gtzan_like(), cfg)
