"""The band-statistics logistic-regression baseline."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.baseline import band_stats, fit_baseline


def test_band_stats_known_values():
    # One clip, 4 frames, 3 bands.
    X = np.array([[[1.0, 0.0, 5.0],
                   [3.0, 0.0, 5.0],
                   [1.0, 4.0, 5.0],
                   [3.0, 4.0, 5.0]]])
    stats = band_stats(X)
    assert stats.shape == (1, 6)
    np.testing.assert_allclose(stats[0, :3], [2.0, 2.0, 5.0])  # mean per band
    np.testing.assert_allclose(stats[0, 3:], [1.0, 2.0, 0.0])  # population std per band


def test_band_stats_per_clip_and_order():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 30, 8)).astype(np.float32)
    stats = band_stats(X)
    assert stats.shape == (5, 16)
    for i in range(5):
        np.testing.assert_allclose(stats[i, :8], X[i].mean(axis=0), rtol=1e-5)
        np.testing.assert_allclose(stats[i, 8:], X[i].std(axis=0), rtol=1e-5)


def test_band_stats_ignores_frame_order():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(2, 20, 4))
    np.testing.assert_allclose(band_stats(X), band_stats(X[:, ::-1]))


def test_band_stats_read_only_the_frames_of_audio():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(3, 40, 4)).astype(np.float32)
    padded = X.copy()
    padded[1, 25:] = padded[2, 10:] = -100.0  # the silence short clips are padded with
    stats = band_stats(padded, np.array([40, 25, 10]))
    for i, n in enumerate([40, 25, 10]):
        np.testing.assert_array_equal(stats[i], band_stats(X[i : i + 1, :n])[0])
    assert np.array_equal(band_stats(X, np.full(3, 40)), band_stats(X))


def _two_classes(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Class "low": energy in low bands, steady. Class "high": energy in high bands, bursty."""
    rng = np.random.default_rng(seed)
    low = rng.normal(0.0, 1.0, size=(n, 40, 16))
    low[:, :, :8] += 10
    high = rng.normal(0.0, 1.0, size=(n, 40, 16))
    high[:, ::4, 8:] += 20
    X = np.concatenate([low, high]).astype(np.float32)
    y = np.array(["low"] * n + ["high"] * n)
    return X, y


def test_fit_baseline_separates_clear_classes():
    X, y = _two_classes(20, seed=0)
    model = fit_baseline(X, y, seed=0)
    X_test, y_test = _two_classes(15, seed=1)
    assert (model.predict(band_stats(X_test)) == y_test).mean() == 1.0
    assert set(model.classes_) == {"low", "high"}
    proba = model.predict_proba(band_stats(X_test))
    assert proba.shape == (30, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_fit_baseline_cannot_separate_noise():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(60, 40, 16)).astype(np.float32)
    y = np.array(["a", "b"] * 30)
    model = fit_baseline(X, y, seed=0)
    X_test = rng.normal(size=(400, 40, 16)).astype(np.float32)
    y_test = np.array(["a", "b"] * 200)
    assert (model.predict(band_stats(X_test)) == y_test).mean() == pytest.approx(0.5, abs=0.1)


def test_fit_baseline_is_deterministic():
    X, y = _two_classes(10, seed=3)
    a = fit_baseline(X, y, seed=0)
    b = fit_baseline(X, y, seed=0)
    np.testing.assert_array_equal(a[-1].coef_, b[-1].coef_)
