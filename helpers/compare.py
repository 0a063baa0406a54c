"""Does a setting help? Two values of it compared over several seeds, paired by seed.

One training run is one draw: another seed gives another initialization, another order of
the batches, other random alterations (and, for the synthetic set, other data and another
split), and the test accuracy moves by a few points for no other reason. So a setting is
compared with ``none`` over several seeds, and the comparison is *paired*: the two runs of one
seed share everything but the setting, and the differences within seeds are what count.

The runs come from ``make sweep`` (:data:`SWEEP_COMMAND`, notebook 03 once per run, read back
by :func:`sweep_runs`) or, when that table is missing, from a reduced set trained here
(:func:`train_runs`).
"""

from __future__ import annotations

import dataclasses
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from helpers.config import Settings, sweep_table
from helpers.pipeline import train_and_test
from helpers.progress import progress_bar
from helpers.results import RUNS_TABLE, reference_runs, seed_changes, table_source

#: The setting compared and its values: the first is the reference.
SETTING, COMPARED = "augment", ("none", "specaugment")
#: Seeds of the full comparison, and of the reduced one run when no sweep table is found.
SWEEP_SEEDS, REDUCED_SEEDS = (0, 1, 2, 3, 4), 2
#: The command that makes the full comparison's table.
SWEEP_COMMAND = (f'make sweep SWEEP="{SETTING}={",".join(COMPARED)} '
                 f'seed={",".join(map(str, SWEEP_SEEDS))}"')
#: Columns of a table of runs.
RUN_COLUMNS = [SETTING, "seed", "test_accuracy", "baseline_accuracy", "best_epoch"]


def sweep_runs(cfg: Settings) -> tuple[pd.DataFrame | None, str]:
    """The runs that match ``cfg``: from the committed results table (``make results``,
    :data:`helpers.results.RUNS_TABLE`) when it holds these settings, else from the local sweep
    table made by :data:`SWEEP_COMMAND`.

    A row matches when its run had ``cfg``'s settings except the compared setting and the seed
    (its ``run_name`` says so). Usable: at least two seeds that have every value of
    :data:`COMPARED`.

    Returns
    -------
    runs, note
        The matching runs (:data:`RUN_COLUMNS`, one row per run) or ``None``, and a sentence
        saying where they come from, or why none could be used.
    """
    if RUNS_TABLE.is_file():
        committed = pd.read_csv(RUNS_TABLE)
        committed = reference_runs(committed[committed["split"] == cfg.split], cfg)
        runs = _complete(committed)
        if runs["seed"].nunique() >= 2:
            return runs, (f"From {table_source()}: notebook 03 run once per seed and value, {len(runs)} "
                          f"runs; a seed there draws {seed_changes(cfg)}.")
    path = sweep_table([SETTING, "seed"])
    if not path.is_file():
        return None, (f"No results for these settings, and no sweep table at {path.name}: "
                      f"`{SWEEP_COMMAND}` makes it.")
    table = pd.read_csv(path)
    expected = [dataclasses.replace(cfg, **{SETTING: v, "seed": int(s)}).run_name
                for v, s in zip(table[SETTING], table["seed"], strict=True)]
    runs = _complete(table[table["run_name"] == expected])
    if runs["seed"].nunique() < 2:
        return None, (f"The sweep table {path.name} has fewer than two seeds with every value of "
                      f"{SETTING} for these settings: `{SWEEP_COMMAND}` (with these parameters) makes them.")
    return runs, (f"From the sweep table {path.name}: notebook 03 run once per "
                  f"seed and value, {len(runs)} runs; a seed there draws {seed_changes(cfg)}.")


def _complete(table: pd.DataFrame) -> pd.DataFrame:
    """The runs of the seeds that have every value of :data:`COMPARED` (:data:`RUN_COLUMNS`)."""
    table = table[table[SETTING].isin(COMPARED)]
    complete = table.groupby("seed")[SETTING].nunique() == len(COMPARED)
    columns = RUN_COLUMNS + ["test_clips"] * ("test_clips" in table)  # the committed table has them
    return table[table["seed"].isin(complete[complete].index)][columns].reset_index(drop=True)


