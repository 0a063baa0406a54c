"""Song-level, genre-stratified train/validation/test splits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.split import fault_filtered_split, make_split, split_clips_randomly, split_songs

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


def test_random_split_warns_and_ignores_songs():
    clips = _gtzan_like()
    with pytest.warns(UserWarning, match="overstates"):
        split = split_clips_randomly(clips, 0.1, 0.1, seed=0)
    assert split.value_counts().to_dict() == {"train": 800, "val": 100, "test": 100}
    with pytest.warns(UserWarning):
        again = split_clips_randomly(clips, 0.1, 0.1, seed=0)
    assert split.equals(again)


def test_make_split_follows_the_setting():
    from helpers.config import load_settings

    clips = _gtzan_like()
    assert (make_split(clips, load_settings(split="fault_filtered")) == "unused").sum() == 70
    song = make_split(clips, load_settings())
    assert song.equals(split_songs(clips, 0.15, 0.15, 0))


def test_make_split_rejects_an_unknown_split():
    from helpers.config import load_settings

    cfg = load_settings()
    object.__setattr__(cfg, "split", "artist")  # past Settings' own check
    with pytest.raises(ValueError, match="split must be 'song', 'fault_filtered' or 'random', not 'artist'"):
        make_split(_gtzan_like(), cfg)
