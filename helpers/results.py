"""The measured results table: every number the docs quote that a run does not compute itself.

``make results`` trains notebook 03's model over seeds 0-4 of the default settings (with and
without augmentation, and with the random clip split) through ``make sweep``, then
:func:`run_metrics` reads each trained bundle back and measures what the docs quote: test and
baseline accuracy, the best epoch, the 5-NN accuracy of the learned embedding, the review
threshold and what it accepts. :func:`write_table` saves them as ``docs/results/runs.csv`` with
their provenance (command, commit, date, machine, library versions) beside it, and
``scripts/results_docs.py`` writes the ranges over seeds into the teacher's guide, the solutions
and the README, so no quoted number goes stale.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.bundle import load_bundle
from helpers.calibration import coverage_at, coverage_curve
from helpers.config import REPO_ROOT, Settings
from helpers.embed import clip_embeddings, cluster_scores
from helpers.features import dataset_features
from helpers.split import make_split
from helpers.temperature import clip_mean

#: Where the committed table and its provenance live.
RESULTS_DIR = REPO_ROOT / "docs" / "results"
#: The table of runs, one row per trained model.
RUNS_TABLE = RESULTS_DIR / "runs.csv"
#: The columns that tell runs apart, then what the table measures of each.
KEYS = ("seed", "augment", "split", "run_name")
METRICS = ("test_clips", "test_accuracy", "baseline_accuracy", "best_epoch", "train_seconds", "knn_all",
           "knn_test", "review_threshold", "accepted_share", "accepted_accuracy")
#: The two splits whose gap measures the leak of repeated songs (notebook 03): the honest one first.
LEAK_SPLITS = ("song", "random")
#: The libraries whose versions the provenance records.
LIBRARIES = ("keras", "tensorflow", "numpy", "scikit-learn", "librosa", "midirenderer")


def run_metrics(cfg: Settings) -> dict[str, object]:
    """The measured numbers of the model notebook 03 trained with ``cfg`` (read from its bundle).

    Returns
    -------
    dict
        ``seed``, ``augment``, ``split``, ``run_name`` and every name of :data:`METRICS`:
        the number of test clips, the bundle's test and baseline accuracy, best epoch and training
        seconds; the 5-NN accuracy of the learned embedding over all clips and over the test clips; the review
        threshold, and the share of test clips it accepts and their accuracy.
    """
    bundle = load_bundle(cfg.model_dir)
    clips, X, _ = dataset_features(cfg)
    test = (make_split(clips, cfg) == "test").to_numpy()
    labels = clips["label"].to_numpy()
    embeddings = clip_embeddings(bundle.model, X, bundle.window_frames)
    probs = clip_mean(bundle.clip_window_probabilities(X[test]), bundle.temperature)
    accepted_share, accepted_accuracy = coverage_at(coverage_curve(probs, labels[test], bundle.genres),
                                                    bundle.threshold)
    info = bundle.info
    return {"seed": cfg.seed, "augment": cfg.augment, "split": cfg.split, "run_name": cfg.run_name,
            "test_clips": int(test.sum()), "test_accuracy": info["test_accuracy"],
            "baseline_accuracy": info["baseline_accuracy"],
            "best_epoch": info["best_epoch"], "train_seconds": round(info["train_seconds"], 1),
            "knn_all": cluster_scores(embeddings, labels)["knn_accuracy"],
            "knn_test": cluster_scores(embeddings[test], labels[test])["knn_accuracy"],
            "review_threshold": bundle.threshold, "accepted_share": accepted_share,
            "accepted_accuracy": accepted_accuracy}


#: Folders of the code that makes a table's numbers: uncommitted changes there are named in its provenance.
CODE_FOLDERS = ("helpers", "notebooks", "params", "scripts")


def source_commit(root: Path = REPO_ROOT) -> str:
    """The commit the code under ``root`` comes from, ``+uncommitted`` when :data:`CODE_FOLDERS`
    hold changes it lacks (the numbers then come from code that commit does not have), or
    ``unknown`` outside a git checkout."""
    git = lambda *args: subprocess.run(["git", *args], capture_output=True, text=True, cwd=root)  # noqa: E731
    commit = git("rev-parse", "--short", "HEAD").stdout.strip()
    if not commit:
        return "unknown"
    changed = git("status", "--porcelain", "--", *CODE_FOLDERS).stdout.strip()
    return f"{commit}+uncommitted" if changed else commit


def provenance(command: str) -> dict[str, object]:
    """Where a table comes from: the command, the commit, the date, the machine and the libraries."""
    commit = source_commit()
    cpu = next((line.split(":", 1)[1].strip() for line in _cpuinfo() if line.startswith("model name")),
               platform.processor() or platform.machine())
    return {"command": command, "commit": commit, "date": datetime.date.today().isoformat(),
            "machine": f"{cpu}, {os.cpu_count()} cores, {platform.system()}",
            "python": platform.python_version(),
            "libraries": {name: _version(name) for name in LIBRARIES}}


def write_table(rows: list[dict[str, object]], command: str, path: Path = RUNS_TABLE) -> Path:
    """Save ``rows`` as the CSV ``path`` and its :func:`provenance` as ``<path>.provenance.json``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pd.DataFrame(rows)[[*KEYS, *METRICS]].sort_values(["split", "augment", "seed"])
    table.to_csv(path, index=False, float_format="%.4f")
    provenance_path(path).write_text(json.dumps(provenance(command), indent=2) + "\n")
    return path


