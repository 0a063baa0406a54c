"""Binder/Colab links and the Colab set-up cell (scripts/links.py)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers.config import REPO_ROOT

spec = importlib.util.spec_from_file_location("links", REPO_ROOT / "scripts" / "links.py")
links = importlib.util.module_from_spec(spec)
spec.loader.exec_module(links)


def test_readme_and_notebooks_are_up_to_date(capsys):
    assert links.main(["--check"]) == 0, capsys.readouterr().out + "\nrun: make links"


@pytest.mark.parametrize("path", links.NOTEBOOKS, ids=lambda p: p.name)
def test_colab_cell_runs_first(path: Path):
    nb = nbformat.read(path, as_version=4)
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code.id.endswith("-colab")
    assert first_code.source == links.COLAB_CELL.format(url=links.repository_url())


def test_badges_for_a_repository(tmp_path):
    url = "https://github.com/someone/genre-tutorial"
    block = links.readme_block(url)
    assert "mybinder.org/v2/gh/someone/genre-tutorial/HEAD" in block
    colab = "colab.research.google.com/github/someone/genre-tutorial/blob/main/notebooks/"
    assert all(f"{colab}{nb.name}" in block for nb in links.NOTEBOOKS)
    readme = f"# T\n\nintro\n{links.START}\nold\n{links.END}\nrest\n"
    updated = links.update_readme(readme, url)
    assert updated.startswith("# T\n\nintro\n") and updated.endswith("\nrest\n") and "old" not in updated
    assert "make links" in links.readme_block("")  # without a URL: says how to get badges


def test_repository_url_must_be_github(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n[project.urls]\nRepository = "https://github.com/a/b.git"\n')
    assert links.repository_url(pyproject) == "https://github.com/a/b"
    pyproject.write_text('[project]\nname = "x"\n[project.urls]\nRepository = "https://gitlab.com/a/b"\n')
    with pytest.raises(ValueError, match="github.com/OWNER/NAME"):
        links.repository_url(pyproject)


def _run_cell(source: str, home: Path, colab: bool) -> subprocess.CompletedProcess:
    """Run a Colab cell in a fresh interpreter without site-packages (so ``helpers`` is not
    importable, as on a fresh Colab runtime), pretending to be on Colab if ``colab``."""
    fake = "import sys, types; sys.modules['google.colab'] = types.ModuleType('google.colab')\n"
    report = ("\nimport importlib.util, os, sys\n"
              "print(os.getcwd()); print(getattr(importlib.util.find_spec('helpers'), 'origin', None))\n")
    env = {**os.environ, "HOME": str(home)}
    return subprocess.run([sys.executable, "-S", "-c", (fake if colab else "") + source + report],
                          capture_output=True, text=True, cwd=home, env=env, timeout=120)


@pytest.mark.slow
def test_colab_cell_clones_and_uses_the_repository(tmp_path):
    source = links.COLAB_CELL.format(url=REPO_ROOT.as_uri())  # this checkout stands in for GitHub
    run = _run_cell(source, tmp_path, colab=True)
    assert run.returncode == 0, run.stderr
    cwd, helpers_init = run.stdout.split()
    checkout = tmp_path / "genre-tutorial"
    assert Path(cwd) == checkout / "notebooks"
    assert Path(helpers_init) == checkout / "helpers" / "__init__.py"
    assert (checkout / "notebooks" / "03_train_model.ipynb").is_file()


def test_colab_cell_outside_colab_and_without_url(tmp_path):
    run = _run_cell(links.COLAB_CELL.format(url="https://github.com/a/b"), tmp_path, colab=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [str(tmp_path), "None"]  # did nothing
    assert not (tmp_path / "genre-tutorial").exists()
    run = _run_cell(links.COLAB_CELL.format(url=""), tmp_path, colab=True)
    assert run.returncode != 0 and "does not name its public repository" in run.stderr
