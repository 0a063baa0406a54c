import matplotlib
import matplotlib.collections

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from helpers import plots


def _titles(fig):
    return [ax.get_title() for ax in fig.axes if ax.get_title()]


def test_clip_counts_bars_per_genre():
    fig = plots.plot_clip_counts(pd.DataFrame({"label": ["rock", "blues", "rock"]}))
    bars = fig.axes[0].patches
    assert [b.get_height() for b in bars] == [1, 2]


def test_spectrogram_pair_has_one_panel_per_clip_with_axes_labelled():
    mel = np.random.default_rng(0).random((100, 32)) + 1e-3
    fig = plots.plot_spectrogram_pair({"classical": mel, "rock": mel}, 16000, 512)
    assert _titles(fig)[:2] == ["classical", "rock"]
    assert "time" in fig.axes[0].get_xlabel()


def _spectrogram_meshes(fig):
    return [c for ax in fig.axes if ax.get_label() != "<colorbar>"
            for c in ax.collections if isinstance(c, matplotlib.collections.QuadMesh)]


def test_every_spectrogram_is_drawn_one_way_with_a_colourbar_in_db():
    from helpers.features import to_db

    rng = np.random.default_rng(0)
    quiet = rng.random((40, 16)) * 1e-3 + 1e-9
    loud = quiet * 1e4  # 40 dB louder: drawn brighter on the same scale, not stretched to its own
    top = float(to_db(loud).max())
    audio = {"quiet": 0.01 * rng.standard_normal(40 * 512), "loud": rng.uniform(-1, 1, 40 * 512)}
    figures = [plots.plot_spectrogram_pair({"quiet": quiet, "loud": loud}, 16000, 512),
               plots.plot_clip_examples(audio, {"quiet": quiet, "loud": loud}, 16000, 512),
               plots.plot_power_vs_db(loud, 16000, 512)]
    for fig in figures:
        meshes = _spectrogram_meshes(fig)
        in_db = [m for m in meshes if m.get_clim()[0] < 0]
        assert {m.get_cmap().name for m in meshes} == {plots.SPECTROGRAM_CMAP}
        assert len(in_db) == (1 if fig is figures[-1] else 2)
        assert all(m.get_clim() == pytest.approx((top - plots.DB_RANGE, top)) for m in in_db)
        np.testing.assert_allclose(in_db[-1].get_array().reshape(16, -1), to_db(loud).T)
        assert [ax.get_ylabel() for ax in fig.axes].count(plots.DB_LABEL) == 1  # one dB colourbar
        plt.close(fig)


def test_filterbank_figure_draws_the_bands_and_the_matrix():
    import librosa

    basis = librosa.filters.mel(sr=16000, n_fft=512, n_mels=32)
    fig = plots.plot_mel_filterbank(basis, 16000)
    ax_bands, ax_matrix = fig.axes[:2]
    assert len(ax_bands.collections) == 4  # every 8th of 32 bands
    assert ax_matrix.images[0].get_array().shape == (32, 257)
    assert "32 bands x 257 FFT bins" in ax_matrix.get_title()
    plt.close(fig)


def test_history_and_confusion_and_map():
    hist = pd.DataFrame({"loss": [1, 0.5], "val_loss": [1, 0.8], "accuracy": [0.3, 0.6],
                         "val_accuracy": [0.3, 0.5]}, index=[1, 2])
    assert len(_titles(plots.plot_history(hist, best_epoch=2))) == 2
    cm = pd.DataFrame([[3, 1], [0, 4]], index=["a", "b"], columns=["a", "b"])
    fig = plots.plot_confusion(cm, "t")
    assert [t.get_text() for t in fig.axes[0].texts] == ["3", "1", "4"]
    fig = plots.plot_confusion(cm, "t", normalize=True)
    assert [t.get_text() for t in fig.axes[0].texts] == ["75%", "25%", "100%"]
    maps = {"one": np.zeros((3, 2)), "two": np.ones((3, 2))}
    fig = plots.plot_embedding_maps(maps, np.array(["a", "b", "a"]), ["a", "b"], "m")
    assert [ax.get_title() for ax in fig.axes] == ["one", "two"]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["a", "b"]


def test_timeline_plot():
    from helpers.predict import SongPrediction

    pred = SongPrediction("x.wav", np.array([0.0, 4.8, 9.6]),
                          np.array([[0.7, 0.3], [0.4, 0.6], [0.5, 0.5]]), np.array([0.53, 0.47]),
                          audio_seconds=10.1)
    fig = plots.plot_window_timeline(pred, ["a", "b"])
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["a", "b"]
    assert fig.axes[0].get_xlim() == (0, 10.1)  # the last window shown while it lasts (audio_seconds)


