import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd

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


def test_timeline_and_coverage_plots():
    from helpers.predict import SongPrediction

    pred = SongPrediction("x.wav", np.array([0.0, 4.8, 9.6]),
                          np.array([[0.7, 0.3], [0.4, 0.6], [0.5, 0.5]]))
    fig = plots.plot_window_timeline(pred, ["a", "b"])
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["a", "b"]
    curve = pd.DataFrame({"threshold": [0.3, 0.6], "coverage": [1.0, 0.5], "accuracy": [0.6, 0.9]})
    fig = plots.plot_coverage(curve, 0.6)
    assert "threshold" in fig.axes[0].get_xlabel()
    assert len(fig.axes[0].lines) == 3


def test_sweep_plot_has_one_bar_per_run():
    table = pd.DataFrame({"learning_rate": [0.001, 0.003], "model": ["compact", "compact"],
                          "test_accuracy": [0.7, 0.8], "baseline_accuracy": [0.6, 0.6]})
    fig = plots.plot_sweep(table, ["learning_rate", "model"])
    ax = fig.axes[0]
    assert [round(b.get_height(), 2) for b in ax.patches] == [0.7, 0.8]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.001, compact", "0.003, compact"]
