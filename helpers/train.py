"""Training a genre model on fixed-length windows of clip features (its scores: :mod:`helpers.metrics`)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
import pandas as pd

from helpers.config import Settings
from helpers.features import audio_windows, cut_windows
from helpers.models import fit_normalization
from helpers.progress import progress_bar


def windows(
    X: np.ndarray, window_frames: int, audio_frames: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Every clip of ``X`` ``(N, n_frames, n_mels)`` cut into non-overlapping windows of ``window_frames``
    frames (:func:`helpers.features.cut_windows`), those that hold audio (:func:`audio_windows`: the
    clip's ``audio_frames``; ``None``, every frame) in one batch, and for each window its clip's index."""
    W, starts = cut_windows(X, window_frames)  # (N, k, window_frames, n_mels), k windows per clip
    audio = np.broadcast_to(X.shape[1] if audio_frames is None else audio_frames, len(X))
    keep = audio_windows(starts, window_frames, audio)  # (N, k): True where a window holds audio
    return W[keep], np.nonzero(keep)[0]  # the kept windows, clip after clip, and 0, 0, ..., 1, 1, ...


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


def window_outputs(model: keras.Model, X: np.ndarray, window_frames: int,
                   audio_frames: np.ndarray | None = None, batch_size: int = 64) -> np.ndarray:
    """``model``'s output for every window (:func:`windows`) of every clip: ``(N, windows per clip,
    output size)``, NaN for a window of padding (the model never sees it)."""
    W, owner = windows(X, window_frames, audio_frames)  # the windows that hold audio, clip after clip
    outputs = model.predict(W, batch_size=batch_size, verbose=0)  # (windows kept, output size)
    slot = np.arange(len(owner)) - np.searchsorted(owner, owner)  # each window's place in its clip
    most = np.bincount(owner, minlength=1).max()  # windows in the clip that has the most
    table = np.full((len(X), most, outputs.shape[-1]), np.nan, outputs.dtype)
    table[owner, slot] = outputs  # one row of windows per clip; padding stays NaN
    return table


def clip_means(model: keras.Model, X: np.ndarray, window_frames: int, audio_frames: np.ndarray | None = None,
               batch_size: int = 64) -> np.ndarray:
    """``model``'s output for every window of every clip, averaged over the clip's windows of audio
    (NaN, padding, left out): ``(N, output size)``."""
    return np.nanmean(window_outputs(model, X, window_frames, audio_frames, batch_size), axis=1)


def clip_probabilities(
    model: keras.Model, X: np.ndarray, window_frames: int, audio_frames: np.ndarray | None = None,
    batch_size: int = 64,
) -> np.ndarray:
    """Genre probabilities per clip ``(N, genres)``: the mean of its audio windows' softmax outputs,
    which sums to 1 as each window's does."""
    return clip_means(model, X, window_frames, audio_frames, batch_size)


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
              cfg: Settings, verbose: int = 1) -> pd.DataFrame:
    """Fit ``model`` on the training windows ``train = (X, y)``, validating on ``val``; one row per epoch.

    With ``cfg.augment`` other than ``"none"``, every epoch sees a freshly altered copy of each
    training window (:mod:`helpers.augment`); the validation windows are never altered.
    """
    # a progress bar over the epochs that ends on what happened (a widget in Jupyter, text elsewhere)
    callbacks = [EpochBar(cfg.patience)] if verbose else []
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


def train_model(model: keras.Model, cfg: Settings, X: np.ndarray, y: np.ndarray, split: pd.Series,
                audio_frames: np.ndarray | None = None, verbose: int = 1) -> TrainResult:
    """Cut the clips into windows of audio, fit the input normalization, then fit the model
    (:func:`fit_model`).

    ``X`` holds the clip features ``(N, n_frames, n_mels)``, ``y`` their one-hot labels ``(N, genres)``,
    ``split`` their part (``"train"``, ``"val"``, ``"test"``) and ``audio_frames`` how many of each
    clip's frames hold audio (:func:`windows` leaves the windows of padding out). ``model`` is compiled
    (:func:`helpers.models.compile_model`); ``verbose`` 1 shows a progress bar over the epochs. With
    ``cfg.patience > 0`` the model ends with the weights of its best epoch (lowest validation loss).
    """
    keras.utils.set_random_seed(cfg.seed)
    train, val = (split == "train").to_numpy(), (split == "val").to_numpy()
    audio = np.broadcast_to(X.shape[1] if audio_frames is None else audio_frames, len(X))
    Xtr, own_tr = windows(X[train], cfg.window_frames, audio[train])  # training windows, and the clip of each
    Xva, own_va = windows(X[val], cfg.window_frames, audio[val])
    fit_normalization(model, Xtr)  # band means and spreads of the training windows, never the others
    start = time.perf_counter()
    # each window is labelled with its clip's genre: y[train][own_tr]
    history = fit_model(model, (Xtr, y[train][own_tr]), (Xva, y[val][own_va]), cfg, verbose)
    return TrainResult(model=model, history=history, best_epoch=kept_epoch(history["val_loss"], cfg.patience),
                       seconds=time.perf_counter() - start)
