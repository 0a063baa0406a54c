"""musicnn's own preprocessing, with librosa: the reference the tutorial's front end is tested against."""

from __future__ import annotations

import warnings
from typing import Literal

import librosa
import numpy as np

from helpers.features import musicnn_compress
from helpers.musicnn import model as mn


def reference_log_mel(
    audio: np.ndarray, sr: int = mn.SR, precision: Literal["float16", "musicnn"] = "float16"
) -> np.ndarray:
    """musicnn's own preprocessing, with librosa: what :func:`helpers.musicnn.frontend.log_mel` is held to.

    Not used by the tutorial: the slower original, kept beside the tests that hold the front end to it.

    Parameters
    ----------
    audio : numpy.ndarray
        Mono ``(samples,)`` or multichannel ``(channels, samples)`` audio
        (averaged to mono, as ``librosa.load`` does).
    sr : int
        Sample rate of ``audio``; resampled to 16 kHz with librosa's default
        (``soxr_hq``, as ``librosa.load(sr=16000)`` in musicnn).
    precision : {"float16", "musicnn"}
        musicnn stores the mel power as float16 and computes
        ``log10(10000 * mel + 1)`` *in float16*, which overflows to ``inf`` for
        any mel value above 6.55 (loud tonal sounds). ``"musicnn"`` reproduces
        that bit for bit (a warning is issued when ``inf`` appears);
        ``"float16"`` (default) keeps the float16 rounding of the mel power but takes the log in
        float32 (:func:`helpers.features.musicnn_compress`, as the front end does), so it never
        overflows and otherwise differs from ``"musicnn"`` by float16 rounding of the
        result only (< 0.002).

    Returns
    -------
    numpy.ndarray
        ``(1 + samples // 256, 96)`` float32, frames at 16 kHz / 256 hop (62.5 per second).
    """
    y = librosa.to_mono(np.asarray(audio, dtype=np.float32))
    if sr != mn.SR:
        y = librosa.resample(y, orig_sr=sr, target_sr=mn.SR)
    mel = librosa.feature.melspectrogram(y=y, sr=mn.SR, hop_length=mn.HOP, n_fft=mn.N_FFT,
                                         n_mels=mn.N_MELS).T
    mel16 = mel.astype(np.float16)
    if precision == "musicnn":
        with np.errstate(over="ignore"):
            out = np.log10(10000 * mel16 + 1)  # float16 arithmetic, as musicnn
        if not np.isfinite(out).all():
            warnings.warn("musicnn's float16 log-mel overflowed to inf; use precision='float16'",
                          stacklevel=2)
        return out.astype(np.float32)
    if precision != "float16":
        raise ValueError(f"precision must be 'float16' or 'musicnn', got {precision!r}")
    return musicnn_compress(mel16)
