"""musicnn's front end: audio in, 3-s log-mel patches out.

One front end feeds musicnn everywhere: the training embeddings of notebook 06
(:func:`dataset_embeddings`) and the transfer bundle (:func:`helpers.musicnn.transfer.transfer_bundle`,
whose feature settings are :func:`front_end_settings`), so both see the same numbers::

    audio -> mono 16 kHz -> mel power (FFT 512, hop 256, 96 bands: helpers.features.mel_power)
    -> log10(10000 * mel + 1) of the float16-rounded power (helpers.features.musicnn_compress)
    -> non-overlapping patches of 187 frames = 3 s (helpers.features.cut_windows)
    -> network -> 50 tag probabilities, or an embedding, per patch.

musicnn itself (``musicnn.extractor``) computes the mel power with librosa and the log in
float16; ``tests/musicnn/musicnn_reference.py`` does exactly that and is kept only as the reference the
front end is tested against (as :func:`helpers.features.seed_features` is for the CNN's
features). With the log in float32 on both sides (``precision="float16"``) the two differ
only where the mel power lands on the other side of a float16 rounding step: about 0.05%
of the values, by at most ``0.434 * 2**-10`` (4.2e-4). musicnn's float16 log adds the
float16 rounding of its result (1.96e-3 at most on the test fixture's signal).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soxr

from helpers.audio import load_audio
from helpers.config import FeatureSettings
from helpers.features import cut_windows, mel_from_signal
from helpers.musicnn import model as mn


def front_end_settings(n_frames: int = mn.N_FRAMES) -> FeatureSettings:
    """musicnn's input features as feature settings, for windows of ``n_frames`` frames.

    Parameters
    ----------
    n_frames
        Frames per window (187 = one 3-s patch).

    Returns
    -------
    helpers.config.FeatureSettings
        16 kHz, FFT 512, hop 256, 96 bands, ``scaling="musicnn"``: what
        :func:`helpers.features.mel_from_signal` turns into musicnn's input.
    """
    return FeatureSettings(sample_rate=mn.SR, n_fft=mn.N_FFT, hop_length=mn.HOP, n_mels=mn.N_MELS,
                           n_frames=n_frames, scaling="musicnn")


def log_mel(audio: np.ndarray, sr: int = mn.SR, min_frames: int = 1) -> np.ndarray:
    """musicnn's log-compressed mel spectrogram of ``audio``, by the project's fast mel.

    Parameters
    ----------
    audio
        Mono ``(samples,)`` or multichannel ``(channels, samples)`` audio (averaged to mono).
    sr
        Sample rate of ``audio``; resampled to 16 kHz with soxr's high-quality filter,
        as :func:`helpers.audio.load_audio` (and ``librosa.load(sr=16000)`` in musicnn) does.
    min_frames
        At least this many frames: a shorter signal is zero-padded at the end, so the
        extra frames are silence (0 after the compression).

    Returns
    -------
    numpy.ndarray
        ``(max(min_frames, 1 + samples // 256), 96)`` float32, 62.5 frames per second: the
        frames of ``librosa.feature.melspectrogram``, compressed by
        :func:`helpers.features.musicnn_compress`.
    """
    y = np.asarray(audio, dtype=np.float32)
    y = y.mean(axis=0) if y.ndim > 1 else y
    if sr != mn.SR:
        y = soxr.resample(y, sr, mn.SR, quality="HQ")
    return mel_from_signal(y, front_end_settings(max(min_frames, 1 + len(y) // mn.HOP)))


def preprocess(audio: np.ndarray, sr: int = mn.SR, hop: int | None = None) -> np.ndarray:
    """Audio -> ``(n_patches, 187, 96)`` musicnn input patches.

    :func:`log_mel` cut by :func:`helpers.features.cut_windows`: patches every ``hop``
    frames (default 187, no overlap, as musicnn's ``batch_data``), the incomplete tail
    dropped. Audio shorter than one patch (where musicnn fails) is padded with silence
    to one patch.

    Parameters
    ----------
    audio, sr
        As for :func:`log_mel`.
    hop
        Frames between patch starts; ``None`` means 187.

    Returns
    -------
    numpy.ndarray
        ``(n_patches, 187, 96)`` float32.
    """
    return cut_windows(log_mel(audio, sr, min_frames=mn.N_FRAMES), mn.N_FRAMES, hop)[0]


def clip_audio(path: str | Path, seconds: float = 30.0) -> np.ndarray:
    """The first ``seconds`` of an audio file as musicnn reads it (mono, 16 kHz).

    :func:`helpers.audio.load_audio` is ``librosa.load``'s equivalent; the samples are those
    the transfer bundle predicts from (:func:`helpers.predict.predict_song` reads the same way).
    """
    return load_audio(path, mn.SR, max_seconds=seconds)[: int(seconds * mn.SR)]
