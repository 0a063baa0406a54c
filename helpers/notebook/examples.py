"""Picking the examples a notebook shows from the labels present, never by a hard-coded genre.

The notebooks must read right on any folder of labelled audio, so every example (the
spectrogram pair, the "sounds like" query, the genres whose review list is shown) is chosen
by a rule stated here and printed beside the example.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pandas as pd

#: GTZAN's classic contrast: shown when the dataset has both labels.
PREFERRED_PAIR = ("classical", "rock")


def mean_spectrum_db(mel_power: np.ndarray) -> np.ndarray:
    """Average over time of a ``(frames, bands)`` mel power spectrogram, in dB: ``(bands,)``.

    >>> mean_spectrum_db(np.full((4, 2), 10.0)).tolist()
    [10.0, 10.0]
    """
    return (10 * np.log10(np.maximum(mel_power, 1e-10))).mean(axis=0)


def contrasting_pair(
    clips: pd.DataFrame,
    spectrogram: Callable[[str], np.ndarray],
    preferred: tuple[str, str] = PREFERRED_PAIR,
) -> tuple[dict[str, np.ndarray], str]:
    """The first clips of two labels that sound clearly different, and the rule that chose them.

    Parameters
    ----------
    clips
        The clips table (``path``, ``label``, ``song_id``), sorted as ``discover`` sorts it.
    spectrogram
        Path -> ``(frames, bands)`` mel power, e.g. ``helpers.features.seed_features``.
    preferred
        Labels shown when both are present (GTZAN's classical vs rock).

    Returns
    -------
    mels
        ``{"<label>: <song id>": mel power}`` for the two clips, ready for
        ``helpers.plots.plot_spectrogram_pair``.
    rule
        A sentence saying why these two labels were chosen.
    """
    firsts = clips.groupby("label", sort=True).head(1).set_index("label")
    mels = {label: spectrogram(path) for label, path in firsts["path"].items()}
    if set(preferred) <= set(mels):
        pair = preferred
        rule = f"{pair[0]} vs {pair[1]}: GTZAN's classic contrast, present in this dataset."
    else:
        spectra = {label: mean_spectrum_db(mel) for label, mel in mels.items()}
        pair = max(itertools.combinations(sorted(spectra), 2),
                   key=lambda p: float(np.linalg.norm(spectra[p[0]] - spectra[p[1]])))
        rule = (f"{pair[0]} vs {pair[1]}: of the {len(spectra)} labels, the two whose first clips' "
                "average spectra (dB per mel band) differ most.")
    return {f"{label}: {firsts.loc[label, 'song_id']}": mels[label] for label in pair}, rule


def confused_pair(confusion: pd.DataFrame) -> tuple[tuple[str, str], str]:
    """The two labels mixed up most often in either direction, and a sentence saying so.

    Ties are named in the sentence; when no two labels are mixed up, the first two labels are
    returned and the sentence says why.

    >>> cm = pd.DataFrame([[5, 0, 1], [0, 4, 0], [2, 0, 3]], index=list("abc"), columns=list("abc"))
    >>> confused_pair(cm)
    (('a', 'c'), 'a and c, mixed up 3 times in either direction, the most of any pair')
    """
    values = confusion.to_numpy()
    labels = list(confusion.index)
    counts = {(labels[i], labels[j]): int(values[i, j] + values[j, i])
              for i in range(len(labels)) for j in range(i + 1, len(labels))}
    most = max(counts.values())
    if most == 0:
        first = (labels[0], labels[1])
        return first, f"{first[0]} and {first[1]}, the first two labels: no two were mixed up"
    (a, b), *tied = [pair for pair, n in counts.items() if n == most]
    times = f"{most} time{'s' * (most > 1)}"
    sentence = f"{a} and {b}, mixed up {times} in either direction, the most of any pair"
    if tied:
        sentence += f" (tied with {'; '.join(' and '.join(pair) for pair in tied)})"
    return (a, b), sentence
