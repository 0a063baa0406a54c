"""Tests of the sped-up soundfont: which instrument settings change, by how much, and what stays."""

from __future__ import annotations

import struct

import pytest

from helpers.synth import render
from helpers.synth.soundfont import FREQUENCY_GENERATORS, TIME_GENERATORS, speed_up

THREE_TIMES = 1902  # cents: 1200 * log2(3)


def _chunk(name: bytes, body: bytes) -> bytes:
    return name + struct.pack("<I", len(body)) + body + b"\0" * (len(body) & 1)


def _font(generators: list[tuple[int, int]], preset: list[tuple[int, int]] = ()) -> bytes:
    """A minimal SoundFont 2 file: an INFO list, then a pdta list with pgen and igen chunks."""
    records = lambda pairs: b"".join(struct.pack("<Hh", n, a) for n, a in [*pairs, (0, 0)])  # noqa: E731
    pdta = b"pdta" + _chunk(b"pgen", records(preset)) + _chunk(b"igen", records(generators))
    body = b"sfbk" + _chunk(b"LIST", b"INFO" + _chunk(b"INAM", b"test\0")) + _chunk(b"LIST", pdta)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _igen(font: bytes) -> list[tuple[int, int]]:
    at = font.index(b"igen") + 8
    size = struct.unpack_from("<I", font, at - 4)[0]
    return [struct.unpack_from("<Hh", font, r) for r in range(at, at + size, 4)]


def test_times_shorten_and_frequencies_rise_by_the_speed_within_the_formats_limits():
    font = _font([(34, -7973), (38, -12000), (36, -11000), (8, 13000), (22, 0), (24, 4600), (17, 100),
                  (58, 60)], preset=[(34, 1200), (8, -600)])
    faster = speed_up(font, 3)
    assert len(faster) == len(font)
    assert _igen(faster) == [
        (34, -7973 - THREE_TIMES),  # attack: a third as long
        (38, -12000),  # already the shortest time: stays
        (36, -12000),  # would be shorter than the shortest: held there
        (8, 13500),  # filter cutoff: raised, but not above its maximum
        (22, THREE_TIMES),  # LFO rate: three times as high
        (24, 4600),  # already above the format's highest rate: stays
        (17, 100), (58, 60),  # pan and the root key are neither a time nor a frequency
        (0, 0),  # the terminal record is left alone
    ]
    assert faster[:font.index(b"igen")] == font[:font.index(b"igen")]  # preset offsets and INFO unchanged


def test_speed_one_is_the_same_file_and_other_files_are_refused():
    font = _font([(34, -7973)])
    assert speed_up(font, 1) is font
    with pytest.raises(ValueError, match="not a SoundFont 2 file"):
        speed_up(b"RIFF\0\0\0\0WAVEfmt ", 3)
    with pytest.raises(ValueError, match="no 'igen' chunk"):
        speed_up(font.replace(b"igen", b"xgen"), 3)


@pytest.mark.skipif(render.gm_problem() is not None, reason=f"{render.gm_problem()}")
def test_the_shipped_soundfont_changes_only_its_instrument_times_and_frequencies():
    font = render.soundfont_path().read_bytes()
    faster = speed_up(font, 3)
    before, after = _igen(font), _igen(faster)
    changed = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    assert len(changed) > 1000  # TimGM6mb sets envelopes for most of its instrument zones
    assert {b[0] for b, _ in changed} <= TIME_GENERATORS | set(FREQUENCY_GENERATORS)
    assert all(a[1] - b[1] in range(-THREE_TIMES, 0) if b[0] in TIME_GENERATORS
               else a[1] - b[1] in range(1, THREE_TIMES + 1) for b, a in changed)
    start, end = font.index(b"igen"), font.index(b"shdr")
    assert faster[:start] == font[:start] and faster[end:] == font[end:]  # samples and presets untouched
