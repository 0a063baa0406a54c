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
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
import soundfile as sf
from scipy.signal import lfilter
from tqdm.auto import tqdm

from helpers.config import GTZAN_GENRES

#: Sample rate of the generated files (the pipeline's rate, so no resampling is needed).
SYNTH_RATE: int = 16000

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
               "snare": (_BACKBEAT,), "hat": (_EIGHTHS, "x...x...x...x...", "")},
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
               "hat": (_EIGHTHS, "xxxxxxxxxxxxxxxx")},
        progressions=(_POP, _FOLK, _MINOR), bass=("1...1...1...1...", "1.1.1.1.1.1.1.1.",
                                                  "1.....1.1......."),
        bass_sounds=("bass", "synth_bass", "sub_bass"),
        comp=("X...............", "X..X..X.X..X..X.", "X.x.X.x.X.x.X.x."),
        comp_sounds=("pad", "piano", "guitar"),
        lead_sounds=("square", "flute", "strings", "brass"), scales=("major", "penta")),
    "reggae": _Style(
        bpm=(65, 95),
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
