"""Tests of helpers.metrics: accuracy, confusions, per-genre scores."""

import numpy as np
import pytest

from helpers.metrics import evaluate, most_confused, per_genre_report


def test_evaluate_counts_a_confusion_matrix_with_names():
    genres = ["a", "b"]
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    report = evaluate(probs, ["a", "b", "b"], genres)
    assert report["accuracy"] == pytest.approx(2 / 3)
    assert report["confusion"].loc["b", "a"] == 1
    assert report["confusion"].loc["a", "a"] == 1
    assert list(report["predicted"]) == ["a", "b", "a"]


def test_per_genre_report_and_most_confused():
    genres = ["a", "b", "c"]
    labels = np.array(["a", "a", "a", "b", "b", "c"])
    predicted = np.array(["a", "b", "b", "b", "b", "a"])
    table = per_genre_report(labels, predicted, genres)
    assert table.loc["a", "recall"] == pytest.approx(1 / 3)
    assert table.loc["b", "precision"] == pytest.approx(2 / 4)
    assert table.loc["c", "recall"] == 0 and table["clips"].tolist() == [3, 2, 1]
    cm = evaluate(np.eye(3)[[genres.index(p) for p in predicted]], labels, genres)["confusion"]
    pairs = most_confused(cm, 2)
    assert pairs[["true", "predicted", "clips"]].values.tolist() == [["a", "b", 2], ["c", "a", 1]]
    assert pairs["share of true genre"].tolist() == pytest.approx([2 / 3, 1.0])
