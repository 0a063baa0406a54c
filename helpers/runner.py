"""Run every tutorial notebook in order with papermill: ``python -m helpers.runner``.

Executed notebooks go to ``<work dir>/outputs/<params name>/``; the wall time of
each notebook and of the whole run is printed at the end and saved as
``timings.csv`` beside them.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd
import papermill

from helpers.config import REPO_ROOT, load_settings, work_dir


def notebook_paths() -> list[Path]:
    """The numbered tutorial notebooks, in reading order."""
    return sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def run_all(params_file: str, out_dir: Path | None = None) -> pd.DataFrame:
    """Execute all notebooks with the settings of ``params_file``; return wall seconds per notebook."""
    parameters = load_settings(params_file).to_dict()
    out_dir = out_dir or work_dir() / "outputs" / Path(params_file).stem
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for nb in notebook_paths():
        print(f"--- {nb.name}", flush=True)
        start = time.perf_counter()
        papermill.execute_notebook(
            nb, out_dir / nb.name, parameters=parameters, cwd=nb.parent, progress_bar=True,
        )
        rows.append((nb.name, time.perf_counter() - start))
    timings = pd.DataFrame(rows, columns=["notebook", "seconds"])
    timings.to_csv(out_dir / "timings.csv", index=False)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", default="params/default.yaml", help="params YAML file")
    args = parser.parse_args()
    start = time.perf_counter()
    timings = run_all(args.params)
    print(timings.to_string(index=False, float_format="%.1f"))
    print(f"All notebooks ran in {time.perf_counter() - start:.0f} s with {args.params}.")


if __name__ == "__main__":
    main()
