"""Copy the teaching outputs of executed notebooks back into ``notebooks/``.

    python scripts/store_outputs.py data/outputs/default      (or: make store-outputs)

From each executed notebook (``make run`` writes them), only three kinds of output
are kept in the stored notebook: the outputs of cells tagged ``nbval-check-output``
(nbval compares them on every test run), the printed text and plain-text tables of cells
tagged ``results-check`` (the default run's numbers, which ``tests/test_results.py`` holds
to the ranges of the committed results table), and figures (PNG), so a reader browsing
the repository sees the plots. Logs, progress bars, audio players and tables are
dropped, as is papermill's metadata; a cell with stored outputs is numbered by its
position (nbval needs a number there), every other cell has none. The source of every
cell comes from the stored notebook, never from the executed copy (papermill
injects a parameters cell there).

The README's two figures (:data:`README_FIGURES`) are written from the same run, so they always
show what the default run draws.
"""

from __future__ import annotations

import argparse
import base64
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
#: The README's figures: image file -> (notebook, id of the cell whose first figure it is).
README_FIGURES = {"docs/images/spectrograms.png": ("02_spectrograms.ipynb", "02-03"),
                  "docs/images/tsne.png": ("04_tsne_embeddings.ipynb", "04-07")}
#: The cell tag that makes nbval compare a cell's output with the stored one.
CHECK_TAG = "nbval-check-output"
#: The cell tag of the default run's numbers that the committed results table must cover.
RESULTS_TAG = "results-check"


def teaching_outputs(cell: nbformat.NotebookNode) -> list:
    """The outputs of an executed cell worth storing."""
    tags = cell.metadata.get("tags", [])
    if CHECK_TAG in tags:
        return [o for o in cell.outputs if o.output_type == "stream" and o.name == "stdout"]
    if RESULTS_TAG in tags:
        printed = "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")
        tables = [o.data["text/plain"] for o in cell.outputs
                  if o.output_type == "execute_result" and "text/plain" in o.get("data", {})]
        text = "".join(line + "\n" for line in (printed + "\n".join(tables)).splitlines() if line.strip())
        return [nbformat.v4.new_output("stream", name="stdout", text=text)] if text else []
    figures = []
    for out in cell.outputs:
        if out.output_type == "display_data" and "image/png" in out.get("data", {}):
            figures.append(nbformat.v4.new_output(
                "display_data", data={"image/png": out.data["image/png"],
                                      "text/plain": "<Figure>"}))
    return figures


def store(executed: Path, stored: Path) -> int:
    """Write ``stored`` with the teaching outputs of ``executed``; return how many cells got outputs."""
    ran = nbformat.read(executed, as_version=4)
    by_id = {c.get("id"): c for c in ran.cells if c.cell_type == "code"}
    nb = nbformat.read(stored, as_version=4)
    filled = 0
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    for position, cell in enumerate(code_cells, start=1):
        cell.outputs = teaching_outputs(by_id[cell.id]) if cell.id in by_id else []
        # nbval refuses stored outputs of a cell without an execution count; the cell's
        # position keeps the number the same on every machine and every run
        cell.execution_count = position if cell.outputs else None
        filled += bool(cell.outputs)
    nbformat.write(nb, stored)
    return filled


def write_figure(executed: Path, cell_id: str, image: Path) -> None:
    """Save the first PNG figure of cell ``cell_id`` of the executed notebook as ``image``."""
    cell = next(c for c in nbformat.read(executed, as_version=4).cells if c.get("id") == cell_id)
    png = next(o.data["image/png"] for o in cell.outputs if "image/png" in o.get("data", {}))
    image.write_bytes(base64.b64decode(png))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("executed", type=Path, help="folder of executed notebooks")
    args = parser.parse_args()
    missing = [nb.name for nb in sorted(NOTEBOOKS.glob("*.ipynb"))
               if not (args.executed / nb.name).exists()]
    if missing:
        print(f"error: {args.executed} lacks {missing}; run `make run` first.", file=sys.stderr)
        return 1
    for nb in sorted(NOTEBOOKS.glob("*.ipynb")):
        print(f"{nb.name}: outputs stored in {store(args.executed / nb.name, nb)} cell(s)")
    for image, (notebook, cell_id) in README_FIGURES.items():
        write_figure(args.executed / notebook, cell_id, REPO / image)
        print(f"{image}: the figure of {notebook}, cell {cell_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
