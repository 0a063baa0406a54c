"""Copy the lesson code each notebook shows from ``helpers`` into its cells, or check that it is there.

    python scripts/sync_code_cells.py          # rewrite the cells from the helpers' source
    python scripts/sync_code_cells.py --check  # exit 1 if a cell differs (tests/test_lessons.py)

Each notebook shows, as code a student reads, edits and re-runs, the functions of the idea it
teaches (:data:`SHOWN`). The same functions live in ``helpers``, where every other path (the other
notebooks, the command line, ``helpers.pipeline``, the tests) runs them, so the cell that starts
with ``def <name>(`` must hold exactly the function's source. After editing a function in
``helpers``, run this script; after editing a cell for good, copy it back into ``helpers``.
"""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Callable
from pathlib import Path

import nbformat

from helpers import baseline, compare, embed, features, models, occlusion, predict, temperature, train

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

#: Notebook file name -> the functions it shows, each in a code cell of its own.
SHOWN: dict[str, tuple[Callable, ...]] = {
    "02_spectrograms.ipynb": (features.mel_power, features.to_db),
    "03_train_model.ipynb": (features.cut_windows, features.audio_windows, train.windows,
                             models.build_compact_model, models.build_seed_model, models.compile_model,
                             train.fit_model, models.fit_normalization, train.train_model,
                             train.window_outputs,
                             train.clip_means, train.clip_probabilities),
    "04_tsne_embeddings.ipynb": (models.embedding_model, embed.clip_embeddings),
    "05_predict_genres.ipynb": (predict.predict_windows,),
    "06_transfer_learning.ipynb": (baseline.fit_classifier,),
    "07_trust_and_test.ipynb": (occlusion.occlusion_drops, temperature.reliability_table,
                                temperature.expected_calibration_error, temperature.temper,
                                temperature.fit_temperature, compare.paired_t),
}


def source(fn: Callable) -> str:
    """The source of ``fn`` as a cell holds it."""
    return inspect.getsource(fn).rstrip("\n")


def out_of_date(nb: nbformat.NotebookNode, shown: tuple[Callable, ...]) -> list[str]:
    """Names of the ``shown`` functions whose cell is missing, repeated or differs from the source."""
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    return [fn.__name__ for fn in shown
            if [c for c in cells if c.startswith(f"def {fn.__name__}(")] != [source(fn)]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report cells that differ")
    args = parser.parse_args(argv)
    failed = False
    for name, shown in SHOWN.items():
        path = NOTEBOOKS / name
        nb = nbformat.read(path, as_version=4)
        stale = out_of_date(nb, shown)
        if args.check or not stale:
            for fn in stale:
                print(f"{name}: the cell of {fn} differs from helpers; run scripts/sync_code_cells.py")
            failed |= bool(stale)
            continue
        for fn in shown:
            for cell in nb.cells:
                if cell.cell_type == "code" and cell.source.startswith(f"def {fn.__name__}("):
                    cell.source = source(fn)
        nbformat.write(nb, path)
        print(f"updated {', '.join(stale)} in {name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
