"""Tests of the synthetic mini-GTZAN generator: clips, renderers, the dataset folder."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from helpers.config import GTZAN_GENRES, REPO_ROOT, SYNTH_VERSION
from helpers.synth import dataset as synth
from helpers.synth.dataset import MANIFEST_NAME, RENDERERS, SYNTH_RATE, make_dataset, synth_clip

SECONDS = 2.0
needs_gm = pytest.mark.skipif(synth.gm_problem() is not None, reason=f"{synth.gm_problem()}")
#: Each renderer, the General MIDI one only where it can run.
RENDERER_PARAMS = [pytest.param("general-midi", marks=needs_gm), "additive"]


def _flatness(audio: np.ndarray) -> float:
    """Mean spectral flatness (geometric / arithmetic mean of power): 0 tonal, 1 white noise."""
    frames = audio[: len(audio) // 1024 * 1024].reshape(-1, 1024) * np.hanning(1024)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2 + 1e-12
    return float(np.mean(np.exp(np.mean(np.log(power), axis=1)) / np.mean(power, axis=1)))


def _make(path, **kwargs):
    return make_dataset(path, **{"clips_per_genre": 2, "seconds": 1.0, "n_jobs": 1, **kwargs})


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*.wav"))}


def test_renderer_names_are_the_literal_choices():
    assert tuple(RENDERERS) == ("general-midi", "additive")
    assert synth.choose_renderer("additive") == "additive"
    with pytest.raises(ValueError, match="renderer must be 'general-midi' or 'additive', not 'fm'"):
        synth.choose_renderer("fm")


@pytest.mark.parametrize("renderer", RENDERER_PARAMS)
@pytest.mark.parametrize("genre", GTZAN_GENRES)
def test_clip_shape_dtype_range(genre, renderer):
    audio = synth_clip(genre, np.random.default_rng(0), seconds=SECONDS, renderer=renderer)
    assert audio.dtype == np.float32
    assert audio.shape == (int(SECONDS * SYNTH_RATE),)
    assert np.isfinite(audio).all()
    assert np.abs(audio).max() < 1.0  # turned down rather than clipped
    assert np.sqrt(np.mean(audio**2)) > 0.005  # audible, not silence


@pytest.mark.parametrize("renderer", RENDERER_PARAMS)
def test_clip_other_duration_and_rate(renderer):
    audio = synth_clip("jazz", np.random.default_rng(0), seconds=1.5, sample_rate=8000, renderer=renderer)
    assert audio.shape == (12000,)


@pytest.mark.parametrize("renderer", RENDERER_PARAMS)
def test_clip_is_deterministic(renderer):
    def clip(seed):
        return synth_clip("rock", np.random.default_rng(seed), seconds=SECONDS, renderer=renderer)

    np.testing.assert_array_equal(clip([3, 9, 1]), clip([3, 9, 1]))
    assert not np.allclose(clip([3, 9, 1]), clip([4, 9, 1]))


@needs_gm
def test_default_renderer_is_general_midi():
    assert synth.choose_renderer() == "general-midi"
    rng_state = [5, 2, 0]
    np.testing.assert_array_equal(
        synth_clip("pop", np.random.default_rng(rng_state), SECONDS),
        synth_clip("pop", np.random.default_rng(rng_state), SECONDS, renderer="general-midi"))


def test_unknown_genre_names_the_valid_ones():
    with pytest.raises(ValueError, match="polka.*blues.*rock"):
        synth_clip("polka", np.random.default_rng(0))


def _mean_over_clips(measure, genre, renderer, n_clips=6):
    return np.mean([measure(synth_clip(genre, np.random.default_rng([0, i]), 10.0, renderer=renderer))
                    for i in range(n_clips)])


@pytest.mark.parametrize("renderer", RENDERER_PARAMS)
def test_classical_is_more_tonal_than_metal(renderer):
    # Sustained strings, winds and keys versus distorted guitars, cymbals and drums.
    assert (_mean_over_clips(_flatness, "classical", renderer)
            < 0.6 * _mean_over_clips(_flatness, "metal", renderer))


@pytest.mark.parametrize("renderer", RENDERER_PARAMS)
def test_metal_is_louder_than_classical(renderer):
    def rms(audio):
        return np.sqrt(np.mean(audio**2))

    assert _mean_over_clips(rms, "metal", renderer) > 1.5 * _mean_over_clips(rms, "classical", renderer)


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
    assert manifest["version"] == SYNTH_VERSION and manifest["renderer"] == synth.choose_renderer()
    assert not list(tmp_path.glob("mini.partial*"))


@pytest.mark.parametrize("renderer", RENDERER_PARAMS)
def test_dataset_is_reproducible_and_independent_of_jobs(tmp_path, renderer):
    a = _make(tmp_path / "a", n_jobs=1, renderer=renderer)
    b = _make(tmp_path / "b", n_jobs=2, renderer=renderer)
    c = _make(tmp_path / "c", seed=1, renderer=renderer)
    assert _digests(a) == _digests(b)
    assert not set(_digests(a).values()) & set(_digests(c).values())
    # The file holds exactly what synth_clip makes from the documented generator.
    audio, _ = sf.read(a / "disco" / "disco.00001.wav", dtype="float32")
    expected = synth_clip("disco", np.random.default_rng([0, GTZAN_GENRES.index("disco"), 1]), 1.0,
                          renderer=renderer)
    np.testing.assert_allclose(audio, expected, atol=1 / 32767)


@pytest.mark.slow
@pytest.mark.parametrize("renderer", RENDERER_PARAMS)
def test_dataset_is_the_same_from_another_process(tmp_path, renderer):
    here = _make(tmp_path / "here", renderer=renderer)
    code = ("import sys; from helpers.synth.dataset import make_dataset; "
            "make_dataset(sys.argv[1], clips_per_genre=2, seconds=1.0, n_jobs=1, renderer=sys.argv[2])")
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "there"), renderer], cwd=REPO_ROOT,
                   check=True, capture_output=True)
    assert _digests(here) == _digests(tmp_path / "there")
    assert (here / MANIFEST_NAME).read_bytes() == (tmp_path / "there" / MANIFEST_NAME).read_bytes()


def test_fallback_to_additive_is_said_and_recorded(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(synth, "gm_problem", lambda: "no synthesizer for this test")
    out = _make(tmp_path / "mini")
    assert "additive synthesizer" in capsys.readouterr().out
    assert json.loads((out / MANIFEST_NAME).read_text())["renderer"] == "additive"
    assert _digests(out) == _digests(_make(tmp_path / "explicit", renderer="additive"))


@needs_gm
def test_sets_of_the_two_renderers_are_told_apart(tmp_path):
    _make(tmp_path / "mini", renderer="additive")
    with pytest.raises(FileExistsError, match="other settings.*'renderer': 'additive'"):
        _make(tmp_path / "mini", renderer="general-midi")


def test_existing_set_is_reused_not_rewritten(tmp_path):
    out = _make(tmp_path / "mini")
    clip = out / "pop" / "pop.00000.wav"
    before = (clip.stat().st_mtime_ns, (out / MANIFEST_NAME).stat().st_mtime_ns)
    assert _make(tmp_path / "mini") == out
    assert (clip.stat().st_mtime_ns, (out / MANIFEST_NAME).stat().st_mtime_ns) == before


def test_set_of_an_older_generator_is_refused(tmp_path):
    out = _make(tmp_path / "mini")
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    old = {k: v for k, v in manifest.items() if k != "renderer"} | {"version": 1}
    (out / MANIFEST_NAME).write_text(json.dumps(old))
    with pytest.raises(FileExistsError, match="other settings"):
        _make(tmp_path / "mini")


def test_foreign_folder_is_never_overwritten(tmp_path):
    mine = tmp_path / "music"
    (mine / "blues").mkdir(parents=True)
    (mine / "blues" / "song.wav").write_bytes(b"precious")
    with pytest.raises(FileExistsError, match="Delete that folder or choose another"):
        _make(mine)
    assert (mine / "blues" / "song.wav").read_bytes() == b"precious"
    assert not list(tmp_path.glob("music.partial*"))


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


def test_interrupted_generation_leaves_nothing(tmp_path, monkeypatch):
    def fail(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(synth, "_write_clip", fail)
    with pytest.raises(KeyboardInterrupt):
        _make(tmp_path / "mini")
    assert list(tmp_path.iterdir()) == []
