"""The fallback renderer: a composed clip played by a small additive synthesizer, numpy only.

Where the General MIDI stack of :mod:`helpers.synth.render` cannot be installed, the same
:class:`~helpers.synth.compose.Score` is played here: every note a wavetable tone (harmonic
``k`` at amplitude ``k**-rolloff``, an attack, a decay, vibrato for bowed and blown
instruments, saturation for overdriven and distorted guitars), every drum hit a short
synthesized sound. It sounds like a 1980s home keyboard, not like a band, but keeps
the genres' rhythms, harmony and relative timbres.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.synth.compose import Part, Score, saturate
from helpers.synth.styles import DRUM_KEYS

_TABLE_SIZE = 2048


@dataclass(frozen=True)
class _Sound:
    """An instrument: harmonic k has amplitude k**-rolloff; decay 0 means sustained."""

    rolloff: float
    attack: float
    decay: float
    vibrato: float = 0.0
    odd_only: bool = False


_SOUNDS = {
    "piano": _Sound(1.5, 0.002, 0.8),
    "epiano": _Sound(2.5, 0.003, 1.2),
    "organ": _Sound(1.1, 0.01, 0.0),
    "strings": _Sound(1.0, 0.25, 0.0, vibrato=0.006),
    "pad": _Sound(1.3, 0.4, 0.0, vibrato=0.002),
    "guitar": _Sound(1.4, 0.002, 0.5),
    "dist_guitar": _Sound(1.0, 0.002, 2.5),
    "brass": _Sound(0.9, 0.05, 0.0, vibrato=0.004),
    "flute": _Sound(3.0, 0.06, 0.0, vibrato=0.005),
    "square": _Sound(1.0, 0.005, 0.0, vibrato=0.003, odd_only=True),
    "fiddle": _Sound(0.9, 0.08, 0.0, vibrato=0.012),
    "sub_bass": _Sound(4.0, 0.005, 0.9),
    "bass": _Sound(1.8, 0.003, 0.6),
    "upright_bass": _Sound(2.3, 0.004, 0.35),
    "synth_bass": _Sound(1.0, 0.003, 0.4, odd_only=True),
}

#: The sound that stands in for each General MIDI instrument of :data:`helpers.synth.styles.GM_PROGRAMS`.
SOUND_OF: dict[str, str] = {
    "piano": "piano", "bright_piano": "piano", "epiano": "epiano", "harpsichord": "guitar",
    "clavinet": "guitar", "vibraphone": "epiano", "organ": "organ", "perc_organ": "organ",
    "rock_organ": "organ", "harmonica": "square", "nylon_guitar": "guitar", "steel_guitar": "guitar",
    "jazz_guitar": "guitar", "clean_guitar": "guitar", "muted_guitar": "guitar",
    "overdrive_guitar": "dist_guitar", "distortion_guitar": "dist_guitar", "acoustic_bass": "upright_bass",
    "finger_bass": "bass", "pick_bass": "bass", "slap_bass": "bass", "synth_bass": "synth_bass",
    "synth_bass_2": "sub_bass", "violin": "fiddle", "cello": "strings", "contrabass": "upright_bass",
    "harp": "guitar", "strings": "strings", "slow_strings": "strings", "synth_strings": "pad",
    "trumpet": "brass", "trombone": "brass", "muted_trumpet": "brass", "french_horn": "brass",
    "brass": "brass", "alto_sax": "brass", "tenor_sax": "brass", "oboe": "flute", "clarinet": "flute",
    "flute": "flute", "square_lead": "square", "warm_pad": "pad", "banjo": "guitar", "fiddle": "fiddle",
}

#: Drums of :data:`helpers.synth.styles.DRUM_KEYS` -> the synthesized drum that plays them.
_DRUM_OF = {"kick": "kick", "rim": "snare", "snare": "snare", "clap": "snare", "low_tom": "tom",
            "mid_tom": "tom", "high_tom": "tom", "hat": "hat", "pedal_hat": "hat", "open_hat": "open_hat",
            "crash": "crash", "ride": "ride", "tambourine": "hat", "cowbell": "ride"}


def render_additive(score: Score, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    """Play the score on the additive synthesizer.

    Each part is normalized to unit RMS and mixed at its ``level_db``.

    Parameters
    ----------
    score : helpers.synth.compose.Score
        The clip to play.
    sample_rate : int
        Samples per second.
    rng : numpy.random.Generator
        Draws the instruments' small random differences (tuning, brightness, drum kit).

    Returns
    -------
    numpy.ndarray
        Mono float32 audio, ``round(score.seconds * sample_rate)`` samples.
    """
    n = round(score.seconds * sample_rate)
    mix = np.zeros(n, np.float32)
    for part in score.parts:
        if part.role == "drums":
            audio = _drums(part, n, sample_rate, rng)
        else:
            audio = _notes(part, n, sample_rate, rng)
        rms = np.sqrt(np.mean(audio**2))
        if rms > 0:
            mix += audio * np.float32(10 ** (part.level_db / 20) / rms)
    return mix


def _drum_sounds(sr: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One randomly tuned drum kit: short waveforms, peak about 1."""
    def time(seconds: float) -> np.ndarray:
        return np.arange(int(seconds * sr), dtype=np.float32) / sr

    def hiss(t: np.ndarray) -> np.ndarray:  # high-passed noise
        return np.diff(rng.standard_normal(len(t) + 1, dtype=np.float32)) / 2

    def thump(low: float, decay: float) -> np.ndarray:  # a sine falling in pitch
        t = time(0.4)
        sweep = low + rng.uniform(50, 120) * np.exp(-t / 0.03)
        return np.sin(2 * np.pi * np.cumsum(sweep) / sr) * np.exp(-t / decay)

    kick = thump(rng.uniform(45, 65), rng.uniform(0.1, 0.3))
    kick[: int(0.02 * sr)] += hiss(time(0.02)) * np.exp(-time(0.02) / 0.003) * rng.uniform(0.1, 0.6)
    t = time(0.3)
    snare = hiss(t) * np.exp(-t / rng.uniform(0.05, 0.15))
    snare += 0.6 * np.sin(2 * np.pi * rng.uniform(160, 240) * t) * np.exp(-t / 0.05)
    t = time(1.2)
    partials = np.sin(2 * np.pi * rng.uniform(2500, 7000, (6, 1)) * t).mean(axis=0)
    ride = (0.5 * hiss(t) + partials) * np.exp(-t / rng.uniform(0.4, 1.0))
    t_hat, t_open, t_crash = time(0.1), time(0.5), time(1.5)
    sounds = {
        "kick": kick, "tom": 0.7 * thump(rng.uniform(90, 160), 0.15), "snare": 0.8 * snare,
        "hat": 0.3 * hiss(t_hat) * np.exp(-t_hat / rng.uniform(0.015, 0.04)),
        "open_hat": 0.3 * hiss(t_open) * np.exp(-t_open / rng.uniform(0.1, 0.25)),
        "ride": 0.3 * ride,
        "crash": 0.5 * hiss(t_crash) * np.exp(-t_crash / rng.uniform(0.5, 1.0)),
    }
    return {name: sound.astype(np.float32) for name, sound in sounds.items()}