def train_runs(cfg: Settings, X: np.ndarray, labels: np.ndarray, genres: list[str], split: pd.Series,
               known: dict[str, float], seeds: int = REDUCED_SEEDS,
               audio_frames: np.ndarray | None = None) -> tuple[pd.DataFrame, str]:
    """The reduced comparison: every value of :data:`COMPARED` for ``seeds`` seeds, trained here.

    The data and the split stay those of ``cfg``; the seeds ``cfg.seed, cfg.seed + 1, ...``
    change only the initialization, the batch order and the random alterations. The run that
    ``cfg`` itself describes is notebook 03's, so its numbers come from ``known``
    (``bundle.info``: ``test_accuracy``, ``baseline_accuracy``, ``best_epoch``) instead of
    being trained again. ``audio_frames`` (each clip's frames of audio) leaves padding out.

    Returns
    -------
    runs, note
        One row per run (:data:`RUN_COLUMNS`), and a sentence saying how they were made and
        how long that took.
    """
    start = time.perf_counter()
    own = (getattr(cfg, SETTING), cfg.seed)
    jobs = [(value, cfg.seed + i) for i in range(seeds) for value in COMPARED]
    rows = {}  # (value, seed) -> the run's row
    if own in jobs:
        rows[own] = {SETTING: own[0], "seed": own[1], **{k: known[k] for k in RUN_COLUMNS[2:]}}
    to_train = [job for job in jobs if job not in rows]
    for value, seed in progress_bar(to_train, desc="trainings", unit="run"):
        trained = train_and_test(dataclasses.replace(cfg, **{SETTING: value, "seed": seed}),
                                 X, labels, genres, split, verbose=0, audio_frames=audio_frames)
        rows[value, seed] = {SETTING: value, "seed": seed, "test_accuracy": trained.report["accuracy"],
                             "baseline_accuracy": trained.baseline_accuracy,
                             "best_epoch": trained.result.best_epoch}
    own_run = ("notebook 03's run reused" if own in jobs else
               f"notebook 03's run, {SETTING} {own[0]!r}, is not one of the values compared")
    return pd.DataFrame([rows[job] for job in jobs], columns=RUN_COLUMNS), (
        f"Reduced comparison trained here: {' vs '.join(COMPARED)}, {seeds} seeds on this notebook's "
        f"data and split, {len(to_train)} trainings in {time.perf_counter() - start:.0f} s ({own_run}).")


def paired_differences(runs: pd.DataFrame) -> pd.DataFrame:
    """Per seed, the test accuracy of each compared value minus the reference's (``COMPARED[0]``).

    >>> runs = pd.DataFrame({"augment": ["none", "specaugment"] * 2, "seed": [0, 0, 1, 1],
    ...                      "test_accuracy": [0.7, 0.75, 0.8, 0.78]})
    >>> paired_differences(runs).round(2).to_dict("list")
    {'seed': [0, 1], 'specaugment': [0.05, -0.02]}
    """
    wide = runs.pivot(index="seed", columns=SETTING, values="test_accuracy")
    diffs = wide[[v for v in COMPARED[1:] if v in wide]].sub(wide[COMPARED[0]], axis=0)
    return diffs.reset_index().rename_axis(columns=None)


def paired_t(differences: np.ndarray, level: float = 0.95) -> dict[str, float]:
    """Mean of paired differences, its t interval and the paired t-test's p-value (notebook 07 shows it;
    :func:`scipy.stats.ttest_rel` gives the same).

    ``low``, ``high`` and ``p_value`` are NaN for fewer than two differences, or for differences that
    never vary (the same number of clips gained with every seed), which give no measure of the noise.
    """
    n, mean = len(differences), float(np.mean(differences))
    spread = float(np.std(differences, ddof=1)) if n > 1 else 0.0  # standard deviation of the differences
    if spread < 1e-9:  # (equal differences differ by rounding only)
        return {"mean_difference": mean, "difference_std": spread, "low": np.nan, "high": np.nan,
                "p_value": np.nan}
    error = spread / np.sqrt(n)  # standard error of the mean difference
    t = stats.t.ppf((1 + level) / 2, n - 1)  # 12.7 for 2 seeds, 2.8 for 5: fewer seeds, wider interval
    p = 2 * stats.t.sf(abs(mean) / error, n - 1)  # how often chance alone lands this far from 0
    return {"mean_difference": mean, "difference_std": spread, "low": mean - t * error,
            "high": mean + t * error, "p_value": float(p)}


