"""A synthetic "mini-GTZAN": ten genres of generated music, fast and deterministic.

GTZAN cannot be downloaded offline, so the notebooks default to this stand-in. Each clip
is composed as notes by :mod:`helpers.synth.compose` (a small band playing a genre's style:
drums, bass, chords and a melody) and rendered to audio by one of :data:`RENDERERS`:

* ``"general-midi"`` (the default): General MIDI instruments of a soundfont that ships
  with a Python package, by :mod:`helpers.synth.render`;
* ``"additive"``: a small additive synthesizer, :mod:`helpers.synth.additive`, the fallback
  where the General MIDI stack cannot be installed (a printed note says so).

Then the clip is "recorded": slow loudness changes, a recording tone (a gentle low-pass),
background noise and a loudness target, all drawn at random, so that no single cue gives
a genre away. A 30-s clip takes about a quarter of a second; :func:`make_dataset` writes a whole
set in parallel, bit-identical for a seed on one platform.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import joblib
import numpy as np
import soundfile as sf
from scipy.signal import lfilter

from helpers.atomic import staged_folder
from helpers.config import GTZAN_GENRES, SYNTH_VERSION, choice_problem
from helpers.data import MANIFEST_NAME  # settings, faults and songs of the set; hidden, so not a clip
from helpers.progress import progress_bar
from helpers.synth.additive import render_additive
from helpers.synth.compose import Score, compose
from helpers.synth.faults import EXCERPT_HOP, Faults, corrupt_bytes, plan_faults
from helpers.synth.render import gm_problem, render_gm

#: Sample rate of the generated files (the pipeline's rate, so no resampling is needed).
SYNTH_RATE: int = 16000

#: Names of the renderers, the default first.
Renderer = Literal["general-midi", "additive"]

#: Renderer name -> function ``(score, sample_rate, rng) -> mono float32 audio``.
RENDERERS: dict[str, Callable[[Score, int, np.random.Generator], np.ndarray]] = {
    "general-midi": lambda score, sample_rate, _rng: render_gm(score, sample_rate),
    "additive": render_additive,
}


def choose_renderer(renderer: Renderer | None = None) -> Renderer:
    """The renderer to use: ``renderer``, or for ``None`` the best one this machine has.

    ``None`` gives ``"general-midi"`` where :func:`helpers.synth.render.gm_problem` finds
    nothing missing, else ``"additive"``, with a printed note (once per process) saying why.

    Raises
    ------
    ValueError
        If ``renderer`` is not one of :data:`RENDERERS`.
    """
    if renderer is None:
        problem = gm_problem()
        if problem is None:
            return "general-midi"
        _fallback_note(problem)
        return "additive"
    problem = choice_problem("renderer", renderer, Renderer)
    if problem:
        raise ValueError(problem)
    return renderer


@functools.cache
def _fallback_note(problem: str) -> None:
    print(f"Note: the synthetic mini-GTZAN is rendered with the additive synthesizer, which sounds\n"
          f"like a toy keyboard rather than a band, because {problem}. The General MIDI\n"
          "renderer needs the midirenderer and pretty_midi packages; `pip install -e .` installs\n"
          "them where midirenderer has a wheel (Linux x86-64, macOS, Windows x86-64).")


def synth_clip(
    genre: str,
    rng: np.random.Generator,
    seconds: float = 30.0,
    sample_rate: int = SYNTH_RATE,
    renderer: Renderer | None = None,
) -> np.ndarray:
    """Generate one clip of synthetic music in the style of a genre.

    Parameters
    ----------
    genre : str
        One of ``GTZAN_GENRES``.
    rng : numpy.random.Generator
        Source of all randomness; the same generator state gives the same clip.
    seconds : float
        Duration of the clip.
    sample_rate : int
        Samples per second.
    renderer : {"general-midi", "additive"} or None
        How notes become audio; ``None``: see :func:`choose_renderer`.

    Returns
    -------
    numpy.ndarray
        Mono float32 audio in [-1, 1], ``round(seconds * sample_rate)`` samples.

    Raises
    ------
    ValueError
        If ``genre`` is not one of ``GTZAN_GENRES`` or ``renderer`` is unknown.
    """
    score = compose(genre, rng, seconds)
    mix = RENDERERS[choose_renderer(renderer)](score, sample_rate, rng)
    return _record(mix, score, sample_rate, rng)


def _record(mix: np.ndarray, score: Score, sr: int, rng: np.random.Generator) -> np.ndarray:
    """Slow loudness changes, recording tone (a gentle low-pass), background noise, loudness."""
    n = len(mix)
    knots = np.arange(0, n + 4 * sr, rng.uniform(2, 5) * sr)
    mix = mix * np.interp(np.arange(n), knots, 1 - score.swell * rng.random(len(knots))).astype(np.float32)
    mix = _tone(mix, sr, rng)
    noise = rng.standard_normal(n, dtype=np.float32)
    color = rng.uniform(0, 0.98)
    noise = lfilter([1 - color], [1, -color], noise).astype(np.float32)
    mix_rms = np.sqrt(np.mean(mix**2)) + 1e-9
    mix += noise * np.float32(mix_rms / np.sqrt(np.mean(noise**2)) * 10 ** (-rng.uniform(15, 40) / 20))
    gain = min(10 ** (score.loudness_db / 20) / np.sqrt(np.mean(mix**2)), 0.99 / np.abs(mix).max())
    return mix * np.float32(gain)  # quieter than the target rather than clipped


_TONE_DB = 3.0  # spread (standard deviation) of the recording tone's random gains


def _tone(mix: np.ndarray, sr: int, rng: np.random.Generator) -> np.ndarray:
    """The recording's tone: a smooth random equalizer curve (gains at 8 frequencies, log-spaced)."""
    freqs = np.fft.rfftfreq(len(mix), 1 / sr)
    knots = np.linspace(np.log2(40), np.log2(sr / 2), 8)
    curve = 10 ** (np.interp(np.log2(np.maximum(freqs, 40)), knots, rng.normal(0, _TONE_DB, 8)) / 20)
    return np.fft.irfft(np.fft.rfft(mix) * curve, len(mix)).astype(np.float32)


