"""The ten genres' styles: how the synthetic mini-GTZAN's band plays each genre.

A :class:`Style` gives a genre's tempo and swing ranges, drum kits and patterns, chord
progressions, bass lines, chord rhythms and voicings, melody scales, mix levels, guitar-amp
drive, room and loudness, and the General MIDI instruments of every part, as names of
:data:`GM_PROGRAMS` (repeated names are drawn more often). :mod:`helpers.synth.compose` draws one
clip's notes from it.

Patterns are strings on a sixteenth-note grid, one bar (or more) long: for drums and chords
``X`` is a hit, ``x`` a softer one, ``o`` a ghost note played half the time; for the bass a
digit is a chord tone (``1``, ``3``, ``7``) or an interval in semitones over the root
(``5`` a fifth, ``6`` a sixth, ``8`` the octave) and ``w`` a walking bass's random chord tone.
The styles differ the way the real genres do, but their ranges and instruments overlap
(rock/metal, disco/pop, blues/jazz/country, hiphop/reggae), so neighbours are confused.
The instrument choices were tuned so that the pretrained musicnn tagger hears most genres as
themselves (the power drum kit, for one, is left out: it made musicnn say "electronic").
"""

from __future__ import annotations

from dataclasses import dataclass

#: General MIDI programs (0-based) of the instruments the styles play.
GM_PROGRAMS: dict[str, int] = {
    "piano": 0, "bright_piano": 1, "epiano": 4, "harpsichord": 6, "clavinet": 7, "vibraphone": 11,
    "organ": 16, "perc_organ": 17, "rock_organ": 18, "harmonica": 22,
    "nylon_guitar": 24, "steel_guitar": 25, "jazz_guitar": 26, "clean_guitar": 27, "muted_guitar": 28,
    "overdrive_guitar": 29, "distortion_guitar": 30,
    "acoustic_bass": 32, "finger_bass": 33, "pick_bass": 34, "slap_bass": 36, "synth_bass": 38,
    "synth_bass_2": 39, "violin": 40, "cello": 42, "contrabass": 43, "harp": 46, "strings": 48,
    "slow_strings": 49, "synth_strings": 50, "trumpet": 56, "trombone": 57, "muted_trumpet": 59,
    "french_horn": 60, "brass": 61, "alto_sax": 65, "tenor_sax": 66, "oboe": 68, "clarinet": 71,
    "flute": 73, "square_lead": 80, "warm_pad": 89, "banjo": 105, "fiddle": 110,
}

#: General MIDI drum kits: programs of the drum channel (bank 128 of a GS soundfont).
DRUM_KITS: dict[str, int] = {"standard": 0, "room": 8, "electronic": 24, "tr808": 25, "jazz": 32,
                             "brush": 40}

#: General MIDI percussion keys of the drums the patterns play.
DRUM_KEYS: dict[str, int] = {"kick": 36, "rim": 37, "snare": 38, "clap": 39, "low_tom": 45,
                             "hat": 42, "pedal_hat": 44, "open_hat": 46, "mid_tom": 47, "crash": 49,
                             "high_tom": 50, "ride": 51, "tambourine": 54, "cowbell": 56}

#: Chord tones in semitones above the chord root; always four (bass codes index them).
CHORDS: dict[str, tuple[int, ...]] = {
    "maj": (0, 4, 7, 12), "min": (0, 3, 7, 12), "pow": (0, 7, 12, 12),
    "7": (0, 4, 7, 10), "maj7": (0, 4, 7, 11), "min7": (0, 3, 7, 10),
}
#: Scales of the melodies, semitones above the key.
SCALES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10),
    "harmonic": (0, 2, 3, 5, 7, 8, 11), "dorian": (0, 2, 3, 5, 7, 9, 10),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10), "penta": (0, 2, 4, 7, 9),
    "penta_minor": (0, 3, 5, 7, 10), "blues": (0, 3, 5, 6, 7, 10),
}
#: Instruments played through a guitar amp: their parts get the style's drive.
AMPED: tuple[str, ...] = ("overdrive_guitar", "distortion_guitar")

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
class Style:
    """How a genre is played. Pairs are (low, high) ranges for a uniform draw."""

    bpm: tuple[float, float]
    kits: tuple[str, ...]  # drum kits (keys of DRUM_KITS); () = no drums
    drums: dict[str, tuple[str, ...]]  # drum -> candidate patterns ("" = not played)
    progressions: tuple[tuple[tuple[int, str], ...], ...]
    bass: tuple[str, ...]
    bass_sounds: tuple[str, ...]
    comp: tuple[str, ...]
    comp_sounds: tuple[str, ...]
    lead_sounds: tuple[str, ...]
    scales: tuple[str, ...]
    voicing: int = 52  # lowest note of the chords (power chords sit an octave lower)
    lead_density: tuple[float, float] = (0.3, 0.6)
    lead_step: int = 2  # lead grid in sixteenths
    comp_gate: tuple[float, float] = (0.6, 1.0)  # note length / time to next note
    drive: tuple[float, float] = (2.0, 6.0)  # saturation of the AMPED instruments
    swing: tuple[float, float] = (0.0, 0.1)  # 1 = triplet swing of the off-beat eighths
    bass_db: tuple[float, float] = (-8.0, 6.0)  # part levels relative to the drums
    comp_db: tuple[float, float] = (-10.0, 4.0)
    lead_db: tuple[float, float] = (-8.0, 6.0)
    arpeggio: bool = False  # lead plays chord tones instead of a scale walk
    rubato: float = 0.01  # tempo wobble
    swell: tuple[float, float] = (0.0, 0.3)
    loudness_db: tuple[float, float] = (-32.0, -19.0)
    reverb: tuple[float, float] = (0.2, 0.5)


