"""The synthetic mini-GTZAN's composer: a genre's style -> one clip's notes, part by part.

Each clip is a small band — drums, bass, chords ("comp") and a melody ("lead") — playing
its genre's :class:`~helpers.synth.styles.Style`. :func:`compose` draws the tempo, key,
progression, patterns, instruments and mix of one clip and writes it as a :class:`Score`:
note events per part (onsets and durations in seconds, MIDI pitches, velocities), which a
renderer turns into audio (:mod:`helpers.synth.render` with a General MIDI soundfont, or
:mod:`helpers.synth.additive`). Every clip is humanized (timing, velocities, strums), now and
then a player sits out a 4-bar phrase or the whole clip, and each plays with a touch of
their own, so that no clip of a genre sounds quite like another.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from helpers.config import GTZAN_GENRES
from helpers.synth.styles import AMPED, CHORDS, DRUM_KEYS, SCALES, STYLES, Style

_STEPS_PER_BAR = 16  # sixteenth-note grid in 4/4
_DRUM_SECONDS = {"crash": 2.0, "ride": 1.0, "open_hat": 0.4}  # how long a hit rings; others 0.2 s

# Pattern characters: drum/comp velocities ("o" = ghost note, played half the time) ...
_VELOCITY = {"X": 1.0, "x": 0.65, "o": 0.35}
# ... and bass notes: chord tone index ("w" = walking: a random chord tone), or semitones.
_BASS_TONE = {"1": 0, "3": 1, "7": 3}
_BASS_SEMITONES = {"5": 7, "6": 9, "8": 12}

_FILL = {"snare": "............XxXX", "high_tom": "............X...", "mid_tom": ".............X..",
         "low_tom": "..............XX"}  # the last beat of a phrase


@dataclass(frozen=True)
class Part:
    """One band member's notes; the arrays are aligned, one entry per note."""

    role: str  # "drums", "bass", "comp" or "lead"
    instrument: str  # a key of GM_PROGRAMS, or of DRUM_KITS for the drums
    onsets: np.ndarray  # seconds from the start of the clip
    durations: np.ndarray  # seconds
    pitches: np.ndarray  # MIDI note numbers; for the drums, values of DRUM_KEYS
    velocities: np.ndarray  # 0 to 1
    level_db: float  # loudness relative to the drums
    drive: float = 0.0  # guitar-amp saturation (0: clean)


@dataclass(frozen=True)
class Score:
    """One clip as notes, and how it is recorded."""

    genre: str
    seconds: float
    parts: tuple[Part, ...]
    reverb: float  # 0 to 1: how much of the room is heard
    swell: float  # depth of slow loudness changes, 0 to 1
    loudness_db: float  # RMS of the finished clip, dBFS


def compose(genre: str, rng: np.random.Generator, seconds: float = 30.0) -> Score:
    """Compose one clip in the style of a genre (the notes of :func:`helpers.synth.dataset.synth_clip`).

    Parameters
    ----------
    genre, rng, seconds
        As for :func:`helpers.synth.dataset.synth_clip`: the genre, the source of all randomness
        (the same generator state gives the same score) and the clip's duration.

    Returns
    -------
    Score
        The clip's parts (drums, bass, comp, lead; now and then one sits out) and its
        recording settings.

    Raises
    ------
    ValueError
        If ``genre`` is not one of ``GTZAN_GENRES``.
    """
    if genre not in STYLES:
        raise ValueError(f"Unknown genre {genre!r}; choose one of {', '.join(GTZAN_GENRES)}")
    style = STYLES[genre]
    grid = _grid(seconds, rng.uniform(*style.bpm), style.rubato, rng)
    swing = rng.uniform(*style.swing)
    n_bars = (len(grid) - 1) // _STEPS_PER_BAR
    key = int(rng.integers(12))
    progression = style.progressions[rng.integers(len(style.progressions))]
    chord_roots = np.array([(key + progression[b % len(progression)][0]) % 12 for b in range(n_bars)])
    chord_tones = np.array([CHORDS[progression[b % len(progression)][1]] for b in range(n_bars)])

    parts = [
        _drums(style, grid, swing, rng),
        _bass(style, grid, swing, chord_roots, chord_tones, rng),
        _comp(style, grid, swing, chord_roots, chord_tones, rng),
        _lead(style, grid, swing, key, chord_roots, chord_tones, rng),
    ]
    playing = [True, *(rng.random(3) > 0.1)]  # now and then a band member sits out
    drive = rng.uniform(*style.drive)  # one amp for the band's guitars
    touch = rng.uniform(0.55, 1.0, len(parts))  # how hard each player plays (and so the timbre)
    phrases = grid[:: 4 * _STEPS_PER_BAR]  # and rests for a 4-bar phrase now and then
    parts = [_rest(replace(p, velocities=p.velocities * t, drive=drive if p.instrument in AMPED else 0.0),
                   phrases, bool(style.kits), rng)
             for p, plays, t in zip(parts, playing, touch, strict=True) if p is not None and plays]
    parts = tuple(p for p in parts if (p.onsets < seconds).any())
    return Score(genre, float(seconds), parts, reverb=rng.uniform(*style.reverb),
                 swell=rng.uniform(*style.swell), loudness_db=rng.uniform(*style.loudness_db))


