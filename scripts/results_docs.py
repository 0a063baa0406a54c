"""Write the measured ranges of ``docs/results/runs.csv`` into the docs, or check that they are there.

    python scripts/results_docs.py          # rewrite the marked blocks (the last step of make results)
    python scripts/results_docs.py --check  # exit 1 if a block differs (tests/test_results.py)

Every number the teacher's guide, the solutions and the README quote about a default run sits in
a block between ``<!-- results:NAME -->`` and ``<!-- /results:NAME -->``, written here from the
committed table (:data:`helpers.results.RUNS_TABLE`) as the mean and the range over its seeds, with
the table's provenance. Edit the table (``make results``), never the blocks.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from helpers.compare import accuracy_margin
from helpers.config import REPO_ROOT, load_settings
from helpers.results import RUNS_TABLE, provenance_path

#: The default settings (params/default.yaml): their ``review_target`` is the one the table's review
#: columns were measured at, their ``seed`` the one whose run the notebooks store.
_DEFAULTS = load_settings()
REVIEW_TARGET, DEFAULT_SEED = _DEFAULTS.review_target, _DEFAULTS.seed

#: The files whose blocks this script writes.
DOCS = [REPO_ROOT / "docs" / "teachers-guide.md", REPO_ROOT / "README.md",
        *sorted((REPO_ROOT / "solutions").glob("*.md"))]


def runs(variant: str, table: pd.DataFrame) -> pd.DataFrame:
    """One row per seed of a variant: ``"default"`` (no augmentation, song split), ``"specaugment"``
    or ``"random"`` (the clip-level random split)."""
    augment, split = {"default": ("none", "song"), "specaugment": ("specaugment", "song"),
                      "random": ("none", "random")}[variant]
    rows = table[(table["augment"] == augment) & (table["split"] == split)]
    return rows.set_index("seed").sort_index()


def spread(values: pd.Series, kind: str = "%") -> str:
    """``mean (min to max)`` of ``values``: shares as percent, points, plain numbers or epochs."""
    fmt = {"%": lambda v: f"{100 * v:.1f}%", "points": lambda v: f"{100 * v:+.1f}",
           "score": lambda v: f"{v:.2f}", "int": lambda v: f"{v:.0f}", "s": lambda v: f"{v:.0f} s"}[kind]
    return f"{fmt(values.mean())} ({fmt(values.min())} to {fmt(values.max())})"


def expected_table(table: pd.DataFrame) -> str:
    """The teacher's guide's table of expected results."""
    d, aug, rnd = runs("default", table), runs("specaugment", table), runs("random", table)
    gap, gain, leak = (d["test_accuracy"] - d["baseline_accuracy"], aug["test_accuracy"] - d["test_accuracy"],
                       rnd["test_accuracy"] - d["test_accuracy"])
    lines = [
        "| number | mean (lowest to highest) over seeds " + _seeds(d) + " |", "|---|---|",
        f"| compact model test accuracy | {spread(d['test_accuracy'])} |",
        f"| baseline test accuracy (logistic regression on band statistics) | "
        f"{spread(d['baseline_accuracy'])} |",
        f"| compact model ahead of the baseline by (points) | {spread(gap, 'points')}; ahead on "
        f"{int((gap > 0).sum())} of {len(gap)} seeds; the baseline inside the model's 95% margin on "
        f"{int((gap < accuracy_margin(d['test_accuracy'], d['test_clips'])).sum())} of {len(gap)} |",
        f"| test accuracy of the default seed {DEFAULT_SEED} (what a student's first run gets) | "
        f"{100 * d.loc[DEFAULT_SEED, 'test_accuracy']:.1f}%, rank "
        f"{int(d['test_accuracy'].rank(ascending=False, method='min')[DEFAULT_SEED])} of {len(d)} |",
        f"| best epoch (lowest validation loss) | {spread(d['best_epoch'], 'int')} |",
        f"| training time to early stopping | {spread(d['train_seconds'], 's')} |",
        f"| 5-NN accuracy of the learned embedding, all clips | {spread(d['knn_all'], 'score')} |",
        f"| 5-NN accuracy of the learned embedding, test clips only | {spread(d['knn_test'], 'score')} |",
        f"| review threshold (`review_target` {REVIEW_TARGET}) | {spread(d['review_threshold'], 'score')} |",
        f"| test clips accepted at it | {spread(d['accepted_share'])} |",
        f"| accuracy of the accepted test clips | {spread(d['accepted_accuracy'].dropna())} |",
        f"| SpecAugment minus none (points, notebook 07) | {spread(gain, 'points')}; ahead on "
        f"{int((gain > 0).sum())} of {len(gain)} seeds |",
        f"| random clip split minus song split (points, the leak of repeated excerpts) | "
        f"{spread(leak, 'points')}; higher on {int((leak > 0).sum())} of {len(leak)} seeds |",
    ]
    return "\n".join(lines)


def accuracy_sentence(table: pd.DataFrame) -> str:
    """The README's sentence on what the default run reaches on the synthetic set."""
    d = runs("default", table)
    gap = d["test_accuracy"] - d["baseline_accuracy"]
    return (f"Over seeds {_seeds(d)} (each seed makes its own synthetic set, split and initialization), "
            f"the compact model's test accuracy was {spread(d['test_accuracy'])} and the baseline's "
            f"{spread(d['baseline_accuracy'])}: the model ahead by {spread(gap, 'points')} points "
            f"(one test clip is {100 / d['test_clips'].max():.1f} to {100 / d['test_clips'].min():.1f} "
            f"points: {d['test_clips'].min()} to {d['test_clips'].max()} test clips).")


