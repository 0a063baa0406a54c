"""Run the tutorial notebooks in batch with papermill.

``python -m helpers.notebook.runner --params FILE`` runs every notebook in order; executed
notebooks go to ``<work dir>/outputs/<params name>/`` and the wall time of each
notebook and of the whole run is printed at the end and saved as ``timings.csv``.

``python -m helpers.notebook.runner --params FILE --sweep learning_rate=0.001,0.003 model=compact,seed``
runs notebook 03 once per combination of the listed values (the way a teacher prepares
results for a class) and collects each run's metrics into ``sweep.csv`` and ``sweep.png``
under ``<work dir>/outputs/sweep/``. The table is also kept under a name made of the swept
settings (:func:`helpers.config.sweep_table`), so a later sweep over other settings leaves it in place:
notebook 07 reads ``sweep-augment-seed.csv``, made by
``make sweep SWEEP="augment=none,specaugment seed=0,1,2,3,4"``.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import papermill
import yaml
import zmq
from jupyter_client.manager import AsyncKernelManager

from helpers.config import PARAMS_ENV, REPO_ROOT, load_settings, sweep_table, work_dir
from helpers.plots import plot_sweep
from helpers.progress import TEXT_BARS_ENV


class EncryptedKernelManager(AsyncKernelManager):
    """The kernel manager of the notebooks run here: messages to and from the kernel are
    CurveZMQ-encrypted where pyzmq can, so ipykernel starts without its warning about plain
    TCP (which would otherwise interrupt every notebook's progress bar in ``make run``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if zmq.has("curve"):
            self.transport_encryption = "auto"


def execute(notebook: Path, output: Path) -> None:
    """Run ``notebook`` with papermill into ``output``, in the notebook's folder, with a progress bar.

    Its progress bars are text (:data:`helpers.progress.TEXT_BARS_ENV`), and each cell's
    output streams are merged with only the last state of every bar kept. The kernel is stopped
    at once after the last cell (every output has arrived by then, and the helpers write their
    files atomically): a graceful shutdown of ipykernel 7 sometimes prints "Task was destroyed but
    it is pending!" under the progress bar.
    """
    with environment(TEXT_BARS_ENV, "1"):
        papermill.execute_notebook(notebook, output, cwd=notebook.parent, progress_bar=True,
                                   kernel_manager_class=EncryptedKernelManager, shutdown_kernel="immediate",
                                   coalesce_streams=True)


def notebook_paths() -> list[Path]:
    """The numbered tutorial notebooks, in reading order."""
    return sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@contextlib.contextmanager
def environment(name: str, value: str) -> Iterator[None]:
    """Set the environment variable ``name`` to ``value`` inside (for the kernels started there);
    restore it afterwards."""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            del os.environ[name]
        else:
            os.environ[name] = before


def params_for_kernels(params_file: str | Path) -> contextlib.AbstractContextManager[None]:
    """Point :data:`helpers.config.PARAMS_ENV` at ``params_file`` for the kernels started inside.

    Every notebook's ``start(globals())`` then reads all settings from that file, including the
    ones its short parameters cell does not list, so all notebooks of a run agree (notebook 04
    finds the model notebook 03 trained). The variable is restored afterwards.
    """
    return environment(PARAMS_ENV, str(params_file))


def run_all(params_file: str, out_dir: Path | None = None) -> pd.DataFrame:
    """Execute all notebooks with the settings of ``params_file``; return wall seconds per notebook."""
    load_settings(params_file)  # fail here, before any notebook, if the file is invalid
    out_dir = out_dir or work_dir() / "outputs" / Path(params_file).stem
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for nb in notebook_paths():
        print(f"--- {nb.name}", flush=True)
        start = time.perf_counter()
        with params_for_kernels(params_file):
            execute(nb, out_dir / nb.name)
        rows.append((nb.name, time.perf_counter() - start))
    timings = pd.DataFrame(rows, columns=["notebook", "seconds"])
    timings.to_csv(out_dir / "timings.csv", index=False)
    return timings


def parse_grid(specs: list[str]) -> dict[str, list[Any]]:
    """``["lr=0.1,0.2", "model=a"]`` -> ``{"lr": [0.1, 0.2], "model": ["a"]}`` (values read as YAML).

    >>> parse_grid(["learning_rate=0.001,0.003", "model=compact"])
    {'learning_rate': [0.001, 0.003], 'model': ['compact']}
    """
    grid = {}
    for spec in specs:
        name, sep, values = spec.partition("=")
        if not sep or not values:
            raise ValueError(f"Sweep entries look like name=value1,value2; got {spec!r}")
        grid[name] = [yaml.safe_load(v) for v in values.split(",")]
    return grid


def sweep(params_file: str, grid: dict[str, list[Any]], out_dir: Path | None = None) -> pd.DataFrame:
    """Run notebook 03 for every combination in ``grid``; return one row of metrics per run.

    Each row holds the swept values, the run's test and baseline accuracy, its best epoch, the
    notebook's wall time and ``run_name`` (:attr:`helpers.config.Settings.run_name`, which
    tells a reader of the table which settings the run had).
    """
    out_dir = out_dir or work_dir() / "outputs" / "sweep"
    out_dir.mkdir(parents=True, exist_ok=True)
    train_nb = REPO_ROOT / "notebooks" / "03_train_model.ipynb"
    rows = []
    for values in itertools.product(*grid.values()):
        overrides = dict(zip(grid, values, strict=True))
        cfg = load_settings(params_file, **overrides)  # validates every combination first
        name = "_".join(f"{k}-{v}" for k, v in overrides.items())
        print(f"--- {name}", flush=True)
        run_params = out_dir / f"params_{name}.yaml"
        run_params.write_text(yaml.safe_dump(cfg.to_dict(), sort_keys=False))
        start = time.perf_counter()
        with params_for_kernels(run_params):
            execute(train_nb, out_dir / f"03_train_model_{name}.ipynb")
        info = json.loads((cfg.model_dir / "bundle.json").read_text())["info"]
        rows.append({**overrides, "test_accuracy": info["test_accuracy"],
                     "baseline_accuracy": info["baseline_accuracy"], "best_epoch": info["best_epoch"],
                     "notebook_seconds": round(time.perf_counter() - start, 1), "run_name": cfg.run_name})
    table = pd.DataFrame(rows)
    table.to_csv(out_dir / "sweep.csv", index=False)
    table.to_csv(sweep_table(list(grid), out_dir), index=False)
    plot_sweep(table, list(grid)).savefig(out_dir / "sweep.png", bbox_inches="tight")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", default="params/default.yaml", help="params YAML file")
    parser.add_argument("--sweep", nargs="+", metavar="NAME=V1,V2",
                        help="run notebook 03 over these values instead of all notebooks once")
    args = parser.parse_args()
    if args.sweep:
        table = sweep(args.params, parse_grid(args.sweep))
        print(table.to_string(index=False))
        print(f"Saved {work_dir() / 'outputs' / 'sweep'}/sweep.csv and sweep.png")
        return
    start = time.perf_counter()
    timings = run_all(args.params)
    print(timings.to_string(index=False, float_format="%.1f"))
    print(f"All notebooks ran in {time.perf_counter() - start:.0f} s with {args.params}.")


if __name__ == "__main__":
    main()
