import dataclasses

import numpy as np
import pandas as pd
import pytest

from helpers.config import load_settings
from helpers.metrics import evaluate
from helpers.models import build_model
from helpers.progress import TEXT_BARS_ENV
from helpers.train import (
    EpochBar,
    clip_means,
    clip_probabilities,
    kept_epoch,
    one_hot,
    train_model,
    window_outputs,
    windows,
)


def test_windows_cut_clips_in_order_and_drop_leftovers():
    X = np.arange(2 * 7 * 3, dtype=np.float32).reshape(2, 7, 3)
    W, owner = windows(X, 3)
    assert W.shape == (4, 3, 3)
    assert owner.tolist() == [0, 0, 1, 1]
    np.testing.assert_array_equal(W[1], X[0, 3:6])
    np.testing.assert_array_equal(W[2], X[1, 0:3])


def test_windows_of_default_clips_keep_each_clips_windows_together():
    W, owner = windows(np.zeros((2, 900, 128), np.float32), 300)
    assert W.shape == (6, 300, 128) and owner.tolist() == [0, 0, 0, 1, 1, 1]


def test_windows_longer_than_clip_is_an_error():
    with pytest.raises(ValueError, match="shorter than one window"):
        windows(np.zeros((1, 10, 4)), 11)


def test_one_hot_round_trips_labels():
    genres = ["blues", "jazz", "rock"]
    labels = np.array(["rock", "blues", "jazz", "rock"])
    y = one_hot(labels, genres)
    assert y.shape == (4, 3) and y.sum() == 4
    assert list(np.asarray(genres)[y.argmax(axis=1)]) == list(labels)
    with pytest.raises(ValueError, match="metal"):
        one_hot(np.array(["metal"]), genres)


class _Fixed:
    """Stand-in model returning prescribed window probabilities."""

    def __init__(self, probs):
        self.probs = np.asarray(probs, dtype=np.float32)

    def predict(self, W, batch_size=None, verbose=0):
        assert len(W) == len(self.probs)
        return self.probs


def test_clip_probabilities_average_each_clips_windows():
    model = _Fixed([[1, 0], [0, 1], [1, 0], [1, 0]])
    probs = clip_probabilities(model, np.zeros((2, 20, 3)), 10)
    np.testing.assert_allclose(probs, [[0.5, 0.5], [1.0, 0.0]])


class _FirstFrame:
    """Stand-in model: each window's output is its first frame, and every window it saw is recorded."""

    def __init__(self):
        self.seen = []

    def predict(self, W, batch_size=None, verbose=0):
        self.seen.append(W)
        return W[:, 0, :]


def test_only_windows_of_audio_are_cut_predicted_and_averaged():
    X = np.repeat(np.arange(6, dtype=np.float32)[None, :, None] * 10, 3, axis=0)  # frame t holds 10 t
    X[:, :, 0] += np.arange(3)[:, None]  # clip i: + i
    audio = np.array([6, 3, 1])  # clip 1: its last window is 1 frame of audio of 2; clip 2: 1 frame
    W, owner = windows(X, 2, audio)
    assert owner.tolist() == [0, 0, 0, 1, 1, 2]  # clip 2, shorter than one window, still gives one
    model = _FirstFrame()
    table = window_outputs(model, X, 2, audio)
    assert len(model.seen[0]) == 6, "the model never sees a window of padding"
    assert np.isnan(table[1, 2]).all() and np.isnan(table[2, 1:]).all() and not np.isnan(table[0]).any()
    np.testing.assert_allclose(clip_means(model, X, 2, audio)[:, 0], [20, (1 + 21) / 2, 2])


def test_full_length_clips_give_the_windows_and_means_they_always_gave():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 900, 8)).astype(np.float32)
    W, owner = windows(X, 150, np.full(5, 900))
    old = np.lib.stride_tricks.sliding_window_view(X, 150, axis=1)[:, ::150].swapaxes(-1, -2)
    assert np.array_equal(W, old.reshape(30, 150, 8)) and np.array_equal(owner, np.repeat(np.arange(5), 6))
    model = _FirstFrame()
    assert np.array_equal(clip_means(model, X, 150, np.full(5, 900)), old[:, :, 0, :].mean(axis=1))


