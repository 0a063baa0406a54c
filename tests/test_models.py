import keras
import numpy as np
import pytest

from helpers.models import (
    EMBEDDING_LAYER,
    NORM_LAYER,
    SEED_MIN_FRAMES,
    build_compact_model,
    build_model,
    build_seed_model,
    embedding_model,
    fit_normalization,
)


def test_seed_model_matches_the_original_parameter_count():
    model = build_seed_model((900, 128), 10)
    non_trainable = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    assert model.count_params() == 34_728_650
    assert non_trainable == 16_256
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv1D)]
    assert [c.filters for c in convs] == [64, 128, 256, 512, 1024, 2048, 4096]
    assert all(c.kernel_size == (3,) for c in convs)


def test_compact_model_is_small_and_names_its_layers():
    model = build_compact_model((300, 128), 10)
    assert model.count_params() == 101_643  # about 100k, as its docstring says
    assert model.get_layer(EMBEDDING_LAYER).units == 64
    assert model.output_shape == (None, 10)


@pytest.mark.parametrize("name", ["compact", "seed"])
def test_build_model_compiles_with_keras3_adam(name):
    model = build_model(name, (SEED_MIN_FRAMES, 8), 3, learning_rate=0.005)
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(0.005)
    inputs = np.random.default_rng(0).random((2, SEED_MIN_FRAMES, 8), dtype=np.float32)
    probs = model.predict(inputs, verbose=0)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def test_seed_model_explains_too_short_windows():
    with pytest.raises(ValueError, match=f"at least {SEED_MIN_FRAMES} frames"):
        build_seed_model((SEED_MIN_FRAMES - 1, 8), 3)


def test_build_model_rejects_unknown_names():
    with pytest.raises(ValueError, match="compact"):
        build_model("resnet", (64, 16), 3, 1e-3)


def test_embedding_model_outputs_the_penultimate_layer():
    model = build_compact_model((32, 8), 4)
    emb = embedding_model(model).predict(np.zeros((5, 32, 8), np.float32), verbose=0)
    assert emb.shape == (5, 64)


def test_fit_normalization_standardizes_each_band():
    rng = np.random.default_rng(1)
    X = rng.normal(loc=np.arange(8) * 10.0, scale=np.arange(1, 9), size=(20, 32, 8)).astype("float32")
    model = build_compact_model((32, 8), 4)
    fit_normalization(model, X)
    normed = model.get_layer(NORM_LAYER)(X).numpy().reshape(-1, 8)
    np.testing.assert_allclose(normed.mean(axis=0), 0, atol=1e-3)
    np.testing.assert_allclose(normed.std(axis=0), 1, atol=1e-2)


def test_fit_normalization_leaves_models_without_it_alone():
    model = build_seed_model((SEED_MIN_FRAMES, 8), 3)
    before = [w.copy() for w in model.get_weights()]
    fit_normalization(model, np.ones((4, SEED_MIN_FRAMES, 8), np.float32))
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
