"""Repeated, stratified, song-grouped k-fold for small collections."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.config import load_settings
from helpers.crossval import advice, baseline_reading, cross_validate, fold_splits, summarize
from helpers.data import genre_list
from helpers.features import dataset_features
from helpers.pipeline import train_and_test


def _clips(songs_per_label: int, clips_per_song: int = 2) -> pd.DataFrame:
    rows = [(label, f"{label}-{s}") for label in ("x", "y", "z")
            for s in range(songs_per_label) for _ in range(clips_per_song)]
    return pd.DataFrame(rows, columns=["label", "song_id"])


def test_every_clip_is_tested_once_per_repeat_and_songs_stay_whole():
    clips = _clips(songs_per_label=7)
    splits = list(fold_splits(clips, n_splits=5, n_repeats=2, val_fraction=0.15, seed=0))
    assert [(r, f) for r, f, _ in splits] == [(r, f) for r in range(2) for f in range(5)]
    for repeat in range(2):
        tested = np.zeros(len(clips), int)
        for r, _, split in splits:
            if r == repeat:
                tested += (split == "test").to_numpy()
        assert (tested == 1).all()
    for _, _, split in splits:
        assert set(split) == {"train", "val", "test"}
        assert (split.groupby(clips["song_id"]).nunique() == 1).all()
        assert set(clips.loc[split == "test", "label"]) == {"x", "y", "z"}
        assert set(clips.loc[split == "train", "label"]) == {"x", "y", "z"}
    first, second = splits[0][2], splits[5][2]
    assert not first.equals(second), "the second repeat reshuffles"
    again = list(fold_splits(clips, n_splits=5, n_repeats=2, val_fraction=0.15, seed=0))
    assert all(a[2].equals(b[2]) for a, b in zip(splits, again, strict=True))


def test_folds_are_capped_by_the_smallest_label_and_too_small_labels_are_refused():
    assert len(list(fold_splits(_clips(songs_per_label=3), n_splits=5, n_repeats=1))) == 3
    with pytest.raises(ValueError, match="at least 3 songs per label"):
        list(fold_splits(_clips(songs_per_label=2), n_repeats=1))


@pytest.mark.slow
def test_cross_validate_runs_the_single_split_recipe_on_each_fold(tiny_dataset):
    cfg = load_settings(data_dir=str(tiny_dataset), n_frames=40, window_frames=20, epochs=2,
                        patience=0, batch_size=4, n_jobs=1)
    clips, X, _ = dataset_features(cfg)
    folds = cross_validate(cfg, clips, X, n_splits=4, n_repeats=1)
    assert folds[["repeat", "fold"]].values.tolist() == [[0, f] for f in range(4)]
    assert folds["test_clips"].sum() == len(clips)
    assert folds["model_accuracy"].between(0, 1).all() and folds["baseline_accuracy"].between(0, 1).all()
    _, _, split = next(iter(fold_splits(clips, 4, 1, cfg.val_fraction, cfg.seed)))
    direct = train_and_test(cfg, X, clips["label"].to_numpy(), genre_list(clips), split, verbose=0)
    assert folds.loc[0, "model_accuracy"] == direct.report["accuracy"]
    assert folds.loc[0, "baseline_accuracy"] == direct.baseline_accuracy


def test_advice_reports_mean_spread_and_whether_the_gap_is_real():
    folds = pd.DataFrame({"repeat": [0, 0, 1, 1], "fold": [0, 1, 0, 1],
                          "model_accuracy": [0.8, 0.9, 0.85, 0.85], "baseline_accuracy": [0.5] * 4})
    assert summarize(folds).loc["model", "mean"] == 0.85
    text = advice(folds, single_accuracy=1.0, single_clips=4)
    assert "4 test clips" in text and "25 points" in text and "85% ± 4%" in text
    assert "beats the baseline" in text
    assert "notebook 06" not in text
    close = folds.assign(baseline_accuracy=[0.8, 0.9, 0.85, 0.8])
    assert "not shown" in advice(close, 1.0, 4)
    pointer = advice(close, 1.0, 4, fewest_clips=7)
    assert "notebook 06's transfer model" in pointer and "the smallest label has 7 clips" in pointer


def test_baseline_reading_places_the_baseline_against_the_model_margin():
    assert "**inside** the model's margin (70.0% to 90.0%)" in baseline_reading(0.8, 0.1, 0.75)
    assert "below the model's margin" in baseline_reading(0.8, 0.1, 0.6)
    assert "**above**" in baseline_reading(0.5, 0.1, 0.7)
    assert "(16.7% to 100.0%)" in baseline_reading(2 / 3, 0.5, 1 / 3)  # never above 100%
