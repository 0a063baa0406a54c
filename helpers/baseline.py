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
    """Standardize ``(N, dim)`` features and fit a logistic regression on them."""
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, random_state=seed))
    return model.fit(features, labels)


def fit_baseline(X: np.ndarray, labels: np.ndarray, seed: int = 0) -> Pipeline:
    """The baseline: :func:`fit_classifier` on the :func:`band_stats` of clip features ``X``."""
    return fit_classifier(band_stats(X), labels, seed)
