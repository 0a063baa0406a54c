"""Every figure of the tutorial, in one shared style."""

from __future__ import annotations

import librosa
import librosa.display
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from sklearn.metrics import ConfusionMatrixDisplay

from helpers.calibration import coverage_curve
from helpers.features import to_db
from helpers.temperature import expected_calibration_error, reliability_table

STYLE = {
    "figure.figsize": (8, 4.5),
    "figure.dpi": 100,
    "axes.grid": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titleweight": "bold",
    "font.size": 10,
}


def use_style() -> None:
    """Apply the tutorial's plotting defaults (called once by the notebook setup)."""
    mpl.rcParams.update(STYLE)


def genre_colors(genres: list[str]) -> ListedColormap:
    """One fixed color per genre, in the order of ``genres`` (10 distinct colors)."""
    return ListedColormap(plt.get_cmap("tab10").colors[: len(genres)], name="genres")


def plot_clip_counts(clips: pd.DataFrame) -> Figure:
    """Bar chart of clips per genre."""
    counts = clips["label"].value_counts().sort_index()
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.bar(counts.index, counts.to_numpy(), color=genre_colors(list(counts.index)).colors)
    balanced = counts.nunique() == 1
    ax.set(ylabel="clips", title="Clips per genre" + (": a balanced dataset" if balanced else ""))
    ax.tick_params(axis="x", rotation=45)
    return fig


#: Every spectrogram of the tutorial is drawn one way: in decibels as the network gets them
#: (:func:`helpers.features.to_db`, 0 dB = mel power 1), with this colour map, over the figure's
#: loudest ``DB_RANGE`` decibels (quieter is drawn black), one colour scale per figure, with a
#: colourbar in dB.
SPECTROGRAM_CMAP = "magma"
DB_RANGE = 80.0
DB_LABEL = "dB (10 log10 of mel power)"


def _db_limits(dbs: list[np.ndarray]) -> tuple[float, float]:
    """The colour range shared by every spectrogram of one figure: its loudest ``DB_RANGE`` dB."""
    top = max(float(db.max()) for db in dbs)
    return top - DB_RANGE, top


def _draw_mel_db(ax: mpl.axes.Axes, db: np.ndarray, sample_rate: int, hop_length: int,
                 limits: tuple[float, float]) -> mpl.collections.QuadMesh:
    """Draw a ``(frames, n_mels)`` spectrogram in dB on ``ax`` (time in s, frequency on the mel scale)."""
    return librosa.display.specshow(db.T, sr=sample_rate, hop_length=hop_length, x_axis="time",
                                    y_axis="mel", fmax=sample_rate / 2, cmap=SPECTROGRAM_CMAP,
                                    vmin=limits[0], vmax=limits[1], ax=ax)


def plot_mel_filterbank(basis: np.ndarray, sample_rate: int, every: int = 8) -> Figure:
    """A mel filterbank ``(n_mels, n_fft // 2 + 1)`` drawn twice: the weights of every ``every``-th band
    over frequency (left), and the whole matrix that multiplies an FFT frame's power (right, each
    band scaled to its peak so that the wide, low treble bands show)."""
    hz = np.linspace(0, sample_rate / 2, basis.shape[1])
    fig, (ax_bands, ax_matrix) = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
    shown = range(0, len(basis), every)
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.9, len(shown)))
    for band, color in zip(shown, colors, strict=True):
        ax_bands.fill_between(hz, basis[band], color=color, alpha=0.6, linewidth=0)
    ax_bands.set(xlabel="frequency (Hz)", ylabel="weight", xlim=(0, sample_rate / 2),
                 title=f"Every {every}th of {len(basis)} bands: wider as they rise")
    peaks = np.maximum(basis.max(axis=1, keepdims=True), 1e-12)
    img = ax_matrix.imshow(basis / peaks, origin="lower", aspect="auto", cmap="Greys",
                           interpolation="nearest", extent=(0, sample_rate / 2, -0.5, len(basis) - 0.5))
    ax_matrix.set(xlabel="frequency of the FFT bin (Hz)", ylabel="mel band",
                  title=f"The matrix: {basis.shape[0]} bands x {basis.shape[1]} FFT bins")
    fig.colorbar(img, ax=ax_matrix, label="weight / the band's largest weight")
    return fig


