"""What the model listens to: occlusion of mel bands and of stretches of time.

Occlusion asks the trained model the same question many times with part of the input hidden:
one group of mel bands in one window, or one short stretch of time, is set to the band's
average over the training windows ("nothing unusual here", the value the model's input
normalization maps to 0), and we record how much the probability of the clip's true genre
falls. A large drop means the decision rested on that part; a drop near 0 means the model
did without it (or found the same evidence elsewhere); a negative drop means that part
pointed the model away from the true genre.

Everything is numpy around a prediction function (``Bundle.window_probabilities``), so it
runs on every Keras backend.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import librosa
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from helpers.config import FeatureSettings
from helpers.train import windows

#: A prediction function: ``(n, frames, bands)`` windows -> ``(n, genres)`` probabilities.
Predict = Callable[[np.ndarray], np.ndarray]


def band_edges(n_mels: int, groups: int = 16) -> np.ndarray:
    """First mel band of each of ``groups`` equal groups, then ``n_mels``: ``(groups + 1,)``.

    >>> band_edges(128).tolist()[:4], band_edges(10, 4).tolist()
    ([0, 8, 16, 24], [0, 2, 5, 8, 10])
    """
    return np.round(np.linspace(0, n_mels, min(groups, n_mels) + 1)).astype(int)


def band_labels(edges: np.ndarray, fs: FeatureSettings) -> list[str]:
    """The frequency range of each band group, from the centre frequencies of its mel bands.

    >>> from helpers.config import load_settings
    >>> band_labels(band_edges(128, 4), load_settings().features)
    ['0-748 Hz', '772-1669 Hz', '1709-3610 Hz', '3698-8000 Hz']
    """
    centres = librosa.mel_frequencies(fs.n_mels + 2, fmin=0.0, fmax=fs.sample_rate / 2)[1:-1]
    centres[[0, -1]] = 0, fs.sample_rate / 2  # the outer bands reach to 0 Hz and to Nyquist
    return [f"{centres[lo]:.0f}-{centres[hi - 1]:.0f} Hz"
            for lo, hi in zip(edges[:-1], edges[1:], strict=True)]


def occlusion_drops(predict: Predict, W: np.ndarray, target: int, fill: np.ndarray,
                    regions: list[tuple[slice, slice]]) -> np.ndarray:
    """Drop of genre ``target``'s probability in each window when each region is hidden (notebook 07
    shows it).

    ``W`` holds one clip's ``(windows, frames, bands)`` windows, ``predict`` maps windows to
    probabilities, ``fill`` is each band's value for "nothing unusual" ``(bands,)``, and a region is
    a ``(frames, bands)`` pair of slices (:func:`band_regions`, :func:`time_regions`). Returns
    ``(windows, regions)``: the probability without the mask minus the probability with it.
    """
    masked = np.repeat(W[:, None], len(regions), axis=1)  # (windows, regions, frames, bands)
    for r, (frames, bands) in enumerate(regions):
        masked[:, r, frames, bands] = fill[bands]  # region r hidden in its copy of every window
    probs = predict(np.concatenate([W, masked.reshape(-1, *W.shape[1:])]))[:, target]  # one call
    unmasked, hidden = probs[:len(W)], probs[len(W):].reshape(len(W), len(regions))
    return unmasked[:, None] - hidden  # > 0: the probability fell when the region was hidden


def band_regions(edges: np.ndarray) -> list[tuple[slice, slice]]:
    """One :func:`occlusion_drops` region per band group of :func:`band_edges`: all frames, its bands.

    >>> band_regions(np.array([0, 2, 4]))
    [(slice(None, None, None), slice(0, 2, None)), (slice(None, None, None), slice(2, 4, None))]
    """
    return [(slice(None), slice(int(lo), int(hi))) for lo, hi in zip(edges[:-1], edges[1:], strict=True)]


def time_regions(frames: int, stretch: int) -> list[tuple[slice, slice]]:
    """One :func:`occlusion_drops` region per stretch of ``stretch`` frames of a ``frames``-frame
    window, all bands (the last stretch may be shorter).

    >>> [region[0] for region in time_regions(5, 2)]
    [slice(0, 2, None), slice(2, 4, None), slice(4, 6, None)]
    """
    return [(slice(start, start + stretch), slice(None)) for start in range(0, frames, stretch)]


@dataclasses.dataclass
class ClipOcclusion:
    """One clip's occlusion maps for its true genre."""

    features: np.ndarray  # (frames, bands) the clip's features as the model reads them
    bands: np.ndarray  # (windows, groups): occlusion_drops of the band regions
    time: np.ndarray  # (stretches,): occlusion_drops of the time regions, window after window
    edges: np.ndarray  # band groups (band_edges)
    window_frames: int
    stretch: int  # frames per time stretch
    base: np.ndarray  # (windows,) the true genre's probability in each unmasked window


