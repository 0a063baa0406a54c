"""Does a confidence of 0.8 mean "right 8 times in 10"? Calibration, and temperature scaling.

Notebook 07 shows the reliability table and the expected calibration error computed here
(:func:`reliability_table`, :func:`expected_calibration_error`; checked against
:func:`sklearn.calibration.calibration_curve` there and in the tests), then fits one number, a
temperature (:func:`fit_temperature`, :func:`temper`), on validation clips. A bundle applies it to
the mean of a song's window probabilities wherever it predicts (:func:`clip_mean`,
:class:`helpers.predict.SongPrediction`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar
from sklearn.metrics import log_loss as sklearn_log_loss

#: The range :func:`fit_temperature` searches.
LOWEST, HIGHEST = 0.05, 20.0
#: Fitted temperatures outside this range are reported as not to be trusted (:func:`describe_temperature`).
PLAUSIBLE = (0.1, 10.0)
#: Temperatures within this distance of 1 are described as "close to 1" (little to correct).
NEAR_ONE = 0.1


def temper(probs: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities ``(..., genres)`` rescaled by a temperature: ``softmax(log(probs) / temperature)``
    (notebook 07 shows it).

    The log of a softmax output is the network's logits up to a constant, so this is temperature
    scaling of the logits (Guo et al. 2017): ``temperature > 1`` softens every prediction, ``< 1``
    sharpens it, and the top genre never changes. ``temperature == 1`` returns ``probs`` itself.
    """
    if temperature == 1:
        return probs
    logits = np.log(np.maximum(probs, np.finfo(np.float32).tiny)) / temperature  # no log(0)
    logits -= logits.max(axis=-1, keepdims=True)  # the largest logit becomes 0: exp cannot overflow
    scaled = np.exp(logits)
    return (scaled / scaled.sum(axis=-1, keepdims=True)).astype(probs.dtype)


def clip_mean(window_probs: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Clip probabilities from ``(clips, windows, genres)`` window probabilities: their mean over
    each clip's windows, scaled by ``temperature`` (:func:`temper`), as every prediction made with a
    bundle is (:class:`helpers.predict.SongPrediction`). Scaling the mean, not each window, keeps
    every clip's top genre, so the accuracy never changes. A window of padding (NaN,
    :func:`helpers.train.window_outputs`) is left out of its clip's mean.

    >>> clip_mean(np.array([[[0.9, 0.1], [0.5, 0.5]]]), 2.0).round(3).tolist()
    [[0.604, 0.396]]
    """
    return temper(np.nanmean(window_probs, axis=1), temperature)


def log_loss(probs: np.ndarray, labels: np.ndarray, genres: list[str]) -> float:
    """Mean negative log probability of the true genre (lower is better; 0 is perfect):
    :func:`sklearn.metrics.log_loss` with the genres as its labels.

    ``probs`` are renormalized in double precision first: a network's float32 softmax sums to 1
    only up to float32 rounding, which scikit-learn would warn about.

    >>> round(log_loss(np.array([[0.5, 0.5], [0.9, 0.1]]), np.array(["a", "a"]), ["a", "b"]), 4)
    0.3993
    """
    probs = np.asarray(probs, dtype=np.float64)
    probs = probs / probs.sum(axis=1, keepdims=True)
    return float(sklearn_log_loss(np.asarray(labels), probs, labels=genres))


def fit_temperature(window_probs: np.ndarray, labels: np.ndarray, genres: list[str]) -> float:
    """The temperature under which labelled clips' true genres are most probable (notebook 07 shows it).

    ``window_probs`` are the model's ``(clips, windows, genres)`` outputs on labelled clips (the
    validation clips), ``labels`` their true genres. The search runs from :data:`LOWEST` to
    :data:`HIGHEST` on a log scale, for the lowest :func:`log_loss` of :func:`clip_mean`; if nothing
    beats 1, it returns 1. A result near either end means the clips could not pin it down.
    """
    def loss(log_t: float) -> float:
        return log_loss(clip_mean(window_probs, float(np.exp(log_t))), labels, genres)

    best = minimize_scalar(loss, bounds=(np.log(LOWEST), np.log(HIGHEST)), method="bounded",
                           options={"xatol": 1e-4})
    return float(np.exp(best.x)) if best.fun < loss(0.0) else 1.0


def reliability_table(probs: np.ndarray, labels: np.ndarray, genres: list[str],
                      bins: int = 10) -> pd.DataFrame:
    """Clips sorted into ``bins`` equal bins of confidence (top probability), and each bin's accuracy
    (notebook 07 shows it).

    One row per non-empty bin: its edges ``low`` and ``high``, ``clips``, their mean ``confidence``
    and ``accuracy`` (share right). A calibrated model's accuracy equals its confidence in every bin.
    """
    confidence = probs.max(axis=1).astype(np.float64)
    correct = np.asarray(genres)[probs.argmax(axis=1)] == np.asarray(labels)
    edges = np.linspace(0, 1, bins + 1)
    which = np.searchsorted(edges[1:-1], confidence)  # each clip's bin (a clip on an edge: the lower)
    clips = np.bincount(which, minlength=bins)
    filled = clips > 0
    return pd.DataFrame({"low": edges[:-1][filled], "high": edges[1:][filled], "clips": clips[filled],
                         "confidence": np.bincount(which, confidence, bins)[filled] / clips[filled],
                         "accuracy": np.bincount(which, correct, bins)[filled] / clips[filled]})


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, genres: list[str],
                               bins: int = 10) -> float:
    """The expected calibration error (ECE), 0 when perfectly calibrated (notebook 07 shows it): the
    gap between each bin's accuracy and confidence (:func:`reliability_table`), averaged over the
    bins weighted by their clips.
    """
    table = reliability_table(probs, labels, genres, bins)
    gaps = (table["accuracy"] - table["confidence"]).abs()
    return float((table["clips"] * gaps).sum() / table["clips"].sum())


def calibration_scores(parts: dict[str, tuple[np.ndarray, np.ndarray]], genres: list[str],
                       temperature: float) -> pd.DataFrame:
    """ECE, log loss, mean confidence and accuracy of clip probabilities before and after ``temperature``.

    Parameters
    ----------
    parts
        Name (e.g. ``"validation"``) -> ``(window_probs, labels)``: ``(clips, windows, genres)``
        window probabilities of the model as trained, and the clips' true genres.
    genres
        Genre of each column.
    temperature
        From :func:`fit_temperature`.

    Returns
    -------
    pandas.DataFrame
        Rows ``(part, "before")`` and ``(part, "after")``; columns ``ECE``, ``log loss``,
        ``mean confidence``, ``accuracy``.
    """
    rows = {}
    for name, (window_probs, labels) in parts.items():
        for when, t in (("before", 1.0), ("after", temperature)):
            p = clip_mean(window_probs, t)
            rows[(name, when)] = {
                "ECE": expected_calibration_error(p, labels, genres), "log loss": log_loss(p, labels, genres),
                "mean confidence": float(p.max(axis=1).mean()),
                "accuracy": float((np.asarray(genres)[p.argmax(axis=1)] == labels).mean())}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis(["clips", "temperature scaling"])


def describe_temperature(temperature: float, scores: pd.DataFrame) -> str:
    """Markdown: what the fitted temperature says about the model, and what it did on each part.

    >>> scores = pd.DataFrame({"ECE": [0.1, 0.05], "log loss": [0.8, 0.7], "mean confidence": [0.9, 0.8],
    ...                        "accuracy": [0.75, 0.75]},
    ...                       index=pd.MultiIndex.from_tuples([("test", "before"), ("test", "after")]))
    >>> print(describe_temperature(1.5, scores))
    The temperature fitted on the validation clips is **1.50**: above 1, so the model was \
