"""Tests of helpers.temperature: temperature scaling, reliability and ECE."""

import numpy as np
import pandas as pd
import pytest
from scipy.special import softmax
from sklearn.calibration import calibration_curve

from helpers import calibration, temperature
from helpers.plots import plot_calibration


def _softmax(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_temper_softens_and_sharpens():
    assert temperature.temper(np.array([[0.8, 0.2]]), 2.0).round(3).tolist() == [[0.667, 0.333]]
    probs = np.array([[0.7, 0.2, 0.1]])
    np.testing.assert_allclose(temperature.temper(probs, 0.5), softmax(np.log(probs) / 0.5, axis=1))


def test_temper_is_temperature_scaling_of_the_logits():
    logits = np.random.default_rng(0).normal(size=(50, 4), scale=3)
    probs = _softmax(logits).astype(np.float32)
    assert temperature.temper(probs, 1.0) is probs, "temperature 1 leaves the model's own numbers"
    for t in (0.5, 2.0, 7.0):
        scaled = temperature.temper(probs, t)
        np.testing.assert_allclose(scaled, _softmax(logits / t), rtol=1e-4, atol=1e-6)
        assert scaled.dtype == np.float32
        assert (scaled.argmax(axis=1) == probs.argmax(axis=1)).all()
    assert (temperature.temper(probs, 2.0).max(axis=1) <= probs.max(axis=1) + 1e-6).all()


def test_fitted_temperature_recovers_the_one_that_made_the_labels():
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(4000, 3), scale=4)
    labels = np.array([rng.choice(3, p=p) for p in _softmax(logits / 2.5)])  # the truth is T = 2.5
    genres = ["a", "b", "c"]
    window_probs = _softmax(logits)[:, None, :]  # one window per clip
    t = temperature.fit_temperature(window_probs, np.array(genres)[labels], genres)
    assert t == pytest.approx(2.5, rel=0.1)
    before = temperature.clip_mean(window_probs)
    after = temperature.clip_mean(window_probs, t)
    named = np.array(genres)[labels]
    assert temperature.log_loss(after, named, genres) < temperature.log_loss(before, named, genres)
    assert (temperature.expected_calibration_error(after, named, genres)
            < temperature.expected_calibration_error(before, named, genres))


def test_temperature_is_never_worse_than_none_on_the_clips_it_is_fitted_on():
    window_probs = np.array([[[0.9, 0.1]], [[0.2, 0.8]]])  # perfectly right and sure: only sharper helps
    labels = np.array(["a", "b"])
    t = temperature.fit_temperature(window_probs, labels, ["a", "b"])
    assert t <= 1
    assert (temperature.log_loss(temperature.clip_mean(window_probs, t), labels, ["a", "b"])
            <= temperature.log_loss(temperature.clip_mean(window_probs), labels, ["a", "b"]))


def test_clip_mean_averages_the_windows_then_tempers_keeping_the_top_genre():
    window_probs = np.array([[[0.8, 0.2], [0.4, 0.6]], [[0.05, 0.95], [0.45, 0.55]]])
    np.testing.assert_allclose(temperature.clip_mean(window_probs), [[0.6, 0.4], [0.25, 0.75]])
    for t in (0.05, 3.0):
        scaled = temperature.clip_mean(window_probs, t)
        np.testing.assert_allclose(scaled, temperature.temper(window_probs.mean(axis=1), t))
        assert scaled.argmax(axis=1).tolist() == [0, 1]


def test_reliability_table_of_four_clips():
    probs = np.array([[0.95, 0.05], [0.9, 0.1], [0.6, 0.4], [0.55, 0.45]])
    labels = np.array(["a", "a", "a", "b"])
    table = temperature.reliability_table(probs, labels, ["a", "b"], bins=4).round(3)
    assert table.to_dict("list") == {"low": [0.5, 0.75], "high": [0.75, 1.0], "clips": [2, 2],
                                     "confidence": [0.575, 0.925], "accuracy": [0.5, 1.0]}
    assert temperature.expected_calibration_error(probs, labels, ["a", "b"], bins=4) == pytest.approx(0.075)


@pytest.mark.parametrize("bins", [5, 10, 15])
def test_reliability_table_bins_as_sklearn_calibration_curve(bins):
    rng = np.random.default_rng(bins)
    probs = softmax(rng.normal(size=(300, 4), scale=2), axis=1)
    probs[:5] = [0.6, 0.2, 0.1, 0.1]  # on a bin edge for 5 and 10 bins
    labels = np.array(list("abcd"))[rng.integers(0, 4, 300)]
    table = temperature.reliability_table(probs, labels, list("abcd"), bins)
    correct = probs.argmax(axis=1) == np.searchsorted(list("abcd"), labels)
    accuracy, confidence = calibration_curve(correct, probs.max(axis=1), n_bins=bins)
    np.testing.assert_allclose(table["accuracy"], accuracy)
    np.testing.assert_allclose(table["confidence"], confidence)
    assert table["clips"].sum() == 300