def _grid(seconds: float, bpm: float, rubato: float, rng: np.random.Generator) -> np.ndarray:
    """Start (in seconds) of every sixteenth step, whole bars covering ``seconds``."""
    step = 60 / bpm / 4
    n_steps = int(np.ceil(seconds / step * np.exp(3 * rubato) / _STEPS_PER_BAR) + 1) * _STEPS_PER_BAR
    knots = np.arange(0, n_steps + 2 * _STEPS_PER_BAR, _STEPS_PER_BAR)
    wobble = np.interp(np.arange(n_steps), knots, np.clip(rng.standard_normal(len(knots)), -3, 3))
    return np.concatenate([[0.0], np.cumsum(step * np.exp(rubato * wobble))])


def _onsets(steps: np.ndarray, grid: np.ndarray, swing: float, rng: np.random.Generator) -> np.ndarray:
    """Times of grid steps, the off-beat eighths delayed by ``swing``, humanized by a few ms."""
    delay = np.where(steps % 4 == 2, swing * 2 / 3, 0.0)
    onsets = grid[steps] + delay * (grid[steps + 1] - grid[steps])
    return onsets + rng.uniform(0, 0.02, len(steps))


def _hits(pattern: str, n_steps: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Steps and velocities of a velocity pattern repeated over ``n_steps``."""
    reps = -(-n_steps // len(pattern))
    velocity = np.tile([_VELOCITY.get(c, 0.0) for c in pattern], reps)[:n_steps]
    ghost = np.tile([c == "o" for c in pattern], reps)[:n_steps]
    velocity[ghost & (rng.random(n_steps) < 0.5)] = 0
    steps = np.flatnonzero(velocity)
    return steps, velocity[steps] * rng.uniform(0.8, 1.0, len(steps))


def _part(role: str, instrument: str, onsets: np.ndarray, durations: np.ndarray, pitches: np.ndarray,
          velocities: np.ndarray, level_db: float) -> Part:
    """A part with its notes sorted by onset (pitch breaks ties), each note ending before the
    next one of the same pitch begins (a synthesizer's note-off would cut that one short)."""
    by_pitch = np.lexsort((onsets, pitches))
    gap = np.append(np.diff(onsets[by_pitch]), np.inf)
    gap[np.append(np.diff(pitches[by_pitch]) != 0, True)] = np.inf
    durations = durations.copy()
    durations[by_pitch] = np.minimum(durations[by_pitch], np.maximum(gap - 0.005, 0.01))
    order = np.lexsort((pitches, onsets))
    return Part(role, instrument, onsets[order], durations[order], pitches[order].astype(np.int64),
                velocities[order], float(level_db))


def _rest(part: Part, phrases: np.ndarray, drummed: bool, rng: np.random.Generator,
          chance: float = 0.2) -> Part:
    """The part with the notes of some phrases (starting at ``phrases``) left out. The bass never
    rests, nor the chords where there are no drums (it would leave silence)."""
    holds = part.role == "bass" or (part.role == "comp" and not drummed)
    resting = rng.random(len(phrases)) < (0.0 if holds else chance)
    keep = ~resting[np.searchsorted(phrases, part.onsets, side="right") - 1]
    return replace(part, onsets=part.onsets[keep], durations=part.durations[keep],
                   pitches=part.pitches[keep], velocities=part.velocities[keep])


def _lengths(onsets: np.ndarray, end: float, gate: float, longest: float) -> np.ndarray:
    """Note lengths: ``gate`` times the time to the next distinct onset, at most ``longest``."""
    times = np.unique(onsets)
    following = np.append(times[1:], end)[np.searchsorted(times, onsets)]
    return np.clip(gate * (following - onsets), 0.03, longest)


def _drums(style: Style, grid: np.ndarray, swing: float, rng: np.random.Generator) -> Part | None:
    """The drum part: each drum's pattern over the clip, a fill closing every phrase."""
    if not style.kits:
        return None
    n_steps = len(grid) - 1
    phrase = _STEPS_PER_BAR * int(rng.choice([4, 8]))
    in_fill = (np.arange(n_steps) % phrase) >= phrase - 4
    parts = []
    for drum, patterns in style.drums.items():
        pattern = patterns[rng.integers(len(patterns))]
        if not pattern or (drum not in ("kick", "snare") and rng.random() < 0.15):  # sometimes sits out
            continue
        steps, velocity = _hits(pattern, n_steps, rng)
        keep = ~in_fill[steps] | (drum in ("kick", "crash", "ride"))
        parts.append((drum, steps[keep], velocity[keep] * 10 ** (rng.uniform(-3, 3) / 20)))
    if rng.random() < 0.7:
        for drum, pattern in _FILL.items():
            steps, velocity = _hits(pattern * (phrase // _STEPS_PER_BAR), n_steps, rng)
            parts.append((drum, steps[in_fill[steps]], velocity[in_fill[steps]]))
    if not parts:
        return None
    steps = np.concatenate([s for _, s, _ in parts])
    onsets = _onsets(steps, grid, swing, rng)
    durations = np.concatenate([np.full(len(s), _DRUM_SECONDS.get(d, 0.2)) for d, s, _ in parts])
    keys = np.concatenate([np.full(len(s), DRUM_KEYS[d]) for d, s, _ in parts])
    velocity = np.clip(np.concatenate([v for _, _, v in parts]), 0, 1)
    kit = style.kits[rng.integers(len(style.kits))]
    return _part("drums", kit, onsets, durations, keys, velocity, 0.0)


def _bass(style: Style, grid: np.ndarray, swing: float, chord_roots: np.ndarray,
          chord_tones: np.ndarray, rng: np.random.Generator) -> Part:
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
    pitches = 28 + chord_roots[bar] + semitones
    onsets = _onsets(steps, grid, swing, rng)
    lengths = _lengths(onsets, grid[-1], rng.uniform(0.6, 0.95), 2.0)
    sound = style.bass_sounds[rng.integers(len(style.bass_sounds))]
    return _part("bass", sound, onsets, lengths, pitches, rng.uniform(0.7, 0.95, len(steps)),
                 rng.uniform(*style.bass_db))


def _voicing(low: int, roots: np.ndarray, tones: np.ndarray) -> list[np.ndarray]:
    """Pitches of each chord: close position from ``low`` up; power chords an octave lower."""
    chords = []
    for root, chord in zip(roots, tones, strict=True):
        if chord[1] == 7:  # power chord: root, fifth, octave
            base = low - 12 + (root - low) % 12
            chords.append(base + np.array([0, 7, 12]))
        else:
            chords.append(np.unique(low + (root + chord - low) % 12))
    return chords


def _comp(style: Style, grid: np.ndarray, swing: float, chord_roots: np.ndarray,
          chord_tones: np.ndarray, rng: np.random.Generator) -> Part:
    """The accompaniment: each bar's chord voiced and played in a rhythm pattern."""
    pattern = style.comp[rng.integers(len(style.comp))]
    steps, velocity = _hits(pattern, len(grid) - 1, rng)
    chords = _voicing(style.voicing + int(rng.integers(-2, 3)), chord_roots, chord_tones)
    bar = steps // _STEPS_PER_BAR
    onsets = _onsets(steps, grid, swing, rng)
    lengths = _lengths(onsets, grid[-1], rng.uniform(*style.comp_gate), 4.0)
    sizes = np.array([len(chords[b]) for b in bar])
    pitches = np.concatenate([chords[b] for b in bar])
    spread = np.concatenate([np.arange(k) * rng.uniform(0, 0.012) for k in sizes])  # strummed a little
    sound = style.comp_sounds[rng.integers(len(style.comp_sounds))]
    return _part("comp", sound, np.repeat(onsets, sizes) + spread, np.repeat(lengths, sizes), pitches,
                 np.repeat(velocity, sizes) * 0.8, rng.uniform(*style.comp_db))


def _lead(style: Style, grid: np.ndarray, swing: float, key: int, chord_roots: np.ndarray,
          chord_tones: np.ndarray, rng: np.random.Generator) -> Part:
    """The melody in two-bar phrases (some left as rests): a scale walk, or arpeggiated chords."""
    steps = np.arange(0, len(grid) - 1, style.lead_step)
    phrase = steps // (2 * _STEPS_PER_BAR)
    rests = rng.random(phrase.max() + 1) < 0.3
    steps = steps[(rng.random(len(steps)) < rng.uniform(*style.lead_density)) & ~rests[phrase]]
    bar = steps // _STEPS_PER_BAR
    if style.arpeggio:
        order = np.array([0, 1, 2, 3, 2, 1])[np.arange(len(steps)) % 6]
        pitches = 60 + chord_roots[bar] + chord_tones[bar, order]
    else:
        scale = np.array(SCALES[style.scales[rng.integers(len(style.scales))]])
        span = 2 * len(scale)
        walk = np.cumsum(rng.integers(-2, 3, len(steps))) % (2 * span)
        degree = np.where(walk >= span, 2 * span - 1 - walk, walk)
        pitches = 60 + key + 12 * (degree // len(scale)) + scale[degree % len(scale)]
    onsets = _onsets(steps, grid, swing, rng)
    lengths = _lengths(onsets, grid[-1], rng.uniform(0.6, 1.0), 1.5)
    sound = style.lead_sounds[rng.integers(len(style.lead_sounds))]
    return _part("lead", sound, onsets, lengths, pitches, rng.uniform(0.6, 0.95, len(steps)),
                 rng.uniform(*style.lead_db))


def saturate(audio: np.ndarray, drive: float) -> np.ndarray:
    """A guitar amp: ``tanh`` of the part scaled to peak ``drive`` (``drive`` 0: unchanged)."""
    if not drive or not audio.any():
        return audio
    return np.tanh(audio * np.float32(drive / np.abs(audio).max()))
