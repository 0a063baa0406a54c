"""Tests of the General MIDI renderer: the soundfont, the MIDI file, the audio."""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from helpers.config import GTZAN_GENRES
from helpers.synth import render
from helpers.synth.compose import Part, Score, compose
from helpers.synth.styles import DRUM_KITS, GM_PROGRAMS

needs_gm = pytest.mark.skipif(render.gm_problem() is not None, reason=f"{render.gm_problem()}")


def _score(genre, seconds=3.0, i=0):
    return compose(genre, np.random.default_rng([0, GTZAN_GENRES.index(genre), i]), seconds)


def _events(midi: bytes) -> list[tuple[int, bytes]]:
    """(absolute tick, message) of a one-track file written without running status."""
    track, pos, tick, out = midi[22:], 0, 0, []
    while pos < len(track):
        delta = 0
        while True:
            delta = (delta << 7) | (track[pos] & 0x7F)
            pos += 1
            if not track[pos - 1] & 0x80:
                break
        tick += delta
        status = track[pos]
        size = 3 + track[pos + 2] if status == 0xFF else (2 if status >> 4 in (0xC, 0xD) else 3)
        out.append((tick, track[pos : pos + size]))
        pos += size
    return out


@needs_gm
def test_soundfont_is_the_package_data_of_pretty_midi():
    path = render.soundfont_path()
    package_dir = Path(importlib.util.find_spec("pretty_midi").submodule_search_locations[0])
    assert path == package_dir / "TimGM6mb.sf2"
    assert 5_000_000 < path.stat().st_size < 8_000_000
    assert path.read_bytes()[:4] == b"RIFF" and path.read_bytes()[8:12] == b"sfbk"


def test_missing_pieces_are_named(monkeypatch):
    monkeypatch.setattr(render, "SOUNDFONT", ("pretty_midi", "missing.sf2"))
    with pytest.raises(FileNotFoundError, match="missing.sf2"):
        render.soundfont_path()
    monkeypatch.setattr(render, "SOUNDFONT", ("no_such_package_here", "x.sf2"))
    assert "no_such_package_here" in render.gm_problem()
    monkeypatch.setattr(render, "midirenderer", None)
    assert "midirenderer" in render.gm_problem()
    with pytest.raises(RuntimeError, match="cannot run: the midirenderer package"):
        render.render_gm(_score("pop"), 16000)


def test_varlen_quantities():
    assert [render._varlen(v) for v in (0, 0x40, 0x7F, 0x80, 0x2000, 0x0FFFFFFF)] == [
        b"\x00", b"\x40", b"\x7f", b"\x81\x00", b"\xc0\x00", b"\xff\xff\xff\x7f"]


def test_midi_file_holds_every_note_on_its_channel():
    score = next(s for s in (_score("rock", i=i) for i in range(10)) if len(s.parts) == 4)
    midi = render.to_midi(score)
    assert midi[:4] == b"MThd" and midi[8:14] == bytes([0, 0, 0, 1, 0x03, 0xC0])  # format 0, 960 tpq
    events = _events(midi)
    assert events[-1][1] == b"\xff\x2f\x00"
    assert events[-1][0] == round(score.seconds * 1920)  # ends at the clip's end
    programs = {m[0] & 0x0F: m[1] for _, m in events if m[0] >> 4 == 0xC}
    drums = next(p for p in score.parts if p.role == "drums")
    assert programs[9] == DRUM_KITS[drums.instrument]
    melodic = [GM_PROGRAMS[p.instrument] for p in score.parts if p.role != "drums"]
    assert [programs[c] for c in sorted(programs) if c != 9] == melodic
    end = round(score.seconds * 1920)
    ons = [m for _, m in events if m[0] >> 4 == 0x9]
    offs = [m for _, m in events if m[0] >> 4 == 0x8]
    assert len(ons) == sum(int((np.round(p.onsets * 1920) < end).sum()) for p in score.parts)
    assert len(offs) <= len(ons)
    assert sum(m[0] == 0x99 for m in ons) == int((np.round(drums.onsets * 1920) < end).sum())
    assert [t for t, _ in events] == sorted(t for t, _ in events)


