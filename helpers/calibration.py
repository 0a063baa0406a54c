"""How far to trust a confidence: the review threshold, and calibration by a temperature.

A song's *confidence* is its top genre probability. Songs at or above the review
threshold are accepted, the others flagged ``needs_review``
(:func:`helpers.predict.top3_row`). Notebook 03 chooses the threshold on validation
clips (:func:`coverage_curve`, :func:`choose_threshold`); notebook 05 reads the
coverage it gives on test clips (:func:`coverage_at`).

Notebook 07 asks whether a confidence of 0.8 means "right 8 times in 10": the reliability
diagram and the expected calibration error (:func:`reliability_table`,
:func:`expected_calibration_error`), and temperature scaling (:func:`fit_temperature`,
:func:`temper`), one number fitted on validation clips that a bundle applies to the mean of a
song's window probabilities wherever it predicts (:func:`clip_mean`,
:class:`helpers.predict.SongPrediction`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def coverage_curve(probs: np.ndarray, labels: np.ndarray, genres: list[str]) -> pd.DataFrame:
    """Coverage and accuracy of the accepted songs at every confidence threshold.

    For each distinct confidence ``t`` (ascending), the songs with confidence
    ``>= t`` are accepted: ``coverage`` is their share and ``accuracy`` how
    many of them are right.

    Parameters
    ----------
    probs
        ``(N, len(genres))`` genre probabilities per song.
    labels
        ``(N,)`` true genre names.
    genres
        Genre name of each column of ``probs``.

    Returns
    -------
    pandas.DataFrame
        Columns ``threshold``, ``coverage``, ``accuracy``; one row per distinct
        confidence, thresholds ascending.

    >>> probs = np.array([[0.9, 0.1], [0.6, 0.4], [0.3, 0.7]])
    >>> coverage_curve(probs, np.array(["a", "b", "b"]), ["a", "b"]).round(2).to_dict("list")
    {'threshold': [0.6, 0.7, 0.9], 'coverage': [1.0, 0.67, 0.33], 'accuracy': [0.67, 1.0, 1.0]}
    """
    confidence = probs.max(axis=1)
    correct = np.asarray(genres)[probs.argmax(axis=1)] == np.asarray(labels)
    order = np.argsort(-confidence, kind="stable")
    accepted = np.arange(1, len(order) + 1)
    curve = pd.DataFrame({
        "threshold": confidence[order],
        "coverage": accepted / len(order),
        "accuracy": np.cumsum(correct[order]) / accepted,
    })
    # ties: a threshold accepts every song at that confidence, so keep the last row of each
    return curve.drop_duplicates("threshold", keep="last").iloc[::-1].reset_index(drop=True)


def coverage_at(curve: pd.DataFrame, threshold: float) -> tuple[float, float]:
    """Coverage and accuracy of the songs accepted at ``threshold``.

    Parameters
    ----------
    curve
        Output of :func:`coverage_curve`.
    threshold
        Review threshold on confidence.

    Returns
    -------
    coverage, accuracy : float
        Share of songs accepted and share of those that are right (NaN if none is accepted).

    >>> curve = pd.DataFrame({"threshold": [0.3, 0.6, 0.9], "coverage": [1, 0.5, 0.2],
    ...                       "accuracy": [0.6, 0.85, 1.0]})
    >>> coverage_at(curve, 0.5)
    (0.5, 0.85)
    """
    accepted = curve[curve["threshold"] >= threshold]
    if accepted.empty:
        return 0.0, float("nan")
    return float(accepted["coverage"].iloc[0]), float(accepted["accuracy"].iloc[0])


def choose_threshold(curve: pd.DataFrame, target_accuracy: float) -> float:
    """The lowest threshold whose accepted songs reach ``target_accuracy`` (max coverage).

    Falls back to the highest threshold if no threshold reaches the target.

    Parameters
    ----------
    curve
        Output of :func:`coverage_curve` (on validation songs).
    target_accuracy
        Accuracy the accepted songs should reach, 0 to 1.

    Returns
    -------
    float
        The review threshold.

    >>> curve = pd.DataFrame({"threshold": [0.3, 0.6, 0.9], "coverage": [1, 0.5, 0.2],
    ...                       "accuracy": [0.6, 0.85, 1.0]})
    >>> choose_threshold(curve, 0.8)
    0.6
    """
    ok = curve[curve["accuracy"] >= target_accuracy]
    return float(ok["threshold"].min() if len(ok) else curve["threshold"].max())


# --------------------------------------------------------------------------- calibration


#: The range :func:`fit_temperature` searches.
LOWEST, HIGHEST = 0.05, 20.0
#: Fitted temperatures outside this range are reported as not to be trusted (:func:`describe_temperature`).
PLAUSIBLE = (0.1, 10.0)
#: Temperatures within this distance of 1 are described as "close to 1" (little to correct).
NEAR_ONE = 0.1


def temper(probs: np.ndarray, temperature: float) -> np.ndarray:
    """Softmax probabilities rescaled by a temperature: ``softmax(log(probs) / temperature)``.

    The log of a softmax output is the network's logits up to a constant, so this is exactly
    temperature scaling of the logits (Guo et al. 2017): ``temperature > 1`` softens every
    prediction, ``< 1`` sharpens it, and the top genre never changes. ``temperature == 1``
    returns ``probs`` itself, untouched.

    Parameters
    ----------
    probs
        ``(..., genres)`` probabilities, e.g. one row per window.
    temperature
        A positive number.

    >>> temper(np.array([[0.8, 0.2]]), 2.0).round(3).tolist()
    [[0.667, 0.333]]
    """
    if temperature == 1:
        return probs
    logits = np.log(np.maximum(probs, np.finfo(np.float32).tiny)) / temperature
    logits -= logits.max(axis=-1, keepdims=True)
    scaled = np.exp(logits)
    return (scaled / scaled.sum(axis=-1, keepdims=True)).astype(probs.dtype)


def clip_mean(window_probs: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Clip probabilities from ``(clips, windows, genres)`` window probabilities: their mean over
    each clip's windows, scaled by ``temperature`` (:func:`temper`), as every prediction made with a
    bundle is (:class:`helpers.predict.SongPrediction`). Scaling the mean, not each window, keeps
    every clip's top genre, so the accuracy never changes.

    >>> clip_mean(np.array([[[0.9, 0.1], [0.5, 0.5]]]), 2.0).round(3).tolist()
    [[0.604, 0.396]]
    """
    return temper(window_probs.mean(axis=1), temperature)


