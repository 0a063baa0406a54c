"""A soundfont's instruments made to run faster, for scores the renderer plays sped up.

:mod:`helpers.synth.render` plays a score ``speed`` times faster and higher and reads the output
at a rate ``speed`` times lower. Samples then come out at their own pitch and length, but every
other time and frequency of an instrument would be stretched by ``speed``: envelopes (attack,
decay, release) would ring longer, vibrato would wobble slower and filters would close lower.
:func:`speed_up` returns a copy of the soundfont whose instruments have those times divided and
those frequencies multiplied by ``speed``, so the slowed-down result sounds like the instruments
played at their own speed.

A SoundFont 2 file (RIFF form ``sfbk``) keeps each instrument's settings as *generators*: 4-byte
records (a ``uint16`` number naming the setting, an ``int16`` amount) in the ``igen`` chunk of its
``pdta`` list. Times are in timecents (``1200 * log2(seconds)``) and frequencies in absolute
cents, so dividing a time by ``speed`` subtracts ``1200 * log2(speed)`` and multiplying a
frequency adds it. Preset-level generators (``pgen``) are offsets added to those, so they stay.
Settings an instrument leaves at their defaults (envelope stages of 1 ms, the filter wide open)
are left too: a 1-ms stage lasting 3 ms is not heard.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

import numpy as np

#: Generators holding a time in timecents: the delays of both LFOs, and every stage of the
#: modulation and volume envelopes (SoundFont 2.04, section 8.1.2).
TIME_GENERATORS: frozenset[int] = frozenset({21, 23, 25, 26, 27, 28, 30, 33, 34, 35, 36, 38})

#: Generators holding a frequency in absolute cents, with the highest value the format allows:
#: the filter's cutoff, and the modulation and vibrato LFOs' rates.
FREQUENCY_GENERATORS: dict[int, int] = {8: 13500, 22: 4500, 24: 4500}

_SHORTEST = -12000  # timecents: the format's shortest time (1 ms), also every stage's default


def _chunks(data: bytes | bytearray, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(id, offset of its data, size) of each RIFF chunk between ``start`` and ``end``."""
    while start + 8 <= end:
        size = struct.unpack_from("<I", data, start + 4)[0]
        yield bytes(data[start:start + 4]), start + 8, size
        start += 8 + size + (size & 1)  # chunks are padded to an even length


def speed_up(font: bytes, speed: int) -> bytes:
    """A copy of the SoundFont 2 file ``font`` whose instruments run ``speed`` times faster.

    Parameters
    ----------
    font : bytes
        The ``.sf2`` file.
    speed : int
        1 or more; 1 returns ``font`` itself.

    Returns
    -------
    bytes
        The same file with each instrument-level time generator shortened and each frequency
        generator raised by ``1200 * log2(speed)`` cents, within the format's limits (a value
        already beyond them stays as it is).

    Raises
    ------
    ValueError
        If ``font`` is not a SoundFont 2 file with an instrument generator chunk.
    """
    if speed == 1:
        return font
    data = bytearray(font)
    if data[:4] != b"RIFF" or data[8:12] != b"sfbk":
        raise ValueError("not a SoundFont 2 file (no RIFF 'sfbk' header)")
    cents = round(1200 * np.log2(speed))
    lists = {bytes(data[at:at + 4]): (at + 4, at + size) for name, at, size in _chunks(data, 12, len(data))
             if name == b"LIST"}
    if b"pdta" not in lists:
        raise ValueError("the soundfont has no 'pdta' list of presets and instruments")
    found = {name: (at, size) for name, at, size in _chunks(data, *lists[b"pdta"])}
    if b"igen" not in found:
        raise ValueError("the soundfont has no 'igen' chunk of instrument generators")
    at, size = found[b"igen"]
    for record in range(at, at + size - 4, 4):  # the last record is the list's terminal one
        number, amount = struct.unpack_from("<Hh", data, record)
        if number in TIME_GENERATORS and amount > _SHORTEST:
            struct.pack_into("<Hh", data, record, number, max(_SHORTEST, amount - cents))
        elif number in FREQUENCY_GENERATORS and amount < FREQUENCY_GENERATORS[number]:
            struct.pack_into("<Hh", data, record, number, min(FREQUENCY_GENERATORS[number], amount + cents))
    return bytes(data)
