"""The measured results table and the docs written from it (helpers.results, scripts/results_docs.py)."""

import dataclasses
import importlib.util
import json

import pandas as pd
import pytest

from helpers.config import REPO_ROOT, load_settings
from helpers.results import (
    describe_leak,
    provenance,
    provenance_path,
    reference_runs,
    seed_changes,
    source_commit,
    split_leak,
    write_table,
)


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
    assert "one test clip is 1.7 to 1.7 points: 60 to 60 test clips" in out and "commit abc1234" in out
    assert "random clip split scored 93.3% (90.0% to 96.7%)" in out and "+10.0 (+10.0 to +10.0) points" in out
    assert docs.rewrite(out, _table(), SOURCE) == out, "rewriting is idempotent"
    with pytest.raises(ValueError, match="unknown results block 'nope'"):
        docs.rewrite("<!-- results:nope --><!-- /results:nope -->", _table(), SOURCE)


def test_a_block_inside_a_list_item_is_indented_so_the_list_goes_on():
    text = "1. One.\n2. Two: <!-- results:best-epoch --><!-- /results:best-epoch -->\n3. Three.\n"
    out = docs.rewrite(text, _table(), SOURCE)
    block = out[out.index("-->\n") + 4:out.index("3. Three")]
    assert block.splitlines() and all(row.startswith("   ") for row in block.splitlines()), block
    assert docs.rewrite(out, _table(), SOURCE) == out


def test_the_expected_table_counts_the_seeds_where_a_gain_holds():
    table = _table()
    table.loc[(table["augment"] == "specaugment") & (table["seed"] == 0), "test_accuracy"] = 0.7
    text = docs.expected_table(table)
    assert "| SpecAugment minus none (points, notebook 07) |" in text and "ahead on 4 of 5 seeds" in text
    assert "the baseline inside the model's 95% margin on 1 of 5" in text  # seed 0: 0.8 - 0.101 < 0.7
    assert "| test accuracy of the default seed 0 (what a student's first run gets) | 80.0%, rank 5 of 5 |" \
        in text
    assert "over seeds 0-4" in text


def test_the_solutions_blocks_quote_their_columns():
    table = _table()
    spec = table["augment"] == "specaugment"
    table.loc[spec, "train_seconds"] = 90.0
    seed = table.loc[spec, "seed"]  # ahead of the default runs (0.80 + seed / 60) by 1, 3, 5, 7, 9 points
    table.loc[spec, "test_accuracy"] = 0.80 + seed / 60 + (2 * seed + 1) / 100
    default = (table["augment"] == "none") & (table["split"] == "song")
    table.loc[default & (table["seed"] == 0), "accepted_accuracy"] = 0.8
    names = ["train-time", "knn", "review", "seeds-needed"]
    text = docs.rewrite("".join(f"<!-- results:{n} --><!-- /results:{n} -->\n" for n in names), table, SOURCE)
    assert "took 30 s (30 s to 30 s) a run without augmentation and 90 s (90 s to 90 s) with SpecAugment" \
        in text
    assert "10 min of training for the 10 runs" in text
    assert "0.90 (0.90 to 0.90) over all clips and 0.70 (0.70 to 0.70) over the test clips" in text
    assert "lower on the test clips on 5 of 5 seeds" in text
    assert "threshold chosen on the validation clips was 0.60 (0.60 to 0.60)" in text
    assert "right 88.0% (80.0% to 90.0%) of the time: 90% or more on 4 of 5 seeds" in text
    assert "s = 3.2 points" in text and "≈ 41 seeds" in text
    assert text.count("commit abc1234") == len(names)


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