def test_reliability_table_and_ece():
    genres = ["a", "b"]
    probs = np.array([[0.95, 0.05], [0.85, 0.15], [0.65, 0.35], [0.62, 0.38], [0.3, 0.7]])
    labels = np.array(["a", "b", "a", "b", "b"])
    table = temperature.reliability_table(probs, labels, genres, bins=5)
    assert table["clips"].tolist() == [3, 2] and table["low"].tolist() == pytest.approx([0.6, 0.8])
    np.testing.assert_allclose(table["accuracy"], [2 / 3, 0.5])
    np.testing.assert_allclose(table["confidence"], [(0.65 + 0.62 + 0.7) / 3, 0.9])
    ece = temperature.expected_calibration_error(probs, labels, genres, bins=5)
    assert ece == pytest.approx((3 * abs(2 / 3 - 1.97 / 3) + 2 * 0.4) / 5)
    perfect = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert temperature.expected_calibration_error(perfect, np.array(["a", "b"]), genres) == 0


def test_scores_sentences_and_figure():
    import matplotlib

    matplotlib.use("Agg")
    genres = ["a", "b"]
    window_probs = np.array([[[0.9, 0.1], [0.7, 0.3]], [[0.6, 0.4], [0.8, 0.2]], [[0.3, 0.7], [0.2, 0.8]]])
    labels = np.array(["a", "b", "b"])
    scores = temperature.calibration_scores({"validation": (window_probs, labels)}, genres, 2.0)
    assert scores.index.tolist() == [("validation", "before"), ("validation", "after")]
    assert scores["accuracy"].tolist() == [2 / 3, 2 / 3]
    assert scores.loc[("validation", "after"), "mean confidence"] < scores.loc[("validation", "before"),
                                                                                "mean confidence"]
    assert "overconfident" in temperature.describe_temperature(2.0, scores)
    assert "underconfident" in temperature.describe_temperature(0.5, scores)
    assert "do not trust it" in temperature.describe_temperature(0.08, scores)
    assert "do not trust" not in temperature.describe_temperature(0.5, scores)
    probs = {"before": temperature.clip_mean(window_probs), "after": temperature.clip_mean(window_probs, 2.0)}
    thresholds = {"before": 0.7, "after": 0.99}
    text = calibration.describe_threshold(probs, labels, genres, thresholds, 0.9)
    assert "from **0.70** to **0.99**" in text
    assert "accepts 100% (67% of them right) before and none after" in text
    assert "3 clips changed sides" in text
    assert text.endswith("**Surprise:** the clips accepted before fall short of the 90% target: 67% of 3 "
                         "right, 1 wrong. The threshold reached the target on the validation clips it was "
                         "chosen on; these are other clips.")
    assert "Surprise" not in calibration.describe_threshold(probs, labels, genres, thresholds, 0.6)
    fig = plot_calibration(probs, labels, genres, thresholds, bins=5, target=0.9)
    assert len(fig.axes) == 4 and fig.axes[0].get_title().startswith("before: ECE")
    assert "review target 90%" in [t.get_text() for t in fig.axes[2].get_legend().get_texts()]


def test_describe_temperature_near_one_and_an_ece_against_the_log_loss():

    from helpers.temperature import describe_temperature

    index = pd.MultiIndex.from_tuples([("validation", "before"), ("validation", "after")])
    scores = pd.DataFrame({"ECE": [0.087, 0.111], "log loss": [0.544, 0.543], "mean confidence": [0.81, 0.80],
                           "accuracy": [0.8, 0.8]}, index=index)
    text = describe_temperature(1.05, scores)
    assert "close to 1" in text and "overconfident" not in text
    assert ("**Surprise:** temperature scaling raised the ECE of the validation clips (validation: ECE "
            "0.087 → 0.111, while the log loss fell).") in text
    assert "overconfident" in describe_temperature(1.3, scores)
    both_fell = scores.assign(ECE=[0.111, 0.087])
    assert "Surprise" not in describe_temperature(1.3, both_fell)
    two = pd.concat([both_fell, scores.assign(**{"log loss": [0.504, 0.506]})
                     .set_axis(pd.MultiIndex.from_tuples([("test", "before"), ("test", "after")]))])
    text = describe_temperature(1.05, two)
    assert text.count("**Surprise:**") == 1
    assert "raised the ECE of the test clips (test: ECE 0.087 → 0.111" in text
    assert "log loss did not fall" in text
    both = pd.concat([scores, two.loc[["test"]]])
    text = describe_temperature(1.05, both)
    assert "raised the ECE of the validation and the test clips (validation: " in text


def test_log_loss_of_float32_softmax_outputs_warns_nothing():
    import warnings

    probs = _softmax(np.random.default_rng(3).normal(size=(200, 10), scale=4)).astype(np.float32)
    probs[:, 0] += 3e-7  # float32 rounding: rows sum to 1 only approximately
    labels = np.array(list("abcdefghij"))[probs.argmax(axis=1)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = temperature.log_loss(probs, labels, list("abcdefghij"))
    assert loss == pytest.approx(-np.log(probs.max(axis=1) / probs.sum(axis=1)).mean(), rel=1e-5)
