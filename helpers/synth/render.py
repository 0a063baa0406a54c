"""Render a composed clip with General MIDI instruments: a soundfont played by a synthesizer.

The :class:`~helpers.synth.compose.Score` is written as a Standard MIDI File, one channel per
part (the drums on channel 10, where the program chooses the kit), with the part's level
as channel volume and the room as reverb send, and rendered in one call by
``midirenderer`` (MIT; the Rust SoundFont synthesizer rustysynth) with the General MIDI
soundfont ``TimGM6mb.sf2`` by Tim Brechbill, which ships inside the ``pretty_midi``
package (about 6 MB; GPL-2 in Debian's package of it). Nothing is downloaded at run time:
both come with ``pip install``, and the audio is rendered on this machine. The synthesizer
makes 48 kHz stereo; it is mixed to mono and resampled with soxr.

Where ``midirenderer`` has no wheel (Linux on ARM) or the soundfont is missing,
:func:`gm_problem` says why, and :mod:`helpers.synth.dataset` renders with
:mod:`helpers.synth.additive` instead.
"""

from __future__ import annotations

import functools
import importlib.util
import io
from dataclasses import replace
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr
from scipy.signal import butter, sosfilt

from helpers.synth.compose import Score, saturate
from helpers.synth.styles import DRUM_KITS, GM_PROGRAMS

try:
    import midirenderer
except ImportError:  # no wheel for this platform: helpers.synth.dataset falls back to the additive renderer
    midirenderer = None

#: Sample rate of the synthesizer's output (fixed by midirenderer).
RENDER_RATE: int = 48000

#: The soundfont: a file inside an installed package (package, file name).
SOUNDFONT: tuple[str, str] = ("pretty_midi", "TimGM6mb.sf2")

_TICKS_PER_SECOND = 1920  # 960 ticks per quarter note at 120 bpm (the file's only tempo)
_DRUM_CHANNEL = 9
_CABINET = butter(2, [80, 5000], "bandpass", fs=RENDER_RATE, output="sos")  # a guitar speaker's band
_VOLUME_AT_0_DB = 90  # channel volume (CC 7) of a part at 0 dB; GM volume is 40 * log10(cc / 127) dB


def soundfont_path() -> Path:
    """Where the General MIDI soundfont lies: inside the installed ``pretty_midi`` package.

    Returns
    -------
    pathlib.Path
        The ``.sf2`` file, e.g. ``.../site-packages/pretty_midi/TimGM6mb.sf2``.

    Raises
    ------
    FileNotFoundError
        If ``pretty_midi`` is not installed or lacks the file.
    """
    package, name = SOUNDFONT
    spec = importlib.util.find_spec(package)  # finds the folder without importing the package
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        if (Path(folder) / name).is_file():
            return Path(folder) / name
    raise FileNotFoundError(f"the soundfont {name} of the {package} package is not installed "
                            f"(pip install {package})")


def gm_problem() -> str | None:
    """Why the General MIDI renderer cannot run here, or ``None`` if it can."""
    if midirenderer is None:
        return "the midirenderer package is not installed (it has no wheel for this platform)"
    try:
        soundfont_path()
    except FileNotFoundError as error:
        return str(error)
    return None


@functools.cache
def _soundfont_bytes() -> bytes:
    return soundfont_path().read_bytes()


def _varlen(value: int) -> bytes:
    """A MIDI variable-length quantity: 7 bits a byte, the high bit set on all but the last."""
    out = [value & 0x7F]
    while value > 0x7F:
        value >>= 7
        out.append(0x80 | (value & 0x7F))
    return bytes(reversed(out))


