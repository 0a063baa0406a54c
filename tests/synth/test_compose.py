"""Tests of the composer and the styles it plays: scores and their notes."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.config import GTZAN_GENRES
from helpers.synth.compose import Part, _onsets, compose, saturate
from helpers.synth.styles import AMPED, DRUM_KEYS, DRUM_KITS, GM_PROGRAMS, STYLES


def _score(genre, i=0, seconds=30.0):
    return compose(genre, np.random.default_rng([0, GTZAN_GENRES.index(genre), i]), seconds)


def _instruments(style, role):
    return set({"drums": style.kits, "bass": style.bass_sounds, "comp": style.comp_sounds,
                "lead": style.lead_sounds}[role])


def test_every_genre_has_a_style_and_every_name_is_known():
    assert set(STYLES) == set(GTZAN_GENRES)
    used_programs, used_kits, used_drums = set(), set(), set()
    for style in STYLES.values():
        used_kits |= set(style.kits)
        used_drums |= set(style.drums)
        for role in ("bass", "comp", "lead"):
            used_programs |= _instruments(style, role)
    assert used_programs == set(GM_PROGRAMS)  # all known, none unused
    assert used_kits == set(DRUM_KITS)
    assert used_drums <= set(DRUM_KEYS)
    assert set(AMPED) <= set(GM_PROGRAMS)
    assert all(0 <= p < 128 for p in (*GM_PROGRAMS.values(), *DRUM_KITS.values(), *DRUM_KEYS.values()))


@pytest.mark.parametrize(("a", "b", "role"), [
    ("rock", "metal", "comp"), ("disco", "pop", "drums"), ("blues", "country", "drums"),
    ("jazz", "country", "drums"), ("blues", "rock", "comp"), ("hiphop", "reggae", "bass"),
    ("hiphop", "pop", "comp"), ("disco", "pop", "bass"),
])
def test_neighbouring_styles_share_instruments(a, b, role):
    assert _instruments(STYLES[a], role) & _instruments(STYLES[b], role)


@pytest.mark.parametrize("genre", GTZAN_GENRES)
def test_score_notes_are_well_formed(genre):
    score = _score(genre)
    assert score.genre == genre and score.seconds == 30.0
    assert 0 <= score.reverb <= 1 and 0 <= score.swell <= 1 and -40 < score.loudness_db < -5
    roles = [p.role for p in score.parts]
    assert roles == [r for r in ("drums", "bass", "comp", "lead") if r in roles]
    for part in score.parts:
        n = len(part.onsets)
        assert n and all(len(a) == n for a in (part.durations, part.pitches, part.velocities))
        assert np.all(np.diff(part.onsets) >= 0) and part.onsets[0] >= 0
        assert (part.durations > 0).all()
        assert ((part.velocities > 0) & (part.velocities <= 1)).all()
        assert ((part.pitches >= 0) & (part.pitches < 128)).all()
        if part.role == "drums":
            assert part.instrument in DRUM_KITS and set(part.pitches.tolist()) <= set(DRUM_KEYS.values())
        else:
            assert part.instrument in GM_PROGRAMS
        assert (part.drive > 0) == (part.instrument in AMPED)


@pytest.mark.parametrize("genre", GTZAN_GENRES)
def test_a_note_ends_before_the_next_of_the_same_pitch(genre):
    for part in _score(genre, 1).parts:
        for pitch in np.unique(part.pitches):
            same = part.pitches == pitch
            ends, starts = (part.onsets + part.durations)[same], part.onsets[same]
            assert (ends[:-1] <= starts[1:]).all()


def test_compose_is_deterministic():
    a, b = _score("reggae", 3), _score("reggae", 3)
    for p, q in zip(a.parts, b.parts, strict=True):
        np.testing.assert_array_equal(p.onsets, q.onsets)
        np.testing.assert_array_equal(p.pitches, q.pitches)
    other = _score("reggae", 4)
    assert not np.array_equal(a.parts[0].onsets[:20], other.parts[0].onsets[:20])


def test_classical_has_no_drums_and_the_others_have():
    for i in range(5):
        assert "drums" not in [p.role for p in _score("classical", i).parts]
        assert _score("disco", i).parts[0].role == "drums"


def test_disco_kick_is_four_on_the_floor_at_its_tempo():
    kick = next(p for p in _score("disco").parts if p.role == "drums")
    onsets = kick.onsets[kick.pitches == DRUM_KEYS["kick"]]
    beat = np.median(np.diff(onsets))
    low, high = STYLES["disco"].bpm
    assert 60 / high * 0.9 < beat < 60 / low * 1.1


def test_swing_delays_the_offbeat_eighths():
    grid = np.arange(17) * 0.125  # sixteenths at 120 bpm
    steps = np.array([0, 2, 4, 6])
    straight = _onsets(steps, grid, 0.0, np.random.default_rng(0))
    triplet = _onsets(steps, grid, 1.0, np.random.default_rng(0))  # same humanizing jitter
    np.testing.assert_allclose(triplet - straight, [0, 0.125 * 2 / 3, 0, 0.125 * 2 / 3])
    assert STYLES["jazz"].swing[0] > STYLES["pop"].swing[1]


def test_unknown_genre_is_refused():
    with pytest.raises(ValueError, match="polka"):
        compose("polka", np.random.default_rng(0))


def test_short_clip_keeps_only_parts_that_play():
    score = compose("hiphop", np.random.default_rng(2), seconds=0.5)
    assert all(isinstance(p, Part) and (p.onsets < 0.5).any() for p in score.parts)


def test_saturate_is_an_amp():
    x = np.sin(np.linspace(0, 20, 1000)).astype(np.float32) * 0.3
    assert saturate(x, 0.0) is x
    y = saturate(x, 20.0)
    assert np.abs(y).max() <= 1 and np.abs(y).max() > 0.99
    assert np.mean(np.abs(y)) > 2 * np.mean(np.abs(x))  # squared off: louder for the same peak
    silent = np.zeros(10, np.float32)
    assert saturate(silent, 5.0) is silent
