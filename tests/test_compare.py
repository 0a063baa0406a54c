"""Comparing augmentation with none over seeds: the sweep's table, the reduced runs, the statistics."""

from __future__ import annotations

import dataclasses
import types

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from scipy import stats

from helpers import compare
from helpers.config import load_settings, sweep_table


def _runs(none, augmented, baseline=0.3):
    seeds = range(len(none))
    return pd.DataFrame({"augment": ["none"] * len(none) + ["specaugment"] * len(augmented),
                         "seed": [*seeds, *seeds], "test_accuracy": [*none, *augmented],
                         "baseline_accuracy": baseline})


def test_paired_statistics_are_those_of_the_differences():
    runs = _runs([0.70, 0.75, 0.80, 0.72], [0.74, 0.76, 0.85, 0.72])
    summary = compare.summarize_runs(runs)
    assert list(summary.index) == ["none", "specaugment"]
    assert summary.loc["none", "seeds"] == 4
    np.testing.assert_allclose(summary["mean"], [0.7425, 0.7675])
    d = np.array([0.04, 0.01, 0.05, 0.0])
    row = summary.loc["specaugment"]
    assert row["mean_difference"] == pytest.approx(d.mean())
    assert row["difference_std"] == pytest.approx(d.std(ddof=1))
    paired = stats.ttest_rel([0.74, 0.76, 0.85, 0.72], [0.70, 0.75, 0.80, 0.72])
    assert row["p_value"] == pytest.approx(paired.pvalue)
    half = stats.t.ppf(0.975, 3) * d.std(ddof=1) / 2
    assert (row["low"], row["high"]) == pytest.approx((d.mean() - half, d.mean() + half))
    assert (row["better"], row["worse"]) == (3, 0)
    text = compare.describe_comparison(runs, 60)
    assert "better on 3 seeds, worse on 0, tied on 1" in text and "+2.5 points" in text


@pytest.mark.parametrize("seeds", [2, 3, 5, 10])
def test_paired_t_is_scipys_paired_t_test(seeds):
    rng = np.random.default_rng(seeds)
    none = rng.uniform(0.6, 0.9, seeds)
    augmented = none + rng.normal(0.02, 0.03, seeds)
    paired = compare.paired_t(augmented - none)
    scipy = stats.ttest_rel(augmented, none)
    interval = scipy.confidence_interval(0.95)
    assert paired["p_value"] == pytest.approx(scipy.pvalue)
    assert (paired["low"], paired["high"]) == pytest.approx((interval.low, interval.high))
    assert paired["mean_difference"] == pytest.approx(np.mean(augmented - none))
    ninety = compare.paired_t(augmented - none, level=0.9)
    assert (ninety["low"], ninety["high"]) == pytest.approx(tuple(scipy.confidence_interval(0.9)))


def test_paired_t_gives_no_interval_without_a_spread():
    for d in (np.array([0.05]), np.array([0.1, 0.1, 0.1 + 1e-12])):
        paired = compare.paired_t(d)
        assert paired["mean_difference"] == pytest.approx(d.mean())
        assert np.isnan([paired["low"], paired["high"], paired["p_value"]]).all()


def test_the_verdict_follows_the_interval():
    assert "excludes 0" in compare.describe_comparison(_runs([0.70, 0.72, 0.74], [0.80, 0.83, 0.84]), 60)
    assert "better on 1 seed, worse on 1, tied on 0" in compare.describe_comparison(
        _runs([0.70, 0.72], [0.75, 0.70]), 60)
    assert "could be chance" in compare.describe_comparison(_runs([0.70, 0.72, 0.74], [0.75, 0.70, 0.73]), 60)
    same = _runs([0.70, 0.80], [0.80, 0.90])  # equal differences: no interval
    assert np.isnan(compare.summarize_runs(same).loc["specaugment", "low"])
    assert "more seeds are needed" in compare.describe_comparison(same, 60)


