"""A synthetic "mini-GTZAN": ten genres of generated music, fast and deterministic.

GTZAN cannot be downloaded offline, so the notebooks default to this stand-in.
Each clip is a small band — drums, bass, chords ("comp") and a melody ("lead") —
played from a genre's *style*: tempo range, swing, drum patterns, chord
progressions, instruments and distortion. The styles differ the way the real
genres do (four-on-the-floor disco, one-drop reggae, swung jazz ride, distorted
metal, drumless classical), but their random ranges overlap and every clip gets
random mix levels, tone, noise and loudness, so that neighbouring genres
(rock/metal, disco/pop, blues/jazz/country, hiphop/reggae) are hard to tell apart.

Everything is vectorized numpy: notes are rendered as whole-clip frequency and
envelope tracks read through a wavetable; drum hits are short precomputed
sounds added at their onsets. A 30 s clip takes well under 0.1 s.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
import soundfile as sf
from scipy.signal import lfilter
from tqdm.auto import tqdm

from helpers.atomic import staged_folder
from helpers.config import GTZAN_GENRES

#: Sample rate of the generated files (the pipeline's rate, so no resampling is needed).
SYNTH_RATE: int = 16000

#: Settings file written inside every generated set; hidden, so discovery ignores it.
MANIFEST_NAME = ".manifest.json"

#: Bump when the generator changes, so old folders are not mistaken for new ones.
_VERSION = 1
_TABLE_SIZE = 2048
_STEPS_PER_BAR = 16  # sixteenth-note grid in 4/4


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

# Chord tones in semitones above the chord root; always four (bass codes index them).
_CHORDS = {
    "maj": (0, 4, 7, 12), "min": (0, 3, 7, 12), "pow": (0, 7, 12, 12),
    "7": (0, 4, 7, 10), "maj7": (0, 4, 7, 11), "min7": (0, 3, 7, 10),
}
_SCALES = {
    "major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10),
    "harmonic": (0, 2, 3, 5, 7, 8, 11), "dorian": (0, 2, 3, 5, 7, 9, 10),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10), "penta": (0, 2, 4, 7, 9),
    "penta_minor": (0, 3, 5, 7, 10), "blues": (0, 3, 5, 6, 7, 10),
}
# Pattern characters: drum/comp velocities ("o" = ghost note, played half the time) ...
_VELOCITY = {"X": 1.0, "x": 0.65, "o": 0.35}
# ... and bass notes: chord tone index ("w" = walking: a random chord tone), or semitones.
_BASS_TONE = {"1": 0, "3": 1, "7": 3}
_BASS_SEMITONES = {"5": 7, "6": 9, "8": 12}

# Progressions: one (semitones above the key, chord) per bar.
_POP = ((0, "maj"), (7, "maj"), (9, "min"), (5, "maj"))
_FOLK = ((0, "maj"), (5, "maj"), (0, "maj"), (7, "maj"))
_ROCK = ((0, "pow"), (10, "pow"), (5, "pow"), (0, "pow"))
_DARK = ((0, "pow"), (8, "pow"), (10, "pow"), (0, "pow"))
_BLUES = tuple((d, "7") for d in (0, 0, 0, 0, 5, 5, 0, 0, 7, 5, 0, 7))
_JAZZ = ((2, "min7"), (7, "7"), (0, "maj7"), (9, "min7"))
_MINOR7 = ((0, "min7"), (5, "min7"))
_MINOR = ((0, "min"), (8, "maj"), (3, "maj"), (10, "maj"))
_CLASSIC = ((0, "maj"), (9, "min"), (5, "maj"), (7, "maj"), (0, "maj"), (2, "min"), (7, "7"), (0, "maj"))

_FOUR = "X...X...X...X..."
_BACKBEAT = "....X.......X..."
_EIGHTHS = "x.x.x.x.x.x.x.x."
_CRASH = "X" + "." * 63


@dataclass(frozen=True)
class _Style:
    """How a genre is played. Pairs are (low, high) ranges for a uniform draw."""

    bpm: tuple[float, float]
    drums: dict[str, tuple[str, ...]]  # drum sound -> candidate patterns ("" = not played)
    progressions: tuple[tuple[tuple[int, str], ...], ...]
    bass: tuple[str, ...]
    bass_sounds: tuple[str, ...]
    comp: tuple[str, ...]
    comp_sounds: tuple[str, ...]
    lead_sounds: tuple[str, ...]
    scales: tuple[str, ...]
    lead_density: tuple[float, float] = (0.2, 0.5)
    lead_step: int = 2  # lead grid in sixteenths
    comp_gate: tuple[float, float] = (0.6, 1.0)  # note length / time to next note
    drive: tuple[float, float] = (1.0, 1.0)  # distortion of "dist_guitar" parts
    swing: tuple[float, float] = (0.0, 0.1)  # 1 = triplet swing of the off-beat eighths
    bass_db: tuple[float, float] = (-6.0, 0.0)  # part levels relative to the drums
    comp_db: tuple[float, float] = (-8.0, 0.0)
    lead_db: tuple[float, float] = (-10.0, -2.0)
    glide: float = 0.0  # portamento time constant of the lead (slides, bends), seconds
    arpeggio: bool = False  # lead plays chord tones instead of a scale walk
    rubato: float = 0.01  # tempo wobble
    swell: tuple[float, float] = (0.0, 0.3)  # depth of slow loudness changes
    loudness_db: tuple[float, float] = (-24.0, -14.0)  # target RMS in dBFS


_STYLES: dict[str, _Style] = {
    "blues": _Style(
        bpm=(70, 125), swing=(0.6, 1.0),
        drums={"kick": ("X.......X.......", "X...X...X...X..."), "snare": (_BACKBEAT,),
               "hat": (_EIGHTHS, ""), "ride": ("", _EIGHTHS)},
        progressions=(_BLUES,), bass=("1.3.5.6.8.6.5.3.", "1...1...1...1...", "w...w...w...w..."),
        bass_sounds=("bass", "upright_bass"),
        comp=("X.x.X.x.X.x.X.x.", "X..............."), comp_sounds=("guitar", "organ", "piano"),
        lead_sounds=("guitar", "brass", "dist_guitar"), scales=("blues", "penta_minor"),
        drive=(1.0, 4.0), glide=0.04),
    "classical": _Style(
        bpm=(50, 110), rubato=0.15, swell=(0.5, 0.9), loudness_db=(-32.0, -18.0),
        drums={}, progressions=(_CLASSIC, _MINOR), bass=("1...............", "1.......5......."),
        bass_sounds=("upright_bass", "strings"),
        comp=("X...............", "X.......X......."), comp_sounds=("strings", "pad", "organ"),
        lead_sounds=("piano", "strings", "flute"), scales=("major", "harmonic"),
        lead_density=(0.4, 0.9), arpeggio=True, bass_db=(-4.0, 2.0), comp_db=(-4.0, 2.0)),
    "country": _Style(
        bpm=(90, 145),
        drums={"kick": ("X.......X.......",), "snare": (_BACKBEAT, "o.o.X.o.o.o.X.o."),
               "hat": (_EIGHTHS, "")},
        progressions=(_FOLK, _POP), bass=("1...5...1...5...", "1...5...8...5..."),
        bass_sounds=("bass", "upright_bass"),
        comp=("X.x.X.x.X.x.X.x.", "....X.......X..."), comp_sounds=("guitar", "piano"),
        lead_sounds=("fiddle", "guitar", "brass"), scales=("penta", "major", "mixolydian"),
        glide=0.03),
    "disco": _Style(
        bpm=(110, 130),
        drums={"kick": (_FOUR,), "snare": (_BACKBEAT,), "hat": ("xxxxxxxxxxxxxxxx", _EIGHTHS),
               "open_hat": ("..X...X...X...X.", "")},
        progressions=(_MINOR7, _POP), bass=("1.8.1.8.1.8.1.8.", "1.81.8.1.8.1.8.8"),
        bass_sounds=("bass", "synth_bass"),
        comp=("x.xxx.x.x.xxx.x.", "..X...X...X...X.", "X..............."),
        comp_sounds=("guitar", "strings", "epiano"),
        lead_sounds=("strings", "square", "brass"), scales=("minor", "dorian", "major")),
    "hiphop": _Style(
        bpm=(80, 100), swing=(0.1, 0.5),
        drums={"kick": ("X......XX.....X.", "X.....X...X.....", "X..X......X....."),
               "snare": (_BACKBEAT,), "hat": (_EIGHTHS, "x...x...x...x...", "xxxxxxxxxxxxxxxx", "")},
        progressions=(_MINOR7, _MINOR), bass=("1.........1.....", "1......1..1....."),
        bass_sounds=("sub_bass",),
        comp=("X...............", "X.....X........."), comp_sounds=("epiano", "pad", "piano"),
        lead_sounds=("square", "flute", "epiano"), scales=("minor", "penta_minor"),
        lead_density=(0.05, 0.3), bass_db=(0.0, 6.0), comp_db=(-12.0, -3.0)),
    "jazz": _Style(
        bpm=(100, 200), swing=(0.6, 1.0),
        drums={"ride": ("X...x.x.X...x.x.",), "hat": ("....x.......x...",),
               "kick": ("o.......o.......", ""), "snare": ("...o..o....o.o..", "")},
        progressions=(_JAZZ, _BLUES), bass=("w...w...w...w...",), bass_sounds=("upright_bass",),
        comp=("o..o...o.o..o...", "X.....x.....x..."), comp_sounds=("piano", "epiano", "guitar"),
        lead_sounds=("brass", "piano", "flute"), scales=("dorian", "mixolydian", "blues"),
        lead_density=(0.4, 0.8)),
    "metal": _Style(
        bpm=(110, 190), loudness_db=(-18.0, -11.0),
        drums={"kick": ("XXXXXXXXXXXXXXXX", "X.X.X.X.X.X.X.X.", "X.......X.X....."),
               "snare": (_BACKBEAT, "..X...X...X...X."), "hat": (_EIGHTHS, ""),
               "crash": (_CRASH, "X...............")},
        progressions=(_DARK, _ROCK), bass=("1111111111111111", "1.1.1.1.1.1.1.1."),
        bass_sounds=("bass", "synth_bass"),
        comp=("XXXXXXXXXXXXXXXX", "X.x.x.x.X.x.x.x."), comp_sounds=("dist_guitar",),
        lead_sounds=("dist_guitar",), scales=("minor", "harmonic", "penta_minor"),
        lead_density=(0.1, 0.6), lead_step=1, comp_gate=(0.3, 0.9), drive=(4.0, 25.0),
        comp_db=(-2.0, 4.0)),
    "pop": _Style(
        bpm=(90, 128),
        drums={"kick": (_FOUR, "X.......X.X.....", "X.....X.X......."), "snare": (_BACKBEAT,),
               "hat": (_EIGHTHS, "xxxxxxxxxxxxxxxx"), "open_hat": ("", "", "..X...X...X...X.")},
        progressions=(_POP, _FOLK, _MINOR),
        bass=("1...1...1...1...", "1.1.1.1.1.1.1.1.", "1.....1.1.......", "1.8.1.8.1.8.1.8."),
        bass_sounds=("bass", "synth_bass", "sub_bass"),
        comp=("X...............", "X..X..X.X..X..X.", "X.x.X.x.X.x.X.x."),
        comp_sounds=("pad", "piano", "guitar"),
        lead_sounds=("square", "flute", "strings", "brass"), scales=("major", "penta")),
    "reggae": _Style(
        bpm=(65, 95), swing=(0.0, 0.4),
        drums={"kick": ("........X.......", _FOUR), "snare": ("........X.......", _BACKBEAT),
               "hat": (_EIGHTHS, "xxxxxxxxxxxxxxxx", "")},
        progressions=(_FOLK, _MINOR7, _MINOR), bass=("1.....5.8...5.1.", "..1...1.5.3.1..."),
        bass_sounds=("sub_bass", "bass"),
        comp=("....X.......X...", "..X...X...X...X."), comp_sounds=("guitar", "organ", "epiano"),
        lead_sounds=("organ", "flute", "brass"), scales=("major", "minor", "penta"),
        lead_density=(0.1, 0.4), comp_gate=(0.15, 0.4), bass_db=(0.0, 6.0)),
    "rock": _Style(
        bpm=(95, 160),
        drums={"kick": ("X.......X.X.....", "X.....X.X.......", "X...X...X...X..."),
               "snare": (_BACKBEAT,), "hat": (_EIGHTHS, "xxxxxxxxxxxxxxxx"),
               "crash": (_CRASH, "")},
        progressions=(_ROCK, _FOLK, _DARK), bass=("1.1.1.1.1.1.1.1.", "1...1...1...1..."),
        bass_sounds=("bass",),
        comp=("X.x.x.x.X.x.x.x.", "X.......X.......", "X..X..X...X.X..."),
        comp_sounds=("dist_guitar", "dist_guitar", "guitar"),
        lead_sounds=("dist_guitar", "guitar"), scales=("penta_minor", "blues", "major"),
        drive=(1.5, 10.0), loudness_db=(-20.0, -12.0)),
}


def synth_clip(
    genre: str, rng: np.random.Generator, seconds: float = 30.0, sample_rate: int = SYNTH_RATE
) -> np.ndarray:
    """Generate one clip of synthetic music in the style of a genre.

    Parameters
    ----------
    genre : str
        One of ``GTZAN_GENRES``.
    rng : numpy.random.Generator
        Source of all randomness; the same generator state gives the same clip.
    seconds : float
        Duration of the clip.
    sample_rate : int
        Samples per second.

    Returns
    -------
    numpy.ndarray
        Mono float32 audio in [-1, 1], ``round(seconds * sample_rate)`` samples.

    Raises
    ------
    ValueError
        If ``genre`` is not one of ``GTZAN_GENRES``.
    """
    if genre not in _STYLES:
        raise ValueError(f"Unknown genre {genre!r}; choose one of {', '.join(GTZAN_GENRES)}")
    style = _STYLES[genre]
    n = round(seconds * sample_rate)
    sr = sample_rate
    grid = _grid(n, sr, rng.uniform(*style.bpm), style.rubato, rng)
    swing = rng.uniform(*style.swing)
    n_bars = (len(grid) - 1) // _STEPS_PER_BAR
    key = int(rng.integers(12))
    progression = style.progressions[rng.integers(len(style.progressions))]
    chord_roots = np.array([(key + progression[b % len(progression)][0]) % 12 for b in range(n_bars)])
    chord_tones = np.array([_CHORDS[progression[b % len(progression)][1]] for b in range(n_bars)])

    drive = rng.uniform(*style.drive)
    parts = [
        _drums(style, n, sr, grid, swing, rng),
        _bass(style, n, sr, grid, swing, chord_roots, chord_tones, rng),
        _comp(style, n, sr, grid, swing, chord_roots, chord_tones, drive, rng),
        _lead(style, n, sr, grid, swing, key, chord_roots, chord_tones, drive, rng),
    ]
    levels_db = [0.0, rng.uniform(*style.bass_db), rng.uniform(*style.comp_db),
                 rng.uniform(*style.lead_db)]
    playing = [True, *(rng.random(3) > 0.1)]  # now and then a band member sits out
    mix = np.zeros(n, np.float32)
    for part, db, plays in zip(parts, levels_db, playing, strict=True):
        rms = np.sqrt(np.mean(part**2))
        if plays and rms > 0:
            mix += part * np.float32(10 ** (db / 20) / rms)

    # Slow loudness changes, recording tone (a gentle low-pass) and background noise.
    knots = np.arange(0, n + 4 * sr, rng.uniform(2, 5) * sr)
    depth = rng.uniform(*style.swell)
    mix *= np.interp(np.arange(n), knots, 1 - depth * rng.random(len(knots))).astype(np.float32)
    pole = np.exp(-2 * np.pi * rng.uniform(1500, 7000) / sr)
    mix += rng.uniform(0, 0.5) * (lfilter([1 - pole], [1, -pole], mix).astype(np.float32) - mix)
    noise = rng.standard_normal(n, dtype=np.float32)
    color = rng.uniform(0, 0.98)
    noise = lfilter([1 - color], [1, -color], noise).astype(np.float32)
    mix_rms = np.sqrt(np.mean(mix**2)) + 1e-9
    mix += noise * np.float32(mix_rms / np.sqrt(np.mean(noise**2)) * 10 ** (-rng.uniform(15, 40) / 20))

    target = 10 ** (rng.uniform(*style.loudness_db) / 20)
    mix *= np.float32(target / np.sqrt(np.mean(mix**2)))
    return np.clip(mix, -1, 1)


def _grid(n: int, sr: int, bpm: float, rubato: float, rng: np.random.Generator) -> np.ndarray:
    """Start (in samples) of every sixteenth step, whole bars covering ``n`` samples."""
    step = 60 * sr / bpm / 4
    n_steps = int(np.ceil(n / step * np.exp(3 * rubato) / _STEPS_PER_BAR) + 1) * _STEPS_PER_BAR
    knots = np.arange(0, n_steps + 2 * _STEPS_PER_BAR, _STEPS_PER_BAR)
    wobble = np.interp(np.arange(n_steps), knots, np.clip(rng.standard_normal(len(knots)), -3, 3))
    return np.concatenate([[0.0], np.cumsum(step * np.exp(rubato * wobble))])


def _onsets(steps: np.ndarray, grid: np.ndarray, swing: float) -> np.ndarray:
    """Sample positions of grid steps, with the off-beat eighths delayed by ``swing``."""
    delay = np.where(steps % 4 == 2, swing * 2 / 3, 0.0)
    return np.round(grid[steps] + delay * (grid[steps + 1] - grid[steps])).astype(np.int64)


def _hits(pattern: str, n_steps: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Steps and velocities of a velocity pattern repeated over ``n_steps``."""
    reps = -(-n_steps // len(pattern))
    velocity = np.tile([_VELOCITY.get(c, 0.0) for c in pattern], reps)[:n_steps]
    ghost = np.tile([c == "o" for c in pattern], reps)[:n_steps]
    velocity[ghost & (rng.random(n_steps) < 0.5)] = 0
    steps = np.flatnonzero(velocity)
    return steps, velocity[steps] * rng.uniform(0.8, 1.0, len(steps))


def _drum_sounds(sr: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One randomly tuned drum kit: short waveforms, peak about 1."""
    def time(seconds: float) -> np.ndarray:
        return np.arange(int(seconds * sr), dtype=np.float32) / sr

    def hiss(t: np.ndarray) -> np.ndarray:  # high-passed noise
        return np.diff(rng.standard_normal(len(t) + 1, dtype=np.float32)) / 2

    t = time(0.4)
    sweep = rng.uniform(45, 65) + rng.uniform(50, 120) * np.exp(-t / 0.03)
    kick = np.sin(2 * np.pi * np.cumsum(sweep) / sr) * np.exp(-t / rng.uniform(0.1, 0.3))
    kick += hiss(t) * np.exp(-t / 0.003) * rng.uniform(0.1, 0.6)
    t = time(0.3)
    snare = hiss(t) * np.exp(-t / rng.uniform(0.05, 0.15))
    snare += 0.6 * np.sin(2 * np.pi * rng.uniform(160, 240) * t) * np.exp(-t / 0.05)
    t = time(1.2)
    partials = np.sin(2 * np.pi * rng.uniform(2500, 7000, (6, 1)) * t).mean(axis=0)
    ride = (0.5 * hiss(t) + partials) * np.exp(-t / rng.uniform(0.4, 1.0))
    t_hat, t_open, t_crash = time(0.1), time(0.5), time(1.5)
    return {
        "kick": kick.astype(np.float32),
        "snare": 0.8 * snare,
        "hat": 0.3 * hiss(t_hat) * np.exp(-t_hat / rng.uniform(0.015, 0.04)),
        "open_hat": 0.3 * hiss(t_open) * np.exp(-t_open / rng.uniform(0.1, 0.25)),
        "ride": 0.3 * ride,
        "crash": 0.5 * hiss(t_crash) * np.exp(-t_crash / rng.uniform(0.5, 1.0)),
    }


def _drums(style: _Style, n: int, sr: int, grid: np.ndarray, swing: float,
           rng: np.random.Generator) -> np.ndarray:
    """The drum part: each drum's pattern over the clip, hits added at their onsets."""
    out = np.zeros(n, np.float32)
    sounds = _drum_sounds(sr, rng)
    for drum, patterns in style.drums.items():
        pattern = patterns[rng.integers(len(patterns))]
        if not pattern or rng.random() < 0.1:  # sometimes a drum sits out
            continue
        steps, velocity = _hits(pattern, len(grid) - 1, rng)
        starts = _onsets(steps, grid, swing) + rng.integers(0, int(0.006 * sr), len(steps))
        wave = sounds[drum] * np.float32(10 ** (rng.uniform(-3, 3) / 20))
        for start, v in zip(starts[starts < n], velocity[starts < n], strict=True):
            piece = wave[: n - start]
            out[start : start + len(piece)] += v * piece
    return out


def _render(sound_name: str, n: int, sr: int, starts: np.ndarray, pitches: np.ndarray,
            velocity: np.ndarray, gate: float, rng: np.random.Generator,
            glide: float = 0.0) -> np.ndarray:
    """Play notes: ``pitches`` (notes, voices) in MIDI numbers from increasing ``starts``.

    Each note lasts ``gate`` times the time to the next note. All voices share one
    envelope track; each voice is a frequency track read through a wavetable.
    """
    sound = _SOUNDS[sound_name]
    keep = starts < n
    if not keep.any():
        return np.zeros(n, np.float32)
    starts = np.concatenate([[0], starts[keep]])
    pitches = np.vstack([pitches[keep][:1], pitches[keep]])
    velocity = np.concatenate([[0.0], velocity[keep]]).astype(np.float32)
    lengths = np.diff(np.append(starts, n))
    note = np.repeat(np.arange(len(starts)), lengths)  # note playing at each sample
    t = (np.arange(n, dtype=np.float32) - starts.astype(np.float32)[note]) / sr
    env = velocity[note] * np.minimum(t / sound.attack, 1)
    end = (gate * lengths / sr).astype(np.float32)
    env *= np.clip((end[note] - t) / 0.01, 0, 1)  # 10 ms release
    if sound.decay:
        env *= np.exp(t / np.float32(-sound.decay * rng.uniform(0.6, 1.6)))

    hz = 440 * 2 ** ((pitches - 69) / 12)
    harmonics = int(np.clip(sr / 2 / (hz.max() * 1.02), 1, 30))
    k = np.arange(1, harmonics + 1)[:, None]
    amps = k ** -(sound.rolloff * rng.uniform(0.8, 1.25)) * (k % 2 if sound.odd_only else 1)
    table = (amps * np.sin(2 * np.pi * k * np.arange(_TABLE_SIZE) / _TABLE_SIZE)).sum(axis=0)
    table = (table / np.abs(table).max()).astype(np.float32)

    if sound.vibrato:
        vibrato = 1 + sound.vibrato * np.sin(2 * np.pi * rng.uniform(4.5, 6.5) / sr * np.arange(n))
    pole = np.exp(-1 / (glide * sr)) if glide else 0.0
    out = np.zeros(n, np.float32)
    for voice in hz.T:
        step = (voice * (1 + rng.normal(0, 0.002)) * _TABLE_SIZE / sr)[note]  # table steps/sample
        if glide:
            step = lfilter([1 - pole], [1, -pole], step, zi=[pole * step[0]])[0]
        if sound.vibrato:
            step *= vibrato
        phase = np.cumsum(step) + rng.uniform(0, _TABLE_SIZE)
        out += table[phase.astype(np.int64) & (_TABLE_SIZE - 1)]
    return out * env


def _distort(part: np.ndarray, sound: str, drive: float) -> np.ndarray:
    """Guitar-amp style saturation of ``dist_guitar`` parts (adds dense harmonics)."""
    if sound != "dist_guitar" or not part.any():
        return part
    return np.tanh(part * np.float32(drive / np.abs(part).max()))


def _bass(style: _Style, n: int, sr: int, grid: np.ndarray, swing: float,
          chord_roots: np.ndarray, chord_tones: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The bass line: a pattern of chord tones under each bar's chord."""
    pattern = style.bass[rng.integers(len(style.bass))]
    positions = np.array([i for i, c in enumerate(pattern) if c != "."])
    codes = [c for c in pattern if c != "."]
    bars = np.arange(len(chord_roots))
    steps = (bars[:, None] * _STEPS_PER_BAR + positions).ravel()
    bar = steps // _STEPS_PER_BAR
    code = np.tile(codes, len(bars))
    tone = np.select([code == c for c in _BASS_TONE], list(_BASS_TONE.values()),
                     rng.integers(4, size=len(steps)))
    semitones = np.select([code == c for c in _BASS_SEMITONES], list(_BASS_SEMITONES.values()),
                          chord_tones[bar, tone])
    pitches = (28 + chord_roots[bar] + semitones)[:, None]
    sound = style.bass_sounds[rng.integers(len(style.bass_sounds))]
    velocity = rng.uniform(0.8, 1.0, len(steps))
    return _render(sound, n, sr, _onsets(steps, grid, swing), pitches, velocity,
                   rng.uniform(0.6, 1.0), rng)


def _comp(style: _Style, n: int, sr: int, grid: np.ndarray, swing: float, chord_roots: np.ndarray,
          chord_tones: np.ndarray, drive: float, rng: np.random.Generator) -> np.ndarray:
    """The accompaniment: each bar's chord played in a rhythm pattern."""
    pattern = style.comp[rng.integers(len(style.comp))]
    steps, velocity = _hits(pattern, len(grid) - 1, rng)
    bar = steps // _STEPS_PER_BAR
    pitches = 48 + chord_roots[bar, None] + chord_tones[bar]
    sound = style.comp_sounds[rng.integers(len(style.comp_sounds))]
    part = _render(sound, n, sr, _onsets(steps, grid, swing), pitches, velocity,
                   rng.uniform(*style.comp_gate), rng)
    return _distort(part, sound, drive)


def _lead(style: _Style, n: int, sr: int, grid: np.ndarray, swing: float, key: int,
          chord_roots: np.ndarray, chord_tones: np.ndarray, drive: float,
          rng: np.random.Generator) -> np.ndarray:
    """The melody: a random walk on the genre's scale, or arpeggiated chords."""
    steps = np.arange(0, len(grid) - 1, style.lead_step)
    steps = steps[rng.random(len(steps)) < rng.uniform(*style.lead_density)]
    bar = steps // _STEPS_PER_BAR
    if style.arpeggio:
        order = np.array([0, 1, 2, 3, 2, 1])[np.arange(len(steps)) % 6]
        pitches = 60 + chord_roots[bar] + chord_tones[bar, order]
    else:
        scale = np.array(_SCALES[style.scales[rng.integers(len(style.scales))]])
        span = 2 * len(scale)
        walk = np.cumsum(rng.integers(-2, 3, len(steps))) % (2 * span)
        degree = np.where(walk >= span, 2 * span - 1 - walk, walk)
        pitches = 60 + key + 12 * (degree // len(scale)) + scale[degree % len(scale)]
    sound = style.lead_sounds[rng.integers(len(style.lead_sounds))]
    velocity = rng.uniform(0.6, 1.0, len(steps))
    part = _render(sound, n, sr, _onsets(steps, grid, swing), pitches[:, None], velocity,
                   rng.uniform(0.5, 1.0), rng, glide=style.glide)
    return _distort(part, sound, drive)


def make_dataset(
    out_dir: str | Path,
    clips_per_genre: int = 40,
    seconds: float = 30.0,
    seed: int = 0,
    n_jobs: int = 2,
) -> Path:
    """Write a synthetic mini-GTZAN: ``out_dir/<genre>/<genre>.000NN.wav``.

    The files are 16-bit mono WAV at ``SYNTH_RATE`` Hz. Clip ``i`` of genre ``g``
    is drawn from ``np.random.default_rng([seed, g's index, i])``, so the set is
    bit-identical whatever ``n_jobs`` is. The folder appears only when complete
    (it is built as ``<out_dir>.partial`` and renamed) and holds a hidden
    ``.manifest.json`` of its settings (dataset discovery skips it); calling
    again with the same settings returns at once.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Folder to create. Must not exist, or must hold a set made with the same settings.
    clips_per_genre : int
        Clips per genre (GTZAN has 100).
    seconds : float
        Duration of each clip.
    seed : int
        Seed of the whole set; another seed gives different audio.
    n_jobs : int
        Parallel worker processes.

    Returns
    -------
    pathlib.Path
        ``out_dir``.

    Raises
    ------
    FileExistsError
        If ``out_dir`` exists but is not a set made with these settings.
    """
    out_dir = Path(out_dir)
    manifest = {
        "generator": "helpers.synth", "version": _VERSION, "seed": int(seed),
        "clips_per_genre": int(clips_per_genre), "seconds": float(seconds),
        "sample_rate": SYNTH_RATE, "genres": list(GTZAN_GENRES),
    }
    if out_dir.exists():
        manifest_file = out_dir / MANIFEST_NAME
        found = json.loads(manifest_file.read_text()) if manifest_file.is_file() else None
        if found == manifest:
            return out_dir
        if found:
            what = f"a synthetic set made with other settings: {found}"
        else:
            names = sorted(p.name for p in out_dir.iterdir()) if out_dir.is_dir() else []
            what = (f"{len(names)} entries ({', '.join(names[:5])}{', ...' if len(names) > 5 else ''})"
                    f" and no {MANIFEST_NAME} of this generator")
        raise FileExistsError(
            f"{out_dir} already exists and holds {what}. Wanted a set with {manifest}. "
            "Delete that folder or choose another one; it is never overwritten."
        )

    with staged_folder(out_dir) as partial:
        for genre in GTZAN_GENRES:
            (partial / genre).mkdir()
        jobs = [(partial, genre, g, i, seconds, seed)
                for g, genre in enumerate(GTZAN_GENRES) for i in range(clips_per_genre)]
        written = joblib.Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
            joblib.delayed(_write_clip)(*job) for job in jobs
        )
        for _ in tqdm(written, total=len(jobs), desc="Synthesizing mini-GTZAN", unit="clip"):
            pass
        (partial / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
    return out_dir


def _write_clip(folder: Path, genre: str, genre_index: int, clip_index: int,
                seconds: float, seed: int) -> None:
    """Generate one clip of the set and write it as 16-bit WAV."""
    rng = np.random.default_rng([seed, genre_index, clip_index])
    audio = synth_clip(genre, rng, seconds, SYNTH_RATE)
    sf.write(folder / genre / f"{genre}.{clip_index:05d}.wav", audio, SYNTH_RATE, subtype="PCM_16")
