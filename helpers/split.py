"""Train / validation / test splits: by song (default), GTZAN's artist-filtered lists, or random."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.config import REPO_ROOT, Settings, SplitName, choice_problem

#: Clip-id lists of GTZAN's artist-filtered partition (see splits/README.md for the source).
FAULT_FILTERED_DIR = REPO_ROOT / "splits" / "gtzan-fault-filtered"


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


def split_clips_randomly(
    clips: pd.DataFrame, val_fraction: float, test_fraction: float, seed: int
) -> pd.Series:
    """The original tutorial's split: clips shuffled at random, ignoring songs and artists.

    Kept only to reproduce the original. Clips of one song (or artist) can land
    in both training and test, so the test accuracy it gives is too optimistic;
    a warning says so.
    """
    warnings.warn(
        "split='random' assigns clips at random, so one song or artist can be in both training "
        "and test: the test accuracy overstates how well the model does on new music. Use "
        "split='song' (or 'fault_filtered' on GTZAN) for an honest estimate.",
        UserWarning, stacklevel=2,
    )
    order = np.random.default_rng(seed).permutation(len(clips))
    n_test, n_val = round(test_fraction * len(clips)), round(val_fraction * len(clips))
    part = np.full(len(clips), "train", dtype=object)
    part[order[:n_test]] = "test"
    part[order[n_test : n_test + n_val]] = "val"
    return pd.Series(part, index=clips.index, name="split")


def fault_filtered_split(clips: pd.DataFrame, folder: Path = FAULT_FILTERED_DIR) -> pd.Series:
    """GTZAN's artist-filtered partition (Kereliuk, Sturm & Larsen 2015): 443 / 197 / 290 clips.

    Clips are matched by ``song_id`` (``blues.00029``); clips outside the
    partition (GTZAN's repeated and faulty clips) get ``"unused"``.

    Raises
    ------
    ValueError
        If no clip matches, i.e. the dataset is not GTZAN.
    """
    part = {}
    for name, file in (("train", "train.txt"), ("val", "valid.txt"), ("test", "test.txt")):
        part.update(dict.fromkeys((folder / file).read_text().split(), name))
    split = clips["song_id"].map(part).fillna("unused").rename("split")
    if (split == "unused").all():
        raise ValueError(
            "No clip matches the GTZAN fault-filtered partition (ids like 'blues.00029'); "
            "it only applies to GTZAN. Use split='song' for other datasets."
        )
    return split


#: How each value of the ``split`` setting (:data:`helpers.config.SplitName`) parts the clips.
SPLITTERS: dict[str, Callable[[pd.DataFrame, Settings], pd.Series]] = {
    "song": lambda clips, cfg: split_songs(clips, cfg.val_fraction, cfg.test_fraction, cfg.seed),
    "fault_filtered": lambda clips, cfg: fault_filtered_split(clips),
    "random": lambda clips, cfg: split_clips_randomly(clips, cfg.val_fraction, cfg.test_fraction,
                                                      cfg.seed),
}


def make_split(clips: pd.DataFrame, cfg: Settings) -> pd.Series:
    """The split that ``cfg.split`` names: ``"song"``, ``"fault_filtered"`` or ``"random"``.

    Parameters
    ----------
    clips
        Table with ``song_id`` and ``label`` columns.
    cfg
        Run settings: ``split``, and the fractions and seed that ``"song"`` and ``"random"`` use.

    Returns
    -------
    pandas.Series
        The part of each clip (``"train"``, ``"val"``, ``"test"``, or ``"unused"``), like ``clips``.

    Raises
    ------
    ValueError
        If ``cfg.split`` is not one of :data:`helpers.config.SplitName`.
    """
    problem = choice_problem("split", cfg.split, SplitName)
    if problem:
        raise ValueError(problem)
    return SPLITTERS[cfg.split](clips, cfg)