def plot_spectrogram_pair(mels: dict[str, np.ndarray], sample_rate: int, hop_length: int) -> Figure:
    """Mel spectrograms side by side, one per title (e.g. classical vs rock), on one colour scale.

    Each array is ``(frames, n_mels)`` mel *power*, drawn in dB (:data:`SPECTROGRAM_CMAP`).
    """
    dbs = {title: to_db(mel) for title, mel in mels.items()}
    limits = _db_limits(list(dbs.values()))
    fig, axes = plt.subplots(1, len(mels), figsize=(6 * len(mels) + 1, 4), sharey=True, squeeze=False,
                             layout="constrained")
    for ax, (title, db) in zip(axes[0], dbs.items(), strict=True):
        img = _draw_mel_db(ax, db, sample_rate, hop_length, limits)
        ax.set(title=title, xlabel="time (s)", ylabel="frequency (Hz, mel scale)")
    fig.colorbar(img, ax=axes[0], label=DB_LABEL)
    return fig


def plot_clip_examples(
    audio: dict[str, np.ndarray], mels: dict[str, np.ndarray], sample_rate: int, hop_length: int
) -> Figure:
    """One row per clip: its waveform (left) and its mel spectrogram in dB (right), one colour scale.

    ``audio`` holds mono signals at ``sample_rate`` and ``mels`` their ``(frames, n_mels)`` mel
    power, under the same titles (e.g. one clip per genre).
    """
    dbs = {title: to_db(mel) for title, mel in mels.items()}
    limits = _db_limits(list(dbs.values()))
    fig, axes = plt.subplots(len(audio), 2, figsize=(12, max(1.7 * len(audio) + 0.8, 3.5)), squeeze=False,
                             sharex=True, gridspec_kw={"width_ratios": [1, 1.25]}, layout="constrained")
    for (ax_wave, ax_mel), (title, y) in zip(axes, audio.items(), strict=True):
        ax_wave.plot(np.arange(len(y)) / sample_rate, y, linewidth=0.3)
        ax_wave.set(ylim=(-1, 1), ylabel=title)
        img = _draw_mel_db(ax_mel, dbs[title], sample_rate, hop_length, limits)
        ax_mel.set(xlabel="", ylabel="Hz (mel)")
    axes[0, 0].set_title("waveform (amplitude)")
    axes[0, 1].set_title("mel spectrogram (dB)")
    for ax in axes[-1]:
        ax.set_xlabel("time (s)")
    fig.colorbar(img, ax=axes[:, 1], label=DB_LABEL, aspect=max(10, 8 * len(audio)))
    return fig


def plot_power_vs_db(mel: np.ndarray, sample_rate: int, hop_length: int, title: str = "") -> Figure:
    """The same ``(frames, n_mels)`` mel power shown raw (left, linear colour scale) and in decibels
    as the model gets them (right, :func:`helpers.features.to_db`), in the same colour map."""
    fig, (ax_raw, ax_db) = plt.subplots(1, 2, figsize=(12, 4), sharey=True, layout="constrained")
    img = librosa.display.specshow(mel.T, sr=sample_rate, hop_length=hop_length, x_axis="time",
                                   y_axis="mel", fmax=sample_rate / 2, cmap=SPECTROGRAM_CMAP, ax=ax_raw)
    fig.colorbar(img, ax=ax_raw, label="mel power (linear)")
    db = to_db(mel)
    img = _draw_mel_db(ax_db, db, sample_rate, hop_length, _db_limits([db]))
    fig.colorbar(img, ax=ax_db, label=DB_LABEL)
    for ax, name in ((ax_raw, "raw mel power"), (ax_db, "decibels")):
        ax.set(title=name, xlabel="time (s)", ylabel="frequency (Hz, mel scale)")
    if title:
        fig.suptitle(title, fontweight="bold")
    return fig


def plot_history(history: pd.DataFrame, best_epoch: int | None = None) -> Figure:
    """Loss and accuracy per epoch for training and validation windows."""
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
    for ax, metric in ((ax_loss, "loss"), (ax_acc, "accuracy")):
        ax.plot(history.index, history[metric], label="train")
        ax.plot(history.index, history[f"val_{metric}"], label="validation")
        if best_epoch is not None:
            ax.axvline(best_epoch, color="grey", linestyle=":", label=f"kept (epoch {best_epoch})")
        ax.set(xlabel="epoch", ylabel=metric, title=f"{metric.capitalize()} per epoch")
        ax.legend()
    ax_acc.set_ylim(0, 1.02)
    return fig