STYLES: dict[str, Style] = {
    "blues": Style(
        bpm=(70, 125), swing=(0.6, 1.0), kits=("standard",),
        drums={"kick": ("X.......X.......", _FOUR), "snare": (_BACKBEAT,),
               "hat": (_EIGHTHS, ""), "ride": ("", _EIGHTHS)},
        progressions=(_BLUES,), bass=("1.3.5.6.8.6.5.3.", "1...1...1...1...", "w...w...w...w..."),
        bass_sounds=("finger_bass",),
        comp=("X.x.X.x.X.x.X.x.", "X..............."), comp_sounds=("clean_guitar",),
        lead_sounds=("overdrive_guitar", "harmonica"),
        scales=("blues", "penta_minor"), drive=(2.0, 8.0)),
    "classical": Style(
        bpm=(50, 110), rubato=0.15, swell=(0.5, 0.9), loudness_db=(-36.0, -22.0), reverb=(0.5, 0.9),
        kits=(), drums={}, progressions=(_CLASSIC, _MINOR), bass=("1...............", "1.......5......."),
        bass_sounds=("contrabass", "cello"), voicing=48,
        comp=("X...............", "X.......X......."),
        comp_sounds=("strings", "slow_strings", "french_horn", "harpsichord"),
        lead_sounds=("piano", "violin", "flute", "harp", "oboe", "clarinet"), scales=("major", "harmonic"),
        lead_density=(0.4, 0.9), arpeggio=True, comp_gate=(0.9, 1.0)),
    "country": Style(
        bpm=(100, 170), kits=("brush", "brush", "standard"), comp_db=(0.0, 8.0),
        drums={"kick": ("X.......X.......",), "snare": (_BACKBEAT, "o.o.X.o.o.o.X.o."),
               "hat": (_EIGHTHS, ""), "tambourine": ("", "....X.......X...")},
        progressions=(_FOLK, _POP), bass=("1...5...1...5...", "1...5...8...5..."),
        bass_sounds=("finger_bass", "acoustic_bass"),
        comp=("X.x.X.x.X.x.X.x.", "....X.......X..."),
        comp_sounds=("steel_guitar", "steel_guitar", "nylon_guitar"),
        lead_sounds=("fiddle", "banjo", "steel_guitar", "harmonica"), reverb=(0.1, 0.3),
        scales=("penta", "major", "mixolydian")),
    "disco": Style(
        bpm=(110, 130), kits=("room", "room", "standard"),
        drums={"kick": (_FOUR,), "snare": (_BACKBEAT,), "clap": ("", _BACKBEAT),
               "hat": ("xxxxxxxxxxxxxxxx", _EIGHTHS), "open_hat": ("..X...X...X...X.", "")},
        progressions=(_MINOR7, _POP), bass=("1.8.1.8.1.8.1.8.", "1.81.8.1.8.1.8.8"),
        bass_sounds=("finger_bass", "slap_bass"),
        comp=("x.xxx.x.x.xxx.x.", "..X...X...X...X.", "X..............."),
        comp_sounds=("muted_guitar", "strings", "epiano", "clavinet", "piano", "clean_guitar"),
        lead_sounds=("synth_strings", "brass", "strings"),
        scales=("minor", "dorian", "major")),
    "hiphop": Style(
        bpm=(80, 100), swing=(0.1, 0.5), kits=("tr808", "standard", "electronic"),
        drums={"kick": ("X......XX.....X.", "X.....X...X.....", "X..X......X....."),
               "snare": (_BACKBEAT,), "clap": ("", _BACKBEAT),
               "hat": (_EIGHTHS, "x...x...x...x...", "xxxxxxxxxxxxxxxx", "")},
        progressions=(_MINOR7, _MINOR), bass=("1.........1.....", "1......1..1....."),
        bass_sounds=("synth_bass", "synth_bass_2", "finger_bass"),
        comp=("X...............", "X.....X........."),
        comp_sounds=("epiano", "warm_pad", "piano", "strings", "organ"),
        lead_sounds=("square_lead", "flute", "vibraphone", "epiano", "brass"),
        scales=("minor", "penta_minor"),
        lead_density=(0.05, 0.3), bass_db=(-4.0, 10.0), comp_db=(-14.0, 2.0)),
    "jazz": Style(
        bpm=(100, 200), swing=(0.6, 1.0), kits=("jazz", "brush"), reverb=(0.3, 0.6),
        drums={"ride": ("X...x.x.X...x.x.",), "pedal_hat": ("....x.......x...",),
               "kick": ("o.......o.......", ""), "snare": ("...o..o....o.o..", "")},
        progressions=(_JAZZ, _BLUES), bass=("w...w...w...w...",), bass_sounds=("acoustic_bass",),
        comp=("o..o...o.o..o...", "X.....x.....x..."),
        comp_sounds=("piano", "epiano", "jazz_guitar", "organ"),
        lead_sounds=("tenor_sax", "alto_sax", "trumpet", "muted_trumpet", "vibraphone", "piano"),
        scales=("dorian", "mixolydian", "blues"), lead_density=(0.4, 0.8)),
    "metal": Style(
        bpm=(110, 190), loudness_db=(-26.0, -17.0), kits=("standard", "room"),
        reverb=(0.1, 0.3),
        drums={"kick": ("X.X.X.X.X.X.X.X.", "X.......X.X.....", "X.XX..X.X.XX..X.", "XxXxXxXxXxXxXxXx"),
               "snare": (_BACKBEAT, "..X...X...X...X."), "hat": (_EIGHTHS, ""),
               "crash": (_CRASH, "X...............")},
        progressions=(_DARK, _ROCK), bass=("1111111111111111", "1.1.1.1.1.1.1.1."),
        bass_sounds=("pick_bass", "finger_bass"),
        comp=("XXXXXXXXXXXXXXXX", "X.x.x.x.X.x.x.x."), comp_sounds=("distortion_guitar",),
        lead_sounds=("distortion_guitar", "overdrive_guitar"), scales=("minor", "harmonic", "penta_minor"),
        lead_density=(0.1, 0.6), lead_step=1, comp_gate=(0.3, 0.9), comp_db=(0.0, 8.0), drive=(8.0, 25.0)),
    "pop": Style(
        bpm=(90, 128), kits=("room", "room", "standard"),
        drums={"kick": (_FOUR, "X.......X.X.....", "X.....X.X......."), "snare": (_BACKBEAT,),
               "clap": ("", "", _BACKBEAT), "hat": (_EIGHTHS, "xxxxxxxxxxxxxxxx"),
               "open_hat": ("", "", "..X...X...X...X.")},
        progressions=(_POP, _FOLK, _MINOR),
        bass=("1...1...1...1...", "1.1.1.1.1.1.1.1.", "1.....1.1.......", "1.8.1.8.1.8.1.8."),
        bass_sounds=("finger_bass", "synth_bass", "pick_bass"),
        comp=("X...............", "X..X..X.X..X..X.", "X.x.X.x.X.x.X.x."),
        comp_sounds=("piano", "piano", "warm_pad", "epiano", "clean_guitar"),
        lead_sounds=("synth_strings", "synth_strings", "brass", "bright_piano", "flute"),
        scales=("major", "penta")),
    "reggae": Style(
        bpm=(65, 95), swing=(0.0, 0.2), kits=("standard", "room"), reverb=(0.1, 0.3),
        drums={"kick": ("........X.......", _FOUR), "rim": ("........X.......", ""),
               "snare": ("", _BACKBEAT), "hat": (_EIGHTHS, "xxxxxxxxxxxxxxxx", "")},
        progressions=(_FOLK, _MINOR7, _MINOR), bass=("1.....5.8...5.1.", "..1...1.5.3.1..."),
        bass_sounds=("finger_bass", "synth_bass", "acoustic_bass"),
        comp=("....X.......X...", "..X...X...X...X."),
        comp_sounds=("clean_guitar", "clean_guitar", "organ", "perc_organ"),
        lead_sounds=("perc_organ", "harmonica", "trombone", "brass", "flute", "square_lead"),
        scales=("major", "minor", "penta"),
        lead_density=(0.1, 0.4), comp_gate=(0.15, 0.4), bass_db=(-4.0, 10.0)),
    "rock": Style(
        bpm=(95, 160), loudness_db=(-28.0, -18.0), kits=("standard", "standard", "room"),
        drums={"kick": ("X.......X.X.....", "X.....X.X.......", "X...X...X...X..."),
               "snare": (_BACKBEAT,), "hat": (_EIGHTHS, "xxxxxxxxxxxxxxxx"),
               "crash": (_CRASH, "")},
        progressions=(_ROCK, _FOLK, _DARK), bass=("1.1.1.1.1.1.1.1.", "1...1...1...1..."),
        bass_sounds=("pick_bass", "finger_bass"),
        comp=("X.x.x.x.X.x.x.x.", "X.......X.......", "X..X..X...X.X..."),
        comp_sounds=("overdrive_guitar", "distortion_guitar", "clean_guitar", "rock_organ", "piano",
                     "steel_guitar"),
        lead_sounds=("overdrive_guitar", "distortion_guitar", "clean_guitar"),
        scales=("penta_minor", "blues", "major"), drive=(4.0, 20.0)),
}