def test_a_baseline_inside_the_networks_margin_is_named():
    runs = _runs([0.70, 0.80], [0.75, 0.90], baseline=0.65)
    assert compare.accuracy_margin(0.7, 60) == pytest.approx(1.96 * np.sqrt(0.7 * 0.3 / 60))
    text = compare.describe_baseline(runs, 60)  # margins 11.6, 10.1, 11.0 and 7.6 points
    assert text.startswith("**Surprise:** in 2 of 4 runs the baseline")
    assert "seed 0, augment none: network 70.0% ± 11.6% on 60 test clips, baseline 65.0%" in text
    assert "seed 0, augment specaugment: network 75.0% ± 11.0% on 60 test clips, baseline 65.0%" in text
    assert "seed 1" not in text
    assert compare.describe_baseline(runs, 600) == ""
    behind = _runs([0.60], [0.70], baseline=0.65)
    assert "seed 0, augment none: network 60.0% ± 12.4% on 60 test clips, baseline 65.0% (ahead)" in \
        compare.describe_baseline(behind, 60)
    own_sizes = runs.assign(test_clips=[60, 60, 600, 600])  # as the committed table gives them, per seed
    assert "seed 1, augment none: network 80.0% ± 3.2% on 600 test clips" not in compare.describe_baseline(
        own_sizes, 60)
    assert "seed 0, augment none: network 70.0% ± 11.6% on 60 test clips" in compare.describe_baseline(
        own_sizes, 600), "each run's own number of test clips, not the one given"
    assert compare.describe_comparison(runs, 60).endswith("has not clearly beaten a far simpler model.")
    assert "Surprise" not in compare.describe_comparison(runs, 600)


def _write_sweep(cfg, rows):
    path = sweep_table(["augment", "seed"])
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pd.DataFrame([{"augment": a, "seed": s, "test_accuracy": acc, "baseline_accuracy": 0.5,
                           "best_epoch": 3, "notebook_seconds": 1.0,
                           "run_name": dataclasses.replace(c, augment=a, seed=s).run_name}
                          for c, a, s, acc in rows])
    table.to_csv(path, index=False)
    return path


def test_the_committed_results_table_is_read_for_the_default_settings_with_its_source():
    cfg = load_settings()
    runs, note = compare.sweep_runs(cfg)
    assert sorted(runs["seed"].unique()) == [0, 1, 2, 3, 4]
    assert set(runs["augment"]) == {"none", "specaugment"}
    assert "docs/results/runs.csv" in note and "make results" in note and "commit" in note
    assert compare.sweep_runs(dataclasses.replace(cfg, learning_rate=0.003))[0] is None, "other settings"


def test_the_sweep_table_is_read_for_matching_settings_only(monkeypatch, tmp_path):
    monkeypatch.setattr(compare, "RUNS_TABLE", tmp_path / "no-results.csv")  # no committed table
    cfg = load_settings()
    runs, note = compare.sweep_runs(cfg)
    assert runs is None and compare.SWEEP_COMMAND in note
    other = load_settings(learning_rate=0.003)
    _write_sweep(cfg, [(cfg, "none", 0, 0.7), (cfg, "specaugment", 0, 0.8), (cfg, "none", 1, 0.72),
                       (cfg, "specaugment", 1, 0.79), (cfg, "none", 2, 0.75),  # seed 2 is incomplete
                       (other, "none", 3, 0.1), (other, "specaugment", 3, 0.1)])
    runs, note = compare.sweep_runs(cfg)
    assert runs[["augment", "seed"]].values.tolist() == [["none", 0], ["specaugment", 0], ["none", 1],
                                                        ["specaugment", 1]]
    assert list(runs.columns) == compare.RUN_COLUMNS and "4 runs" in note and "synthetic dataset" in note
    runs, note = compare.sweep_runs(dataclasses.replace(cfg, epochs=3))
    assert runs is None and "fewer than two seeds" in note


