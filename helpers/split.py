"""Train / validation / test splits: by song (default), GTZAN's artist-filtered lists, or random."""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.config import GTZAN_GENRES, REPO_ROOT, Settings, SplitName, choice_problem

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


#: The parts of the artist-filtered partition and the files that list their clip ids.
FAULT_FILTERED_FILES = {"train": "train.txt", "val": "valid.txt", "test": "test.txt"}

#: Least share of each part's listed clips that a folder must hold for ``split="fault_filtered"``.
#: Copies that lack a few clips pass; with less, a part's size and genre balance drift from the
#: published partition and its accuracy is no longer comparable (a 10-per-genre subset holds 10%).
MIN_PARTITION_SHARE = 0.9

#: Why :func:`fault_filtered_report` leaves a clip of the folder out of every part.
LEFT_OUT_BY_PARTITION = "GTZAN clip(s) that the published lists leave out (repeats and faults, Sturm 2013)"
NOT_IN_PARTITION = "clip(s) not among GTZAN's 1,000 clip ids, so not named in the lists at all"

_PART_NAMES = {"train": "training", "val": "validation", "test": "test"}
_SHOWN = 80  # clip ids printed per list; the report's fields hold them all


def _wrap(ids: Sequence[str]) -> str:
    """Clip ids as the report prints them, indented: the first :data:`_SHOWN`, then how many more."""
    more = [f"... and {len(ids) - _SHOWN} more"] if len(ids) > _SHOWN else []
    return textwrap.fill(", ".join([*ids[:_SHOWN], *more]), 100, initial_indent="  ",
                         subsequent_indent="  ", break_on_hyphens=False)


