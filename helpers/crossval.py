"""A k-fold estimate of test accuracy, for collections whose test part is too small to trust.

With 10-40 clips per label, the test part of one split holds a handful of clips, and its
accuracy swings by tens of points with the luck of the draw. Repeated k-fold trains the
same recipe (:func:`helpers.pipeline.train_and_test`) once per fold, every clip is tested
exactly once per repeat, and the spread over folds shows how much one number can move.
:func:`advice` and :func:`baseline_reading` say in words which number to trust, for notebook 03
to reveal once the student has read the numbers.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold

from helpers.config import Settings
from helpers.data import genre_list
from helpers.pipeline import train_and_test
from helpers.progress import progress_bar

#: Below this many test clips, notebook 03 adds a k-fold estimate to its single test.
SMALL_TEST_CLIPS = 30


def _group_folds(labels: np.ndarray, groups: np.ndarray, n_splits: int, seed: int) -> list[np.ndarray]:
    """Test indices of each fold: songs (``groups``) never split, labels stratified."""
    folds = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return [test for _, test in folds.split(labels, labels, groups)]


def fold_splits(
    clips: pd.DataFrame, n_splits: int = 5, n_repeats: int = 2, val_fraction: float = 0.15, seed: int = 0
) -> Iterator[tuple[int, int, pd.Series]]:
    """Splits of a repeated, stratified, song-grouped k-fold: ``(repeat, fold, split)``.

    In each fold one part of the songs is ``"test"``; from the rest, about ``val_fraction``
    of all songs become ``"val"`` (for early stopping, as in the single split) and the
    remainder ``"train"``. ``n_splits`` is lowered to the number of songs of the smallest
    label, so every fold can test every label.

    Raises
    ------
    ValueError
        If a label has fewer than 3 songs (train, validation and test need one each).
    """
    labels, groups = clips["label"].to_numpy(), clips["song_id"].to_numpy()
    fewest = int(clips.groupby("label")["song_id"].nunique().min())
    if fewest < 3:
        raise ValueError(f"A k-fold estimate needs at least 3 songs per label; the smallest label has "
                         f"{fewest}. Add clips to it, or drop that label folder.")
    k = min(n_splits, fewest)
    for repeat in range(n_repeats):
        for fold, test in enumerate(_group_folds(labels, groups, k, seed + repeat)):
            rest = np.setdiff1d(np.arange(len(clips)), test)
            rest_fewest = int(pd.Series(groups[rest]).groupby(labels[rest]).nunique().min())
            inner = min(max(2, round((1 - 1 / k) / val_fraction)), rest_fewest)
            val = rest[_group_folds(labels[rest], groups[rest], inner, seed + repeat)[0]]
            part = np.full(len(clips), "train", dtype=object)
            part[test], part[val] = "test", "val"
            yield repeat, fold, pd.Series(part, index=clips.index, name="split")


def cross_validate(
    cfg: Settings, clips: pd.DataFrame, X: np.ndarray, n_splits: int = 5, n_repeats: int = 2
) -> pd.DataFrame:
    """Test accuracy of ``cfg``'s model and of the baseline on every fold of :func:`fold_splits`.

    Only the windows and frames of audio count (the clips table's ``audio_frames``, where it has one).
    Returns one row per fold: ``repeat, fold, test_clips, model_accuracy, baseline_accuracy``.
    """
    genres, labels = genre_list(clips), clips["label"].to_numpy()
    audio = clips["audio_frames"].to_numpy() if "audio_frames" in clips else None  # frames of audio per clip
    splits = list(fold_splits(clips, n_splits, n_repeats, cfg.val_fraction, cfg.seed))
    rows = []
    for repeat, fold, split in progress_bar(splits, desc="k-fold", unit="fold"):
        trained = train_and_test(cfg, X, labels, genres, split, verbose=0, audio_frames=audio)
        rows.append({"repeat": repeat, "fold": fold, "test_clips": trained.report["n"],
                     "model_accuracy": trained.report["accuracy"],
                     "baseline_accuracy": trained.baseline_accuracy})
    return pd.DataFrame(rows)


def summarize(folds: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation over folds of the model's and the baseline's accuracy.

    >>> summarize(pd.DataFrame({"model_accuracy": [0.5, 0.7], "baseline_accuracy": [0.4, 0.4]}))
              mean   std
    model      0.6  0.14
    baseline   0.4  0.00
    """
    table = pd.DataFrame({
        "mean": [folds["model_accuracy"].mean(), folds["baseline_accuracy"].mean()],
        "std": [folds["model_accuracy"].std(ddof=1), folds["baseline_accuracy"].std(ddof=1)],
    }, index=["model", "baseline"])
    return table.round(2)


def advice(folds: pd.DataFrame, single_accuracy: float, single_clips: int,
           fewest_clips: int | None = None) -> str:
    """Which number to trust, a single small test or the k-fold estimate, in a few sentences (Markdown).

    When the network has not beaten the baseline, it points to notebook 06's transfer model;
    ``fewest_clips``, the clips of the smallest label, is named as the reason.
    """
    table = summarize(folds)
    model, baseline = table.loc["model"], table.loc["baseline"]
    gap = model["mean"] - baseline["mean"]
    few = f" (the smallest label has {fewest_clips} clips)" if fewest_clips else ""
    verdict = ("The model beats the baseline by more than the spread over folds."
               if gap > model["std"] else
               "The gap to the baseline is within the spread over folds: on this data the network has "
               f"not shown that it does better than the baseline. With this few clips per label{few}, a "
               "network trained from scratch has too few examples to learn what to listen for: **try "
               "notebook 06's transfer model**, which reuses what musicnn learned from the Million Song "
               "Dataset's tags and fits only a logistic regression on top.")
    return (f"With only {single_clips} test clips, one clip moves the single test's {single_accuracy:.0%} "
            f"by {100 / single_clips:.0f} points. The k-fold estimate tests every clip once in each of "
            f"{folds['repeat'].nunique()} repeats of {folds['fold'].nunique()} folds: model "
            f"**{model['mean']:.0%} ± {model['std']:.0%}**, baseline {baseline['mean']:.0%} ± "
            f"{baseline['std']:.0%} (mean ± standard deviation over folds). Trust the k-fold number: "
            f"it rests on every clip, not on a handful. {verdict}")


def baseline_reading(accuracy: float, margin: float, baseline_accuracy: float) -> str:
    """Where the baseline's test accuracy lies against the model's ``accuracy ± margin`` (Markdown)."""
    low, high = max(0.0, accuracy - margin), min(1.0, accuracy + margin)  # accuracy stays in 0-100%
    where = f"The baseline's {baseline_accuracy:.1%} lies"
    span = f"the model's margin ({low:.1%} to {high:.1%})"
    if baseline_accuracy > high:
        return f"{where} **above** {span}: on this test, the baseline does better than the network."
    if baseline_accuracy >= low:
        return (f"{where} **inside** {span}: on this test alone, the network has not shown that it beats "
                "the baseline; the luck of which clips were drawn could explain the gap.")
    return f"{where} below {span}: the network beats it by more than the luck of this test's clips."
