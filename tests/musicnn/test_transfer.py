"""The transfer bundle: musicnn + scikit-learn classifier folded into one Keras model.

A musicnn with random weights (:func:`helpers.musicnn.model.build_musicnn`) is enough to
check the folding, so these tests need no checkpoint. A bundle saved here (TensorFlow)
must also predict the same on JAX and PyTorch.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf
from musicnn_reference import reference_log_mel
from scipy.special import softmax
from sklearn.preprocessing import StandardScaler

from helpers.baseline import fit_classifier
from helpers.bundle import Bundle, load_bundle
from helpers.features import mel_from_signal
from helpers.musicnn import embeddings as mio
from helpers.musicnn import frontend
from helpers.musicnn import model as mn
from helpers.musicnn.transfer import (
    PATCHES_PER_WINDOW,
    classifier_weights,
    transfer_bundle,
    transfer_features,
    transfer_model,
)
from helpers.predict import main as predict_main
from helpers.predict import predict_song, top3_row

WINDOW = PATCHES_PER_WINDOW * mn.N_FRAMES


@pytest.fixture(scope="module")
def musicnn():
    return mn.build_musicnn()


def pooled(musicnn, windows: np.ndarray, n_patches: int = PATCHES_PER_WINDOW) -> np.ndarray:
    """What notebook 06 trains on: per-patch embeddings, mean+max pooled per window."""
    patches = windows.reshape(-1, mn.N_FRAMES, mn.N_MELS)
    emb = mio.embeddings(musicnn, patches).reshape(len(windows), n_patches, -1)
    return np.stack([mio.pool_clip(e, "meanmax") for e in emb])


@pytest.mark.parametrize("genres", [("blues", "metal", "rock"), ("blues", "metal")])
def test_model_equals_classifier_on_pooled_embeddings(musicnn, genres):
    rng = np.random.default_rng(0)
    windows = rng.uniform(0, 3, size=(12, WINDOW, mn.N_MELS)).astype(np.float32)
    windows[::3] *= 0.5  # give the classes something to tell apart
    labels = np.array([genres[i % len(genres)] for i in range(12)])
    features = pooled(musicnn, windows)
    classifier = fit_classifier(features, labels)
    model = transfer_model(musicnn, classifier)
    assert model.input_shape == (None, None, mn.N_MELS) and model.output_shape == (None, len(genres))
    np.testing.assert_allclose(model.predict(windows, verbose=0), classifier.predict_proba(features),
                               atol=1e-4)
    assert [w.path for w in model.trainable_weights] == ["logistic_regression/kernel",
                                                         "logistic_regression/bias"]


def test_only_scaler_and_logistic_regression_fold(musicnn):
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import SVC

    svc = make_pipeline(SVC()).fit(np.random.rand(6, 400), ["a", "b"] * 3)
    with pytest.raises(TypeError, match="StandardScaler \\+ LogisticRegression"):
        transfer_model(musicnn, svc)
    scaled_svc = make_pipeline(StandardScaler(), SVC()).fit(np.random.rand(6, 400), ["a", "b"] * 3)
    with pytest.raises(TypeError, match="this classifier is StandardScaler \\+ SVC, which it cannot fold"):
        classifier_weights(scaled_svc)


@pytest.mark.parametrize("classes", [2, 3])
def test_classifier_weights_compute_what_the_classifier_predicts(classes):
    rng = np.random.default_rng(classes)
    features = rng.normal(size=(30, 8)) * rng.uniform(0.1, 10, 8) + rng.normal(size=8)
    labels = np.array(list("abc"[:classes]))[rng.integers(0, classes, 30)]
    classifier = fit_classifier(features, labels, seed=0)
    scaler, kernel, bias = classifier_weights(classifier)
    assert kernel.shape == (8, classes) and bias.shape == (classes,)
    by_hand = softmax((features - scaler.mean_) / scaler.scale_ @ kernel + bias, axis=1)
    np.testing.assert_allclose(by_hand, classifier.predict_proba(features), rtol=1e-6, atol=1e-12)


def test_bundle_features_are_musicnn_input():
    y = np.sin(2 * np.pi * 440 * np.arange(31 * mn.SR) / mn.SR).astype(np.float32) * 0.1
    y += np.random.default_rng(1).normal(0, 0.01, len(y)).astype(np.float32)
    ours = mel_from_signal(y, transfer_features())
    reference = reference_log_mel(y)[:WINDOW]  # musicnn's librosa recipe
    assert ours.shape == (WINDOW, mn.N_MELS)
    np.testing.assert_allclose(ours, reference, atol=2e-3)  # float16 rounding ties only
    assert np.mean(np.abs(ours - reference) > 1e-5) < 0.01


def test_training_embeddings_see_the_bundles_features(tmp_path):
    """What notebook 06 trains on and what the saved bundle predicts from: the same numbers."""
    import keras

    song = tmp_path / "song.wav"
    rng = np.random.default_rng(4)
    sf.write(song, rng.normal(0, 0.1, 31 * 22050).astype(np.float32), 22050)  # resampled on reading
    fed = keras.Sequential([keras.Input((WINDOW, mn.N_MELS)), keras.layers.Flatten()])  # shows its input
    bundle = Bundle(fed, ["a"], transfer_features(), WINDOW, threshold=0.5)
    first_window = predict_song(bundle, song).window_probs[0].reshape(PATCHES_PER_WINDOW, mn.N_FRAMES,
                                                                      mn.N_MELS)
    training_patches = frontend.preprocess(frontend.clip_audio(song))  # as dataset_embeddings computes them
    np.testing.assert_array_equal(training_patches, first_window)


def test_a_bundle_of_fewer_patches_reads_the_first_patches_of_a_song(musicnn, tmp_path):
    """musicnn_patches = 2: the classifier trained on 2-patch embeddings, the bundle's window 2 patches."""
    rng = np.random.default_rng(5)
    windows = rng.uniform(0, 3, size=(6, 2 * mn.N_FRAMES, mn.N_MELS)).astype(np.float32)
    classifier = fit_classifier(pooled(musicnn, windows, 2), np.array(["jazz", "pop"] * 3))
    bundle = transfer_bundle(musicnn, classifier, threshold=0.5, n_patches=2)
    assert bundle.window_frames == 2 * mn.N_FRAMES == bundle.features.n_frames
    song = tmp_path / "song.wav"
    sf.write(song, rng.normal(0, 0.1, 31 * 16000).astype(np.float32), 16000)
    first_window = predict_song(bundle, song).window_probs[0]
    embedding = mio.dataset_embeddings(musicnn, [str(song)], n_patches=2, cache_dir=tmp_path / "cache")
    np.testing.assert_allclose(first_window, classifier.predict_proba(embedding)[0], atol=1e-4)


