"""Collect the runs of ``make results`` into the committed table ``docs/results/runs.csv``.

    python scripts/results_table.py     (the last step of make results)

Reads back every model the two sweeps of ``make results`` trained (default settings, seeds 0-4,
augment none and specaugment, and the random split), measures each with
:func:`helpers.results.run_metrics` and writes the table with its provenance.
"""

from __future__ import annotations

import argparse
import sys

from helpers.config import load_settings
from helpers.results import run_metrics, write_table

#: The runs of the table: (augment, split) per seed.
SEEDS = (0, 1, 2, 3, 4)
VARIANTS = (("none", "song"), ("specaugment", "song"), ("none", "random"))
COMMAND = "make results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", default="params/default.yaml", help="the settings the sweeps ran")
    args = parser.parse_args(argv)
    rows = []
    for augment, split in VARIANTS:
        for seed in SEEDS:
            cfg = load_settings(args.params, seed=seed, augment=augment, split=split)
            if not (cfg.model_dir / "bundle.json").is_file():
                print(f"error: no model for seed={seed} augment={augment} split={split} in {cfg.model_dir}; "
                      "run `make results` (it trains them first).", file=sys.stderr)
                return 1
            rows.append(run_metrics(cfg))
            print(f"seed {seed}, augment {augment}, split {split}: "
                  f"test accuracy {rows[-1]['test_accuracy']:.3f}")
    print(f"wrote {write_table(rows, COMMAND)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