def _separable(n_per_class=12, frames=64, bands=8, seed=0):
    """Two classes: energy in the low bands vs in the high bands."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2 * n_per_class, frames, bands)).astype(np.float32)
    X[:n_per_class, :, : bands // 2] += 3
    X[n_per_class:, :, bands // 2:] += 3
    labels = pd.Series(["low"] * n_per_class + ["high"] * n_per_class)
    clips = pd.DataFrame({"label": labels, "song_id": [f"s{i}" for i in range(len(labels))]})
    return clips, X


def test_the_epoch_bar_ends_on_what_happened():
    bar = EpochBar(patience=12)
    bar.set_params({"epochs": 80})
    bar.val_loss = [1.0 - 0.1 * e for e in range(9)] + [0.5] * 12  # best at epoch 9, then 12 without
    assert bar.outcome() == "stopped at epoch 21 of 80 (early stopping), kept epoch 9"
    bar.val_loss = [1.0 - 0.01 * e for e in range(80)]
    assert bar.outcome() == "all 80 epochs ran, kept epoch 80 (the lowest validation loss)"
    bar = EpochBar(patience=0)
    bar.set_params({"epochs": 6})
    bar.val_loss = [0.5, 0.4, 0.3, 0.2, 0.3, 0.4]
    assert bar.outcome() == "all 6 epochs ran, kept the last"
    assert kept_epoch(bar.val_loss, 0) == 6 and kept_epoch(bar.val_loss, 2) == 4


@pytest.mark.slow
def test_train_model_learns_a_separable_problem_and_keeps_the_best_epoch(monkeypatch, capsys):
    from helpers.split import split_songs

    monkeypatch.setenv(TEXT_BARS_ENV, "1")  # as make run shows the bar: its states, the last one kept

    clips, X = _separable()
    cfg = load_settings(n_frames=64, window_frames=32, n_mels=8, epochs=15, patience=3,
                        batch_size=8, learning_rate=0.01)
    genres = sorted(clips["label"].unique())
    y = one_hot(clips["label"], genres)
    split = split_songs(clips, 0.25, 0.25, seed=0)
    model = build_model("compact", (32, 8), 2, cfg.learning_rate)
    result = train_model(model, cfg, X, y, split)
    assert 1 <= result.best_epoch <= len(result.history) <= 15
    last_state = capsys.readouterr().out.split("\r")[-1].strip()
    assert last_state.startswith("epochs: ") and f"kept epoch {result.best_epoch}" in last_state
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(result.history.columns)
    test = (split == "test").to_numpy()
    report = evaluate(clip_probabilities(model, X[test], 32), clips["label"][test], genres)
    assert report["accuracy"] == 1.0


@pytest.mark.slow
def test_training_twice_with_one_seed_gives_the_same_model():
    from helpers.split import split_songs

    clips, X = _separable(seed=3)
    cfg = load_settings(n_frames=64, window_frames=32, n_mels=8, epochs=4, patience=0,
                        batch_size=8, learning_rate=0.01)
    genres = sorted(clips["label"].unique())
    y = one_hot(clips["label"], genres)
    split = split_songs(clips, 0.25, 0.25, seed=0)
    runs = []
    for _ in range(2):
        model = build_model("compact", (32, 8), 2, cfg.learning_rate, seed=cfg.seed)
        result = train_model(model, cfg, X, y, split)
        runs.append((result.history, clip_probabilities(model, X, 32)))
    pd.testing.assert_frame_equal(runs[0][0], runs[1][0])
    np.testing.assert_allclose(runs[0][1], runs[1][1], atol=1e-6)


def _fit_twice(cfg, fit):
    """Weights and history of two fits of the same compact model from the same seed."""
    import keras

    from helpers.models import fit_normalization

    clips, X = _separable(seed=5)
    W, owner = windows(X, 32)
    y = one_hot(clips["label"], ["high", "low"])[owner]
    runs = []
    for _ in range(2):
        model = build_model("compact", (32, 8), 2, cfg.learning_rate, seed=cfg.seed)
        fit_normalization(model, W)
        keras.utils.set_random_seed(cfg.seed)
        history = fit(model, (W[:36], y[:36]), (W[36:], y[36:]), cfg)
        runs.append((history, model.get_weights()))
    return runs


@pytest.mark.slow
def test_without_augmentation_fit_model_is_the_plain_keras_fit():
    """augment: none must train exactly as before the setting existed: model.fit on the arrays."""
    from helpers.train import fit_model

    cfg = load_settings(n_frames=64, window_frames=32, n_mels=8, epochs=3, patience=0, batch_size=8)

    def plain(model, train, val, cfg):
        fit = model.fit(*train, validation_data=val, epochs=cfg.epochs, batch_size=cfg.batch_size,
                        shuffle=True, verbose=0)
        return pd.DataFrame(fit.history, index=pd.RangeIndex(1, len(fit.epoch) + 1, name="epoch"))

    (ours, weights), _ = _fit_twice(cfg, lambda *a: fit_model(*a, verbose=0))
    (theirs, plain_weights), _ = _fit_twice(cfg, plain)
    pd.testing.assert_frame_equal(ours, theirs, check_exact=True)
    for a, b in zip(weights, plain_weights, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.slow
@pytest.mark.parametrize("augment", ["specaugment", "specaugment_mixup"])
def test_augmented_training_repeats_exactly_and_differs_from_plain(augment):
    from helpers.train import fit_model

    cfg = load_settings(n_frames=64, window_frames=32, n_mels=8, epochs=3, patience=2, batch_size=8)
    (first, w1), (second, w2) = _fit_twice(dataclasses.replace(cfg, augment=augment),
                                           lambda *a: fit_model(*a, verbose=0))
    pd.testing.assert_frame_equal(first, second, check_exact=True)
    assert all(np.array_equal(a, b) for a, b in zip(w1, w2, strict=True))
    (plain, _), _ = _fit_twice(cfg, lambda *a: fit_model(*a, verbose=0))
    assert not np.allclose(first["loss"], plain["loss"])
