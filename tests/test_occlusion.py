"""Occlusion: masked band groups and stretches of time, their drops, the picks and the figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from helpers import occlusion
from helpers.config import load_settings

FRAMES, BANDS, WINDOW = 40, 16, 20


def _listens_to_low_bands(W: np.ndarray) -> np.ndarray:
    """A stand-in model: genre 0's probability grows with the mean of bands 0-3, nothing else counts."""
    p = 1 / (1 + np.exp(-W[:, :, :4].mean(axis=(1, 2))))
    return np.stack([p, 1 - p], axis=1)


def _listens_to_the_start(W: np.ndarray) -> np.ndarray:
    """Another: genre 0's probability grows with the first 5 frames of each window."""
    p = 1 / (1 + np.exp(-W[:, :5, :].mean(axis=(1, 2))))
    return np.stack([p, 1 - p], axis=1)


def _clip(value=2.0):
    return np.full((FRAMES, BANDS), value, np.float32)


def test_band_drops_point_at_the_bands_the_model_uses():
    W = _clip()[None, :WINDOW]
    edges = occlusion.band_edges(BANDS, 4)  # groups of 4 bands
    drops = occlusion.band_drops(_listens_to_low_bands, W, 0, np.zeros(BANDS), edges)
    assert drops.shape == (1, 4)
    assert drops[0, 0] > 0.3 and np.allclose(drops[0, 1:], 0)
    rises = occlusion.band_drops(_listens_to_low_bands, W, 1, np.zeros(BANDS), edges)
    np.testing.assert_allclose(rises, -drops, atol=1e-6)  # the other genre rises as much


def test_time_drops_point_at_the_moments_the_model_uses():
    occ = occlusion.occlude_clip(_listens_to_the_start, _clip(), WINDOW, 0, np.zeros(BANDS), groups=4,
                                 stretches_per_window=4)
    assert occ.stretch == 5 and occ.time.shape == (8,) and occ.bands.shape == (2, 4)
    assert (occ.time[[0, 4]] > 0.3).all() and np.allclose(np.delete(occ.time, [0, 4]), 0)
    np.testing.assert_allclose(occ.base, 1 / (1 + np.exp(-2)), rtol=1e-6)
    assert occ.features.shape == (FRAMES, BANDS)


def test_band_importance_averages_per_true_genre():
    X = np.stack([_clip(2.0), _clip(1.0), _clip(3.0)])
    labels = np.array(["a", "a", "b"])
    fs = load_settings(n_mels=BANDS).features
    table = occlusion.band_importance(_listens_to_low_bands, X, labels, ["a", "b"], WINDOW, np.zeros(BANDS),
                                      fs, groups=4)
    assert list(table.index) == ["a", "b"] and table["clips"].tolist() == [2, 1]
    assert list(table.columns[:-1]) == occlusion.band_labels(occlusion.band_edges(BANDS, 4), fs)
    drops = table.drop(columns="clips").to_numpy()
    assert drops[0, 0] > 0 and drops[1, 0] < 0, "masking the low bands hurts a and helps b"
    assert np.allclose(drops[:, 1:], 0)
    assert "**a** (2 test clips): most on 0-" in occlusion.describe_band_importance(table)


@pytest.mark.parametrize("labels, expected", [
    (["a", "a", "b"], {"right": 2}),  # all right: the median of the true genre's 0.9, 0.7, 0.8
    (["a", "a", "a"], {"right": 1, "wrong": 2}),
    (["b", "b", "a"], {"wrong": 1}),  # all wrong: the one closest to right (0.3 for its true genre)
])
def test_examples_are_picked_from_what_the_run_got_right_and_wrong(labels, expected):
    probs = np.array([[0.9, 0.1], [0.7, 0.3], [0.2, 0.8]])
    assert occlusion.pick_examples(probs, np.array(labels), ["a", "b"]) == expected
    assert set(expected) <= set(occlusion.PICK_RULES)


def test_figures_draw():
    fs = load_settings(n_mels=BANDS).features
    occ = occlusion.occlude_clip(_listens_to_low_bands, _clip(), WINDOW, 0, np.zeros(BANDS), groups=4)
    fig = occlusion.plot_occlusion(occ, fs, "a clip")
    assert len(fig.axes) == 6 and fig.axes[0].get_title() == "a clip"
    table = occlusion.band_importance(_listens_to_low_bands, _clip()[None], np.array(["a"]), ["a", "b"],
                                      WINDOW, np.zeros(BANDS), fs, groups=4)
    assert occlusion.plot_band_importance(table).axes
    assert "0-" in occlusion.describe_clip(occ, fs)