def log_loss(probs: np.ndarray, labels: np.ndarray, genres: list[str]) -> float:
    """Mean negative log probability of the true genre (lower is better; 0 is perfect).

    >>> round(log_loss(np.array([[0.5, 0.5], [0.9, 0.1]]), np.array(["a", "a"]), ["a", "b"]), 4)
    0.3993
    """
    index = {g: i for i, g in enumerate(genres)}
    true = probs[np.arange(len(probs)), [index[label] for label in labels]]
    return float(-np.log(np.clip(true, np.finfo(np.float32).tiny, 1.0)).mean())


def fit_temperature(window_probs: np.ndarray, labels: np.ndarray, genres: list[str]) -> float:
    """The temperature that makes clip probabilities most likely on labelled clips (validation).

    Minimizes :func:`log_loss` of :func:`clip_mean` over temperatures from :data:`LOWEST` to
    :data:`HIGHEST` (on a log scale); if that finds nothing better than 1, returns 1, so the
    fitted probabilities are never less likely on these clips than the model's own. A result
    near either end of the range means the clips could not pin the temperature down (e.g. a few
    validation clips, all right: sharper is always better on them).

    Parameters
    ----------
    window_probs
        ``(clips, windows, genres)`` softmax outputs of every window of every clip.
    labels
        ``(clips,)`` true genre names.
    genres
        Genre name of each column.
    """
    def loss(log_t: float) -> float:
        return log_loss(clip_mean(window_probs, float(np.exp(log_t))), labels, genres)

    best = minimize_scalar(loss, bounds=(np.log(LOWEST), np.log(HIGHEST)), method="bounded",
                           options={"xatol": 1e-4})
    return float(np.exp(best.x)) if best.fun < loss(0.0) else 1.0


