"""Reading audio files of any common format, mixed to mono and resampled.

Two decoders share the work, and one function (``_decode``) decides which one reads a file:

* libsndfile (through soundfile) reads what it knows: WAV, FLAC, Ogg (Vorbis, Opus), MP3,
  AU and AIFF, exactly as it always has;
* FFmpeg (through PyAV, whose wheels bundle it with its codecs) reads the extensions of
  :data:`FFMPEG_EXTENSIONS` (AAC in M4A/MP4 or raw, WMA, WebM), and any file libsndfile
  fails on.

:func:`audio_info` (duration, rate and channels, for :func:`helpers.data.discover`) and
:func:`load_audio` (the signal) both go through it, so they agree on every file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import av
import numpy as np
import soundfile as sf
import soxr
from IPython.display import Audio

from helpers.quiet import native_stderr_silenced

#: Extensions read by libsndfile (FFmpeg still reads such a file if libsndfile fails on it).
LIBSNDFILE_EXTENSIONS = frozenset({".wav", ".au", ".flac", ".ogg", ".opus", ".mp3", ".aiff", ".aif"})

#: Extensions that libsndfile cannot read, so FFmpeg reads them.
FFMPEG_EXTENSIONS = frozenset({".m4a", ".aac", ".mp4", ".wma", ".webm"})

_T = TypeVar("_T")


class AudioError(RuntimeError):
    """An audio file could not be read; the message names the file and the cause.

    ``reason`` is the cause alone (the message less the file name), for reports that list the
    file in a column of its own.
    """

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = message if reason is None else reason


class _NoAudioStreamError(ValueError):
    """FFmpeg opened the file, but it holds no audio stream (a video without sound)."""


@dataclasses.dataclass(frozen=True)
class AudioInfo:
    """What a file holds, as the decoder that :func:`load_audio` uses reads it."""

    #: Samples per channel.
    frames: int
    #: Native sample rate in Hz.
    sample_rate: int
    #: Number of channels.
    channels: int

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.frames / self.sample_rate


def _decode(path: str | Path, with_libsndfile: Callable[[str], _T], with_ffmpeg: Callable[[str], _T]) -> _T:
    """Read ``path`` with the right decoder: the one place that chooses it.

    Parameters
    ----------
    path
        Audio file.
    with_libsndfile
        Reads the file (given as a string) with soundfile; may raise soundfile's errors.
    with_ffmpeg
        Reads it with PyAV; may raise PyAV's errors or :class:`_NoAudioStreamError`.

    Returns
    -------
    _T
        What the chosen reader returned: ``with_ffmpeg``'s for :data:`FFMPEG_EXTENSIONS`
        or when libsndfile fails, else ``with_libsndfile``'s.

    Raises
    ------
    AudioError
        If no decoder can read the file; it names the file and what each decoder said.
    """
    causes = []
    with native_stderr_silenced():  # decoders' own chatter ("Cannot read next header...") stays off screen
        if Path(path).suffix.lower() not in FFMPEG_EXTENSIONS:
            try:
                return with_libsndfile(str(path))
            except RuntimeError as err:  # sf.LibsndfileError, or an error while reading
                causes.append(f"libsndfile: {getattr(err, 'error_string', err)}".rstrip("."))
        try:
            return with_ffmpeg(str(path))
        except (av.FFmpegError, _NoAudioStreamError) as err:
            causes.append(f"FFmpeg: {getattr(err, 'strerror', None) or err}")
    reason = "; ".join(causes)
    raise AudioError(f"Cannot decode {path}: {reason}", reason)


def _frames_to_read(max_seconds: float | None, native_rate: int) -> int | None:
    """Frames to read for ``max_seconds`` (a little more, so the resampler's filter sees real
    signal at the cut); ``None``: all of them."""
    return None if max_seconds is None else int(np.ceil((max_seconds + 0.1) * native_rate))


@contextlib.contextmanager
def _ffmpeg_stream(path: str) -> Iterator[tuple[int, int, Iterator[np.ndarray]]]:
    """Open ``path``'s first audio stream with FFmpeg: its rate, its channel count, and its
    samples as float32 ``(channels, n)`` blocks.

    A codec that works in fixed-size frames pads the last one (AAC to 1024 samples); where the
    container says how much of that frame is signal, the padding is cut, so the length is the
    encoded clip's.
    """
    with av.open(path) as container:
        if not container.streams.audio:
            raise _NoAudioStreamError("no audio stream")
        stream = container.streams.audio[0]
        yield stream.sample_rate, stream.channels, _ffmpeg_blocks(container, stream)


def _ffmpeg_blocks(container: av.container.InputContainer,
                   stream: av.audio.stream.AudioStream) -> Iterator[np.ndarray]:
    """The decoded samples of ``stream`` at its own rate and layout (see :func:`_ffmpeg_stream`)."""
    resampler = av.AudioResampler(format="fltp", layout=stream.layout, rate=stream.sample_rate)
    block, last = None, None
    for frame in itertools.chain(container.decode(stream), [None]):  # None flushes the resampler
        for out in resampler.resample(frame):
            if block is not None:
                yield block
            block = out.to_ndarray()
        if frame is not None:
            last = frame
    if block is None:
        return
    if last.duration and last.time_base:  # held back until now so its padding can be cut
        signal = round(last.duration * last.time_base * last.sample_rate)
        padding = round(max(0, last.samples - signal) * stream.sample_rate / last.sample_rate)
        block = block[:, : max(0, block.shape[1] - padding)]
    yield block


def _read_ffmpeg(path: str, max_seconds: float | None) -> tuple[np.ndarray, int]:
    """Decode ``path`` with FFmpeg: ``(frames, channels)`` float32 and the native rate."""
    with _ffmpeg_stream(path) as (native_rate, channels, blocks):
        limit = _frames_to_read(max_seconds, native_rate)
        kept, n = [np.zeros((channels, 0), np.float32)], 0
        for block in blocks:
            kept.append(block)
            n += block.shape[1]
            if limit is not None and n >= limit:
                break
    return np.concatenate(kept, axis=1).T[:limit], native_rate


def _read_libsndfile(path: str, max_seconds: float | None) -> tuple[np.ndarray, int]:
    """Decode ``path`` with libsndfile: ``(frames, channels)`` float32 and the native rate."""
    with sf.SoundFile(path) as f:
        limit = _frames_to_read(max_seconds, f.samplerate)
        return f.read(frames=-1 if limit is None else limit, dtype="float32", always_2d=True), f.samplerate


def _info_ffmpeg(path: str) -> AudioInfo:
    with _ffmpeg_stream(path) as (native_rate, channels, blocks):
        return AudioInfo(sum(block.shape[1] for block in blocks), native_rate, channels)


def _info_libsndfile(path: str) -> AudioInfo:
    info = sf.info(path)
    return AudioInfo(info.frames, info.samplerate, info.channels)


def audio_info(path: str | Path) -> AudioInfo:
    """Length, native sample rate and channel count of ``path``.

    libsndfile reads them from the header; for a file FFmpeg reads, the whole stream is
    decoded (a few milliseconds per minute of audio), since a container's stated duration
    can be an estimate (raw AAC), rounded (WebM) or missing.

    Parameters
    ----------
    path
        Audio file.

    Returns
    -------
    AudioInfo
        ``frames`` is what :func:`load_audio` decodes (at the native rate).

    Raises
    ------
    AudioError
        If the file cannot be decoded.
    """
    return _decode(path, _info_libsndfile, _info_ffmpeg)


def load_audio(
    path: str | Path, sample_rate: int, max_seconds: float | None = None
) -> np.ndarray:
    """Read ``path`` as float32 mono at ``sample_rate``.

    Channels are averaged and the signal is resampled with soxr's high-quality
    filter, the same steps as ``librosa.load(path, sr=sample_rate)``. Any format of
    :data:`LIBSNDFILE_EXTENSIONS` or :data:`FFMPEG_EXTENSIONS` is read (libsndfile
    first, FFmpeg for the others).

    Parameters
    ----------
    path
        Audio file.
    sample_rate
        Target rate in Hz.
    max_seconds
        Read only about this much from the start (a little more is read so the
        resampler's filter sees real signal at the cut); ``None`` reads all.

    Returns
    -------
    numpy.ndarray
        1-D float32 signal.

    Raises
    ------
    AudioError
        If the file cannot be decoded.
    """
    y, native_rate = _decode(path, lambda p: _read_libsndfile(p, max_seconds),
                            lambda p: _read_ffmpeg(p, max_seconds))
    y = y.mean(axis=1) if y.shape[1] > 1 else y[:, 0]
    if native_rate != sample_rate:
        y = soxr.resample(y, native_rate, sample_rate, quality="HQ")
    return np.ascontiguousarray(y, dtype=np.float32)


def excerpt_player(path: str | Path, seconds: float = 5.0, sample_rate: int = 16000) -> Audio:
    """An inline audio player for the first ``seconds`` of ``path`` (mono, ``sample_rate``)."""
    y = load_audio(path, sample_rate, max_seconds=seconds)[: int(seconds * sample_rate)]
    return Audio(y, rate=sample_rate)