def leak_sentence(table: pd.DataFrame) -> str:
    """The measured gap between the random clip split and the song split."""
    d, rnd = runs("default", table), runs("random", table)
    leak = rnd["test_accuracy"] - d["test_accuracy"]
    return (f"Measured over seeds {_seeds(d)} of the default settings, the random clip split scored "
            f"{spread(rnd['test_accuracy'])} against the song split's {spread(d['test_accuracy'])}: "
            f"{spread(leak, 'points')} points, higher on {int((leak > 0).sum())} of {len(leak)} seeds.")


def best_epoch_sentence(table: pd.DataFrame) -> str:
    """When the validation loss bottoms out, as the solutions quote it."""
    d = runs("default", table)
    return (f"Over seeds {_seeds(d)} of the default settings the validation loss was lowest at epoch "
            f"{spread(d['best_epoch'], 'int')}.")


def augment_sentence(table: pd.DataFrame) -> str:
    """The measured effect of SpecAugment."""
    d, aug = runs("default", table), runs("specaugment", table)
    gain = aug["test_accuracy"] - d["test_accuracy"]
    return (f"Over seeds {_seeds(d)}, SpecAugment changed the test accuracy by {spread(gain, 'points')} "
            f"points (ahead on {int((gain > 0).sum())} of {len(gain)} seeds).")


def train_time_sentence(table: pd.DataFrame) -> str:
    """How long notebook 03's training took, without augmentation and with SpecAugment."""
    d, aug = runs("default", table), runs("specaugment", table)
    total = (d["train_seconds"].sum() + aug["train_seconds"].sum()) / 60
    return (f"Over seeds {_seeds(d)} of the default settings, training to early stopping took "
            f"{spread(d['train_seconds'], 's')} a run without augmentation and "
            f"{spread(aug['train_seconds'], 's')} with SpecAugment: {total:.0f} min of training for the "
            f"{len(d) + len(aug)} runs.")


def knn_sentence(table: pd.DataFrame) -> str:
    """The 5-NN accuracy of the learned embedding, all clips and test clips alone (notebook 04)."""
    d = runs("default", table)
    lower = int((d["knn_test"] < d["knn_all"]).sum())
    return (f"Over seeds {_seeds(d)} of the default settings, the 5-NN accuracy of the learned embedding "
            f"was {spread(d['knn_all'], 'score')} over all clips and {spread(d['knn_test'], 'score')} over "
            f"the test clips alone: lower on the test clips on {lower} of {len(d)} seeds.")