def to_midi(score: Score) -> bytes:
    """The score as a Standard MIDI File (format 0, one track, 120 bpm, time in seconds).

    Each part gets a channel (the drums channel 10) with its program, its level as
    channel volume and the score's reverb as reverb send; the file ends at
    ``score.seconds``, so it renders to the clip's full length.

    Parameters
    ----------
    score : helpers.synth.compose.Score
        The clip to write.

    Returns
    -------
    bytes
        The file's contents.
    """
    events: list[tuple[int, int, bytes]] = []  # (tick, order at that tick, message)
    melodic = iter(c for c in range(16) if c != _DRUM_CHANNEL)
    for part in score.parts:
        drums = part.role == "drums"
        channel = _DRUM_CHANNEL if drums else next(melodic)
        program = DRUM_KITS[part.instrument] if drums else GM_PROGRAMS[part.instrument]
        volume = int(np.clip(round(_VOLUME_AT_0_DB * 10 ** (part.level_db / 40)), 1, 127))
        events += [(0, 0, bytes([0xC0 | channel, program])),
                   (0, 0, bytes([0xB0 | channel, 7, volume])),
                   (0, 0, bytes([0xB0 | channel, 91, round(127 * score.reverb)]))]
        starts = np.round(part.onsets * _TICKS_PER_SECOND).astype(np.int64)
        ends = np.maximum(np.round((part.onsets + part.durations) * _TICKS_PER_SECOND), starts + 1)
        velocities = np.clip(np.round(127 * part.velocities), 1, 127).astype(np.int64)
        for start, end, pitch, velocity in zip(starts.tolist(), ends.astype(np.int64).tolist(),
                                               part.pitches.tolist(), velocities.tolist(), strict=True):
            events.append((start, 2, bytes([0x90 | channel, pitch, velocity])))
            events.append((end, 1, bytes([0x80 | channel, pitch, 0])))  # offs before ons at one tick
    end = round(score.seconds * _TICKS_PER_SECOND)
    track, now = bytearray(_varlen(0) + b"\xff\x51\x03" + (500_000).to_bytes(3, "big")), 0
    for tick, _, message in sorted(e for e in events if e[0] < end):
        track += _varlen(tick - now) + message
        now = tick
    track += _varlen(end - now) + bytes([0xB0, 91, round(127 * score.reverb)])  # sets the length
    track += _varlen(0) + b"\xff\x2f\x00"
    ticks_per_quarter = (_TICKS_PER_SECOND // 2).to_bytes(2, "big")
    header = b"MThd" + (6).to_bytes(4, "big") + bytes([0, 0, 0, 1]) + ticks_per_quarter
    return header + b"MTrk" + len(track).to_bytes(4, "big") + bytes(track)


def render_gm(score: Score, sample_rate: int) -> np.ndarray:
    """Play the score on General MIDI instruments.

    Parts with a ``drive`` (the amped guitars) are rendered in a pass of their own,
    saturated (:func:`helpers.synth.compose.saturate`), band-limited as by a guitar cabinet and
    mixed back at their clean loudness; everything else is rendered in one pass.

    Parameters
    ----------
    score : helpers.synth.compose.Score
        The clip to play.
    sample_rate : int
        Rate of the returned audio.

    Returns
    -------
    numpy.ndarray
        Mono float32 audio, ``round(score.seconds * sample_rate)`` samples.

    Raises
    ------
    RuntimeError
        If the renderer cannot run here (:func:`gm_problem` says why).
    """
    problem = gm_problem()
    if problem:
        raise RuntimeError(f"The General MIDI renderer cannot run: {problem}")
    mix = _render(replace(score, parts=tuple(p for p in score.parts if not p.drive)))
    for drive in sorted({p.drive for p in score.parts if p.drive}):
        amp = _render(replace(score, parts=tuple(p for p in score.parts if p.drive == drive)))
        driven = sosfilt(_CABINET, saturate(amp, drive))
        mix += driven * np.float32(np.sqrt(np.mean(amp**2) / (np.mean(driven**2) + 1e-12)))
    audio = soxr.resample(mix, RENDER_RATE, sample_rate, quality="HQ")
    n = round(score.seconds * sample_rate)
    return np.pad(audio[:n], (0, max(0, n - len(audio)))).astype(np.float32)


def _render(score: Score) -> np.ndarray:
    """The synthesizer's output for ``score`` mixed to mono: ``round(seconds * RENDER_RATE)`` samples."""
    n = round(score.seconds * RENDER_RATE)
    if not score.parts:
        return np.zeros(n, np.float32)
    wav = midirenderer.render_wave_from(_soundfont_bytes(), to_midi(score))
    stereo, _ = sf.read(io.BytesIO(wav), dtype="float32")
    mono = stereo.mean(axis=1)
    return np.pad(mono[:n], (0, max(0, n - len(mono))))
