"""Train / validation / test splits at song level, stratified by genre."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The three parts, in the order they are used.
PARTS = ("train", "val", "test")


def split_songs(
    clips: pd.DataFrame, val_fraction: float, test_fraction: float, seed: int
) -> pd.Series:
    """Assign every clip to ``"train"``, ``"val"`` or ``"test"``.

    Songs (``song_id``), not clips, are split, so clips of one song never land
    in two parts. Each genre's songs are shuffled and shared out on their own
    (exact stratification; at least one song per part), and the same inputs
    always give the same split.

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
    rng = np.random.default_rng(seed)
    part = {}
    for label, ids in songs.groupby("first").groups.items():
        ids = np.array(sorted(ids))
        rng.shuffle(ids)
        n_test = max(1, round(test_fraction * len(ids)))
        n_val = max(1, round(val_fraction * len(ids)))
        if n_test + n_val >= len(ids):
            raise ValueError(
                f"Genre {label!r} has {len(ids)} song(s): too few to give train, validation "
                f"and test at least one each with val_fraction={val_fraction} and "
                f"test_fraction={test_fraction}. Every genre needs at least 3 songs."
            )
        part.update(dict.fromkeys(ids[:n_test], "test"))
        part.update(dict.fromkeys(ids[n_test : n_test + n_val], "val"))
        part.update(dict.fromkeys(ids[n_test + n_val :], "train"))
    return clips["song_id"].map(part).rename("split")
