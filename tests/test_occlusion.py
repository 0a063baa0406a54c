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
    regions = occlusion.band_regions(occlusion.band_edges(BANDS, 4))  # groups of 4 bands
    drops = occlusion.occlusion_drops(_listens_to_low_bands, W, 0, np.zeros(BANDS), regions)
    assert drops.shape == (1, 4)
    assert drops[0, 0] > 0.3 and np.allclose(drops[0, 1:], 0)
    rises = occlusion.occlusion_drops(_listens_to_low_bands, W, 1, np.zeros(BANDS), regions)
    np.testing.assert_allclose(rises, -drops, atol=1e-6)  # the other genre rises as much


def test_each_region_is_masked_with_the_fill_in_its_own_copy_of_every_window():
    seen = []

    def model(W):
        seen.append(W.copy())
        return np.stack([W.mean(axis=(1, 2)), 1 - W.mean(axis=(1, 2))], axis=1)

    W = np.stack([_clip(1.0)[:WINDOW], _clip(3.0)[:WINDOW]])
    fill = np.arange(BANDS, dtype=np.float32)
    regions = [(slice(None), slice(0, 4)), (slice(0, 5), slice(None))]
    drops = occlusion.occlusion_drops(model, W, 0, fill, regions)
    (batch,) = seen
    assert batch.shape == (2 + 2 * 2, WINDOW, BANDS), "the windows, then a copy per window and region"
    np.testing.assert_array_equal(batch[:2], W)
    np.testing.assert_array_equal(batch[2][:, :4], np.broadcast_to(fill[:4], (WINDOW, 4)))
    np.testing.assert_array_equal(batch[2][:, 4:], W[0][:, 4:])
    np.testing.assert_array_equal(batch[3][:5], np.broadcast_to(fill, (5, BANDS)))
    np.testing.assert_array_equal(batch[5][5:], W[1][5:])
    expected = W.mean(axis=(1, 2))[:, None] - batch[2:].mean(axis=(1, 2)).reshape(2, 2)
    np.testing.assert_allclose(drops, expected, rtol=1e-6)


def test_time_regions_cover_the_window_once():
    regions = occlusion.time_regions(WINDOW, 6)
    covered = np.concatenate([np.arange(WINDOW)[frames] for frames, _ in regions])
    assert covered.tolist() == list(range(WINDOW)) and all(bands == slice(None) for _, bands in regions)


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


def test_band_importance_is_each_clips_mean_drop_whatever_the_order_and_length_of_clips():
    X = np.random.default_rng(0).normal(size=(5, FRAMES, BANDS)).astype(np.float32)
    labels, audio = np.array(["b", "a", "b", "a", "a"]), np.array([FRAMES, WINDOW, FRAMES, FRAMES, WINDOW])
    fs = load_settings(n_mels=BANDS).features
    table = occlusion.band_importance(_listens_to_low_bands, X, labels, ["a", "b"], WINDOW, np.zeros(BANDS),
                                      fs, groups=4, audio_frames=audio)
    regions = occlusion.band_regions(occlusion.band_edges(BANDS, 4))
    per_clip = [occlusion.occlusion_drops(_listens_to_low_bands, X[i, :audio[i]].reshape(-1, WINDOW, BANDS),
                                          ["a", "b"].index(labels[i]), np.zeros(BANDS), regions).mean(axis=0)
                for i in range(len(X))]  # clip by clip, as the lesson's loop would
    for genre in ("a", "b"):
        expected = np.mean([d for d, label in zip(per_clip, labels, strict=True) if label == genre], axis=0)
        np.testing.assert_allclose(table.drop(columns="clips").loc[genre].to_numpy(), expected, rtol=1e-6)


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
    names = occlusion.band_labels(occ.edges, fs)
    for ax in fig.axes[:3:2]:  # the spectrogram and the band map: every band group named in Hz
        assert [t.get_text() for t in ax.get_yticklabels()] == names and names[0].endswith(" Hz")
    table = occlusion.band_importance(_listens_to_low_bands, _clip()[None], np.array(["a"]), ["a", "b"],
                                      WINDOW, np.zeros(BANDS), fs, groups=4)
    assert occlusion.plot_band_importance(table).axes
    assert "0-" in occlusion.describe_clip(occ, fs)


def test_the_clips_compared_share_one_colour_scale():
    fs = load_settings(n_mels=BANDS).features
    weak = occlusion.occlude_clip(_listens_to_low_bands, _clip(0.5), WINDOW, 0, np.zeros(BANDS), groups=4)
    strong = occlusion.occlude_clip(_listens_to_low_bands, _clip(4.0), WINDOW, 0, np.zeros(BANDS), groups=4)
    limit = occlusion.drop_limit([weak, strong])
    assert limit == pytest.approx(np.abs(strong.bands).max()) and limit > np.abs(weak.bands).max()
    figs = occlusion.plot_occlusions({"weak": weak, "strong": strong}, fs)
    for fig in figs:
        assert fig.axes[2].images[0].get_clim() == (-limit, limit)
        assert fig.axes[4].get_ylim() == pytest.approx((-1.05 * limit, 1.05 * limit))
    assert [fig.axes[0].get_title() for fig in figs] == ["weak", "strong"]
