"""Reading audio files: any format libsndfile decodes, mixed to mono, resampled."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf
import soxr
from IPython.display import Audio


class AudioError(RuntimeError):
    """An audio file could not be read; the message names the file and the cause."""


def load_audio(
    path: str | Path, sample_rate: int, max_seconds: float | None = None
) -> np.ndarray:
    """Read ``path`` as float32 mono at ``sample_rate``.

    Channels are averaged and the signal is resampled with soxr's high-quality
    filter, the same steps as ``librosa.load(path, sr=sample_rate)``.

    Parameters
    ----------
    path
        Audio file.
    sample_rate
        Target rate in Hz.
    max_seconds
        Read only about this much from the start (a little more is read so the
        resampler's filter sees real signal at the cut); ``None`` reads all.

    Raises
    ------
    AudioError
        If the file cannot be decoded.
    """
    try:
        with sf.SoundFile(str(path)) as f:
            native_rate = f.samplerate
            frames = -1
            if max_seconds is not None:
                frames = int(np.ceil((max_seconds + 0.1) * native_rate))
            y = f.read(frames=frames, dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as err:
        raise AudioError(f"Cannot decode {path}: {err}") from err
    y = y.mean(axis=1) if y.shape[1] > 1 else y[:, 0]
    if native_rate != sample_rate:
        y = soxr.resample(y, native_rate, sample_rate, quality="HQ")
    return np.ascontiguousarray(y, dtype=np.float32)


def excerpt_player(path: str | Path, seconds: float = 5.0, sample_rate: int = 16000) -> Audio:
    """An inline audio player for the first ``seconds`` of ``path`` (mono, ``sample_rate``)."""
    y = load_audio(path, sample_rate, max_seconds=seconds)[: int(seconds * sample_rate)]
    return Audio(y, rate=sample_rate)
