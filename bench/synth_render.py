"""Benchmark: where the time of generating the synthetic set goes, against the 45-s target.

    python bench/synth_render.py [--clips 20]      (part of make bench)

Times, per 30-s clip and in one process, the General MIDI renderer's synthesizer call on the
clip's score (played faster and higher, as the set renders it), the same call on an empty score
of the same length (what the synthesizer costs before it plays a note: its 48 kHz stereo output
and effects), the whole clip
(:func:`helpers.synth.dataset.synth_clip`: composition, rendering, mixing, recording tone and
noise), and the additive fallback renderer. From the whole clip it projects the default set
(400 clip files, the second to fourth excerpts of a repeated song cut from one rendering) on
this machine's cores, beside the target of issue 25 (at most 45 s on 2 cores), and what the
synthesizer call alone would take: the least any change outside the synthesizer can reach.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import replace

import midirenderer
import numpy as np
import pandas as pd

from helpers.config import GTZAN_GENRES
from helpers.synth.compose import compose
from helpers.synth.dataset import SYNTH_RATE, synth_clip
from helpers.synth.faults import EXCERPT_HOP, plan_faults
from helpers.synth.render import soundfont_bytes, speed_for, to_midi

#: Issue 25's target: the default set (40 clips per genre) in at most this many seconds on 2 cores.
TARGET_SECONDS = 45.0


def timed(run) -> float:
    """Seconds that ``run()`` takes."""
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def measure(n_clips: int, seconds: float = 30.0) -> pd.DataFrame:
    """Mean seconds per clip of each step, over ``n_clips`` clips spread over the genres."""
    speed = speed_for(SYNTH_RATE)
    font = soundfont_bytes(speed)
    synthesize = lambda score: midirenderer.render_wave_from(font, to_midi(score, speed))  # noqa: E731
    rows = []
    for k in range(n_clips):
        genre = GTZAN_GENRES[k % len(GTZAN_GENRES)]
        score = compose(genre, np.random.default_rng([0, k]), seconds)
        rows.append({
            "synthesizer, the clip's notes": timed(lambda s=score: synthesize(s)),
            "synthesizer, no notes (its fixed cost)": timed(lambda s=score: synthesize(replace(s, parts=()))),
            "whole clip, General MIDI": timed(
                lambda g=genre, k=k: synth_clip(g, np.random.default_rng([0, k]), seconds, SYNTH_RATE,
                                                "general-midi")),
            "whole clip, additive fallback": timed(
                lambda g=genre, k=k: synth_clip(g, np.random.default_rng([0, k]), seconds, SYNTH_RATE,
                                                "additive")),
        })
    return pd.DataFrame(rows).mean().rename("seconds per 30-s clip").to_frame()


def default_set_seconds(per_clip: float, cores: int, clips_per_genre: int = 40) -> float:
    """Projected seconds to render the default set (a repeated song rendered once) on ``cores``."""
    faults = plan_faults(len(GTZAN_GENRES), clips_per_genre, seed=0)
    rendered = len(GTZAN_GENRES) * clips_per_genre - len(faults.later_excerpts()) - 1  # less the corrupt file
    longer = sum((len(song) - 1) * EXCERPT_HOP for _, song in faults.repeats)  # a song outlasts one clip
    return per_clip * (rendered + longer) / cores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=20)
    args = parser.parse_args()
    table = measure(args.clips)
    cores = min(2, os.cpu_count() or 1)
    print(table.round(3).to_string())
    for step in ("whole clip, General MIDI", "synthesizer, the clip's notes"):
        projected = default_set_seconds(float(table.loc[step].iloc[0]), cores)
        verdict = "met" if projected <= TARGET_SECONDS else f"missed by {projected - TARGET_SECONDS:.0f} s"
        print(f"default set on {cores} cores at the time of '{step}': {projected:.0f} s "
              f"(target at most {TARGET_SECONDS:.0f} s: {verdict})")


if __name__ == "__main__":
    main()