def _drums(part: Part, n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    """The drum part: each hit's sound added at its onset."""
    sounds = _drum_sounds(sr, rng)
    by_key = {key: sounds[_DRUM_OF[name]] for name, key in DRUM_KEYS.items()}
    out = np.zeros(n, np.float32)
    starts = np.round(part.onsets * sr).astype(np.int64)
    for start, key, velocity in zip(starts.tolist(), part.pitches.tolist(), part.velocities.tolist(),
                                    strict=True):
        if start < n:
            piece = by_key[key][: n - start]
            out[start : start + len(piece)] += velocity * piece
    return out


def _notes(part: Part, n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    """A pitched part: each note a wavetable tone with its envelope, added at its onset."""
    sound = _SOUNDS[SOUND_OF[part.instrument]]
    hz = 440 * 2 ** ((part.pitches - 69) / 12)
    harmonics = int(np.clip(sr / 2 / (hz.max(initial=1.0) * 1.02), 1, 30))
    k = np.arange(1, harmonics + 1)[:, None]
    amps = k ** -(sound.rolloff * rng.uniform(0.8, 1.25)) * (k % 2 if sound.odd_only else 1)
    table = (amps * np.sin(2 * np.pi * k * np.arange(_TABLE_SIZE) / _TABLE_SIZE)).sum(axis=0)
    table = (table / np.abs(table).max()).astype(np.float32)
    decay = sound.decay * rng.uniform(0.6, 1.6)
    vibrato_hz = rng.uniform(4.5, 6.5)
    tuning = 1 + rng.normal(0, 0.002)

    out = np.zeros(n, np.float32)
    starts = np.round(part.onsets * sr).astype(np.int64)
    lengths = np.round((part.durations + 0.01) * sr).astype(np.int64)  # plus a 10 ms release
    for start, length, f, velocity, phase in zip(
        starts.tolist(), lengths.tolist(), hz.tolist(), part.velocities.tolist(),
        rng.uniform(0, _TABLE_SIZE, len(starts)).tolist(), strict=True,
    ):
        length = min(length, n - start)
        if length <= 0:
            continue
        t = np.arange(length, dtype=np.float32) / sr
        step = np.full(length, f * tuning * _TABLE_SIZE / sr, np.float32)  # table steps per sample
        if sound.vibrato:
            step *= 1 + sound.vibrato * np.sin(2 * np.pi * vibrato_hz * t)
        wave = table[(np.cumsum(step) + phase).astype(np.int64) & (_TABLE_SIZE - 1)]
        env = velocity * np.minimum(t / sound.attack, 1) * np.clip((t[-1] - t) / 0.01, 0, 1)
        if decay:
            env *= np.exp(-t / decay)
        out[start : start + length] += wave * env
    return saturate(out, part.drive)
