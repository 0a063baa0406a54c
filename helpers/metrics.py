"""How good a model's clip predictions are: accuracy, confusions, per-genre precision and recall."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support


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