def _draw_confusion(ax, fig: Figure, confusion: pd.DataFrame, title: str, normalize: bool) -> None:
    values = confusion.to_numpy().astype(float)
    if normalize:
        values = values / np.maximum(values.sum(axis=1, keepdims=True), 1)
    display = ConfusionMatrixDisplay(values, display_labels=list(confusion.index))
    display.plot(ax=ax, cmap="Blues", colorbar=False, xticks_rotation=45,
                 values_format=".0%" if normalize else ".0f",
                 im_kw={"vmin": 0, "vmax": 1 if normalize else None})
    for text, v in zip(display.text_.ravel(), values.ravel(), strict=True):
        text.set_fontsize(8)
        if not v:
            text.remove()  # empty cells stay blank, so the mistakes stand out
    plt.setp(ax.get_xticklabels(), ha="right")
    ax.set(xlabel="predicted genre", ylabel="true genre", title=title)
    fig.colorbar(display.im_, ax=ax, label="share of the true genre's clips" if normalize else "clips")


def plot_confusion(confusion: pd.DataFrame, title: str, normalize: bool = False) -> Figure:
    """Confusion matrix with genre names; rows = true genre, columns = prediction.

    With ``normalize``, each row is divided by its total, so cells read as "share of
    this genre's clips predicted as ..." and genres of different sizes compare fairly.
    """
    return plot_confusions({title: confusion}, normalize)


def plot_confusions(confusions: dict[str, pd.DataFrame], normalize: bool = False) -> Figure:
    """Several confusion matrices side by side, one per title (see :func:`plot_confusion`)."""
    fig, axes = plt.subplots(1, len(confusions), figsize=(6.5 * len(confusions), 5.5), squeeze=False)
    for ax, (title, confusion) in zip(axes[0], confusions.items(), strict=True):
        _draw_confusion(ax, fig, confusion, title, normalize)
    fig.tight_layout()
    return fig


def plot_embedding_maps(
    maps: dict[str, np.ndarray], labels: np.ndarray, genres: list[str], title: str = "",
    hollow: np.ndarray | None = None,
) -> Figure:
    """Side-by-side scatters of 2-D maps (one per key), colored by genre, one shared legend.

    ``hollow`` (a boolean mask, e.g. the test clips) draws those points as larger hollow
    circles, so clips the network never trained on stand out from the rest.
    """
    fig, axes = plt.subplots(1, len(maps), figsize=(5.2 * len(maps) + 1.8, 5), squeeze=False)
    codes = np.searchsorted(genres, labels)
    cmap = genre_colors(genres)
    hollow = np.zeros(len(labels), bool) if hollow is None else np.asarray(hollow, bool)
    for ax, (name, points) in zip(axes[0], maps.items(), strict=True):
        ax.scatter(points[~hollow, 0], points[~hollow, 1], c=codes[~hollow], cmap=cmap, vmin=-0.5,
                   vmax=len(genres) - 0.5, s=14, alpha=0.85)
        ax.scatter(points[hollow, 0], points[hollow, 1], facecolors="none", s=46, linewidths=1.4,
                   edgecolors=cmap(codes[hollow]))
        ax.set(title=name, xticks=[], yticks=[], xlabel="t-SNE 1", ylabel="t-SNE 2")
    handles = [plt.Line2D([], [], marker="o", linestyle="", color=cmap(i), label=g)
               for i, g in enumerate(genres)]
    if hollow.any():
        handles.append(plt.Line2D([], [], marker="o", linestyle="", markerfacecolor="none",
                                  color="black", label="test clip (hollow)"))
    fig.legend(handles=handles, title="genre", loc="center right")
    fig.subplots_adjust(right=1 - 1.6 / fig.get_figwidth())
    if title:
        fig.suptitle(title, fontweight="bold")
    return fig


def plot_window_timeline(prediction, genres: list[str]) -> Figure:
    """Genre probabilities of each window of one song over time (stacked areas).

    ``prediction`` is a :class:`helpers.predict.SongPrediction`.
    """
    fig, ax = plt.subplots(figsize=(9, 3.5), layout="constrained")  # room for the legend beside
    colors = genre_colors(genres).colors
    starts, probs = prediction.window_starts, prediction.window_probs
    end = max(prediction.audio_seconds, starts[-1] + 0.1)  # the last window holds to the song's end
    ax.stackplot(np.append(starts, end), np.vstack([probs, probs[-1:]]).T, labels=genres, colors=colors,
                 step="post")
    ax.set_xlim(0, end)
    ax.set(xlabel="seconds into the song (each window drawn from its start)", ylabel="probability",
           ylim=(0, 1), title="Which genre the model hears, window by window")
    ax.legend(bbox_to_anchor=(1.02, 1), loc="upper left", title="genre")
    return fig


