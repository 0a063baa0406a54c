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
def test_colab_cell_runs_first_after_one_sentence(path: Path):
    nb = nbformat.read(path, as_version=4)
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    assert nb.cells[first_code].id.endswith("-colab")
    assert nb.cells[first_code].source == links.colab_cell(links.repository_url())
    assert nb.cells[first_code - 1].source == links.setup_note(links.repository_url())
    assert "parameters" in nb.cells[first_code + 1].metadata.get("tags", []), "as the note says"


def test_setup_cells_are_added_once_and_then_updated():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 09 · Title"),
                                         nbformat.v4.new_code_cell("x = 1")])
    nb.cells[0].id = "09-00"
    links.update_notebook(nb, "")
    links.update_notebook(nb, "https://github.com/a/b")
    assert [c.id for c in nb.cells][:3] == ["09-00", "09-setup", "09-colab"]
    assert len(nb.cells) == 4 and "github.com/a/b" in nb.cells[2].source
    assert "fetches this tutorial's code" in nb.cells[1].source
    assert "names no public repository" in links.setup_note("")


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
    """Run a Colab cell in a fresh IPython shell (which understands ``!`` and ``%cd``), in
    ``home`` and with ``HOME`` there, pretending to be on Colab if ``colab``; it prints the
    working directory and where ``helpers`` is imported from afterwards."""
    program = "\n".join([
        "import sys, types",
        "sys.modules['google.colab'] = types.ModuleType('google.colab')" if colab else "",
        "from IPython.core.interactiveshell import InteractiveShell",
        f"result = InteractiveShell.instance().run_cell({source!r})",
        "import importlib.util, os",
        "print(os.getcwd()); print(importlib.util.find_spec('helpers').origin)",
        "sys.exit(0 if result.success else 1)"])
    env = {**os.environ, "HOME": str(home)}
    return subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=home,
                          env=env, timeout=300)


@pytest.mark.slow
def test_colab_cell_clones_and_uses_the_repository(tmp_path):
    source = links.colab_cell(REPO_ROOT.as_uri())  # this checkout stands in for GitHub
    for _ in range(2):  # a second run (Run all again) reuses the clone
        run = _run_cell(source, tmp_path, colab=True)
        assert run.returncode == 0, run.stdout + run.stderr
        cwd, helpers_init = run.stdout.split()[-2:]
        checkout = tmp_path / "genre-tutorial"
        assert Path(cwd) == checkout
        assert Path(helpers_init) == checkout / "helpers" / "__init__.py"
        assert (checkout / "notebooks" / "03_train_model.ipynb").is_file()
        assert run.stdout.split()[:-2] == [], "nothing printed but the report"


def test_colab_cell_outside_colab_and_without_url(tmp_path):
    run = _run_cell(links.colab_cell("https://github.com/a/b"), tmp_path, colab=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.split() == [str(tmp_path), str(REPO_ROOT / "helpers" / "__init__.py")]  # did nothing
    assert not (tmp_path / "genre-tutorial").exists()
    run = _run_cell(links.colab_cell(""), tmp_path, colab=True)
    assert run.returncode != 0 and "names no public repository" in run.stdout