def summarize_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean and spread of test accuracy per value, and the paired difference to the reference.

    Returns one row per value of :data:`COMPARED`: ``seeds``, ``mean``, ``std`` (over seeds),
    and for each value but the reference the columns of :func:`paired_t` of its differences
    (``mean_difference``, ``difference_std``, 95% interval ``low`` to ``high``, ``p_value``)
    and ``better`` / ``worse`` (seeds where it won or lost).
    """
    table = runs.groupby(SETTING)["test_accuracy"].agg(seeds="size", mean="mean", std="std")
    table = table.reindex([v for v in COMPARED if v in table.index])
    diffs = paired_differences(runs).drop(columns="seed")
    paired = {value: {**paired_t(d), "better": int((d > 0).sum()), "worse": int((d < 0).sum())}
              for value, d in ((value, diffs[value].to_numpy()) for value in diffs)}
    return table.join(pd.DataFrame.from_dict(paired, orient="index"))


def accuracy_margin(accuracy: float | np.ndarray, n: int) -> float | np.ndarray:
    """Half-width of the 95% interval of an accuracy measured on ``n`` clips (normal approximation,
    as notebook 03 prints it).

    >>> round(float(accuracy_margin(0.8, 60)), 3)
    0.101
    """
    return 1.96 * np.sqrt(accuracy * (1 - accuracy) / n)


def describe_baseline(runs: pd.DataFrame, n_test: int) -> str:
    """Markdown: the runs whose baseline lies inside the network's 95% margin, or ``""`` if none does.

    ``runs`` needs ``baseline_accuracy`` (:data:`RUN_COLUMNS`); ``n_test`` is the test clips per run,
    unless ``runs`` has a ``test_clips`` column (runs of several seeds of the synthetic set differ).
    """
    n = runs["test_clips"].fillna(n_test) if "test_clips" in runs else pd.Series(n_test, index=runs.index)
    margin = accuracy_margin(runs["test_accuracy"], n)
    inside = runs["baseline_accuracy"] >= runs["test_accuracy"] - margin
    if not inside.any():
        return ""
    listed = "; ".join(f"seed {r['seed']}, {SETTING} {r[SETTING]}: network {r['test_accuracy']:.1%} ± "
                       f"{margin[i]:.1%} on {n[i]:.0f} test clips, baseline {r['baseline_accuracy']:.1%}"
                       + (" (ahead)" if r["baseline_accuracy"] > r["test_accuracy"] else "")
                       for i, r in runs[inside].iterrows())
    return (f"**Surprise:** in {int(inside.sum())} of {len(runs)} runs the baseline (a logistic regression "
            f"on each mel band's mean and spread) lies inside the network's 95% margin ({listed}). There "
            "the network has not clearly beaten a far simpler model.")


def describe_comparison(runs: pd.DataFrame, n_test: int) -> str:
    """Markdown: each value's mean ± spread, what the paired differences say (:func:`summarize_runs`),
    and the runs whose baseline lies inside the network's margin (:func:`describe_baseline`)."""
    summary = summarize_runs(runs)
    reference = COMPARED[0]
    parts = [f"{value}: **{row['mean']:.1%}** ± {row['std']:.1%}" for value, row in summary.iterrows()]
    lines = [f"Test accuracy over {int(summary['seeds'].min())} seeds (mean ± standard deviation): "
             + "; ".join(parts) + "."]
    for value, row in summary.drop(index=reference).iterrows():
        n = int(summary.loc[value, "seeds"])
        better, worse = int(row["better"]), int(row["worse"])
        ties = n - better - worse
        line = (f"Paired by seed, {value} minus {reference}: **{100 * row['mean_difference']:+.1f} points** "
                f"on average; better on {better} seed{'s' * (better != 1)}, worse on {worse}, "
                f"tied on {ties}.")
        if np.isnan(row["low"]):
            line += (" The differences do not vary, or there are too few of them, so they give no interval: "
                     "more seeds are needed to tell a real difference from luck.")
        else:
            real = row["low"] > 0 or row["high"] < 0
            line += (f" The differences' standard deviation is {100 * row['difference_std']:.1f} points;"
                     f" 95% interval of the mean difference: {100 * row['low']:+.1f} to "
                     f"{100 * row['high']:+.1f}"
                     f" points (paired t-test p = {row['p_value']:.2f}). "
                     + ("The interval excludes 0: with these seeds the difference looks real."
                        if real else
                        "The interval includes 0: with these seeds the difference could be chance."))
        lines.append(line)
    return "\n\n".join([*lines, describe_baseline(runs, n_test)]).strip()


