"""Notebook 03's model in one call, for notebooks that need it where notebook 03 has not run.

Notebooks 04-06 use the model bundle notebook 03 saves for the same parameters. On Google
Colab every notebook runs on its own machine, and a student may open notebook 05 first: then
:func:`load_or_train` trains and saves the bundle notebook 03 would have saved (the same
steps, settings and seed, without the narration) instead of stopping with an error.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import keras
import numpy as np
import pandas as pd

from helpers.baseline import band_stats, fit_baseline
from helpers.bundle import Bundle, BundleError, load_bundle
from helpers.calibration import choose_threshold, coverage_curve
from helpers.config import Settings
from helpers.data import genre_list
from helpers.features import dataset_features
from helpers.metrics import evaluate
from helpers.models import build_model
from helpers.split import make_split
from helpers.train import TrainResult, clip_probabilities, one_hot, train_model


def training_info(
    cfg: Settings, result: TrainResult, test_accuracy: float, baseline_accuracy: float
) -> dict[str, Any]:
    """What a CNN bundle records about its training (``Bundle.info``): settings, scores, history."""
    return {"settings": cfg.to_dict(), "test_accuracy": test_accuracy, "train_seconds": result.seconds,
            "baseline_accuracy": baseline_accuracy, "best_epoch": result.best_epoch,
            "history": result.history.to_dict(orient="list")}


@dataclasses.dataclass
class Trained:
    """A model trained and tested on one split, with the baseline's score on the same split."""

    model: keras.Model
    result: TrainResult
    report: dict[str, Any]  # helpers.metrics.evaluate on the test clips
    baseline_accuracy: float


def train_and_test(cfg: Settings, X: np.ndarray, labels: np.ndarray, genres: list[str], split: pd.Series,
                   verbose: int = 1, audio_frames: np.ndarray | None = None) -> Trained:
    """Notebook 03's recipe on one split: baseline, model, training, test report.

    Parameters
    ----------
    cfg
        Settings (model, window_frames, n_mels, learning_rate, seed and the training knobs).
    X, labels
        Clip features ``(N, n_frames, n_mels)`` and their labels.
    genres
        The label list (``helpers.data.genre_list``).
    split
        ``"train"``, ``"val"`` or ``"test"`` per clip (other values are left out).
    verbose
        Passed to :func:`helpers.train.train_model`.
    audio_frames
        How many of each clip's frames hold audio (the clips table's ``audio_frames``); the windows
        and frames of padding are left out everywhere. ``None``: every frame.
    """
    train, test = (split == "train").to_numpy(), (split == "test").to_numpy()
    audio = np.broadcast_to(X.shape[1] if audio_frames is None else audio_frames, len(X))
    baseline = fit_baseline(X[train], labels[train], cfg.seed, audio[train])
    baseline_accuracy = float(baseline.score(band_stats(X[test], audio[test]), labels[test]))
    model = build_model(cfg.model, (cfg.window_frames, cfg.n_mels), len(genres), cfg.learning_rate,
                        seed=cfg.seed)
    result = train_model(model, cfg, X, one_hot(labels, genres), split, audio, verbose=verbose)
    probs = clip_probabilities(model, X[test], cfg.window_frames, audio[test])
    report = evaluate(probs, labels[test], genres)
    return Trained(model, result, report, baseline_accuracy)


def train_bundle(cfg: Settings) -> Bundle:
    """Notebook 03 without the narration: features, split, baseline, training, threshold, saved bundle.

    Returns the bundle, saved to ``cfg.model_dir``.
    """
    clips, X, _ = dataset_features(cfg)
    genres, labels = genre_list(clips), clips["label"].to_numpy()
    split = make_split(clips, cfg)
    audio = clips["audio_frames"].to_numpy()
    trained = train_and_test(cfg, X, labels, genres, split, audio_frames=audio)
    val = (split == "val").to_numpy()
    curve = coverage_curve(clip_probabilities(trained.model, X[val], cfg.window_frames, audio[val]),
                           labels[val], genres)
    bundle = Bundle(model=trained.model, genres=genres, features=cfg.features,
                    window_frames=cfg.window_frames, threshold=choose_threshold(curve, cfg.review_target),
                    info=training_info(cfg, trained.result, trained.report["accuracy"],
                                       trained.baseline_accuracy))
    bundle.save(cfg.model_dir)
    return bundle


def load_or_train(cfg: Settings) -> Bundle:
    """The bundle notebook 03 saved for these settings; trained here first if there is none."""
    try:
        return load_bundle(cfg.model_dir)
    except BundleError:
        print(f"No model from notebook 03 for these parameters in {cfg.model_dir}.\n"
              "Training it now, exactly as notebook 03 does (about a minute on a laptop CPU)...")
        return train_bundle(cfg)
