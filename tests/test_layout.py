"""The package's layout holds: imports point one way, and every module stays small.

``helpers/`` keeps the pipeline flat at the top and the systems beside it in subpackages
(README, "The helpers package"). Read with :mod:`ast`, every module's imports must follow:

1. Nothing outside :mod:`helpers.notebook` imports it (notebooks and tests may).
2. A pipeline module reaches a side system (:mod:`helpers.synth`, :mod:`helpers.gtzan`,
   :mod:`helpers.musicnn`) only through the package itself, never one of its modules, and only
   inside a function, so that importing the pipeline never loads the system.
3. The side systems do not import one another.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

HELPERS = Path(__file__).parents[1] / "helpers"
SIDE_SYSTEMS = ("synth", "gtzan", "musicnn")
NOTEBOOK = "notebook"
MAX_LINES = 350


def _module_name(path: Path) -> str:
    parts = path.relative_to(HELPERS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> list[Path]:
    return sorted(HELPERS.rglob("*.py"))


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """``(imported module, line, inside a function)`` for every import of ``helpers`` in ``path``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((a.name, child.lineno, in_function) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                if child.module == "helpers":  # from helpers import x: x is a module
                    found.extend((f"helpers.{a.name}", child.lineno, in_function) for a in child.names)
                else:
                    found.append((child.module, child.lineno, in_function))
            visit(child, nested)

    visit(tree, False)
    return [(name, line, inside) for name, line, inside in found if name.split(".")[0] == "helpers"]


def _role(module: str) -> str:
    """``"pipeline"`` for a top-level module, else the subpackage's name."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and (HELPERS / parts[1]).is_dir() else "pipeline"


def broken_rules(path: Path) -> list[str]:
    """Every import in ``path`` that breaks one of the module docstring's rules, as a sentence."""
    me, problems = _module_name(path), []
    role = _role(me)
    for target, line, in_function in _imports(path):
        where = f"{path.relative_to(HELPERS.parent)}:{line} imports {target}"
        their = _role(target)
        if their == NOTEBOOK and role != NOTEBOOK:
            problems.append(f"{where}: only notebooks, tests and helpers.notebook import notebook plumbing")
        elif role == "pipeline" and their in SIDE_SYSTEMS:
            if target != f"helpers.{their}":
                problems.append(f"{where}: the pipeline reaches helpers.{their} through the package, "
                                "not its modules")
            elif not in_function:
                problems.append(f"{where}: import a side system inside the function that needs it")
        elif role in SIDE_SYSTEMS and their in SIDE_SYSTEMS and their != role:
            problems.append(f"{where}: side systems do not import one another")
    return problems


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(HELPERS)))
def test_imports_point_one_way(path):
    assert broken_rules(path) == []


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(HELPERS)))
def test_modules_stay_small(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(HELPERS)}: {lines} lines (at most {MAX_LINES}); split it"


def test_the_checker_finds_each_kind_of_broken_import(tmp_path, monkeypatch):
    fake = tmp_path / "helpers"
    for folder in ("synth", "gtzan", "notebook"):
        (fake / folder).mkdir(parents=True)
    (fake / "data.py").write_text(
        "from helpers.notebook.session import start\n"
        "from helpers.synth.dataset import make_dataset\n"
        "import helpers.synth\n"
        "def f():\n    from helpers.synth import make_dataset\n")
    (fake / "gtzan" / "fetch.py").write_text("from helpers import synth\n")
    runner = "from helpers.data import f\nfrom helpers.notebook import a\n"
    (fake / "notebook" / "runner.py").write_text(runner)
    monkeypatch.setattr(sys.modules[__name__], "HELPERS", fake)
    data = broken_rules(fake / "data.py")
    assert len(data) == 3
    assert "notebook plumbing" in data[0] and "data.py:1" in data[0]
    assert "not its modules" in data[1] and "inside the function" in data[2]
    assert "do not import one another" in broken_rules(fake / "gtzan" / "fetch.py")[0]
    assert broken_rules(fake / "notebook" / "runner.py") == []


def test_the_pipeline_does_not_load_the_generator_or_the_plumbing():
    code = ("import sys, helpers.data, helpers.features, helpers.pipeline, helpers.predict; "
            "print(sorted(m for m in sys.modules if m.startswith(('helpers.synth', 'helpers.notebook'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=HELPERS.parent)
    assert out.stdout.strip() == "[]"