def _spread_ties(values: np.ndarray, step: float = 0.06) -> np.ndarray:
    """Horizontal offsets that set equal values side by side (centred), 0 for the others.

    >>> _spread_ties(np.array([0.1, 0.3, 0.1, 0.1])).round(2).tolist()
    [-0.06, 0.0, 0.0, 0.06]
    """
    rounded = np.round(values, 9)
    offsets = np.zeros(len(values))
    for value in np.unique(rounded):
        same = np.flatnonzero(rounded == value)
        offsets[same] = step * (np.arange(len(same)) - (len(same) - 1) / 2)
    return offsets


def plot_paired(runs: pd.DataFrame) -> Figure:
    """Test accuracy per seed on an axis from 0, one line per seed across the compared values, with
    the baseline's mean (left); the paired differences, their mean and its 95% t interval (right)."""
    wide = runs.pivot(index="seed", columns=SETTING, values="test_accuracy")
    values = [v for v in COMPARED if v in wide]
    fig, (ax_runs, ax_diff) = plt.subplots(1, 2, figsize=(11, 4.5), gridspec_kw={"width_ratios": [1.2, 1]})
    for _, row in wide[values].iterrows():
        ax_runs.plot(values, row.to_numpy(), "o-", color="grey", alpha=0.6)
    ends = wide[values[-1]].round(6)
    for end, seeds in ends.groupby(ends).groups.items():  # one label for the seeds that end alike
        ax_runs.annotate(f"seed{'s' * (len(seeds) > 1)} {', '.join(map(str, seeds))}", (len(values) - 1, end),
                         xytext=(6, 0), textcoords="offset points", fontsize=7, va="center")
    ax_runs.plot(values, wide[values].mean().to_numpy(), "s-", color="tab:blue", markersize=11,
                 markerfacecolor="none", label="mean")  # hollow: a seed's dot under it stays visible
    if "baseline_accuracy" in runs:
        ax_runs.axhline(runs["baseline_accuracy"].mean(), color="black", linestyle="--", linewidth=1,
                        label="baseline (mean over the runs)")
    ax_runs.set(ylabel="test accuracy", ylim=(0, 1.02), title="One line per seed",
                xlim=(-0.3, len(values) - 0.4))
    ax_runs.legend(loc="lower left")
    diffs = paired_differences(runs).set_index("seed")
    summary = summarize_runs(runs)
    reach = [5.0]  # points the right axis reaches either side of 0, at least
    for i, value in enumerate(diffs.columns):
        points, row = 100 * diffs[value], summary.loc[value]
        ax_diff.scatter(i + _spread_ties(points.to_numpy()), points, color="grey", zorder=3,
                        label="one seed" if i == 0 else None)
        mean, low, high = 100 * row["mean_difference"], 100 * row["low"], 100 * row["high"]
        if not np.isnan(low):
            ax_diff.errorbar([i], [mean], yerr=[[mean - low], [high - mean]], color="tab:blue", capsize=8,
                             linewidth=2, zorder=2, label="95% t interval of the mean" if i == 0 else None)
            reach += [abs(low), abs(high)]
        ax_diff.scatter([i], [mean], marker="_", s=900, color="tab:blue", zorder=4,
                        label="mean difference" if i == 0 else None)
        reach += list(points.abs())
    top = min(1.15 * max(reach), 100)
    ax_diff.axhline(0, color="black", linewidth=0.8)
    ax_diff.set_xticks(range(len(diffs.columns)), [f"{v} − {values[0]}" for v in diffs.columns])
    ax_diff.set(xlim=(-0.6, len(diffs.columns) + 0.9), ylim=(-top, top), ylabel="difference (points)",
                title="Paired differences (same seed)")
    ax_diff.legend(loc="upper right", fontsize=8)  # right of the last interval, clear of it
    fig.tight_layout()
    return fig
