"""musicnn on ONNX Runtime (``helpers.musicnn.runtime``): the same outputs as the Keras port and
musicnn's original graph, one export kept per model and weights, and Keras where ONNX cannot run."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import keras
import numpy as np
import pytest

from helpers.models import embedding_model
from helpers.musicnn import model as mn
from helpers.musicnn import runtime
from helpers.musicnn.weights import PretrainedWeightsError, weights_dir

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def musicnn() -> keras.Model:
    try:
        weights_dir()
    except PretrainedWeightsError as err:
        pytest.fail(f"musicnn's weights are missing and could not be fetched (run `make weights`): {err}",
                    pytrace=False)
    return mn.load_musicnn("MSD_musicnn")


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    with np.load(FIXTURES / "reference.npz") as data:
        return dict(data)


@pytest.fixture
def on_a_cpu(monkeypatch):
    """This process as on a laptop: the TensorFlow backend, no GPU seen."""
    if keras.config.backend() != "tensorflow":
        pytest.skip("ONNX Runtime runs musicnn on the TensorFlow backend only")
    import tensorflow as tf

    monkeypatch.setattr(tf.config, "list_physical_devices", lambda *args: [])


def _tiny(name: str = "tiny", seed: int = 0, frames: int | None = 187) -> keras.Model:
    """A small model with musicnn's input, quick to export."""
    keras.utils.set_random_seed(seed)
    x = keras.Input((frames, 96), name="log_mel")
    h = keras.layers.Conv1D(4, 7, activation="relu")(x)
    return keras.Model(x, keras.layers.Dense(3)(keras.layers.GlobalMaxPooling1D()(h)), name=name)


@pytest.mark.slow
@pytest.mark.parametrize("layer", ["penultimate", "taggram"])
def test_onnx_runtime_equals_keras_and_the_original_graph(musicnn, reference, tmp_path, layer):
    x = np.concatenate([reference["input"]] * 5).astype(np.float32)  # 20 patches: a partial last call
    model = embedding_model(musicnn, layer)
    onnx = runtime.onnx_predictor(model, tmp_path)(x)
    keras_out = model.predict(x, verbose=0)
    assert onnx.shape == keras_out.shape and onnx.dtype == np.float32
    np.testing.assert_allclose(onnx, keras_out, rtol=0, atol=1e-4)
    np.testing.assert_allclose(onnx[:4], reference[layer], rtol=1e-5, atol=1e-4)


def test_one_export_per_model_and_weights_kept_whole(tmp_path):
    model = _tiny()
    first = runtime.onnx_file(model, tmp_path)
    stamp = first.stat().st_mtime_ns
    assert runtime.onnx_file(model, tmp_path) == first and first.stat().st_mtime_ns == stamp, "exported once"
    other = runtime.onnx_file(_tiny(seed=1), tmp_path)
    assert other != first, "other weights, another file"
    any_length = runtime.onnx_file(_tiny(frames=None), tmp_path)
    assert any_length not in (first, other), "the same weights in another architecture, another file"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([first.name, other.name, any_length.name])

    def broken(*args, **kwargs):
        Path(args[0]).write_bytes(b"half an export")
        raise RuntimeError("interrupted")

    model = _tiny(seed=2)
    model.export = broken
    with pytest.raises(RuntimeError, match="interrupted"):
        runtime.onnx_file(model, tmp_path)
    assert len(list(tmp_path.iterdir())) == 3, "an interrupted export leaves no file behind"


def test_predictor_handles_any_number_of_patches(tmp_path):
    model = _tiny()
    predict = runtime.onnx_predictor(model, tmp_path)
    x = np.random.default_rng(0).normal(size=(runtime.ONNX_BATCH * 2 + 3, 187, 96)).astype(np.float32)
    np.testing.assert_allclose(predict(x), model.predict(x, verbose=0), atol=1e-5)
    assert predict(x[:0]).shape == (0, 3)


def test_keras_runs_it_when_onnx_runtime_is_missing_and_says_so(on_a_cpu, monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "onnxruntime" else real(name, *a))
    model = _tiny()
    x = np.random.default_rng(1).normal(size=(5, 187, 96)).astype(np.float32)
    out = runtime.patch_predictor(model, batch_size=4)(x)
    np.testing.assert_allclose(out, model.predict(x, verbose=0), atol=1e-6)
    said = capsys.readouterr().out
    assert said.startswith("tiny runs on Keras (onnxruntime is not installed; pyproject.toml, ")
    assert said.count("\n") == 1


def test_keras_runs_it_when_the_export_fails_and_says_why(on_a_cpu, monkeypatch, capsys):
    def failing(model, folder=None):
        raise ValueError("no such op\nand a second line of detail")

    monkeypatch.setattr(runtime, "onnx_predictor", failing)
    model = _tiny()
    x = np.random.default_rng(2).normal(size=(3, 187, 96)).astype(np.float32)
    np.testing.assert_allclose(runtime.patch_predictor(model)(x), model.predict(x, verbose=0), atol=1e-6)
    said = capsys.readouterr().out
    assert said == "tiny runs on Keras (ONNX Runtime could not run it: ValueError: no such op)\n"


def test_onnx_runs_it_by_default_on_a_cpu_and_quietly(on_a_cpu, monkeypatch, tmp_path, capfd):
    used = []
    real = runtime.onnx_predictor
    monkeypatch.setattr(runtime, "onnx_predictor", lambda model: used.append(model) or real(model, tmp_path))
    model = _tiny()
    x = np.random.default_rng(3).normal(size=(2, 187, 96)).astype(np.float32)
    np.testing.assert_allclose(runtime.patch_predictor(model)(x), model.predict(x, verbose=0), atol=1e-5)
    assert used == [model] and capfd.readouterr() == ("", ""), "nothing on the screen, native output included"


def test_an_export_damaged_on_disk_is_made_again(tmp_path):
    model = _tiny()
    path = runtime.onnx_file(model, tmp_path)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 3])
    x = np.random.default_rng(4).normal(size=(2, 187, 96)).astype(np.float32)
    out = runtime.onnx_predictor(model, tmp_path)(x)
    np.testing.assert_allclose(out, model.predict(x, verbose=0), atol=1e-5)
    assert path.stat().st_size > len(whole) // 2, "the damaged file was replaced by a whole export"


def test_the_keras_way_takes_any_number_of_patches_too():
    model = _tiny()
    x = np.random.default_rng(5).normal(size=(5, 187, 96)).astype(np.float32)
    out = runtime.predict_whole_batches(model, x, 4)
    np.testing.assert_allclose(out, model.predict(x, verbose=0), atol=1e-6)
    assert runtime.predict_whole_batches(model, x[:0], 4).shape == (0, 3)


def test_a_model_with_several_outputs_is_refused(tmp_path):
    x = keras.Input((187, 96))
    model = keras.Model(x, [keras.layers.Dense(2)(x), keras.layers.Dense(3)(x)], name="two")
    for make in (lambda: runtime.onnx_predictor(model, tmp_path), lambda: runtime.patch_predictor(model)):
        with pytest.raises(ValueError, match="two has 2 outputs"):
            make()
