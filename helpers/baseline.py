"""Simple classifiers: the baseline the network must beat, and the one put on top of embeddings."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler


def band_stats(X: np.ndarray) -> np.ndarray:
    """Per-clip mean and standard deviation of every mel band: ``(N, 2 * n_mels)``.

    This throws away all timing (rhythm, order of events) and keeps only the
    average timbre and how much each band varies.

    >>> band_stats(np.ones((3, 10, 4))).shape
    (3, 8)
    """
    return np.concatenate([X.mean(axis=1), X.std(axis=1)], axis=1)


def fit_classifier(features: np.ndarray, labels: np.ndarray, seed: int = 0) -> Pipeline:
    """Standardize ``(N, dim)`` features, then fit a logistic regression on them (notebook 06 shows it).

    The scaler learns each feature's mean and standard deviation on these clips; the logistic
    regression learns a weight per feature and genre and a bias per genre, whose softmax gives the
    genre probabilities. ``C`` is the inverse strength of the penalty on large weights: smaller
    is simpler. ``seed`` fixes the solver's random choices.
    """
    scaler = StandardScaler()  # each feature: minus its mean, divided by its standard deviation
    logistic = LogisticRegression(C=1.0, max_iter=2000, random_state=seed)
    return make_pipeline(scaler, logistic).fit(features, labels)


def fit_baseline(X: np.ndarray, labels: np.ndarray, seed: int = 0) -> Pipeline:
    """The baseline: :func:`fit_classifier` on the :func:`band_stats` of clip features ``X``."""
    return fit_classifier(band_stats(X), labels, seed)