def test_the_reduced_comparison_trains_all_but_notebook_03s_run(monkeypatch):
    cfg = load_settings(seed=4)
    trained = []

    def fake_train_and_test(run_cfg, X, labels, genres, split, verbose, audio_frames=None):
        trained.append((run_cfg.augment, run_cfg.seed))
        assert dataclasses.replace(run_cfg, augment=cfg.augment, seed=cfg.seed) == cfg, "only these two vary"
        return types.SimpleNamespace(report={"accuracy": 0.5 + run_cfg.seed / 100}, baseline_accuracy=0.4,
                                     result=types.SimpleNamespace(best_epoch=7))

    monkeypatch.setattr(compare, "train_and_test", fake_train_and_test)
    known = {"test_accuracy": 0.9, "baseline_accuracy": 0.3, "best_epoch": 2}
    runs, note = compare.train_runs(cfg, None, None, ["a"], None, known, seeds=2)
    assert trained == [("specaugment", 4), ("none", 5), ("specaugment", 5)]
    assert runs.iloc[0].tolist() == ["none", 4, 0.9, 0.3, 2]
    assert runs["test_accuracy"].tolist()[1:] == [0.54, 0.55, 0.55]
    assert "3 trainings" in note and "2 seeds" in note and "reused" in note
    trained.clear()
    cfg = load_settings(seed=4, augment="specaugment_mixup")  # not one of the values compared: all trained
    runs, note = compare.train_runs(cfg, None, None, ["a"], None, known, seeds=2)
    assert trained == [("none", 4), ("specaugment", 4), ("none", 5), ("specaugment", 5)]
    assert runs["augment"].tolist() == ["none", "specaugment"] * 2
    assert 0.9 not in runs["test_accuracy"].tolist()
    assert "4 trainings" in note and "'specaugment_mixup', is not one of the values compared" in note


def test_paired_figure():
    runs = _runs([0.7, 0.75, 0.8], [0.74, 0.76, 0.85])
    fig = compare.plot_paired(runs)
    assert [ax.get_title() for ax in fig.axes] == ["One line per seed", "Paired differences (same seed)"]
    ax_runs, ax_diff = fig.axes
    assert ax_runs.get_ylim() == (0, 1.02), "accuracy from 0: a few points look like a few points"
    assert "baseline (mean over the runs)" in [t.get_text() for t in ax_runs.get_legend().get_texts()]
    row = compare.summarize_runs(runs).loc["specaugment"]
    (bar,) = [c for c in ax_diff.collections if isinstance(c, LineCollection)]
    (segment,) = bar.get_segments()
    np.testing.assert_allclose(segment[:, 1], [100 * row["low"], 100 * row["high"]])
    low, high = ax_diff.get_ylim()  # 0 and the whole interval in view
    assert low == -high and high >= 100 * row["high"] and low <= 100 * row["low"]


def test_paired_figure_without_an_interval():
    fig = compare.plot_paired(_runs([0.70, 0.80], [0.80, 0.90]))  # equal differences
    assert fig.axes[1].get_ylim() == pytest.approx((-11.5, 11.5))
    assert "95% t interval of the mean" not in [t.get_text() for t in fig.axes[1].get_legend().get_texts()]


def test_paired_figure_shows_seeds_that_coincide():
    fig = compare.plot_paired(_runs([0.7, 0.75, 0.78], [0.8, 0.77, 0.8]))  # seeds 0 and 2 end alike
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["seed 1", "seeds 0, 2"]
    fig = compare.plot_paired(_runs([0.7, 0.75, 0.8], [0.72, 0.8, 0.82]))  # seeds 0 and 2 gain 2 points
    points = fig.axes[1].collections[0].get_offsets()
    assert len({tuple(np.round(p, 6)) for p in points}) == 3, "every seed's difference is a visible dot"