def reliability_table(probs: np.ndarray, labels: np.ndarray, genres: list[str],
                      bins: int = 10) -> pd.DataFrame:
    """Clips grouped by confidence into ``bins`` equal-width bins, with their accuracy.

    Returns one row per non-empty bin: ``low`` and ``high`` (the bin's confidence range),
    ``clips``, ``confidence`` (their mean confidence) and ``accuracy`` (the share right). A
    calibrated model's accuracy equals its confidence in every bin.

    >>> probs = np.array([[0.95, 0.05], [0.9, 0.1], [0.6, 0.4], [0.55, 0.45]])
    >>> reliability_table(probs, np.array(["a", "a", "a", "b"]), ["a", "b"], bins=4).round(3).to_dict("list")
    {'low': [0.5, 0.75], 'high': [0.75, 1.0], 'clips': [2, 2], 'confidence': [0.575, 0.925], \
'accuracy': [0.5, 1.0]}
    """
    confidence = probs.max(axis=1)
    correct = np.asarray(genres)[probs.argmax(axis=1)] == np.asarray(labels)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    table = pd.DataFrame({"bin": which, "confidence": confidence, "correct": correct}).groupby("bin").agg(
        clips=("correct", "size"), confidence=("confidence", "mean"), accuracy=("correct", "mean"))
    table.insert(0, "high", edges[table.index + 1])
    table.insert(0, "low", edges[table.index])
    return table.reset_index(drop=True)


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, genres: list[str],
                               bins: int = 10) -> float:
    """The expected calibration error (ECE): the gap between confidence and accuracy, averaged
    over the bins of :func:`reliability_table` weighted by their clips (0 is perfectly calibrated).

    >>> probs = np.array([[0.95, 0.05], [0.9, 0.1], [0.6, 0.4], [0.55, 0.45]])
    >>> round(expected_calibration_error(probs, np.array(["a", "a", "a", "b"]), ["a", "b"], bins=4), 4)
    0.075
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
    opposite = []  # parts whose ECE and log loss moved in opposite directions
    for part in dict.fromkeys(scores.index.get_level_values(0)):
        b, a = scores.loc[(part, "before")], scores.loc[(part, "after")]
        lines.append(f"{part.capitalize()} clips: mean confidence {b['mean confidence']:.2f} → "
                     f"{a['mean confidence']:.2f} against an accuracy of {b['accuracy']:.0%}; ECE "
                     f"{b['ECE']:.3f} → {a['ECE']:.3f}; log loss {b['log loss']:.3f} → {a['log loss']:.3f}.")
        if np.sign(a["ECE"] - b["ECE"]) * np.sign(a["log loss"] - b["log loss"]) < 0:
            opposite.append(part)
    if opposite:
        lines.append(f"On the {' and the '.join(opposite)} clips the ECE and the log loss moved in opposite "
                     "directions. The log loss scores every clip's probability of its true genre; the ECE "
                     "sorts the clips into ten bins, and with a few dozen clips one clip crossing a bin edge "
                     "moves it by a point or more. Read changes this small in the ECE as noise (the "
                     "temperature is chosen for the lowest validation log loss, not the lowest ECE).")
    return " ".join(lines)


def describe_threshold(probs: dict[str, np.ndarray], labels: np.ndarray, genres: list[str],
                       thresholds: dict[str, float], target: float) -> str:
    """Markdown: the review threshold before and after calibration, and what each accepts on these clips.

    ``probs`` and ``thresholds`` hold two entries, before and after (in that order), as for
    :func:`plot_calibration`; ``target`` is the ``review_target`` both thresholds were chosen for.
    """
    (before, p_b), (after, p_a) = probs.items()
    t_b, t_a = thresholds[before], thresholds[after]
    cov_b, acc_b = coverage_at(coverage_curve(p_b, labels, genres), t_b)
    cov_a, acc_a = coverage_at(coverage_curve(p_a, labels, genres), t_a)
    moved = int(((p_b.max(axis=1) >= t_b) != (p_a.max(axis=1) >= t_a)).sum())

    def accepted(coverage: float, accuracy: float) -> str:
        return f"{coverage:.0%} ({accuracy:.0%} of them right)" if coverage else "none"

    return (f"Chosen on the validation clips for {target:.0%} accuracy, the review threshold moves from "
            f"**{t_b:.2f}** to **{t_a:.2f}**. On these {len(labels)} clips it accepts "
            f"{accepted(cov_b, acc_b)} "
            f"{before} and {accepted(cov_a, acc_a)} {after}; {moved} clip{'s' if moved != 1 else ''} "
            "changed sides.")


def plot_calibration(probs: dict[str, np.ndarray], labels: np.ndarray, genres: list[str],
                     thresholds: dict[str, float], bins: int = 10) -> Figure:
    """Reliability diagrams (top) and notebook 05's coverage curves (bottom), one column per title.

    Parameters
    ----------
    probs
        Title (e.g. ``"before"``, ``"after temperature scaling"``) -> ``(clips, genres)``
        probabilities of the same clips.
    labels, genres
        True genre names of the clips, and the genre of each column.
    thresholds
        Title -> the review threshold drawn on that column's coverage curve.
    bins
        Confidence bins of the reliability diagram.
    """
    import matplotlib.pyplot as plt  # here, not at the top: the prediction command imports this module

    from helpers.plots import draw_coverage

    fig, axes = plt.subplots(2, len(probs), figsize=(5.5 * len(probs), 8.5), squeeze=False)
    for (top, bottom), (title, p) in zip(axes.T, probs.items(), strict=True):
        table = reliability_table(p, labels, genres, bins)
        ece = expected_calibration_error(p, labels, genres, bins)
        top.bar(table["low"], table["accuracy"], width=1 / bins, align="edge", color="tab:blue",
                edgecolor="white", label="accuracy of the clips in the bin")
        top.scatter(table["low"] + 0.5 / bins, table["confidence"], marker="_", s=250, color="tab:red",
                    zorder=3, label="mean confidence in the bin (what the model claimed)")
        top.plot([0, 1], [0, 1], ":", color="grey", label="perfectly calibrated")
        for _, row in table.iterrows():  # clips per bin, above the bar (readable on an empty bar too)
            top.annotate(f"{row['clips']:.0f}", (row["low"] + 0.5 / bins, row["accuracy"] + 0.01),
                         ha="center", va="bottom", fontsize=7)
        top.set(xlim=(0, 1), ylim=(0, 1.4), yticks=np.linspace(0, 1, 6),
                xlabel="confidence (top probability)",
                ylabel="accuracy (the number: clips in the bin)", title=f"{title}: ECE {ece:.3f}")
        top.legend(loc="upper left", fontsize=8, ncols=1, framealpha=1)
        draw_coverage(bottom, coverage_curve(p, labels, genres), thresholds[title])
        bottom.set_title("coverage vs accuracy")
        bottom.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    return fig