def test_saved_bundle_predicts_through_the_cli(musicnn, tmp_path, capsys):
    rng = np.random.default_rng(2)
    windows = rng.uniform(0, 3, size=(6, WINDOW, mn.N_MELS)).astype(np.float32)
    classifier = fit_classifier(pooled(musicnn, windows), np.array(["jazz", "pop"] * 3))
    bundle = transfer_bundle(musicnn, classifier, threshold=0.6, info={"test_accuracy": 0.5})
    folder = bundle.save(tmp_path / "transfer")
    song = tmp_path / "song.wav"
    sf.write(song, rng.normal(0, 0.1, 40 * 22050).astype(np.float32), 22050)  # 40 s, another rate
    loaded = load_bundle(folder)
    assert loaded.genres == ["jazz", "pop"] and loaded.features.scaling == "musicnn"
    assert loaded.info["kind"].startswith("musicnn")
    before, after = predict_song(bundle, song), predict_song(loaded, song)
    assert len(after.window_starts) == 2  # 40 s: windows at 0 s and end-aligned
    np.testing.assert_allclose(after.window_probs, before.window_probs, atol=1e-6)
    assert predict_main([str(song), "--model", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "song.wav" in out and ("jazz" in out and "pop" in out)


LOAD_AND_PREDICT = """
import json, sys, keras
from helpers.bundle import load_bundle
from helpers.predict import predict_song, top3_row
pred = predict_song(load_bundle(sys.argv[1]), sys.argv[2])
print(json.dumps({"backend": keras.backend.backend(), "probs": pred.window_probs.tolist()}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_bundle_saved_here_predicts_the_same_on_another_backend(musicnn, tmp_path, backend):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    rng = np.random.default_rng(3)
    windows = rng.uniform(0, 3, size=(6, WINDOW, mn.N_MELS)).astype(np.float32)
    classifier = fit_classifier(pooled(musicnn, windows), np.array(["jazz", "pop", "rock"] * 2))
    folder = transfer_bundle(musicnn, classifier, threshold=0.5).save(tmp_path / "transfer")
    song = tmp_path / "song.wav"
    sf.write(song, rng.normal(0, 0.1, 35 * mn.SR).astype(np.float32), mn.SR)
    here = predict_song(load_bundle(folder), song).window_probs
    run = subprocess.run([sys.executable, "-c", LOAD_AND_PREDICT, str(folder), str(song)],
                         env={**os.environ, "KERAS_BACKEND": backend}, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    there = json.loads(run.stdout.strip().splitlines()[-1])
    assert there["backend"] == backend
    np.testing.assert_allclose(np.array(there["probs"]), here, atol=1e-4)


def test_a_song_shorter_than_the_window_is_read_from_its_whole_patches_of_audio(musicnn, tmp_path):
    """20 s of audio is 6 whole patches: the bundle embeds patches of audio only, its first window
    those 6, as notebook 06's training embedding of that song does, and does not flag the song.
    Padded to the full window instead, the answer differs; under one patch (3 s) a song is padded."""
    import dataclasses

    rng = np.random.default_rng(6)
    songs = [rng.normal(0, level, PATCHES_PER_WINDOW * 3 * mn.SR).astype(np.float32)
             for level in (0.01, 0.02, 0.2, 0.4)]
    windows = np.stack([frontend.preprocess(y).reshape(WINDOW, mn.N_MELS) for y in songs])
    classifier = fit_classifier(pooled(musicnn, windows), np.array(["quiet", "quiet", "loud", "loud"]))
    bundle = transfer_bundle(musicnn, classifier, threshold=0.0)
    song = tmp_path / "short.wav"
    sf.write(song, rng.normal(0, 0.06, 20 * mn.SR).astype(np.float32), mn.SR)
    pred = predict_song(bundle, song)
    last_start = round(pred.window_starts[-1] * mn.SR / mn.HOP)
    assert not pred.padded and last_start + 6 * mn.N_FRAMES <= 1 + 20 * mn.SR // mn.HOP  # 6 patches of audio
    embedding = mio.dataset_embeddings(musicnn, [str(song)], cache_dir=tmp_path / "cache")
    assert len(frontend.preprocess(frontend.clip_audio(song))) == 6  # the patches training pools
    np.testing.assert_allclose(pred.window_probs[0], classifier.predict_proba(embedding)[0], atol=1e-4)
    assert top3_row(pred, bundle.genres, 0.0, bundle.shortest_seconds)["note"] == ""
    padded = predict_song(dataclasses.replace(bundle, step_frames=None), song)  # as before: 10 patches
    assert padded.padded and np.abs(padded.probs - pred.probs).max() > 1e-3

    tiny = tmp_path / "tiny.wav"
    sf.write(tiny, rng.normal(0, 0.1, 2 * mn.SR).astype(np.float32), mn.SR)
    row = top3_row(predict_song(bundle, tiny), bundle.genres, 0.0, bundle.shortest_seconds)
    assert row["needs_review"] is True
    assert row["note"].startswith("only 2.0 s of audio, shorter than the 3.0 s")
    reloaded = load_bundle(bundle.save(tmp_path / "bundle"))
    assert reloaded.step_frames == mn.N_FRAMES
    np.testing.assert_allclose(predict_song(reloaded, song).probs, pred.probs, atol=1e-6)