def make_dataset(
    out_dir: str | Path,
    clips_per_genre: int = 40,
    seconds: float = 30.0,
    seed: int = 0,
    n_jobs: int = 2,
    renderer: Renderer | None = None,
) -> Path:
    """Write a synthetic mini-GTZAN: ``out_dir/<genre>/<genre>.000NN.wav``.

    The files are 16-bit mono WAV at ``SYNTH_RATE`` Hz. Clip ``i`` of genre ``g``
    is drawn from ``np.random.default_rng([seed, g's index, i])``, so the set is
    bit-identical whatever ``n_jobs`` is. From 10 clips per genre on, the set carries GTZAN's
    faults in miniature (:mod:`helpers.synth.faults`: repeated excerpts of one song, a corrupt
    file, mislabelled clips), recorded in the manifest. The folder appears only when complete
    (it is built as ``<out_dir>.partial-<process id>`` and renamed) and holds a hidden
    ``.manifest.json`` of its settings and renderer (dataset discovery skips it);
    calling again with the same settings returns at once.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Folder to create. Must not exist, or must hold a set made with the same settings.
    clips_per_genre : int
        Clips per genre (GTZAN has 100).
    seconds : float
        Duration of each clip.
    seed : int
        Seed of the whole set; another seed gives different audio.
    n_jobs : int
        Parallel worker processes.
    renderer : {"general-midi", "additive"} or None
        How notes become audio; ``None``: the best one this machine has (:func:`choose_renderer`).

    Returns
    -------
    pathlib.Path
        ``out_dir``.

    Raises
    ------
    FileExistsError
        If ``out_dir`` exists but is not a set made with these settings.
    """
    out_dir = Path(out_dir)
    renderer = choose_renderer(renderer)
    manifest = {
        "generator": "helpers.synth", "version": SYNTH_VERSION, "renderer": renderer, "seed": int(seed),
        "clips_per_genre": int(clips_per_genre), "seconds": float(seconds),
        "sample_rate": SYNTH_RATE, "genres": list(GTZAN_GENRES),
    }
    faults = plan_faults(len(GTZAN_GENRES), clips_per_genre, seed)
    manifest["faults"], manifest["songs"] = _describe(faults)
    if out_dir.exists():
        manifest_file = out_dir / MANIFEST_NAME
        found = json.loads(manifest_file.read_text()) if manifest_file.is_file() else None
        if found == manifest:
            return out_dir
        if found:
            what = f"a synthetic set made with other settings: {found}"
        else:
            names = sorted(p.name for p in out_dir.iterdir()) if out_dir.is_dir() else []
            what = (f"{len(names)} entries ({', '.join(names[:5])}{', ...' if len(names) > 5 else ''})"
                    f" and no {MANIFEST_NAME} of this generator")
        raise FileExistsError(
            f"{out_dir} already exists and holds {what}. Wanted a set with {manifest}. "
            "Delete that folder or choose another one; it is never overwritten."
        )

    with staged_folder(out_dir, replace=False) as partial:  # a run beside this one may have made it
        for genre in GTZAN_GENRES:
            (partial / genre).mkdir()
        jobs = [(partial, g, i, seconds, seed, renderer, faults)
                for g in range(len(GTZAN_GENRES)) for i in range(clips_per_genre)
                if (g, i) not in faults.later_excerpts()]
        written = joblib.Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
            joblib.delayed(_write_clip)(*job) for job in jobs
        )
        for _ in progress_bar(written, total=len(jobs), desc="Synthesizing mini-GTZAN", unit="song"):
            pass
        (partial / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
    return out_dir


def _clip_name(g: int, i: int) -> str:
    """Path of clip ``i`` of genre index ``g`` inside the set, e.g. ``blues/blues.00003.wav``."""
    genre = GTZAN_GENRES[g]
    return f"{genre}/{genre}.{i:05d}.wav"


def _describe(faults: Faults) -> tuple[dict, dict[str, str]]:
    """The manifest's record of the faults, and its ``songs``: clip path -> song of the repeats."""
    record = {
        "repeated_excerpts": [[_clip_name(g, i) for i in clips] for g, clips in faults.repeats],
        "corrupt": [_clip_name(*faults.corrupt)] if faults.corrupt else [],
        "mislabelled": {_clip_name(*clip): GTZAN_GENRES[genre] for clip, genre in faults.mislabelled.items()},
    }
    songs = {_clip_name(g, i): f"{GTZAN_GENRES[g]}.{song[0]:05d}" for g, song in faults.repeats for i in song}
    return record, songs


def _write_clip(folder: Path, g: int, i: int, seconds: float, seed: int, renderer: Renderer,
                faults: Faults) -> None:
    """Write clip ``i`` of genre index ``g`` (16-bit WAV), with the fault the plan gives it.

    A repeated song is rendered once, long enough for all its excerpts, and written as this
    clip (its start) and its later excerpts, each ``EXCERPT_HOP * seconds`` after the one before; a
    corrupt clip is written as undecodable bytes; a mislabelled clip plays the genre the plan names.
    """
    rng = np.random.default_rng([seed, g, i])
    if (g, i) == faults.corrupt:
        (folder / _clip_name(g, i)).write_bytes(corrupt_bytes(rng))
        return
    excerpts = next((clips for h, clips in faults.repeats if (h, clips[0]) == (g, i)), (i,))
    played = GTZAN_GENRES[faults.mislabelled.get((g, i), g)]
    audio = synth_clip(played, rng, seconds * (1 + (len(excerpts) - 1) * EXCERPT_HOP), SYNTH_RATE, renderer)
    n, hop = round(seconds * SYNTH_RATE), round(EXCERPT_HOP * seconds * SYNTH_RATE)
    for k, clip in enumerate(excerpts):
        sf.write(folder / _clip_name(g, clip), audio[k * hop:k * hop + n], SYNTH_RATE, subtype="PCM_16")
