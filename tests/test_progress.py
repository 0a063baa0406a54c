"""Progress bars end on one line of text however a notebook runs (helpers.progress)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import nbformat
import papermill
import pytest
from tqdm.auto import tqdm as auto_tqdm

from helpers import progress
from helpers.config import REPO_ROOT

#: Cells of the generated notebook, each with one bar, and the final line each must store.
BAR_CELLS = {
    "from helpers.progress import progress_bar\nfor _ in progress_bar(range(5), desc='loop', unit='step'):\n"
    "    pass": r"loop: 100%\|█+\| 5/5 \[\d\d:\d\d<00:00, .*step/s\]",
    "with progress_bar(total=3, desc='by hand', unit='clip') as bar:\n    for _ in range(3):\n"
    "        bar.update()": r"by hand: 100%\|█+\| 3/3 \[\d\d:\d\d<00:00, .*clip/s\]",
    "import keras, numpy as np\nfrom helpers.train import EpochBar\n"
    "model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])\n"
    "model.compile(loss='mse', optimizer=keras.optimizers.SGD(0.0))\n"
    "stop = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)\n"
    "x = np.ones((8, 2), np.float32)\n"
    "_ = model.fit(x, x[:, :1], validation_data=(x, x[:, :1]), epochs=9, verbose=0,\n"
    "              callbacks=[EpochBar(patience=2), stop])":
    r"epochs: stopped at epoch 3 of 9 \(early stopping\), kept epoch 1 \[\d\d:\d\d, .*\]",
}


def test_batch_runs_get_text_bars_on_stdout(monkeypatch, capsys):
    monkeypatch.delenv(progress.TEXT_BARS_ENV, raising=False)
    assert progress.bar_class() is auto_tqdm  # outside a Jupyter kernel: tqdm's text bar
    monkeypatch.setenv(progress.TEXT_BARS_ENV, "1")
    assert progress.bar_class() is progress.StdoutBar
    assert sum(progress.progress_bar(range(4), desc="counting", mininterval=0)) == 6
    out, err = capsys.readouterr()
    assert "counting: 100%" in out and "4/4" in out and err == ""
    monkeypatch.setenv(progress.TEXT_BARS_ENV, "")
    assert progress.bar_class() is auto_tqdm


def test_a_jupyter_kernel_gets_the_widget_that_ends_as_text(monkeypatch):
    from tqdm.notebook import tqdm as notebook_tqdm

    monkeypatch.delenv(progress.TEXT_BARS_ENV, raising=False)
    monkeypatch.setattr(progress, "auto_tqdm", notebook_tqdm)  # what tqdm.auto picks in a kernel
    assert progress.bar_class() is progress.WidgetBar


def _stored_text(cell: nbformat.NotebookNode) -> str:
    """Everything a cell stored, as text; a widget shows as its mime type."""
    parts = []
    for out in cell.outputs:
        parts.append(out.get("text", ""))
        data = out.get("data", {})
        parts.extend(key for key in data if "widget" in key)
        parts.append(data.get("text/plain", ""))
    return "".join(parts)


def _generated_notebook(path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in BAR_CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def _nbconvert(notebook, output) -> None:
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                    "--output", output.name, str(notebook)], check=True, capture_output=True,
                   cwd=notebook.parent)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["papermill", "nbconvert", "make run"])
def test_a_notebook_run_without_a_frontend_stores_each_bar_as_its_final_line(how, tmp_path, monkeypatch):
    """Plain papermill and nbconvert draw no widgets, make run's runner asks for text bars: each bar
    must be stored as one final line with its count and time, never as its first state ("0%")."""
    monkeypatch.delenv(progress.TEXT_BARS_ENV, raising=False)
    monkeypatch.setenv("PYTHONPATH", str(REPO_ROOT))  # the kernel imports this checkout's helpers
    notebook, output = tmp_path / "bars.ipynb", tmp_path / "bars-run.ipynb"
    _generated_notebook(notebook)
    if how == "papermill":
        papermill.execute_notebook(notebook, output, cwd=tmp_path, progress_bar=False)
    elif how == "nbconvert":
        _nbconvert(notebook, output)
    else:
        from helpers.notebook.runner import execute

        execute(notebook, output)
    executed = nbformat.read(output, as_version=4)
    for cell, final_line in zip(executed.cells, BAR_CELLS.values(), strict=True):
        text = _stored_text(cell).removesuffix("\n")  # a text bar's line ends, a display's does not
        assert re.fullmatch(final_line, text), f"{how} stored {text!r} for\n{cell.source}"
        assert not re.search(r"(?<![\d.])0%", text)
    assert "widget" not in json.dumps([c.outputs for c in executed.cells])
