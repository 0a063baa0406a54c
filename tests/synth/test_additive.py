"""Tests of the fallback additive renderer."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from helpers.config import GTZAN_GENRES
from helpers.synth import additive
from helpers.synth.additive import SOUND_OF, render_additive
from helpers.synth.compose import compose
from helpers.synth.styles import DRUM_KEYS, GM_PROGRAMS


def test_every_instrument_and_drum_has_a_sound():
    assert set(SOUND_OF) == set(GM_PROGRAMS)
    assert set(SOUND_OF.values()) <= set(additive._SOUNDS)
    assert set(additive._DRUM_OF) == set(DRUM_KEYS)
    assert set(additive._DRUM_OF.values()) <= set(additive._drum_sounds(8000, np.random.default_rng(0)))


@pytest.mark.parametrize("genre", GTZAN_GENRES)
def test_render_length_and_parts_at_their_levels(genre):
    score = compose(genre, np.random.default_rng(1), 2.0)
    audio = render_additive(score, 16000, np.random.default_rng(2))
    assert audio.dtype == np.float32 and audio.shape == (32000,) and np.isfinite(audio).all()
    # Each part is mixed at unit RMS times its level.
    first = score.parts[0]
    alone = render_additive(dataclasses.replace(score, parts=(first,)), 16000, np.random.default_rng(2))
    assert np.sqrt(np.mean(alone**2)) == pytest.approx(10 ** (first.level_db / 20), rel=1e-3)


def test_empty_score_is_silence():
    score = dataclasses.replace(compose("pop", np.random.default_rng(0), 1.0), parts=())
    assert not render_additive(score, 8000, np.random.default_rng(0)).any()
