"""Copy the model code notebook 03 shows from ``helpers`` into its cells, or check that it is there.

    python scripts/sync_code_cells.py          # rewrite the cells from the helpers' source
    python scripts/sync_code_cells.py --check  # exit 1 if a cell differs (tests/test_pipeline.py)

Notebook 03 shows the Keras model, ``compile`` and ``fit`` as code a student can edit and re-run.
The same functions live in ``helpers`` (every other path, notebooks 04-06, the command line and
``helpers.pipeline``, runs them), so the cell that starts with ``def <name>(`` must hold exactly
the function's source.
"""

from __future__ import annotations

import argparse
import inspect
import sys
from pathlib import Path

import nbformat

from helpers import models, train

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "03_train_model.ipynb"

#: The functions notebook 03 shows, each in a code cell of its own.
SHOWN = (models.build_compact_model, models.build_seed_model, models.compile_model, train.fit_model)


def out_of_date(nb: nbformat.NotebookNode) -> list[str]:
    """Names of the :data:`SHOWN` functions whose cell is missing or differs from the source."""
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    return [fn.__name__ for fn in SHOWN
            if [c for c in cells if c.startswith(f"def {fn.__name__}(")] != [_source(fn)]]


def _source(fn: object) -> str:
    return inspect.getsource(fn).rstrip("\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report cells that differ")
    args = parser.parse_args(argv)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    stale = out_of_date(nb)
    if args.check or not stale:
        for name in stale:
            print(f"{NOTEBOOK.name}: the cell of {name} differs from helpers; run scripts/sync_code_cells.py")
        return 1 if stale else 0
    for fn in SHOWN:
        for cell in nb.cells:
            if cell.cell_type == "code" and cell.source.startswith(f"def {fn.__name__}("):
                cell.source = _source(fn)
    nbformat.write(nb, NOTEBOOK)
    print(f"updated {', '.join(stale)} in {NOTEBOOK.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
