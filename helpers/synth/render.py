"""Render a composed clip with General MIDI instruments: a soundfont played by a synthesizer.

The :class:`~helpers.synth.compose.Score` is written as a Standard MIDI File, one channel per
part (the drums on channel 10, where the program chooses the kit), with the part's level
as channel volume and the room as reverb send, and rendered in one call by
``midirenderer`` (MIT; the Rust SoundFont synthesizer rustysynth) with the General MIDI
soundfont ``TimGM6mb.sf2`` by Tim Brechbill, which ships inside the ``pretty_midi``
package (about 6 MB; GPL-2 in Debian's package of it). Nothing is downloaded at run time:
both come with ``pip install``, and the audio is rendered on this machine.

The synthesizer always makes 48 kHz stereo, three times more samples than the set's 16 kHz
files need, and most of its time goes into computing samples. So the score is played
:func:`speed_for` times faster (3 for 16 kHz) and as many times higher (a pitch bend on every
channel, drums included); read at 16 kHz, those samples are the clip at its own tempo and pitch.
So that the instruments' envelopes, vibrato and filters are not slowed down with them, the
synthesizer plays a copy of the soundfont whose instruments run as many times faster
(:func:`helpers.synth.soundfont.speed_up`); only its reverb still rings longer. For rates that
48 kHz is not a whole multiple of, the rest of the way is resampled with soxr.

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
from helpers.synth.soundfont import speed_up
from helpers.synth.styles import DRUM_KITS, GM_PROGRAMS

try:
    import midirenderer
except ImportError:  # no wheel for this platform: helpers.synth.dataset falls back to the additive renderer
    midirenderer = None

#: Sample rate of the synthesizer's output (fixed by midirenderer).
RENDER_RATE: int = 48000

#: The most a score is sped up: its pitch bend is at most ``12 * log2(3)`` = 19 semitones.
MAX_SPEED: int = 3

#: The soundfont: a file inside an installed package (package, file name).
SOUNDFONT: tuple[str, str] = ("pretty_midi", "TimGM6mb.sf2")

_TICKS_PER_SECOND = 1920  # 960 ticks per quarter note at 120 bpm (the file's only tempo)
_DRUM_CHANNEL = 9
_BEND_RANGE = 24  # semitones of a full pitch bend (set by RPN 0 on every channel)
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
def soundfont_bytes(speed: int = 1) -> bytes:
    """The soundfont's file, its instruments made ``speed`` times faster (:func:`speed_up`)."""
    return speed_up(soundfont_path().read_bytes(), speed)


def _varlen(value: int) -> bytes:
    """A MIDI variable-length quantity: 7 bits a byte, the high bit set on all but the last."""
    out = [value & 0x7F]
    while value > 0x7F:
        value >>= 7
        out.append(0x80 | (value & 0x7F))
    return bytes(reversed(out))


def speed_for(sample_rate: int) -> int:
    """How many times faster a score is played for audio at ``sample_rate``: the whole number of
    times ``sample_rate`` fits into :data:`RENDER_RATE`, from 1 to :data:`MAX_SPEED`.

    >>> speed_for(16000), speed_for(22050), speed_for(44100), speed_for(8000)
    (3, 2, 1, 3)
    """
    return int(np.clip(RENDER_RATE // sample_rate, 1, MAX_SPEED))


def to_midi(score: Score, speed: int = 1) -> bytes:
    """The score as a Standard MIDI File (format 0, one track, 120 bpm, time in seconds).

    Each part gets a channel (the drums channel 10) with its program, its level as
    channel volume and the score's reverb as reverb send; the file ends at
    ``score.seconds``, so it renders to the clip's full length. With ``speed`` above 1 the
    file plays that many times faster (more ticks per quarter note at the same tempo) and
    every channel is bent up by ``12 * log2(speed)`` semitones.

    Parameters
    ----------
    score : helpers.synth.compose.Score
        The clip to write.
    speed : int
        1 to :data:`MAX_SPEED`: how many times faster and higher the file plays.

    Returns
    -------
    bytes
        The file's contents.
    """
    events: list[tuple[int, int, bytes]] = []  # (tick, order at that tick, message), kept in this order
    if speed > 1:  # pitch bend range (RPN 0), then the bend, on every channel
        bend = 8192 + round(8192 * 12 * np.log2(speed) / _BEND_RANGE)
        events += [(0, 0, bytes([status | channel, *data])) for channel in range(16)
                   for status, data in ((0xB0, (101, 0)), (0xB0, (100, 0)), (0xB0, (6, _BEND_RANGE)),
                                        (0xB0, (38, 0)), (0xE0, (bend & 0x7F, bend >> 7)))]
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
    for tick, _, message in sorted((e for e in events if e[0] < end), key=lambda e: e[:2]):  # stable
        track += _varlen(tick - now) + message
        now = tick
    track += _varlen(end - now) + bytes([0xB0, 91, round(127 * score.reverb)])  # sets the length
    track += _varlen(0) + b"\xff\x2f\x00"
    ticks_per_quarter = (speed * _TICKS_PER_SECOND // 2).to_bytes(2, "big")
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
    speed = speed_for(sample_rate)
    rate = RENDER_RATE // speed  # the rate at which the sped-up output plays the clip as composed
    mix = _render(replace(score, parts=tuple(p for p in score.parts if not p.drive)), speed)
    for drive in sorted({p.drive for p in score.parts if p.drive}):
        amp = _render(replace(score, parts=tuple(p for p in score.parts if p.drive == drive)), speed)
        driven = sosfilt(_cabinet(rate), saturate(amp, drive))
        mix += driven * np.float32(np.sqrt(np.mean(amp**2) / (np.mean(driven**2) + 1e-12)))
    audio = mix if rate == sample_rate else soxr.resample(mix, rate, sample_rate, quality="HQ")
    n = round(score.seconds * sample_rate)
    return np.pad(audio[:n], (0, max(0, n - len(audio)))).astype(np.float32)


@functools.cache
def _cabinet(sample_rate: int) -> np.ndarray:
    """A guitar speaker's band (80 Hz to 5 kHz) as second-order sections at ``sample_rate``."""
    return butter(2, [80, 5000], "bandpass", fs=sample_rate, output="sos")


def _render(score: Score, speed: int) -> np.ndarray:
    """The synthesizer's output for ``score`` played ``speed`` times faster, mixed to mono:
    ``round(seconds * RENDER_RATE / speed)`` samples."""
    n = round(score.seconds * RENDER_RATE / speed)
    if not score.parts:
        return np.zeros(n, np.float32)
    wav = midirenderer.render_wave_from(soundfont_bytes(speed), to_midi(score, speed))
    stereo, _ = sf.read(io.BytesIO(wav), dtype="float32")
    mono = 0.5 * (stereo[:, 0] + stereo[:, 1])
    return np.pad(mono[:n], (0, max(0, n - len(mono))))
