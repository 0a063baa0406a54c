"""Benchmark: every notebook on the default set (400 clips) and a GTZAN-sized one (1,000 clips).

    python bench/scale.py [--clips-per-genre 40 100]      (or: make bench-scale)

Runs all notebooks, cold (in a fresh work folder: the set is generated, features, musicnn
embeddings and models are computed), once per set size, with the default settings otherwise.
For each notebook it records the wall time and the peak memory of this process and all its
children (the notebook's kernel, its worker processes), sampled every 0.1 s, and for each step
how much it grew from the first size to the last against the growth of the number of clips.
Saves ``<work dir>/outputs/bench-scale.csv`` and ``bench-scale.md`` and prints the table.
About an hour on 2 cores.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml
from report import PeakMemory, save_report

from helpers.config import WORKDIR_ENV, load_settings
from helpers.notebook.runner import environment, execute, notebook_paths, params_for_kernels


def run_cold(clips_per_genre: int, folder: Path) -> pd.DataFrame:
    """All notebooks with ``clips_per_genre`` in the fresh work folder ``folder``: seconds and GiB each."""
    cfg = load_settings(clips_per_genre=clips_per_genre)
    params = folder / "params.yaml"
    params.write_text(yaml.safe_dump(cfg.to_dict(), sort_keys=False))
    rows = []
    with environment(WORKDIR_ENV, str(folder)), params_for_kernels(params):
        for notebook in notebook_paths():
            print(f"--- {cfg.clips_per_genre * 10} clips: {notebook.name}", flush=True)
            start = time.perf_counter()
            with PeakMemory() as memory:
                execute(notebook, folder / notebook.name)
            rows.append((notebook.name, time.perf_counter() - start, memory.peak / 2**30))
    table = pd.DataFrame(rows, columns=["notebook", "seconds", "peak GiB"])
    total = pd.DataFrame([("all notebooks", table["seconds"].sum(), table["peak GiB"].max())],
                         columns=table.columns)
    return pd.concat([table, total], ignore_index=True)


def side_by_side(runs: dict[int, pd.DataFrame]) -> pd.DataFrame:
    """One row per notebook: time and peak memory at each size, and the time's growth from the
    first size to the last beside the clips' growth (a step growing faster than the clips is flagged).

    >>> small = pd.DataFrame({"notebook": ["a", "b"], "seconds": [10.0, 4.0], "peak GiB": [1.0, 2.0]})
    >>> big = pd.DataFrame({"notebook": ["a", "b"], "seconds": [20.0, 16.0], "peak GiB": [1.5, 2.0]})
    >>> table = side_by_side({40: small, 100: big})
    >>> list(table.columns[1:5])
    ['s, 400 clips', 'peak GiB, 400 clips', 's, 1000 clips', 'peak GiB, 1000 clips']
    >>> table["time growth"].tolist(), table["faster than the clips"].tolist()
    ([2.0, 4.0], ['', 'yes'])
    """
    sizes = sorted(runs)
    table = pd.DataFrame({"notebook": runs[sizes[0]]["notebook"]})
    for size in sizes:
        clips = f"{size * 10} clips"
        table[f"s, {clips}"] = runs[size]["seconds"].to_numpy()
        table[f"peak GiB, {clips}"] = runs[size]["peak GiB"].to_numpy()
    growth = runs[sizes[-1]]["seconds"].to_numpy() / runs[sizes[0]]["seconds"].to_numpy()
    table["time growth"] = growth.round(2)
    table["faster than the clips"] = ["yes" if g > sizes[-1] / sizes[0] else "" for g in growth]
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips-per-genre", type=int, nargs="+", default=[40, 100])
    args = parser.parse_args()
    runs = {}
    for size in args.clips_per_genre:
        with tempfile.TemporaryDirectory(prefix=f"bench-scale-{size}-") as folder:
            runs[size] = run_cold(size, Path(folder))
    save_report(side_by_side(runs), "bench-scale",
                f"Notebooks cold at {' and '.join(str(s * 10) for s in sorted(runs))} clips")


if __name__ == "__main__":
    main()