def provenance_path(path: Path) -> Path:
    """The provenance file beside a results table."""
    return path.with_suffix(".provenance.json")


def reference_runs(table: pd.DataFrame, cfg: Settings) -> pd.DataFrame:
    """The rows of ``table`` that ``cfg`` would reproduce, whatever their seed, augment and split.

    A row matches when its ``run_name`` is the one ``cfg`` gets with that row's seed, augment and
    split (the name hashes every other setting), so a table measured with other settings or
    another dataset is never passed off as this run's.
    """
    expected = [dataclasses.replace(cfg, seed=int(s), augment=a, split=p).run_name
                for s, a, p in zip(table["seed"], table["augment"], table["split"], strict=True)]
    return table[table["run_name"].to_numpy() == np.array(expected)]


def seed_changes(cfg: Settings) -> str:
    """What another ``seed`` changes in a run of notebook 03 with these settings (for a sentence).

    >>> from helpers.config import load_settings
    >>> seed_changes(load_settings(data_dir="gtzan", split="fault_filtered"))
    'another initialization, batch order and random alterations (the data and the split are fixed)'
    """
    rest = "initialization, batch order and random alterations"
    if not cfg.data_dir:
        return f"another synthetic dataset, split, {rest}"
    if cfg.split == "fault_filtered":
        return f"another {rest} (the data and the split are fixed)"
    return f"another split, {rest}"


def table_source(path: Path = RUNS_TABLE) -> str:
    """Where a committed table's numbers come from, for a sentence: file, command, commit, date, machine."""
    source = json.loads(provenance_path(path).read_text())
    name = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path.name
    return (f"the committed results table {name} (`{source['command']}` at commit "
            f"{source['commit']}, {source['date']}, {source['machine']})")


def split_leak(cfg: Settings, path: Path = RUNS_TABLE) -> tuple[pd.DataFrame | None, str]:
    """Per seed, notebook 03's test accuracy with the song split and with the random clip split.

    Taken from the committed table when it holds runs of both splits with ``cfg``'s other settings
    (:func:`reference_runs`) for at least two seeds.

    Returns
    -------
    leak, note
        A table indexed by seed with the columns ``song``, ``random`` and ``gap`` (random minus song),
        or ``None``; and a sentence saying where the runs come from, or how to measure them.
    """
    if path.is_file():
        runs = reference_runs(pd.read_csv(path), cfg)
        runs = runs[runs["augment"] == cfg.augment]
        wide = runs.pivot(index="seed", columns="split", values="test_accuracy")
        if set(LEAK_SPLITS) <= set(wide.columns) and len(wide[list(LEAK_SPLITS)].dropna()) >= 2:
            leak = wide[list(LEAK_SPLITS)].dropna().rename_axis(columns=None)
            leak["gap"] = leak["random"] - leak["song"]
            return leak, (f"From {table_source(path)}: notebook 03 run once per seed and split; a seed there "
                          f"draws {seed_changes(cfg)}.")
    return None, ("No measured runs of both splits for these settings. To measure them: "
                  '`make sweep SWEEP="split=song,random seed=0,1,2"` (with these parameters), or set '
                  '`split = "random"` in the parameters cell and run this notebook again.')


def describe_leak(leak: pd.DataFrame | None) -> str:
    """Markdown: how the random clip split scored against the song split (:func:`split_leak`)."""
    if leak is None:
        return "No measured runs of both splits for these settings; the cell above says how to make them."
    gap, seeds = 100 * leak["gap"], len(leak)
    return (f"Over {seeds} seeds the random clip split scored {100 * leak['random'].mean():.1f}% on average "
            f"and the song split {100 * leak['song'].mean():.1f}%: random minus song **{gap.mean():+.1f} "
            f"points** (from {gap.min():+.1f} to {gap.max():+.1f}), higher on {int((gap > 0).sum())} of "
            f"{seeds} seeds.\n\nIn a random split, excerpts of one song sit in training and in test, so the "
            "model is tested partly on audio it has learned from; the song split keeps each song in one "
            "part, as new music would be. Each seed makes another dataset, so either column moves a lot from "
            "seed to seed; both runs of one seed share their data, so the gap within each seed is what to "
            "read, and a gap that holds on every seed says the random split flatters the model.")


def _cpuinfo() -> list[str]:
    path = Path("/proc/cpuinfo")
    return path.read_text().splitlines() if path.exists() else []


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"