def test_the_timeline_of_a_one_window_song_shows_that_window():
    from helpers.predict import SongPrediction

    pred = SongPrediction("x.wav", np.array([0.0]), np.array([[0.7, 0.3]]), np.array([0.7, 0.3]),
                          padded=True, audio_seconds=2.5)
    fig = plots.plot_window_timeline(pred, ["a", "b"])
    bands = fig.axes[0].collections
    assert fig.axes[0].get_xlim() == (0, 2.5)
    extents = [b.get_paths()[0].get_extents() for b in bands]
    sizes = [(round(float(e.width), 2), round(float(e.height), 2)) for e in extents]
    assert sizes == [(2.5, 0.7), (2.5, 0.3)]


def test_coverage_plot():
    curve = pd.DataFrame({"threshold": [0.3, 0.6], "coverage": [1.0, 0.5], "accuracy": [0.6, 0.9]})
    fig = plots.plot_coverage(curve, 0.6)
    assert "threshold" in fig.axes[0].get_xlabel()
    assert len(fig.axes[0].lines) == 3


def test_coverage_steps_show_what_each_threshold_accepts():
    from helpers.calibration import coverage_at, coverage_curve

    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(3), size=40)
    labels = np.array(["a", "b", "c"])[rng.integers(0, 3, 40)]
    curve = coverage_curve(probs, labels, ["a", "b", "c"])
    fig, ax = plt.subplots()
    plots.draw_coverage(ax, curve)
    accuracy, coverage = ax.lines[:2]
    assert coverage.get_drawstyle() == accuracy.get_drawstyle() == "steps-pre"
    x = coverage.get_xdata()
    for t in [0.05, *curve["threshold"], *(curve["threshold"].to_numpy()[:-1] + 1e-6)]:
        i = np.searchsorted(x, t)  # steps-pre: x holds the value of the first point at or right of it
        assert (coverage.get_ydata()[i], accuracy.get_ydata()[i]) == pytest.approx(coverage_at(curve, t)), t
    plt.close(fig)


def test_sweep_plot_has_one_bar_per_run():
    table = pd.DataFrame({"learning_rate": [0.001, 0.003], "model": ["compact", "compact"],
                          "test_accuracy": [0.7, 0.8], "baseline_accuracy": [0.6, 0.6]})
    fig = plots.plot_sweep(table, ["learning_rate", "model"])
    ax = fig.axes[0]
    assert [round(b.get_height(), 2) for b in ax.patches] == [0.7, 0.8]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.001, compact", "0.003, compact"]


def test_clip_counts_title_says_balanced_only_when_it_is():
    assert "balanced" in _titles(plots.plot_clip_counts(pd.DataFrame({"label": ["a", "b"]})))[0]
    assert "balanced" not in _titles(plots.plot_clip_counts(pd.DataFrame({"label": ["a", "b", "b"]})))[0]


def test_clip_examples_show_a_waveform_and_a_spectrogram_per_clip():
    rng = np.random.default_rng(0)
    audio = {"hip hop": 0.1 * rng.standard_normal(16000), "música": 0.1 * rng.standard_normal(16000)}
    mels = {k: rng.random((31, 32)) + 1e-3 for k in audio}
    fig = plots.plot_clip_examples(audio, mels, 16000, 512)
    assert [ax.get_ylabel() for ax in fig.axes[:4:2]] == ["hip hop", "música"]
    assert len(fig.axes[0].lines[0].get_xdata()) == 16000
    assert _titles(fig) == ["waveform (amplitude)", "mel spectrogram (dB)"]


def test_power_vs_db_shows_the_same_clip_twice():
    mel = np.random.default_rng(0).random((100, 32)) ** 8 + 1e-6
    fig = plots.plot_power_vs_db(mel, 16000, 512, "x")
    assert _titles(fig) == ["raw mel power", "decibels"]
    raw, db = (ax.collections[0].get_array() for ax in fig.axes[:2])
    assert np.ptp(raw) < 1.01 and np.ptp(db) > 20  # power squashed near zero, dB spread out


def test_confusions_side_by_side_and_hollow_test_clips():
    cm = pd.DataFrame([[3, 1], [0, 4]], index=["a", "b"], columns=["a", "b"])
    fig = plots.plot_confusions({"left": cm, "right": cm}, normalize=True)
    assert _titles(fig) == ["left", "right"]
    maps = {"one": np.arange(8.0).reshape(4, 2)}
    fig = plots.plot_embedding_maps(maps, np.array(["a", "b", "a", "b"]), ["a", "b"],
                                    hollow=np.array([False, False, True, True]))
    filled, hollow = fig.axes[0].collections
    assert len(filled.get_offsets()) == 2 and len(hollow.get_offsets()) == 2
    assert len(hollow.get_facecolors()) == 0 and len(hollow.get_edgecolors()) == 2  # outlines only
    assert "test clip (hollow)" in [t.get_text() for t in fig.legends[0].get_texts()]
