"""Simple classifiers: the baseline the network must beat, and the one put on top of embeddings."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler


def band_stats(X: np.ndarray, audio_frames: np.ndarray | None = None) -> np.ndarray:
    """Per-clip mean and standard deviation of every mel band: ``(N, 2 * n_mels)``.

    This throws away all timing (rhythm, order of events) and keeps only the
    average timbre and how much each band varies. Only each clip's first ``audio_frames``
    frames, those that hold audio, count (``None``: every frame); the silence a short clip was
    padded with would pull every mean down and every spread up.

    >>> band_stats(np.ones((3, 10, 4))).shape
    (3, 8)
    """
    audio = np.broadcast_to(X.shape[1] if audio_frames is None else audio_frames, len(X))
    audio_part = [x[:n] for x, n in zip(X, audio, strict=True)]  # each clip's frames of audio
    return np.stack([np.concatenate([x.mean(axis=0), x.std(axis=0)]) for x in audio_part])


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


def fit_baseline(X: np.ndarray, labels: np.ndarray, seed: int = 0,
                 audio_frames: np.ndarray | None = None) -> Pipeline:
    """The baseline: :func:`fit_classifier` on the :func:`band_stats` of clip features ``X`` (their
    frames of audio, ``audio_frames``)."""
    return fit_classifier(band_stats(X, audio_frames), labels, seed)
