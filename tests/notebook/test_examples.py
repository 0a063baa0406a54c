"""Examples picked from the labels present: the spectrogram pair and the most confused pair."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.notebook.examples import confused_pair, contrasting_pair, mean_spectrum_db


def _clips(labels: list[str]) -> pd.DataFrame:
    rows = [(f"/d/{label}/{i}.wav", label, f"{label}/{i}.wav") for label in labels for i in range(2)]
    return pd.DataFrame(rows, columns=["path", "label", "song_id"])


def _flat(levels: dict[str, float]):
    """Spectrogram function: every clip of label L is a flat spectrum at levels[L] dB."""
    def spectrogram(path: str) -> np.ndarray:
        label = path.split("/")[2]
        return np.full((5, 4), 10 ** (levels[label] / 10))
    return spectrogram


def test_the_two_most_different_labels_are_shown_with_the_rule():
    mels, rule = contrasting_pair(_clips(["hip hop", "música", "waltz"]),
                                  _flat({"hip hop": 0.0, "música": 12.0, "waltz": 50.0}))
    assert list(mels) == ["hip hop: hip hop/0.wav", "waltz: waltz/0.wav"]
    assert "differ most" in rule and "hip hop vs waltz" in rule
    np.testing.assert_allclose(mean_spectrum_db(mels["waltz: waltz/0.wav"]), 50.0)


def test_classical_and_rock_are_preferred_when_both_exist():
    mels, rule = contrasting_pair(_clips(["classical", "metal", "rock"]),
                                  _flat({"classical": 0.0, "metal": 60.0, "rock": 1.0}))
    assert list(mels) == ["classical: classical/0.wav", "rock: rock/0.wav"]
    assert "GTZAN" in rule


def test_confused_pair_counts_both_directions_and_falls_back_to_the_first_two():
    labels = ["a", "b", "c"]
    cm = pd.DataFrame([[4, 2, 0], [0, 4, 3], [0, 2, 4]], index=labels, columns=labels)
    rule = "b and c, mixed up 5 times in either direction, the most of any pair"
    assert confused_pair(cm) == (("b", "c"), rule)  # 3 + 2 beats a -> b's 2
    none = confused_pair(pd.DataFrame(np.eye(3, dtype=int) * 5, index=labels, columns=labels))
    assert none == (("a", "b"), "a and b, the first two labels: no two were mixed up")
    tie = pd.DataFrame([[5, 1, 0], [0, 4, 0], [0, 1, 3]], index=labels, columns=labels)
    assert confused_pair(tie) == (("a", "b"), "a and b, mixed up 1 time in either direction, the most of any "
                                              "pair (tied with b and c)")
