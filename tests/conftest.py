"""Shared fixtures: a tiny GTZAN-layout dataset and small feature settings.

Fixtures for every test file:

``tiny_dataset``
    Root ``Path`` of a fresh dataset ``<root>/<genre>/<genre>.000NN.wav`` with
    3 genres x 4 clips (2-3 s each) whose signals differ clearly:
    ``classical`` = low sine tones, ``disco`` = click trains, ``metal`` = white
    noise. Sample rates are mixed (22050, 16000, 44100 Hz) and some clips are stereo.
``tiny_dataset_spec``
    The list of :class:`ClipSpec` describing those 12 files (relative path,
    label, sample rate, channels, frames), sorted like ``discover`` sorts.
``small_features``
    :class:`~helpers.config.FeatureSettings` of the default settings with
    ``n_frames=40`` (about 1.3 s of audio), so features are fast to compute.

Every test also runs with ``$GENRE_WORKDIR`` pointing at a fresh temporary
folder, so nothing a test generates (datasets, feature cache, models) lands in
the repository's ``data/``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from helpers.config import WORKDIR_ENV, FeatureSettings, load_settings

#: Genres of the tiny dataset, sorted.
TINY_GENRES = ("classical", "disco", "metal")
TINY_CLIPS_PER_GENRE = 4
TINY_RATES = (22050, 16000, 44100)


@dataclasses.dataclass(frozen=True)
class ClipSpec:
    """One file of the tiny dataset."""

    relpath: str
    label: str
    sample_rate: int
    channels: int
    frames: int

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate


def _tiny_specs() -> list[ClipSpec]:
    specs = []
    for g, genre in enumerate(TINY_GENRES):
        for i in range(TINY_CLIPS_PER_GENRE):
            sr = TINY_RATES[(g + i) % len(TINY_RATES)]
            channels = 2 if (g + i) % 2 == 1 else 1
            seconds = 2.0 + 0.25 * i
            specs.append(ClipSpec(f"{genre}/{genre}.{i:05d}.wav", genre, sr, channels,
                                  round(seconds * sr)))
    return specs


def tiny_signal(label: str, index: int, sample_rate: int, frames: int) -> np.ndarray:
    """Mono float32 signal of one tiny-dataset clip (deterministic)."""
    t = np.arange(frames) / sample_rate
    rng = np.random.default_rng(1000 * TINY_GENRES.index(label) + index)
    if label == "classical":  # two low sine tones, no noise
        f0 = 110.0 + 15.0 * index
        y = 0.4 * np.sin(2 * np.pi * f0 * t) + 0.2 * np.sin(2 * np.pi * 2 * f0 * t)
    elif label == "disco":  # click train: short decaying noise bursts, 4-6 per second
        y = np.zeros(frames)
        period = int(sample_rate / (4.0 + 0.5 * index))
        burst = int(0.005 * sample_rate)
        env = np.exp(-np.arange(burst) / (burst / 5))
        for start in range(0, frames - burst, period):
            y[start:start + burst] += 0.8 * env * rng.standard_normal(burst)
    elif label == "metal":  # loud white noise
        y = 0.3 * rng.standard_normal(frames)
    else:
        raise ValueError(label)
    return np.clip(y, -1, 1).astype(np.float32)


def write_tiny_dataset(root: Path) -> list[ClipSpec]:
    """Write the tiny dataset under ``root`` and return its specs."""
    specs = _tiny_specs()
    for spec in specs:
        index = int(spec.relpath.split(".")[-2])
        y = tiny_signal(spec.label, index, spec.sample_rate, spec.frames)
        if spec.channels == 2:  # right channel quieter, so the mono mix differs from either side
            y = np.stack([y, 0.5 * y], axis=1)
        path = root / spec.relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(path, y, spec.sample_rate)
    return specs


@pytest.fixture
def tiny_dataset_spec() -> list[ClipSpec]:
    """The files that :func:`tiny_dataset` writes, sorted by label then path."""
    return _tiny_specs()


@pytest.fixture
def tiny_dataset(tmp_path: Path) -> Path:
    """A fresh 3-genre x 4-clip dataset in GTZAN layout; returns its root folder."""
    root = tmp_path / "tiny"
    write_tiny_dataset(root)
    return root


@pytest.fixture
def small_features() -> FeatureSettings:
    """Default feature settings but only 40 frames per clip (fast)."""
    return load_settings(n_frames=40, window_frames=20).features


@pytest.fixture(autouse=True)
def _isolated_workdir(tmp_path_factory: pytest.TempPathFactory,
                      monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point ``$GENRE_WORKDIR`` at a fresh folder so no test writes into the repository."""
    workdir = tmp_path_factory.mktemp("workdir")
    monkeypatch.setenv(WORKDIR_ENV, str(workdir))
    return workdir