def occlude_clip(predict: Predict, clip: np.ndarray, window_frames: int, target: int, fill: np.ndarray,
                 groups: int = 16, stretches_per_window: int = 10,
                 audio_frames: int | None = None) -> ClipOcclusion:
    """Band and time occlusion of one clip's windows of audio (cut as in training) for genre ``target``.

    Parameters
    ----------
    predict, target, fill
        As in :func:`occlusion_drops`.
    clip
        ``(n_frames, n_mels)`` features of one clip.
    window_frames
        The model's window length.
    groups
        Band groups (:func:`band_edges`).
    stretches_per_window
        Time stretches per window: with 150-frame windows of 32 ms, 10 stretches of 0.48 s.
    audio_frames
        The clip's frames of audio (its windows of padding are left out); ``None``: every frame.
    """
    W, _ = windows(clip[None], window_frames, None if audio_frames is None else [audio_frames])
    edges = band_edges(clip.shape[1], groups)
    stretch = max(1, -(-window_frames // stretches_per_window))
    return ClipOcclusion(clip[:len(W) * window_frames],
                         occlusion_drops(predict, W, target, fill, band_regions(edges)),
                         occlusion_drops(predict, W, target, fill, time_regions(window_frames, stretch))
                         .ravel(), edges, window_frames, stretch, predict(W)[:, target])


def describe_clip(occ: ClipOcclusion, fs: FeatureSettings) -> str:
    """Markdown: where masking hurt the true genre most, in frequency and in time, and how far it rose.

    >>> from helpers.config import load_settings
    >>> occ = ClipOcclusion(np.zeros((20, 4)), np.array([[0.1, 0.4], [0.0, -0.2]]),
    ...                     np.array([0.05, 0.3, 0.0, 0.1]), np.array([0, 2, 4]), 10, 5, np.array([0.8, 0.6]))
    >>> print(describe_clip(occ, load_settings(n_mels=4).features))
    The true genre's probability is 0.70 on average over the clip's 2 windows. Masking **2305-8000 Hz** \
cost most: 0.40 in the window at 0.0-0.3 s. Averaged over the windows, it cost most for 2305-8000 Hz \
(0.10). Masking the 0.16 s from 0.16 s cost most in time (0.30). The largest rise, 0.20, came from \
masking 2305-8000 Hz in the window at 0.3-0.6 s: that part pointed away from the true genre.
    """
    names = band_labels(occ.edges, fs)
    window_s = occ.window_frames * fs.hop_length / fs.sample_rate
    step = occ.stretch * fs.hop_length / fs.sample_rate
    w, g = np.unravel_index(int(np.argmax(occ.bands)), occ.bands.shape)
    mean = occ.bands.mean(axis=0)
    text = (f"The true genre's probability is {occ.base.mean():.2f} on average over the clip's "
            f"{len(occ.base)} windows. Masking **{names[g]}** cost most: "
            f"{occ.bands[w, g]:.2f} in the window at {w * window_s:.1f}-{(w + 1) * window_s:.1f} s. "
            f"Averaged over the windows, it cost most for {names[int(np.argmax(mean))]} ({mean.max():.2f}). "
            f"Masking the {step:.2f} s from {int(np.argmax(occ.time)) * step:.2f} s cost most in time "
            f"({occ.time.max():.2f}).")
    rw, rg = np.unravel_index(int(np.argmin(occ.bands)), occ.bands.shape)
    if occ.bands[rw, rg] < 0:
        text += (f" The largest rise, {-occ.bands[rw, rg]:.2f}, came from masking {names[rg]} in the "
                 f"window at {rw * window_s:.1f}-{(rw + 1) * window_s:.1f} s: that part pointed away from "
                 "the true genre.")
    return text


def band_importance(predict: Predict, X: np.ndarray, labels: np.ndarray, genres: list[str],
                    window_frames: int, fill: np.ndarray, fs: FeatureSettings,
                    groups: int = 16, audio_frames: np.ndarray | None = None) -> pd.DataFrame:
    """Average drop of the true genre's probability per band group, for each genre's clips.

    Parameters
    ----------
    predict, fill
        As in :func:`occlusion_drops`.
    X, labels
        ``(clips, n_frames, n_mels)`` features (e.g. the test clips) and their true genres.
    genres
        Genre of each column of ``predict``'s output.
    window_frames
        The model's window length.
    fs
        The features' settings, for the frequency labels (:func:`band_labels`).
    groups
        Band groups (:func:`band_edges`).
    audio_frames
        Each clip's frames of audio: only its windows of audio are masked and averaged.

    Returns
    -------
    pandas.DataFrame
        One row per genre present in ``labels`` (index ``genre``), one column per band group
        (named by its frequency range, low to high), plus ``clips``.
    """
    edges = band_edges(X.shape[2], groups)
    W, owner = windows(X, window_frames, audio_frames)
    target = np.array([genres.index(label) for label in labels])[owner]  # each window's true genre
    drops = np.empty((len(W), len(edges) - 1))
    for genre in np.unique(target):  # one call per genre: the windows of all its clips at once
        drops[target == genre] = occlusion_drops(predict, W[target == genre], int(genre), fill,
                                                 band_regions(edges))
    per_clip = pd.DataFrame(drops).groupby(owner).mean().to_numpy()  # each clip: mean over its windows
    table = pd.DataFrame(per_clip, columns=band_labels(edges, fs)).assign(genre=labels)
    means = table.groupby("genre").mean()
    return means.assign(clips=table.groupby("genre").size())


def describe_band_importance(table: pd.DataFrame) -> str:
    """Markdown, a paragraph per genre: the frequency range whose masking hurt it most, and by how much.

    >>> t = pd.DataFrame({"0-500 Hz": [0.3, 0.0], "500-8000 Hz": [0.1, 0.2], "clips": [6, 5]},
    ...                  index=pd.Index(["a", "b"], name="genre"))
    >>> print(describe_band_importance(t))
    **a** (6 test clips): most on 0-500 Hz (masking it cost 0.30 of the true genre's probability)
    <BLANKLINE>
    **b** (5 test clips): most on 500-8000 Hz (masking it cost 0.20 of the true genre's probability)
    """
    drops = table.drop(columns="clips")
    lines = []
    for genre, row in drops.iterrows():
        top = row.idxmax()
        lines.append(f"**{genre}** ({table.loc[genre, 'clips']} test clips): most on {top} "
                     f"(masking it cost {row[top]:.2f} of the true genre's probability)")
    return "\n\n".join(lines)


#: The rule that picks each example clip (:func:`pick_examples`), as a notebook prints it.
PICK_RULES = {"right": "the correctly classified test clip of median confidence",
              "wrong": "the misclassified test clip that gave its true genre the highest probability"}


def pick_examples(probs: np.ndarray, labels: np.ndarray, genres: list[str]) -> dict[str, int]:
    """Which clips to look at: a typical right answer and the closest miss.

    Returns ``{"right": i, "wrong": j}`` (positions in ``probs``), each key only if such a clip
    exists: ``right`` is the correctly classified clip of median confidence among them (a very
    confident clip hides its evidence: masking one part leaves enough of the rest), ``wrong``
    the misclassified clip that gave its true genre the highest probability (a clip whose true
    genre got almost nothing shows no drops at all).

    >>> probs = np.array([[0.9, 0.1], [0.7, 0.3], [0.6, 0.4], [0.2, 0.8], [0.4, 0.6]])
    >>> pick_examples(probs, np.array(["a", "a", "a", "a", "a"]), ["a", "b"])
    {'right': 1, 'wrong': 4}
    """
    index = {g: i for i, g in enumerate(genres)}
    true = probs[np.arange(len(probs)), [index[label] for label in labels]]
    right = probs.argmax(axis=1) == [index[label] for label in labels]
    picked = {}
    if right.any():
        ok = np.flatnonzero(right)
        picked["right"] = int(ok[np.argsort(true[ok], kind="stable")[(len(ok) - 1) // 2]])
    if (~right).any():
        bad = np.flatnonzero(~right)
        picked["wrong"] = int(bad[np.argmax(true[bad])])
    return picked


def drop_limit(occlusions: list[ClipOcclusion]) -> float:
    """The largest drop or rise in any of ``occlusions``' maps: one colour scale for all of them."""
    return max([1e-3, *(float(np.abs(np.r_[o.bands.ravel(), o.time]).max()) for o in occlusions)])


def plot_occlusion(occ: ClipOcclusion, fs: FeatureSettings, title: str, limit: float | None = None) -> Figure:
    """The clip's spectrogram above its band-occlusion map and its time-occlusion curve, on one time axis.

    Every band group is labelled by its frequency range; ``limit`` is the drop at the ends of the
    colour scale (default: this clip's largest, :func:`drop_limit`), the same for clips compared.
    """
    seconds = occ.features.shape[0] * fs.hop_length / fs.sample_rate
    fig, axes = plt.subplots(3, 2, figsize=(11, 9), sharex="col",
                             gridspec_kw={"width_ratios": [40, 1], "height_ratios": [1, 1, 0.6]})
    (ax_spec, cb_spec), (ax_map, cb_map), (ax_time, cb_none) = axes
    shown = occ.features.T if fs.scaling == "db" else 10 * np.log10(np.maximum(occ.features.T, 1e-10))
    img = ax_spec.imshow(shown, origin="lower", aspect="auto", cmap="magma",
                         extent=(0, seconds, 0, fs.n_mels))
    fig.colorbar(img, cax=cb_spec, label="dB")
    limit = drop_limit([occ]) if limit is None else limit
    img = ax_map.imshow(occ.bands.T, origin="lower", aspect="auto", cmap="RdBu_r", vmin=-limit, vmax=limit,
                        extent=(0, seconds, 0, fs.n_mels), interpolation="nearest")
    fig.colorbar(img, cax=cb_map, label="drop of the true genre's probability")
    centres = (occ.edges[:-1] + occ.edges[1:]) / 2
    for ax in (ax_spec, ax_map):
        ax.set_yticks(centres, band_labels(occ.edges, fs), fontsize=7)
        ax.set_yticks(occ.edges, minor=True)
        ax.tick_params(axis="y", which="major", length=0)
    ax_spec.set(title=title, ylabel="band group (Hz)")
    ax_map.set(ylabel="masked band group (Hz)",
               title="Band occlusion: drop of the true genre's probability, per window "
                     "(red: it relied on it)")
    step = occ.stretch * fs.hop_length / fs.sample_rate
    ax_time.step(np.arange(len(occ.time)) * step, occ.time, where="post", color="tab:red")
    ax_time.axhline(0, color="grey", linewidth=0.8)
    for start in np.arange(occ.bands.shape[0] + 1) * occ.window_frames * fs.hop_length / fs.sample_rate:
        for ax in (ax_map, ax_time):
            ax.axvline(start, color="black", linewidth=0.5, alpha=0.4)
    ax_time.set(xlim=(0, seconds), ylim=(-1.05 * limit, 1.05 * limit), xlabel="time (s)", ylabel="drop",
                title=f"Time occlusion: every {step:.2f} s masked in turn")
    cb_none.axis("off")
    fig.tight_layout()
    return fig


def plot_occlusions(occlusions: dict[str, ClipOcclusion], fs: FeatureSettings) -> list[Figure]:
    """:func:`plot_occlusion` of each clip (keys are the titles), all on one colour scale."""
    limit = drop_limit(list(occlusions.values()))
    return [plot_occlusion(occ, fs, title, limit) for title, occ in occlusions.items()]


def plot_band_importance(table: pd.DataFrame) -> Figure:
    """Genres (rows) by band groups (columns, low to high): the average drop of the true genre."""
    drops = table.drop(columns="clips")
    fig, ax = plt.subplots(figsize=(11, 0.45 * len(drops) + 2))
    limit = max(float(np.abs(drops.to_numpy()).max()), 1e-3)
    img = ax.imshow(drops.to_numpy(), aspect="auto", cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set_xticks(range(drops.shape[1]), drops.columns, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(drops)), [f"{g} ({n})" for g, n in table["clips"].items()])
    ax.set(xlabel="masked frequency range", ylabel="true genre (test clips)",
           title="Where each genre's decision rests: average drop of its probability when a band "
                 "group is masked")
    fig.colorbar(img, ax=ax, label="drop of the true genre's probability")
    fig.tight_layout()
    return fig
