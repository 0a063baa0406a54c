"""The stored notebooks are clean, and scripts/store_outputs.py keeps only teaching outputs."""

import importlib.util
from pathlib import Path

import nbformat
import pytest

from helpers.config import REPO_ROOT

spec = importlib.util.spec_from_file_location("store_outputs", REPO_ROOT / "scripts" / "store_outputs.py")
store_outputs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(store_outputs)

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_notebooks_hold_only_teaching_outputs(path: Path):
    nb = nbformat.read(path, as_version=4)
    assert set(nb.metadata) <= {"kernelspec", "language_info"}
    positions = {}
    for position, cell in enumerate((c for c in nb.cells if c.cell_type == "code"), start=1):
        positions[cell.id] = position
        assert set(cell.metadata) <= {"tags", "jupyter"}, f"cell {cell.id} carries {set(cell.metadata)}"
        if not cell.outputs:
            assert cell.execution_count is None, f"cell {cell.id} has a count but no output"
            continue
        assert cell.execution_count == position
        for out in cell.outputs:
            tags = cell.metadata.get("tags", [])
            checked = store_outputs.CHECK_TAG in tags or store_outputs.RESULTS_TAG in tags
            assert (checked and out.output_type == "stream") or "image/png" in out.get("data", {})
    assert positions, "a notebook without code cells"


def test_store_keeps_figures_and_checked_text_and_drops_the_rest(tmp_path):
    stored = nbformat.v4.new_notebook()
    stored.cells = [nbformat.v4.new_code_cell("print(1)", id="a", metadata={"tags": ["nbval-check-output"]}),
                    nbformat.v4.new_code_cell("plot()", id="b"),
                    nbformat.v4.new_code_cell("log()", id="c"),
                    nbformat.v4.new_code_cell("table", id="d", metadata={"tags": ["results-check"]})]
    executed = nbformat.from_dict(nbformat.reads(nbformat.writes(stored), as_version=4))
    executed.cells.insert(0, nbformat.v4.new_code_cell("injected = 1", id="p"))
    executed.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n"),
                                 nbformat.v4.new_output("stream", name="stderr", text="noise")]
    executed.cells[2].outputs = [nbformat.v4.new_output(
        "display_data", data={"image/png": "iVBOR", "text/plain": "<Figure size 1>"})]
    executed.cells[3].outputs = [nbformat.v4.new_output("stream", name="stdout", text="log")]
    executed.cells[4].outputs = [nbformat.v4.new_output("stream", name="stderr", text="bar 100%"),
                                 nbformat.v4.new_output("stream", name="stdout", text="accuracy: 70%\n"),
                                 nbformat.v4.new_output("execute_result", execution_count=7, data={
                                     "text/plain": "  a\nx 1", "text/html": "<table>"})]
    for cell in executed.cells:
        cell.execution_count = 7
        cell.metadata["papermill"] = {"duration": 1.0}
    nbformat.write(stored, tmp_path / "s.ipynb")
    nbformat.write(executed, tmp_path / "e.ipynb")
    assert store_outputs.store(tmp_path / "e.ipynb", tmp_path / "s.ipynb") == 3
    result = nbformat.read(tmp_path / "s.ipynb", as_version=4)
    assert [c.source for c in result.cells] == [c.source for c in stored.cells]
    assert [len(c.outputs) for c in result.cells] == [1, 1, 0, 1]
    assert result.cells[0].outputs[0].text == "1\n"
    assert result.cells[3].outputs[0].text == "accuracy: 70%\n  a\nx 1\n"  # no bar, no HTML
    assert [c.execution_count for c in result.cells] == [1, 2, None, 4]
    assert all("papermill" not in c.metadata for c in result.cells)


def test_the_readme_figures_come_from_cells_that_draw_them(tmp_path):
    png = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})
    executed = nbformat.v4.new_notebook()
    executed.cells = [nbformat.v4.new_code_cell("x", id="a"), nbformat.v4.new_code_cell("fig", id="b")]
    executed.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="log"), png]
    nbformat.write(executed, tmp_path / "e.ipynb")
    store_outputs.write_figure(tmp_path / "e.ipynb", "b", tmp_path / "figure.png")
    assert (tmp_path / "figure.png").read_bytes() == b"\x89PNG\r\n\x1a\n"
    for image, (notebook, cell_id) in store_outputs.README_FIGURES.items():
        assert image in (REPO_ROOT / "README.md").read_text(), image
        cell = next(c for c in nbformat.read(REPO_ROOT / "notebooks" / notebook, as_version=4).cells
                    if c.get("id") == cell_id)
        assert any("image/png" in o.get("data", {}) for o in cell.outputs), f"{notebook} {cell_id}"