def review_sentence(table: pd.DataFrame) -> str:
    """The review threshold and what it accepted of the test clips (notebook 05)."""
    d = runs("default", table)
    accepted = d["accepted_accuracy"].dropna()
    held = int((accepted >= REVIEW_TARGET).sum())
    return (f"Over seeds {_seeds(d)} of the default settings (`review_target` {REVIEW_TARGET}), the "
            f"threshold chosen on the validation clips was {spread(d['review_threshold'], 'score')}; it "
            f"accepted {spread(d['accepted_share'])} of the test clips, and the accepted ones were right "
            f"{spread(accepted)} of the time: {REVIEW_TARGET:.0%} or more on {held} of {len(accepted)} "
            f"seeds.")


def seeds_needed_sentence(table: pd.DataFrame) -> str:
    """The spread of notebook 07's paired differences (SpecAugment minus none) and the seeds that a 95%
    interval of ±1 point would take at that spread."""
    d, aug = runs("default", table), runs("specaugment", table)
    s = round(float((100 * (aug["test_accuracy"] - d["test_accuracy"])).std(ddof=1)), 1)
    return (f"Over seeds {_seeds(d)} of the default settings, the differences SpecAugment minus none had a "
            f"standard deviation of s = {s:.1f} points: a 95% interval of ±1 point would take about "
            f"(2 × {s:.1f})² ≈ {math.ceil((2 * s) ** 2)} seeds.")


#: Block name -> what writes it.
BLOCKS: dict[str, Callable[[pd.DataFrame], str]] = {
    "expected": expected_table, "accuracy": accuracy_sentence, "leak": leak_sentence,
    "best-epoch": best_epoch_sentence, "augment": augment_sentence, "train-time": train_time_sentence,
    "knn": knn_sentence, "review": review_sentence, "seeds-needed": seeds_needed_sentence,
}


def render(name: str, table: pd.DataFrame, source: dict) -> str:
    """A block's text, ending in where its numbers come from."""
    return (f"{BLOCKS[name](table)}\n*(From `docs/results/runs.csv`: `{source['command']}` at commit "
            f"{source['commit']}, {source['date']}, {source['machine']}.)*")


def rewrite(text: str, table: pd.DataFrame, source: dict) -> str:
    """``text`` with every results block written anew; a block inside a list item is indented as
    the item's text, so the list goes on after it."""
    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name not in BLOCKS:
            raise ValueError(f"unknown results block {name!r}; known: {sorted(BLOCKS)}")
        line = text[text.rfind("\n", 0, match.start()) + 1:match.start()]
        indent = " " * len(re.match(r"\s*(?:\d+\.\s+|[-*]\s+)?", line).group(0))
        body = "\n".join(indent + row if row else row for row in render(name, table, source).split("\n"))
        return f"<!-- results:{name} -->\n{body}\n{indent}<!-- /results:{name} -->"

    return re.sub(r"<!-- results:([\w-]+) -->.*?<!-- /results:\1 -->", fill, text, flags=re.S)


def _seeds(rows: pd.DataFrame) -> str:
    seeds = sorted(rows.index)
    if seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f"{seeds[0]}-{seeds[-1]}"
    return ", ".join(map(str, seeds))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report files whose blocks differ")
    args = parser.parse_args(argv)
    table = pd.read_csv(RUNS_TABLE)
    source = json.loads(provenance_path(RUNS_TABLE).read_text())
    stale = []
    for path in DOCS:
        text = path.read_text()
        new = rewrite(text, table, source)
        if new != text:
            stale.append(path)
            if not args.check:
                path.write_text(new)
    verdict = "differ from docs/results/runs.csv; run scripts/results_docs.py" if args.check else "rewritten"
    for path in stale:
        print(f"{Path(path).relative_to(REPO_ROOT)}: results blocks {verdict}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
