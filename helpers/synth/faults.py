"""GTZAN's faults in miniature, put into the synthetic set on purpose and recorded in its manifest.

Real GTZAN has repeated excerpts of one recording, a corrupt file (``jazz.00054`` in a widely
shared copy) and mislabelled clips (Sturm 2013); they are why its random-split accuracies are
inflated. The default set has the same three, scaled to its size, so the notebooks can measure
what they do:

* **repeated excerpts**: ``clips_per_genre // 10`` songs per genre are each rendered once and
  cut into four clips, each starting a quarter of a clip after the one before (neighbours share
  three quarters of their audio), so 40% of the set's clips come from such songs, as many GTZAN
  clips share a recording or an artist; the manifest's ``songs`` names the song of each, so the song split
  keeps them together and a random clip split does not;
* **one corrupt file**: bytes that start like a WAV file and end in noise, under a clip's name;
  :func:`helpers.data.discover` reports and skips it;
* **mislabelled clips**: ``clips_per_genre // 10`` clips in all, each playing another
  genre's music under its folder's name.

Sets of fewer than 10 clips per genre (``FAULTS_FROM``) have none.
"""

from __future__ import annotations

import dataclasses

import numpy as np

#: Per genre, one song cut into ``EXCERPTS_PER_SONG`` clips per this many clips.
CLIPS_PER_SONG = 10
#: Clips cut from each repeated song.
EXCERPTS_PER_SONG = 4
#: Each excerpt of a repeated song starts this fraction of a clip after the one before.
EXCERPT_HOP = 0.25
#: One mislabelled clip per this many clips per genre (spread over the genres).
CLIPS_PER_MISLABEL = 10
#: Sets with at least this many clips per genre carry the faults; smaller sets have none.
FAULTS_FROM = 10


@dataclasses.dataclass(frozen=True)
class Faults:
    """Which clips of a set carry a fault; clips are ``(genre index, clip index)``."""

    repeats: tuple[tuple[int, tuple[int, ...]], ...] = ()  # (genre, its clips from first to last): one song
    corrupt: tuple[int, int] | None = None
    mislabelled: dict[tuple[int, int], int] = dataclasses.field(default_factory=dict)  # -> genre played

    def later_excerpts(self) -> set[tuple[int, int]]:
        """The clips written from another clip's rendering (all but the first excerpt of a song)."""
        return {(g, i) for g, clips in self.repeats for i in clips[1:]}


def plan_faults(n_genres: int, clips_per_genre: int, seed: int) -> Faults:
    """Draw the faulty clips of a set from its seed (the same seed, the same faults).

    The three kinds never share a clip, and a mislabelled clip always plays a genre other
    than its folder's.

    >>> f = plan_faults(10, 40, seed=0)
    >>> len(f.repeats), len(f.repeats[0][1]), f.corrupt is not None, len(f.mislabelled)
    (40, 4, True, 4)
    >>> plan_faults(10, 2, seed=0)
    Faults(repeats=(), corrupt=None, mislabelled={})
    """
    if clips_per_genre < FAULTS_FROM:
        return Faults()
    rng = np.random.default_rng([seed, 20_260_100])
    repeats = []
    for g in range(n_genres):
        songs = clips_per_genre // CLIPS_PER_SONG
        chosen = np.sort(rng.choice(clips_per_genre, (songs, EXCERPTS_PER_SONG), replace=False), axis=1)
        repeats += [(g, tuple(song)) for song in sorted(chosen.tolist())]
    used = {(g, i) for g, clips in repeats for i in clips}
    free = [(g, i) for g in range(n_genres) for i in range(clips_per_genre) if (g, i) not in used]
    corrupt = free.pop(int(rng.integers(len(free))))
    mislabelled = {}
    for k in rng.choice(len(free), clips_per_genre // CLIPS_PER_MISLABEL, replace=False):
        g, i = free[int(k)]
        mislabelled[(g, i)] = int((g + rng.integers(1, n_genres)) % n_genres)
    return Faults(tuple(repeats), corrupt, dict(sorted(mislabelled.items())))


def corrupt_bytes(rng: np.random.Generator, size: int = 4096) -> bytes:
    """A file that starts like a WAV file and cannot be decoded: a RIFF header, then noise."""
    return b"RIFF" + (size - 8).to_bytes(4, "little") + b"WAVE" + rng.bytes(size - 12)