@dataclass(frozen=True, eq=False)
class FaultFilteredReport:
    """What ``split="fault_filtered"`` makes of a folder (from :func:`fault_filtered_report`).

    Attributes
    ----------
    split
        The part of each clip (``"train"``, ``"val"``, ``"test"`` or ``"unused"``), like ``clips``.
    listed, held
        Per part: the clips the partition lists, and how many of them the folder holds.
    absent
        Per part: the listed clip ids that the folder lacks.
    left_out
        Reason (:data:`LEFT_OUT_BY_PARTITION` or :data:`NOT_IN_PARTITION`) -> ids of the
        folder's clips that get no part.
    per_genre
        Clips per genre (rows, every label of the folder) and part (columns).
    problems
        Why the folder cannot be split honestly; empty when it can.
    """

    split: pd.Series
    listed: dict[str, int]
    held: dict[str, int]
    absent: dict[str, tuple[str, ...]]
    left_out: dict[str, tuple[str, ...]]
    per_genre: pd.DataFrame
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Whether the folder can be split honestly (no :attr:`problems`)."""
        return not self.problems

    def __str__(self) -> str:
        listed, held = sum(self.listed.values()), sum(self.held.values())
        lines = [f"GTZAN fault-filtered split: the folder holds {held} of the {listed} clips the "
                 f"partition lists ({held / listed:.1%})."]
        lines += [f"  {part:<5} {self.held[part]:>3} of {self.listed[part]}" for part in self.listed]
        absent = [f"{clip} ({part})" for part, ids in self.absent.items() for clip in ids]
        if absent:
            lines += [f"Note: the folder lacks {len(absent)} listed clip(s):", _wrap(absent)]
        for reason, ids in self.left_out.items():
            if ids:
                lines += [f"Left out of every part, {len(ids)} {reason}:", _wrap(ids)]
        lines += ["Clips per genre and part:", self.per_genre.rename_axis(None).to_string()]
        lines += [f"Cannot be split honestly: {problem}" for problem in self.problems]
        return "\n".join(lines)


def fault_filtered_report(
    clips: pd.DataFrame, folder: Path = FAULT_FILTERED_DIR, min_share: float = MIN_PARTITION_SHARE
) -> FaultFilteredReport:
    """GTZAN's artist-filtered partition (Kereliuk, Sturm & Larsen 2015) applied to ``clips``.

    Clips are matched by ``song_id`` (``blues.00029``). The partition lists 443 / 197 / 290
    clips; the 70 others of GTZAN's 1,000 (repeats and faults) and clips that are no GTZAN
    clip id get no part. The folder can be split honestly when it holds at least
    ``min_share`` of each part's listed clips (default 90%: a complete GTZAN copy, or one that
    lacks a few clips, such as the Hugging Face copy without ``jazz.00054``) and every genre
    of the folder has at least one clip in training and one in test.

    Parameters
    ----------
    clips
        Table with ``song_id`` and ``label`` columns.
    folder
        Folder of the lists ``train.txt``, ``valid.txt`` and ``test.txt``.
    min_share
        Least share of each part's listed clips that the folder must hold.

    Returns
    -------
    FaultFilteredReport
        The split, what it uses, lacks and leaves out; its ``str`` is a printed summary.

    Raises
    ------
    ValueError
        If no clip matches, i.e. the dataset is not GTZAN.
    """
    lists = {part: (folder / file).read_text().split() for part, file in FAULT_FILTERED_FILES.items()}
    part_of = {clip: part for part, ids in lists.items() for clip in ids}
    split = clips["song_id"].map(part_of).fillna("unused").rename("split")
    if (split == "unused").all():
        raise ValueError(
            "No clip matches the GTZAN fault-filtered partition (ids like 'blues.00029'); "
            "it only applies to GTZAN. Use split='song' for other datasets."
        )
    present = set(clips["song_id"])
    held = {part: sum(clip in present for clip in ids) for part, ids in lists.items()}
    gtzan_ids = {f"{genre}.{i:05d}" for genre in GTZAN_GENRES for i in range(100)}
    unused = sorted(set(clips.loc[split == "unused", "song_id"]))
    per_genre = pd.crosstab(clips["label"], split).reindex(columns=list(lists), fill_value=0)
    per_genre.index.name, per_genre.columns.name = "genre", None
    problems = [
        f"{_PART_NAMES[part]} holds {held[part]} of its {len(ids)} listed clips "
        f"({held[part] / len(ids):.1%}; at least {min_share:.0%} needed)"
        for part, ids in lists.items() if held[part] < min_share * len(ids)
    ]
    problems += [
        f"no {_PART_NAMES[part]} clip for {', '.join(per_genre.index[per_genre[part] == 0])}"
        for part in ("train", "test") if (per_genre[part] == 0).any()
    ]
    return FaultFilteredReport(
        split=split, listed={part: len(ids) for part, ids in lists.items()}, held=held,
        absent={part: tuple(clip for clip in ids if clip not in present) for part, ids in lists.items()},
        left_out={LEFT_OUT_BY_PARTITION: tuple(c for c in unused if c in gtzan_ids),
                  NOT_IN_PARTITION: tuple(c for c in unused if c not in gtzan_ids)},
        per_genre=per_genre, problems=tuple(problems),
    )


def fault_filtered_split(clips: pd.DataFrame, folder: Path = FAULT_FILTERED_DIR) -> pd.Series:
    """GTZAN's artist-filtered partition: 443 / 197 / 290 clips, the others ``"unused"``.

    Refuses a folder it cannot split honestly: one that holds less than
    :data:`MIN_PARTITION_SHARE` (90%) of a part's listed clips, or where a genre has no clip in
    training or in test. :func:`fault_filtered_report` tells what it uses and leaves out.

    Parameters
    ----------
    clips
        Table with ``song_id`` and ``label`` columns.
    folder
        Folder of the partition's lists.

    Returns
    -------
    pandas.Series
        The part of each clip, indexed like ``clips``.

    Raises
    ------
    ValueError
        If no clip matches (the dataset is not GTZAN), or the folder cannot be split honestly;
        the message names what is missing.
    """
    report = fault_filtered_report(clips, folder)
    if not report.ok:
        listed, held = sum(report.listed.values()), sum(report.held.values())
        raise ValueError(
            f"split='fault_filtered' cannot split this folder honestly: it holds {held} of the "
            f"{listed} clips that GTZAN's artist-filtered partition lists ({held / listed:.1%}).\n"
            + "".join(f"  - {problem}\n" for problem in report.problems)
            + f"The rule: at least {MIN_PARTITION_SHARE:.0%} of each part's listed clips, and a "
            "training and a test clip for every genre. For a partial GTZAN copy use "
            'split = "song" (split: song in a params file): it splits any folder by song within '
            "each genre."
        )
    return report.split


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
        If ``cfg.split`` is not one of :data:`helpers.config.SplitName`, or is
        ``"fault_filtered"`` and the clips are not GTZAN or too few of its partition to split
        honestly (see :func:`fault_filtered_split`).
    """
    problem = choice_problem("split", cfg.split, SplitName)
    if problem:
        raise ValueError(problem)
    return SPLITTERS[cfg.split](clips, cfg)