def test_empty_score_is_a_file_of_the_clip_length():
    score = dataclasses.replace(_score("jazz"), parts=())
    assert _events(render.to_midi(score))[-1] == (round(score.seconds * 1920), b"\xff\x2f\x00")


def test_faster_file_bends_every_channel_and_keeps_its_notes():
    score = _score("rock")
    slow, fast = _events(render.to_midi(score)), _events(render.to_midi(score, speed=3))
    assert render.to_midi(score, speed=3)[12:14] == (3 * 960).to_bytes(2, "big")  # 3x the ticks a beat
    bends = {m[0] & 0x0F: (m[2] << 7 | m[1]) - 8192 for _, m in fast if m[0] >> 4 == 0xE}
    ranges = {m[0] & 0x0F: m[2] for _, m in fast if m[0] >> 4 == 0xB and m[1] == 6}
    assert sorted(bends) == sorted(ranges) == list(range(16))  # the drums' channel too
    for channel, bend in bends.items():
        assert bend / 8192 * ranges[channel] == pytest.approx(12 * np.log2(3), abs=0.01)  # semitones
    assert [e for e in fast if e[1][0] >> 4 not in (0xB, 0xE)] == [e for e in slow if e[1][0] >> 4 != 0xB]


def _pitch_and_end(score, sample_rate: int) -> tuple[float, float]:
    """The loudest frequency of 1.25 s of a held note, and the second the audio falls silent."""
    audio = render.render_gm(score, sample_rate)
    assert audio.shape == (round(score.seconds * sample_rate),)
    held = audio[sample_rate // 4:sample_rate * 3 // 2]
    spectrum = np.abs(np.fft.rfft(held * np.hanning(len(held))))
    loud = np.flatnonzero(np.abs(audio) > 0.1 * np.abs(audio).max())
    return float(np.fft.rfftfreq(len(held), 1 / sample_rate)[np.argmax(spectrum)]), loud[-1] / sample_rate


@needs_gm
@pytest.mark.parametrize("sample_rate", [16000, 22050])
def test_sped_up_render_plays_at_the_clip_pitch_and_length(sample_rate):
    """Played 3x (2x) faster and higher, read at the slower rate: the note of a 44.1-kHz render."""
    assert render.speed_for(sample_rate) > 1 and render.speed_for(44100) == 1
    note = Part("lead", "flute", np.array([0.0]), np.array([1.8]), np.array([69]), np.array([0.8]), 0.0)
    score = Score("classical", 2.0, (note,), reverb=0.0, swell=0.0, loudness_db=-20.0)
    pitch, end = _pitch_and_end(score, sample_rate)
    reference_pitch, reference_end = _pitch_and_end(score, 44100)
    assert reference_pitch == pytest.approx(440, rel=0.01)  # an A4 (the soundfont's flute is 443 Hz)
    assert pitch == pytest.approx(reference_pitch, abs=1.0)
    assert 1.6 < end < 2.0 and 1.6 < reference_end < 2.0  # until about its note-off, not 3x as long


@needs_gm
def test_empty_score_is_silence():
    assert not render.render_gm(dataclasses.replace(_score("jazz"), parts=()), 16000).any()


@needs_gm
@pytest.mark.parametrize("genre", ["metal", "classical"])
def test_render_length_and_level(genre):
    score = _score(genre)
    audio = render.render_gm(score, 16000)
    assert audio.dtype == np.float32 and audio.shape == (48000,)
    assert np.isfinite(audio).all() and 0.005 < np.sqrt(np.mean(audio**2)) and np.abs(audio).max() < 1.5
    np.testing.assert_array_equal(audio, render.render_gm(score, 16000))


@needs_gm
def test_amped_guitars_are_distorted():
    score = _score("metal")
    clean = dataclasses.replace(score, parts=tuple(dataclasses.replace(p, drive=0.0) for p in score.parts))
    assert any(p.drive for p in score.parts)

    def flatness(audio):
        power = np.abs(np.fft.rfft(audio.reshape(-1, 1000), axis=1)) ** 2 + 1e-12
        return np.mean(np.exp(np.mean(np.log(power), axis=1)) / np.mean(power, axis=1))

    assert flatness(render.render_gm(score, 16000)) > flatness(render.render_gm(clean, 16000))
