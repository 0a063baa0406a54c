"""The measured results table and the docs written from it (helpers.results, scripts/results_docs.py)."""

import dataclasses
import importlib.util
import json

import pandas as pd
import pytest

from helpers.config import REPO_ROOT, load_settings
from helpers.results import provenance, provenance_path, reference_runs, write_table


def _script(name):
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


docs = _script("results_docs")


def _table(cfg=None):
    cfg = cfg or load_settings("params/default.yaml")
    rows = []
    variants = (("none", "song", 0.80), ("specaugment", "song", 0.85), ("none", "random", 0.90))
    for augment, split, base in variants:
        for seed in range(5):
            run = dataclasses.replace(cfg, seed=seed, augment=augment, split=split)
            rows.append({"seed": seed, "augment": augment, "split": split, "run_name": run.run_name,
                         "test_clips": 60, "test_accuracy": base + seed / 60, "baseline_accuracy": 0.7,
                         "best_epoch": 10 + seed, "train_seconds": 30.0, "knn_all": 0.9, "knn_test": 0.7,
                         "review_threshold": 0.6, "accepted_share": 0.7, "accepted_accuracy": 0.9})
    return pd.DataFrame(rows)


SOURCE = {"command": "make results", "commit": "abc1234", "date": "2026-12-07", "machine": "a CPU, 2 cores"}


def test_blocks_are_written_from_the_table_with_their_source():
    text = ("before\n<!-- results:accuracy -->\nstale 99%\n<!-- /results:accuracy -->\n"
            "after <!-- results:leak --><!-- /results:leak -->")
    out = docs.rewrite(text, _table(), SOURCE)
    assert out.startswith("before\n<!-- results:accuracy -->\n") and "stale" not in out
    assert "test accuracy was 83.3% (80.0% to 86.7%)" in out  # mean, lowest, highest of seeds 0-4
    assert "one test clip is 1.7 points" in out and "commit abc1234" in out
    assert "random clip split scored 93.3% (90.0% to 96.7%)" in out and "+10.0 (+10.0 to +10.0) points" in out
    assert docs.rewrite(out, _table(), SOURCE) == out, "rewriting is idempotent"
    with pytest.raises(ValueError, match="unknown results block 'nope'"):
        docs.rewrite("<!-- results:nope --><!-- /results:nope -->", _table(), SOURCE)


def test_the_expected_table_counts_the_seeds_where_a_gain_holds():
    table = _table()
    table.loc[(table["augment"] == "specaugment") & (table["seed"] == 0), "test_accuracy"] = 0.7
    text = docs.expected_table(table)
    assert "| SpecAugment minus none (points, notebook 07) |" in text and "ahead on 4 of 5 seeds" in text
    assert "over seeds 0-4" in text


def test_table_and_provenance_are_written_together(tmp_path):
    path = write_table(_table().to_dict("records"), "make results", tmp_path / "runs.csv")
    assert pd.read_csv(path)["seed"].tolist()[:5] == [0, 1, 2, 3, 4]
    source = json.loads(provenance_path(path).read_text())
    assert source["command"] == "make results" and source["libraries"]["keras"].startswith("3.")
    assert set(provenance("x")) == {"command", "commit", "date", "machine", "python", "libraries"}


def test_only_runs_of_these_settings_count_as_reference():
    cfg = load_settings("params/default.yaml")
    table = _table(cfg)
    assert len(reference_runs(table, cfg)) == 15
    assert reference_runs(table, dataclasses.replace(cfg, learning_rate=0.01)).empty
    assert len(reference_runs(table, dataclasses.replace(cfg, seed=3))) == 15, "the seed is the rows' own"


def test_the_committed_docs_quote_the_committed_table():
    assert docs.main(["--check"]) == 0, "run scripts/results_docs.py"
