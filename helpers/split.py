"""Train / validation / test splits at song level, stratified by genre."""

from __future__ import annotations

import pandas as pd
from sklearn.model_selection import train_test_split

#: The three parts, in the order they are used.
PARTS = ("train", "val", "test")


def split_songs(
    clips: pd.DataFrame, val_fraction: float, test_fraction: float, seed: int
) -> pd.Series:
    """Assign every clip to ``"train"``, ``"val"`` or ``"test"``.

    Songs (``song_id``), not clips, are split, so clips of one song never land
    in two parts; the split is stratified by label, and the same inputs always
    give the same split.

    Parameters
    ----------
    clips
        Table with ``song_id`` and ``label`` columns.
    val_fraction, test_fraction
        Shares of songs for validation and test.
    seed
        Random seed.

    Returns
    -------
    pandas.Series
        The part of each clip, indexed like ``clips``.

    Raises
    ------
    ValueError
        If a song carries two labels, or a genre has too few songs to split.
    """
    songs = clips.groupby("song_id")["label"].agg(["first", "nunique"])
    mixed = songs.index[songs["nunique"] > 1].tolist()
    if mixed:
        raise ValueError(f"Songs with more than one label cannot be split: {mixed[:5]}")
    songs = songs["first"].sort_index()
    per_genre = songs.value_counts()
    if per_genre.min() < 3:
        raise ValueError(
            "Every genre needs at least 3 songs for a train/validation/test split; too few in: "
            f"{per_genre[per_genre < 3].to_dict()}"
        )
    rest, test = train_test_split(
        songs.index, test_size=test_fraction, stratify=songs, random_state=seed
    )
    train, val = train_test_split(
        rest, test_size=val_fraction / (1 - test_fraction), stratify=songs[rest],
        random_state=seed,
    )
    part = pd.Series("train", index=songs.index)
    part[val] = "val"
    part[test] = "test"
    return clips["song_id"].map(part).rename("split")
