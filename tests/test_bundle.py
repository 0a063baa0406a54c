import json
import warnings

import numpy as np
import pytest

from helpers.bundle import Bundle, BundleError, load_bundle
from helpers.config import FeatureSettings
from helpers.models import build_model

FS = FeatureSettings(16000, 512, 256, 16, 64, "db")


def _bundle(threshold=None):
    model = build_model("compact", (32, 16), 3, 1e-3)
    return Bundle(model, ["a", "b", "c"], FS, 32, threshold, info={"test_accuracy": 0.5})


def test_bundle_round_trip_keeps_model_and_metadata(tmp_path):
    bundle = _bundle(threshold=0.4)
    folder = bundle.save(tmp_path / "m")
    loaded = load_bundle(folder)
    X = np.random.default_rng(0).random((3, 32, 16), dtype=np.float32)
    np.testing.assert_allclose(loaded.model.predict(X, verbose=0),
                               bundle.model.predict(X, verbose=0), rtol=1e-6)
    assert loaded.genres == ["a", "b", "c"]
    assert loaded.features == FS
    assert loaded.window_frames == 32 and loaded.threshold == 0.4
    assert loaded.info["test_accuracy"] == 0.5


def test_saving_again_replaces_the_bundle_and_leaves_no_temporary_folders(tmp_path):
    _bundle().save(tmp_path / "m")
    _bundle(threshold=0.7).save(tmp_path / "m")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]
    assert load_bundle(tmp_path / "m").threshold == 0.7


def test_missing_bundle_says_how_to_make_one(tmp_path):
    with pytest.raises(BundleError, match="notebooks/03"):
        load_bundle(tmp_path / "nothing")


def test_bundle_of_another_version_is_refused(tmp_path):
    folder = _bundle().save(tmp_path / "m")
    meta = json.loads((folder / "bundle.json").read_text())
    meta["bundle_version"] = 99
    (folder / "bundle.json").write_text(json.dumps(meta))
    with pytest.raises(BundleError, match="version 99"):
        load_bundle(folder)


def test_temperature_travels_with_the_bundle(tmp_path):
    bundle = _bundle(threshold=0.4)
    bundle.temperature = 2.5
    loaded = load_bundle(bundle.save(tmp_path / "m"))
    assert loaded.temperature == 2.5
    W = np.random.default_rng(1).random((5, 32, 16), dtype=np.float32)
    np.testing.assert_allclose(loaded.window_probabilities(W), loaded.model.predict(W, verbose=0), rtol=1e-6)
    X = np.random.default_rng(2).random((2, 64, 16), dtype=np.float32)  # two clips of two windows
    per_clip = loaded.clip_window_probabilities(X)
    assert per_clip.shape == (2, 2, 3)
    np.testing.assert_allclose(per_clip.reshape(4, 3), loaded.window_probabilities(X.reshape(4, 32, 16)),
                               rtol=1e-6)


def test_a_bundle_saved_before_temperatures_loads_and_predicts_as_it_did(tmp_path):
    folder = _bundle(threshold=0.4).save(tmp_path / "old")
    meta = json.loads((folder / "bundle.json").read_text())
    del meta["temperature"]  # as bundle.json was written before bundles had one
    (folder / "bundle.json").write_text(json.dumps(meta))
    old = load_bundle(folder)
    assert old.temperature == 1.0 and old.threshold == 0.4
    W = np.random.default_rng(3).random((4, 32, 16), dtype=np.float32)
    assert np.array_equal(old.window_probabilities(W), old.model.predict(W, batch_size=64, verbose=0))


def test_a_bundle_loads_for_inference_without_optimizer_warnings(tmp_path):
    """Keras warns "Skipping variable loading for optimizer 'adam'..." when it restores the
    optimizer of a model saved before training; a bundle is for predicting and loads without it."""
    bundle = _bundle()
    folder = bundle.save(tmp_path / "m")  # saved as every bundle so far was: compiled, with its optimizer
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = load_bundle(folder)
    assert [str(w.message) for w in caught] == []
    assert getattr(loaded.model, "optimizer", None) is None
    W = np.random.default_rng(4).random((3, 32, 16), dtype=np.float32)
    np.testing.assert_allclose(loaded.window_probabilities(W), bundle.window_probabilities(W), rtol=1e-6)