#: Numbers of the default run stored in the committed notebooks (cells tagged ``results-check``,
#: scripts/store_outputs.py): notebook, the pattern that finds the number, the table's column, and
#: the factor from the table's unit to the printed one.
STORED_NUMBERS = [
    ("03_train_model.ipynb", r"baseline test accuracy: ([\d.]+)%", "baseline_accuracy", 100),
    ("03_train_model.ipynb", r"kept epoch (\d+) of", "best_epoch", 1),
    ("03_train_model.ipynb", r"compact model test accuracy: ([\d.]+)%", "test_accuracy", 100),
    ("04_tsne_embeddings.ipynb", r"learned embedding, full space +\S+ +([\d.]+)", "knn_all", 1),
    ("04_tsne_embeddings.ipynb", r"full space, test clips only +\S+ +([\d.]+)", "knn_test", 1),
]


@pytest.mark.parametrize(("notebook", "pattern", "column", "scale"), STORED_NUMBERS,
                         ids=[f"{n[:2]}-{c}" for n, _, c, _ in STORED_NUMBERS])
def test_numbers_stored_in_the_notebooks_lie_in_the_ranges_the_guide_quotes(notebook, pattern, column, scale):
    import re

    import nbformat

    from helpers.results import RUNS_TABLE

    cells = nbformat.read(REPO_ROOT / "notebooks" / notebook, as_version=4).cells
    stored = "".join(o.get("text", "") for c in cells if "results-check" in c.metadata.get("tags", [])
                     for o in c.get("outputs", []))
    found = re.search(pattern, stored)
    assert found, f"{notebook} stores no {column}: run `make run` then `make store-outputs`"
    cfg = load_settings("params/default.yaml")
    runs = reference_runs(pd.read_csv(RUNS_TABLE), cfg)
    runs = runs[(runs["augment"] == cfg.augment) & (runs["split"] == cfg.split)]
    assert len(runs) == 5, "the committed table lacks the default settings' seeds 0-4"
    low, high = runs[column].min() * scale, runs[column].max() * scale
    step = 0.05 if scale == 100 else 0.0005  # the printed rounding
    assert low - step <= float(found[1]) <= high + step, f"{column} {found[1]} outside {low}..{high}"


def test_the_leak_is_read_per_seed_from_runs_of_these_settings(tmp_path):
    cfg = load_settings("params/default.yaml")
    path = write_table(_table(cfg).to_dict("records"), "make results", tmp_path / "runs.csv")
    leak, note = split_leak(cfg, path)
    assert leak.index.tolist() == [0, 1, 2, 3, 4] and leak.columns.tolist() == ["song", "random", "gap"]
    assert leak["gap"].round(6).tolist() == [0.1] * 5 and "runs.csv (`make results` at commit" in note
    text = describe_leak(leak)
    assert "random minus song **+10.0 points** (from +10.0 to +10.0), higher on 5 of 5 seeds" in text
    other, note = split_leak(dataclasses.replace(cfg, learning_rate=0.01), path)
    assert other is None and 'split=song,random' in note and "No measured runs" in describe_leak(other)
    only_song = tmp_path / "song.csv"
    write_table([r for r in _table(cfg).to_dict("records") if r["split"] == "song"], "x", only_song)
    assert split_leak(cfg, only_song)[0] is None, "one split alone measures no gap"


def test_what_a_seed_changes():
    assert "synthetic dataset" in seed_changes(load_settings())
    assert seed_changes(load_settings(data_dir="mine")).startswith("another split")


def test_source_commit_names_uncommitted_code(tmp_path):
    import subprocess

    def git(*args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=tmp_path, check=True,
                       capture_output=True)

    assert source_commit(tmp_path) == "unknown"
    git("init", "-q")
    (tmp_path / "helpers").mkdir()
    (tmp_path / "helpers" / "a.py").write_text("x = 1\n")
    git("add", ".")
    git("commit", "-q", "-m", "one")
    commit = source_commit(tmp_path)
    assert len(commit) >= 7 and "+" not in commit
    (tmp_path / "README.md").write_text("prose is not code\n")
    assert source_commit(tmp_path) == commit
    (tmp_path / "helpers" / "b.py").write_text("y = 2\n")  # new code, not committed
    assert source_commit(tmp_path) == f"{commit}+uncommitted"