overconfident and temperature scaling softens its probabilities. Test clips: mean confidence 0.90 → \
0.80 against an accuracy of 75%; ECE 0.100 → 0.050; log loss 0.800 → 0.700.
    """
    if abs(temperature - 1) < NEAR_ONE:
        verdict = ("close to 1, so the model's confidence already fitted the validation clips about "
                   "right, and temperature scaling changes little")
    elif temperature > 1:
        verdict = "above 1, so the model was overconfident and temperature scaling softens its probabilities"
    else:
        verdict = ("below 1, so the model was underconfident and temperature scaling sharpens its "
                   "probabilities")
    lines = [f"The temperature fitted on the validation clips is **{temperature:.2f}**: {verdict}."]
    if not PLAUSIBLE[0] < temperature < PLAUSIBLE[1]:
        lines.append("So extreme a temperature means the validation clips are too few (or too easy) to "
                     "pin it down: do not trust it.")
    rose = []  # the parts whose ECE rose, each with what happened
    for part in dict.fromkeys(scores.index.get_level_values(0)):
        b, a = scores.loc[(part, "before")], scores.loc[(part, "after")]
        lines.append(f"{part.capitalize()} clips: mean confidence {b['mean confidence']:.2f} → "
                     f"{a['mean confidence']:.2f} against an accuracy of {b['accuracy']:.0%}; ECE "
                     f"{b['ECE']:.3f} → {a['ECE']:.3f}; log loss {b['log loss']:.3f} → {a['log loss']:.3f}.")
        if a["ECE"] > b["ECE"]:
            loss = "fell" if a["log loss"] < b["log loss"] else "did not fall"
            rose.append((part, f"{part}: ECE {b['ECE']:.3f} → {a['ECE']:.3f}, while the log loss {loss}"))
    if not rose:
        return " ".join(lines)
    names, changes = " and the ".join(part for part, _ in rose), "; ".join(change for _, change in rose)
    return (" ".join(lines) + f"\n\n**Surprise:** temperature scaling raised the ECE of the {names} clips "
            f"({changes}). The temperature is the one that makes the validation clips' true genres most "
            "probable (lowest log loss), not the one of lowest ECE; and the ECE counts clips in ten bins, "
            "so a clip that crosses a bin edge moves it in a step.")