def draw_coverage(ax: mpl.axes.Axes, curve: pd.DataFrame, threshold: float | None = None) -> None:
    """Draw a coverage curve (:func:`helpers.calibration.coverage_curve`) on ``ax``.

    Songs whose confidence is at least the threshold are accepted, so a row's coverage and
    accuracy hold for every threshold above the previous row's, up to and including its own:
    the steps are drawn that way, from threshold 0 (every song accepted).
    """
    x = np.r_[0.0, curve["threshold"]]
    for column, label in (("accuracy", "accuracy of accepted"), ("coverage", "share accepted (coverage)")):
        ax.plot(x, np.r_[curve[column].iloc[0], curve[column]], drawstyle="steps-pre", label=label)
    if threshold is not None:
        ax.axvline(threshold, color="grey", linestyle="--", label=f"review threshold {threshold:.2f}")
    ax.set(xlim=(0, 1), ylim=(0, 1.02), xlabel="confidence threshold (top probability)", ylabel="share")


def plot_coverage(curve: pd.DataFrame, threshold: float | None = None) -> Figure:
    """Coverage vs accuracy of accepted predictions as the confidence threshold rises."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    draw_coverage(ax, curve, threshold)
    ax.set_title("Trusting only confident predictions: fewer songs, more of them right")
    ax.legend(loc="lower left")
    return fig


def plot_sweep(table: pd.DataFrame, knobs: list[str]) -> Figure:
    """Test accuracy of every run of a sweep (one bar per combination of ``knobs``)."""
    labels = table[knobs].astype(str).agg(", ".join, axis=1)
    fig, ax = plt.subplots(figsize=(max(6, 1.3 * len(table)), 4))
    ax.bar(labels, table["test_accuracy"], color="tab:blue", label="network")
    ax.scatter(labels, table["baseline_accuracy"], color="black", marker="_", s=400, zorder=3,
               label="baseline (same split)")
    ax.set(ylabel="test accuracy", ylim=(0, 1), xlabel=", ".join(knobs),
           title="Test accuracy per setting: differences of a few points are noise")
    ax.tick_params(axis="x", rotation=30)
    ax.legend(loc="lower right")
    return fig


def plot_calibration(probs: dict[str, np.ndarray], labels: np.ndarray, genres: list[str],
                     thresholds: dict[str, float], bins: int = 10, target: float | None = None) -> Figure:
    """Reliability diagrams (top) and notebook 05's coverage curves (bottom), one column per title.

    Parameters
    ----------
    probs
        Title (e.g. ``"before"``, ``"after temperature scaling"``) -> ``(clips, genres)``
        probabilities of the same clips.
    labels, genres
        True genre names of the clips, and the genre of each column.
    thresholds
        Title -> the review threshold drawn on that column's coverage curve.
    bins
        Confidence bins of the reliability diagram.
    target
        The ``review_target`` the thresholds were chosen for, drawn on the coverage curves.
    """
    fig, axes = plt.subplots(2, len(probs), figsize=(5.5 * len(probs), 8.5), squeeze=False)
    for (top, bottom), (title, p) in zip(axes.T, probs.items(), strict=True):
        table = reliability_table(p, labels, genres, bins)
        ece = expected_calibration_error(p, labels, genres, bins)
        top.bar(table["low"], table["accuracy"], width=1 / bins, align="edge", color="tab:blue",
                edgecolor="white", label="accuracy of the clips in the bin")
        top.scatter(table["low"] + 0.5 / bins, table["confidence"], marker="_", s=250, color="tab:red",
                    zorder=3, label="mean confidence in the bin (what the model claimed)")
        top.plot([0, 1], [0, 1], ":", color="grey", label="perfectly calibrated")
        for _, row in table.iterrows():  # clips per bin, above the bar (readable on an empty bar too)
            top.annotate(f"{row['clips']:.0f}", (row["low"] + 0.5 / bins, row["accuracy"] + 0.01),
                         ha="center", va="bottom", fontsize=7)
        top.set(xlim=(0, 1), ylim=(0, 1.4), yticks=np.linspace(0, 1, 6),
                xlabel="confidence (top probability)",
                ylabel="accuracy (the number: clips in the bin)", title=f"{title}: ECE {ece:.3f}")
        top.legend(loc="upper left", fontsize=8, ncols=1, framealpha=1)
        draw_coverage(bottom, coverage_curve(p, labels, genres), thresholds[title])
        if target is not None:
            bottom.axhline(target, color="tab:green", linestyle=":", label=f"review target {target:.0%}")
        bottom.set_title("coverage vs accuracy")
        bottom.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    return fig
