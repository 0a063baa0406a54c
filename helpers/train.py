"""Training and evaluating a genre model on fixed-length windows of clip features."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import keras
import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support
from tqdm.keras import TqdmCallback

from helpers.config import Settings
from helpers.features import cut_windows
from helpers.models import fit_normalization
from helpers.progress import bar_class


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


def fit_model(model: keras.Model, train: tuple[np.ndarray, np.ndarray], val: tuple[np.ndarray, np.ndarray],
              cfg: Settings, verbose: int = 1) -> pd.DataFrame:
    """Fit ``model`` on the training windows ``train = (X, y)``, validating on ``val``; one row per epoch.

    With ``cfg.augment`` other than ``"none"``, every epoch sees a freshly altered copy of each
    training window (:mod:`helpers.augment`); the validation windows are never altered.
    """
    # a progress bar over the epochs: a widget in Jupyter, a line of text in batch runs (make run)
    callbacks = [TqdmCallback(verbose=0, desc="epochs", tqdm_class=bar_class())] if verbose else []
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
        1 shows a progress bar over the epochs, 0 nothing.
    fit
        The fitting step, :func:`fit_model` (notebook 03 passes the copy it shows).

    With ``cfg.patience > 0`` training stops when the validation loss has not improved
    for that many epochs, and the weights of the best epoch are restored.
    """
    keras.utils.set_random_seed(cfg.seed)
    train, val = (split == "train").to_numpy(), (split == "val").to_numpy()
    Xtr, own_tr = windows(X[train], cfg.window_frames)
    Xva, own_va = windows(X[val], cfg.window_frames)
    fit_normalization(model, Xtr)
    start = time.perf_counter()
    history = fit(model, (Xtr, y[train][own_tr]), (Xva, y[val][own_va]), cfg, verbose)
    best = int(history["val_loss"].idxmin()) if cfg.patience > 0 else len(history)
    return TrainResult(model=model, history=history, best_epoch=best,
                       seconds=time.perf_counter() - start)


def evaluate(
    probs: np.ndarray, labels: pd.Series | np.ndarray, genres: list[str]
) -> dict[str, object]:
    """Accuracy and confusion matrix of clip probabilities against true labels.

    Returns a dict with ``accuracy`` (float), ``n`` (clips), ``predicted``
    (genre names) and ``confusion`` (a DataFrame, rows true, columns predicted).
    """
    predicted = np.asarray(genres)[probs.argmax(axis=1)]
    labels = np.asarray(labels)
    cm = confusion_matrix(labels, predicted, labels=genres)
    return {
        "accuracy": float(accuracy_score(labels, predicted)),
        "n": len(labels),
        "predicted": predicted,
        "confusion": pd.DataFrame(cm, index=pd.Index(genres, name="true"),
                                  columns=pd.Index(genres, name="predicted")),
    }


def per_genre_report(labels: np.ndarray, predicted: np.ndarray, genres: list[str]) -> pd.DataFrame:
    """Precision, recall, F1 and support per genre (rows), as a table.

    Precision: of the clips predicted as this genre, the share that are. Recall:
    of the clips of this genre, the share found.
    """
    p, r, f, n = precision_recall_fscore_support(labels, predicted, labels=genres, zero_division=0)
    return pd.DataFrame({"precision": p, "recall": r, "f1": f, "clips": n},
                        index=pd.Index(genres, name="genre"))


def most_confused(confusion: pd.DataFrame, k: int = 3) -> pd.DataFrame:
    """The ``k`` largest off-diagonal cells: which true genre went to which prediction, how often.

    >>> cm = pd.DataFrame([[5, 2], [0, 4]], index=["a", "b"], columns=["a", "b"])
    >>> most_confused(cm, 1).to_dict("records")
    [{'true': 'a', 'predicted': 'b', 'clips': 2, 'share of true genre': 0.2857142857142857}]
    """
    values = confusion.to_numpy().astype(float)
    totals = values.sum(axis=1)
    rows = [(t, p, int(values[i, j]), values[i, j] / totals[i])
            for i, t in enumerate(confusion.index) for j, p in enumerate(confusion.columns)
            if i != j and values[i, j] > 0]
    table = pd.DataFrame(rows, columns=["true", "predicted", "clips", "share of true genre"])
    return table.sort_values(["clips", "true"], ascending=[False, True]).head(k).reset_index(drop=True)


def describe_confusions(confusion: pd.DataFrame) -> str:
    """One sentence on this run's confusions: the most frequent mistake (all of them when tied)
    and the genres never missed.

    >>> cm = pd.DataFrame([[5, 0], [2, 4]], index=["a", "b"], columns=["a", "b"])
    >>> describe_confusions(cm)
    'The most frequent mistake: **b → a** (2 of 6 b clips). Never missed: a.'
    >>> describe_confusions(pd.DataFrame([[4, 1], [1, 4]], index=["a", "b"], columns=["a", "b"]))
    'The most frequent mistakes, tied at 1 clip each: **a → b** (1 of 5 a clips), \
**b → a** (1 of 5 b clips). Every genre lost at least one clip.'
    """
    table = most_confused(confusion, k=confusion.size)
    if table.empty:
        return "No test clip was misclassified."
    top = table[table["clips"] == table["clips"].iloc[0]]
    pairs = ", ".join(f"**{r['true']} → {r['predicted']}** ({r['clips']} of "
                      f"{int(confusion.loc[r['true']].sum())} {r['true']} clips)" for _, r in top.iterrows())
    n = int(top["clips"].iloc[0])
    sentence = (f"The most frequent mistake: {pairs}." if len(top) == 1 else
                f"The most frequent mistakes, tied at {n} clip{'s' if n > 1 else ''} each: {pairs}.")
    values = confusion.to_numpy()
    perfect = [g for i, g in enumerate(confusion.index)
               if values[i].sum() and values[i, i] == values[i].sum()]
    missed = f" Never missed: {', '.join(perfect)}." if perfect else " Every genre lost at least one clip."
    return sentence + missed


def compare_accuracy(reports: dict[str, dict[str, object]]) -> str:
    """One sentence comparing two :func:`evaluate` reports on the same clips, in clips as well as %.

    >>> a = {"accuracy": 0.75, "n": 4, "predicted": np.array(["x", "x", "y", "y"])}
    >>> b = {"accuracy": 0.5, "n": 4, "predicted": np.array(["x", "y", "x", "y"])}
    >>> compare_accuracy({"A": a, "B": b})
    'On these 4 test clips, A got 75.0% right (3 clips) and B 50.0% (2 clips): A is ahead by 1 clip \
(one clip is 25.0 points).'
    """
    (name_a, a), (name_b, b) = reports.items()
    right_a, right_b = round(a["accuracy"] * a["n"]), round(b["accuracy"] * b["n"])
    gap = abs(right_a - right_b)
    ahead = name_a if right_a > right_b else name_b
    verdict = ("a tie" if gap == 0 else
               f"{ahead} is ahead by {gap} clip{'s' if gap > 1 else ''}")
    return (f"On these {a['n']} test clips, {name_a} got {a['accuracy']:.1%} right ({right_a} clips) and "
            f"{name_b} {b['accuracy']:.1%} ({right_b} clips): {verdict} "
            f"(one clip is {100 / a['n']:.1f} points).")
