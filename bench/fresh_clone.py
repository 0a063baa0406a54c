"""Benchmark: a first run from a fresh clone, against the speed targets of the tutorial.

    python bench/fresh_clone.py [--skip-test] [--keep]      (or: make bench-fresh)

Clones the repository's last commit into a temporary folder and runs the README's two commands
there as a new user would, with no pip cache and no musicnn weights (both are pointed at empty
folders), timing each step: the install ``make run`` needs, ``make run`` itself (weights and all
notebooks, cold: the set is generated and every cache is empty; each notebook's time is read from
the runner's ``timings.csv``), the install of the test tools, and ``make test``. Prints each figure
beside its target and saves ``<work dir>/outputs/bench-fresh.csv`` and ``bench-fresh.md``.
About 70 min on 2 cores with ``make test``, 15 min without.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from report import save_report

from helpers.config import PARAMS_ENV, REPO_ROOT, WORKDIR_ENV
from helpers.results import source_commit

#: The speed targets on a 2-core machine, in seconds, by the name of the measure they hold.
TARGETS = {
    "install + make run": 300.0,
    "all notebooks, cold": 150.0,
    "06_transfer_learning.ipynb, cold": 50.0,
    "make test, after its install": 720.0,
}


def timed_step(command: list[str], folder: Path, env: dict[str, str], log: Path) -> float:
    """Run ``command`` in ``folder`` with its output in ``log``; return its seconds.

    Raises
    ------
    RuntimeError
        If the command fails; the message ends with the last lines of its log.
    """
    print(f"$ {' '.join(command)}   (log: {log})", flush=True)
    start = time.perf_counter()
    with log.open("w") as out:
        code = subprocess.call(command, cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - start
    if code:
        tail = "".join(log.read_text(errors="replace").splitlines(keepends=True)[-20:])
        raise RuntimeError(f"{' '.join(command)} failed with exit code {code} after {seconds:.0f} s:\n{tail}")
    print(f"  done in {seconds:.0f} s", flush=True)  # (an interrupted benchmark keeps what it measured)
    return seconds


def against_targets(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (columns measure, seconds) with each measure's target and verdict where it has one.

    >>> t = pd.DataFrame({"measure": ["06_transfer_learning.ipynb, cold", "other"], "seconds": [62.0, 5.0]})
    >>> against_targets(t)["verdict"].tolist()
    ['missed by 12 s', '']
    """
    targets = table["measure"].map(TARGETS)
    verdicts = ["" if pd.isna(goal) else "met" if seconds <= goal else f"missed by {seconds - goal:.0f} s"
                for seconds, goal in zip(table["seconds"], targets, strict=True)]
    return table.assign(target=targets, verdict=verdicts)


def fresh_clone_run(folder: Path, run_tests: bool) -> pd.DataFrame:
    """Clone into ``folder``, run the README's commands there; one row per timed step."""
    clone = folder / "repo"
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(clone)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in (WORKDIR_ENV, PARAMS_ENV, "VIRTUAL_ENV")}
    env.update(XDG_CACHE_HOME=str(folder / "cache"), PIP_NO_CACHE_DIR="1")  # nothing fetched before
    steps = [("install for make run", ".venv/installed-run-base"), ("make run, after its install", "run")]
    if run_tests:
        steps += [("install of the test tools", ".venv/installed-dev"),
                  ("make test, after its install", "test")]
    rows = [(name, timed_step(["make", target], clone, env, folder / f"{target.split('/')[-1]}.log"))
            for name, target in steps]
    notebooks = pd.read_csv(clone / "data" / "outputs" / "default" / "timings.csv")
    rows += [(f"{name}, cold", seconds) for name, seconds in notebooks.itertuples(index=False)]
    rows += [("all notebooks, cold", notebooks["seconds"].sum()),
             ("install + make run", rows[0][1] + rows[1][1])]
    return pd.DataFrame(rows, columns=["measure", "seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-test", action="store_true", help="stop after make run")
    parser.add_argument("--keep", action="store_true", help="keep the clone (its path is printed)")
    args = parser.parse_args()
    if shutil.which("make") is None or shutil.which("git") is None:
        sys.exit("error: this benchmark needs make and git on the PATH")
    folder = Path(tempfile.mkdtemp(prefix="bench-fresh-"))
    try:
        table = against_targets(fresh_clone_run(folder, run_tests=not args.skip_test))
    finally:
        if args.keep:
            print(f"kept the clone and its logs in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    save_report(table, "bench-fresh", f"Fresh clone of {source_commit()}", digits=".0f")


if __name__ == "__main__":
    main()
