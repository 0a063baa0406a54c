"""Training a genre model on fixed-length windows of clip features (its scores: :mod:`helpers.metrics`)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np
import pandas as pd

from helpers.config import Settings
from helpers.features import cut_windows
from helpers.models import fit_normalization
from helpers.progress import progress_bar


def windows(X: np.ndarray, window_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """Every clip cut into non-overlapping windows of ``window_frames`` frames, all clips in one batch.

    Cut by :func:`helpers.features.cut_windows`, whose rules hold: leftover frames are
    dropped, clips shorter than one window are an error. Returns the windows
    ``(N * k, window_frames, n_mels)`` with ``k = n_frames // window_frames``, and for
    each window the index of its clip.

    >>> W, owner = windows(np.zeros((2, 900, 128)), 300)
    >>> W.shape, owner.tolist()
    ((6, 300, 128), [0, 0, 0, 1, 1, 1])
    """
    W, _ = cut_windows(X, window_frames)
    n, k = W.shape[:2]
    return W.reshape(n * k, *W.shape[2:]), np.repeat(np.arange(n), k)


def one_hot(labels: pd.Series | np.ndarray, genres: list[str]) -> np.ndarray:
    """``(N, len(genres))`` one-hot matrix; column ``i`` is ``genres[i]``.

    >>> one_hot(np.array(["rock", "blues"]), ["blues", "rock"]).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    index = {g: i for i, g in enumerate(genres)}
    unknown = sorted(set(labels) - set(index))
    if unknown:
        raise ValueError(f"Labels {unknown} are not in the genre list {genres}.")
    return np.eye(len(genres), dtype=np.float32)[[index[label] for label in labels]]


def window_outputs(model: keras.Model, X: np.ndarray, window_frames: int, batch_size: int = 64) -> np.ndarray:
    """``model``'s output for every window (:func:`windows`) of every clip: ``(N, windows per clip,
    output size)``."""
    W, _ = windows(X, window_frames)
    return model.predict(W, batch_size=batch_size, verbose=0).reshape(len(X), len(W) // len(X), -1)


def clip_means(model: keras.Model, X: np.ndarray, window_frames: int, batch_size: int = 64) -> np.ndarray:
    """``model``'s output for every window of every clip, averaged per clip: ``(N, output size)``."""
    return window_outputs(model, X, window_frames, batch_size).mean(axis=1)


def clip_probabilities(
    model: keras.Model, X: np.ndarray, window_frames: int, batch_size: int = 64
) -> np.ndarray:
    """Genre probabilities per clip: the mean of its windows' softmax outputs."""
    return clip_means(model, X, window_frames, batch_size)


@dataclasses.dataclass
class TrainResult:
    """A fitted model and how it got there."""

    model: keras.Model
    history: pd.DataFrame  # one row per epoch: loss, accuracy, val_loss, val_accuracy
    best_epoch: int  # 1-based epoch whose weights the model holds
    seconds: float  # wall time of the fit


def kept_epoch(val_loss: Sequence[float], patience: int) -> int:
    """The 1-based epoch whose weights a fit ends with: with early stopping (``patience > 0``)
    the one of the lowest validation loss, which Keras restores, else the last.

    >>> kept_epoch([0.9, 0.7, 0.8], patience=2), kept_epoch([0.9, 0.7, 0.8], patience=0)
    (2, 3)
    """
    return int(np.argmin(val_loss)) + 1 if patience > 0 else len(val_loss)


class EpochBar(keras.callbacks.Callback):
    """A progress bar over the epochs (:func:`helpers.progress.progress_bar`) that ends on what happened.

    While training it shows the last epoch's numbers; its final line says how training ended,
    e.g. ``"epochs: stopped at epoch 21 of 80 (early stopping), kept epoch 9 [00:41, 1.95s/epoch]"``.
    ``patience`` is early stopping's (:func:`kept_epoch`).
    """

    def __init__(self, patience: int) -> None:
        super().__init__()
        self.patience = patience
        self.val_loss: list[float] = []

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.bar = progress_bar(total=self.params["epochs"], desc="epochs", unit="epoch")

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        self.val_loss.append(logs.get("val_loss", np.nan))
        self.bar.set_postfix(logs, refresh=False)
        self.bar.update()

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        self.bar.bar_format = "{desc}: " + self.outcome() + " [{elapsed}, {rate_fmt}]"
        self.bar.close()

    def outcome(self) -> str:
        """What happened, in words: ``"stopped at epoch 21 of 80 (early stopping), kept epoch 9"``."""
        done, total = len(self.val_loss), self.params["epochs"]
        kept = kept_epoch(self.val_loss, self.patience)
        if done < total:
            return f"stopped at epoch {done} of {total} (early stopping), kept epoch {kept}"
        if self.patience > 0:
            return f"all {total} epochs ran, kept epoch {kept} (the lowest validation loss)"
        return f"all {total} epochs ran, kept the last"


def fit_model(model: keras.Model, train: tuple[np.ndarray, np.ndarray], val: tuple[np.ndarray, np.ndarray],
              cfg: Settings, callbacks: tuple[keras.callbacks.Callback, ...] = ()) -> pd.DataFrame:
    """Fit ``model`` on the training windows ``train = (X, y)``, validating on ``val``; one row per epoch.

    With ``cfg.augment`` other than ``"none"``, every epoch sees a freshly altered copy of each
    training window (:mod:`helpers.augment`); the validation windows are never altered.
    ``callbacks`` (Keras callbacks) run besides early stopping.
    """
    callbacks = [*callbacks]  # those given (train_model gives a progress bar over the epochs)
    if cfg.patience > 0:  # stop when the validation loss stops improving; keep its best epoch
        callbacks.append(keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=cfg.patience, restore_best_weights=True))
    if cfg.augment == "none":  # the windows as they are, in a new order every epoch
        data = {"x": train[0], "y": train[1], "batch_size": cfg.batch_size, "shuffle": True}
    else:  # batches of randomly altered windows, shuffled by AugmentedWindows itself
        from helpers.augment import AugmentedWindows  # (so that this cell needs no extra import)

        data = {"x": AugmentedWindows(*train, cfg), "shuffle": False}
    fit = model.fit(**data, validation_data=val, epochs=cfg.epochs, callbacks=callbacks, verbose=0)
    return pd.DataFrame(fit.history, index=pd.RangeIndex(1, len(fit.epoch) + 1, name="epoch"))


