"""Tests of the synthetic mini-GTZAN generator."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from helpers.config import GTZAN_GENRES
from helpers.synth import MANIFEST_NAME, SYNTH_RATE, make_dataset, synth_clip

SECONDS = 2.0


def _flatness(audio: np.ndarray) -> float:
    """Mean spectral flatness (geometric / arithmetic mean of power): 0 tonal, 1 white noise."""
    frames = audio[: len(audio) // 1024 * 1024].reshape(-1, 1024) * np.hanning(1024)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2 + 1e-12
    return float(np.mean(np.exp(np.mean(np.log(power), axis=1)) / np.mean(power, axis=1)))


def _make(path, **kwargs):
    return make_dataset(path, **{"clips_per_genre": 2, "seconds": 1.0, "n_jobs": 1, **kwargs})


@pytest.mark.parametrize("genre", GTZAN_GENRES)
def test_clip_shape_dtype_range(genre):
    audio = synth_clip(genre, np.random.default_rng(0), seconds=SECONDS)
    assert audio.dtype == np.float32
    assert audio.shape == (int(SECONDS * SYNTH_RATE),)
    assert np.isfinite(audio).all()
    assert np.abs(audio).max() <= 1.0
    assert np.sqrt(np.mean(audio**2)) > 0.005  # audible, not silence


def test_clip_other_duration_and_rate():
    assert synth_clip("jazz", np.random.default_rng(0), seconds=1.5, sample_rate=8000).shape == (12000,)


def test_clip_is_deterministic():
    first = synth_clip("rock", np.random.default_rng([3, 9, 1]), seconds=SECONDS)
    again = synth_clip("rock", np.random.default_rng([3, 9, 1]), seconds=SECONDS)
    other = synth_clip("rock", np.random.default_rng([4, 9, 1]), seconds=SECONDS)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


def test_unknown_genre_names_the_valid_ones():
    with pytest.raises(ValueError, match="polka.*blues.*rock"):
        synth_clip("polka", np.random.default_rng(0))


def _mean_over_clips(measure, genre, n_clips=6):
    return np.mean([measure(synth_clip(genre, np.random.default_rng([0, i]), seconds=3.0))
                    for i in range(n_clips)])


def test_classical_is_more_tonal_than_metal():
    # Sustained harmonic tones versus distorted guitars, cymbals and drums.
    assert _mean_over_clips(_flatness, "classical") < 0.6 * _mean_over_clips(_flatness, "metal")


def test_metal_is_louder_than_classical():
    def rms(audio):
        return np.sqrt(np.mean(audio**2))

    assert _mean_over_clips(rms, "metal") > 1.5 * _mean_over_clips(rms, "classical")


def test_dataset_layout_and_format(tmp_path):
    out = _make(tmp_path / "mini", clips_per_genre=3, n_jobs=2)
    assert out == tmp_path / "mini"
    assert sorted(p.name for p in out.iterdir()) == sorted([*GTZAN_GENRES, MANIFEST_NAME])
    for genre in GTZAN_GENRES:
        names = sorted(p.name for p in (out / genre).iterdir())
        assert names == [f"{genre}.{i:05d}.wav" for i in range(3)]
    info = sf.info(out / "blues" / "blues.00002.wav")
    assert (info.samplerate, info.channels, info.subtype, info.frames) == (SYNTH_RATE, 1, "PCM_16",
                                                                           SYNTH_RATE)
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    assert manifest["seed"] == 0 and manifest["clips_per_genre"] == 3
    assert manifest["sample_rate"] == SYNTH_RATE and manifest["seconds"] == 1.0
    assert not (tmp_path / "mini.partial").exists()


def test_dataset_is_reproducible_and_independent_of_jobs(tmp_path):
    a = _make(tmp_path / "a", n_jobs=1)
    b = _make(tmp_path / "b", n_jobs=2)
    c = _make(tmp_path / "c", seed=1)
    for genre in GTZAN_GENRES:
        for i in range(2):
            name = f"{genre}/{genre}.{i:05d}.wav"
            assert (a / name).read_bytes() == (b / name).read_bytes()
            assert (a / name).read_bytes() != (c / name).read_bytes()
    # The file holds exactly what synth_clip makes from the documented generator.
    audio, _ = sf.read(a / "disco" / "disco.00001.wav", dtype="float32")
    expected = synth_clip("disco", np.random.default_rng([0, GTZAN_GENRES.index("disco"), 1]), 1.0)
    np.testing.assert_allclose(audio, expected, atol=1 / 32767)


def test_existing_set_is_reused_not_rewritten(tmp_path):
    out = _make(tmp_path / "mini")
    clip = out / "pop" / "pop.00000.wav"
    before = (clip.stat().st_mtime_ns, (out / MANIFEST_NAME).stat().st_mtime_ns)
    assert _make(tmp_path / "mini") == out
    assert (clip.stat().st_mtime_ns, (out / MANIFEST_NAME).stat().st_mtime_ns) == before


def test_foreign_folder_is_never_overwritten(tmp_path):
    mine = tmp_path / "music"
    (mine / "blues").mkdir(parents=True)
    (mine / "blues" / "song.wav").write_bytes(b"precious")
    with pytest.raises(FileExistsError, match="Delete that folder or choose another"):
        _make(mine)
    assert (mine / "blues" / "song.wav").read_bytes() == b"precious"
    assert not (tmp_path / "music.partial").exists()


def test_set_with_other_settings_is_refused(tmp_path):
    _make(tmp_path / "mini", seed=0)
    with pytest.raises(FileExistsError, match="other settings"):
        _make(tmp_path / "mini", seed=1)


def test_leftover_partial_folder_is_replaced(tmp_path):
    partial = tmp_path / "mini.partial"
    (partial / "junk").mkdir(parents=True)
    out = _make(tmp_path / "mini")
    assert not partial.exists()
    assert not (out / "junk").exists()
    assert len(list(out.glob("*/*.wav"))) == 2 * len(GTZAN_GENRES)
