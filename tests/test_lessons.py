"""The lesson code each notebook shows is the code every path runs (scripts/sync_code_cells.py)."""

import ast
import importlib.util
import itertools
import re

import nbformat
import pytest

from helpers import models
from helpers.config import REPO_ROOT


def _sync_script():
    path = REPO_ROOT / "scripts" / "sync_code_cells.py"
    spec = importlib.util.spec_from_file_location("sync_code_cells", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sync = _sync_script()


@pytest.mark.parametrize("name", sorted(sync.SHOWN))
def test_each_notebook_shows_exactly_the_code_every_path_runs(name):
    nb = nbformat.read(sync.NOTEBOOKS / name, as_version=4)
    assert sync.out_of_date(nb, sync.SHOWN[name]) == [], "run scripts/sync_code_cells.py"
    for fn in sync.SHOWN[name]:
        assert ">>>" not in sync.source(fn), f"{fn.__name__} is shown in {name}: move its doctest to tests/"


@pytest.mark.parametrize("name", sorted(sync.SHOWN))
def test_the_notebook_runs_the_cells_it_shows_not_an_import_of_them(name):
    """A student's edit of a shown cell must change what the notebook runs: no import may replace it."""
    nb = nbformat.read(sync.NOTEBOOKS / name, as_version=4)
    tree = ast.parse("\n".join(c.source for c in nb.cells if c.cell_type == "code"))
    imported = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names}
    assert imported.isdisjoint(fn.__name__ for fn in sync.SHOWN[name])


def test_the_check_notices_an_edited_cell():
    nb = nbformat.read(sync.NOTEBOOKS / "03_train_model.ipynb", as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert '{"compact": build_compact_model, "seed": build_seed_model}' in code
    assert models.BUILDERS == {"compact": models.build_compact_model, "seed": models.build_seed_model}
    cell = next(c for c in nb.cells if c.source.startswith("def compile_model("))
    cell.source = cell.source.replace("Adam", "SGD")
    assert sync.out_of_date(nb, sync.SHOWN["03_train_model.ipynb"]) == ["compile_model"]


#: Notebooks whose machine-written readings are already folded behind a question (issue 26).
QUESTIONS_FIRST = ["03_train_model.ipynb", "05_predict_genres.ipynb"]
READINGS = ("describe_", "advice(", "baseline_reading(")


@pytest.mark.parametrize("name", QUESTIONS_FIRST)
def test_machine_readings_are_revealed_after_a_question(name):
    nb = nbformat.read(sync.NOTEBOOKS / name, as_version=4)
    calls = 0
    for before, cell in itertools.pairwise(nb.cells):
        lines = [line for line in cell.source.splitlines()
                 if any(r in line for r in READINGS) and not line.startswith(("from ", "import "))]
        if cell.cell_type != "code" or not lines or cell.source.startswith("def "):
            continue
        calls += 1
        assert all("reveal(" in line for line in lines), f"{cell.id} shows a reading without reveal"
        assert before.cell_type == "markdown" and "?" in before.source, f"{cell.id} has no question above it"
    assert calls >= 2


def test_the_readme_lists_the_functions_each_notebook_shows():
    readme = (REPO_ROOT / "README.md").read_text()
    listed = {f"{m[1]}_": set(re.findall(r"`(\w+)`", m[2]))
              for m in re.finditer(r"^\| (\d\d) \| (.*) \|$", readme, re.M)}
    shown = {name[:3]: {f.__name__ for f in functions} for name, functions in sync.SHOWN.items()}
    assert listed == shown