def train_model(
    model: keras.Model, cfg: Settings, X: np.ndarray, y: np.ndarray, split: pd.Series,
    verbose: int = 1, fit: Callable[..., pd.DataFrame] = fit_model,
) -> TrainResult:
    """Cut the clips into windows, fit the input normalization, then ``fit`` the model.

    Parameters
    ----------
    model
        A compiled model (:func:`helpers.models.build_model`); its input normalization
        (if any) is fitted to the training windows here.
    cfg
        Settings (window_frames, epochs, batch_size, patience, seed).
    X
        ``(N, n_frames, n_mels)`` clip features.
    y
        ``(N, n_genres)`` one-hot labels.
    split
        ``"train"``, ``"val"`` or ``"test"`` per clip.
    verbose
        1 shows a progress bar over the epochs (:class:`EpochBar`), 0 nothing.
    fit
        The fitting step, :func:`fit_model` (notebook 03 passes the copy it shows); it gets
        the bar among its ``callbacks``.

    With ``cfg.patience > 0`` training stops when the validation loss has not improved
    for that many epochs, and the weights of the best epoch are restored.
    """
    keras.utils.set_random_seed(cfg.seed)
    train, val = (split == "train").to_numpy(), (split == "val").to_numpy()
    Xtr, own_tr = windows(X[train], cfg.window_frames)
    Xva, own_va = windows(X[val], cfg.window_frames)
    fit_normalization(model, Xtr)
    start = time.perf_counter()
    bar = (EpochBar(cfg.patience),) if verbose else ()
    history = fit(model, (Xtr, y[train][own_tr]), (Xva, y[val][own_va]), cfg, bar)
    return TrainResult(model=model, history=history, seconds=time.perf_counter() - start,
                       best_epoch=kept_epoch(history["val_loss"], cfg.patience))
