"""Coverage curve and review threshold."""

import numpy as np
import pandas as pd

from helpers import calibration


def test_coverage_curve_and_threshold_choice():
    genres = ["a", "b"]
    probs = np.array([[0.95, 0.05], [0.9, 0.1], [0.7, 0.3], [0.6, 0.4], [0.55, 0.45]])
    labels = np.array(["a", "a", "b", "a", "b"])  # the 0.7 and 0.55 ones are wrong
    curve = calibration.coverage_curve(probs, labels, genres)
    assert curve["threshold"].tolist() == [0.55, 0.6, 0.7, 0.9, 0.95]
    assert curve["coverage"].tolist() == [1.0, 0.8, 0.6, 0.4, 0.2]
    np.testing.assert_allclose(curve["accuracy"], [3 / 5, 3 / 4, 2 / 3, 1, 1])
    assert calibration.choose_threshold(curve, 0.74) == 0.6
    assert calibration.choose_threshold(curve, 0.99) == 0.9
    assert calibration.choose_threshold(curve, 1.5) == 0.95


def test_coverage_at_a_threshold():
    curve = pd.DataFrame({"threshold": [0.3, 0.6, 0.9], "coverage": [1, 0.5, 0.2],
                          "accuracy": [0.6, 0.85, 1.0]})
    assert calibration.coverage_at(curve, 0.5) == (0.5, 0.85)
    coverage, accuracy = calibration.coverage_at(curve, 0.95)
    assert coverage == 0 and np.isnan(accuracy)
