"""The review threshold: which songs to accept and which to send to a person.

A song's *confidence* is its top genre probability. Songs at or above the review
threshold are accepted, the others flagged ``needs_review``
(:func:`helpers.predict.top3_row`). Notebook 03 chooses the threshold on validation
clips (:func:`coverage_curve`, :func:`choose_threshold`); notebook 05 reads the
coverage it gives on test clips (:func:`coverage_at`); notebook 07 compares it before
and after temperature scaling (:func:`describe_threshold`, :mod:`helpers.temperature`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


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


def describe_threshold(probs: dict[str, np.ndarray], labels: np.ndarray, genres: list[str],
                       thresholds: dict[str, float], target: float) -> str:
    """Markdown: the review threshold before and after calibration, and what each accepts on these clips.

    ``probs`` and ``thresholds`` hold two entries, before and after (in that order), as for
    :func:`helpers.plots.plot_calibration`; ``target`` is the ``review_target`` both thresholds were
    chosen for. Where the accepted clips fall short of it, a paragraph says so.
    """
    (before, p_b), (after, p_a) = probs.items()
    t_b, t_a = thresholds[before], thresholds[after]
    cov_b, acc_b = coverage_at(coverage_curve(p_b, labels, genres), t_b)
    cov_a, acc_a = coverage_at(coverage_curve(p_a, labels, genres), t_a)
    moved = int(((p_b.max(axis=1) >= t_b) != (p_a.max(axis=1) >= t_a)).sum())

    def accepted(coverage: float, accuracy: float) -> str:
        return f"{coverage:.0%} ({accuracy:.0%} of them right)" if coverage else "none"

    text = (f"Chosen on the validation clips for {target:.0%} accuracy, the review threshold moves from "
            f"**{t_b:.2f}** to **{t_a:.2f}**. On these {len(labels)} clips it accepts "
            f"{accepted(cov_b, acc_b)} "
            f"{before} and {accepted(cov_a, acc_a)} {after}; {moved} clip{'s' if moved != 1 else ''} "
            "changed sides.")
    short = [(when, round(cov * len(labels)), acc) for when, cov, acc in ((before, cov_b, acc_b),
                                                                          (after, cov_a, acc_a))
             if cov and acc < target]
    for when, n, acc in short:
        text += (f"\n\n**Surprise:** the clips accepted {when} fall short of the {target:.0%} target: "
                 f"{acc:.0%} of {n} right, {n - round(acc * n)} wrong. The threshold reached the target on "
                 "the validation clips it was chosen on; these are other clips.")
    return text
