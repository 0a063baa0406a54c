"""Binder and Colab links, and every notebook's Colab set-up cell, from one setting.

    python scripts/links.py           (or: make links)   write them
    python scripts/links.py --check                      exit 1 if anything is out of date

The setting is the public GitHub URL in ``pyproject.toml``, ``[project.urls] Repository``.
From it this script writes

* the block between the ``links`` markers in README.md: a "launch Binder" badge and an
  "Open in Colab" badge per notebook (without a URL, a sentence saying how to get them);
* the Colab cell of every notebook (the first code cell) and the sentence above it: on Colab
  the cell clones that URL, installs what Colab lacks and moves into the checkout, whose
  ``helpers`` the kernel then imports; anywhere else it does nothing.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
START, END = "<!-- links:start -->", "<!-- links:end -->"
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"

#: Above the Colab cell: what the two set-up cells are (the second is the ``parameters`` cell).
SETUP_NOTE = ("**Setup.** The next cell {colab} and does nothing anywhere else; the one after it holds the "
              "settings this notebook uses, which papermill and `params/*.yaml` override (every other "
              "setting comes from `params/default.yaml`).")
COLAB_DOES = {True: "fetches this tutorial's code on Google Colab",
              False: "stops on Google Colab with how to get this tutorial's code (this copy names no "
                     "public repository to fetch it from)"}


def setup_note(url: str) -> str:
    """The sentence above the Colab cell, for the repository ``url`` (``""``: none named)."""
    return SETUP_NOTE.format(colab=COLAB_DOES[bool(url)])


#: The Colab cell (IPython syntax: ``!`` runs a shell command, ``%cd`` moves the kernel). The
#: kernel finds ``helpers`` in its working directory, as IPython puts ``''`` on ``sys.path``.
COLAB_CELL = '''\
import sys
if "google.colab" in sys.modules:  # URL written by scripts/links.py
    !test -d ~/genre-tutorial || git clone -q --depth 1 {url} ~/genre-tutorial
    !{{sys.executable}} -m pip install -q -r ~/genre-tutorial/requirements-colab.txt
    %cd -q ~/genre-tutorial'''
#: The Colab cell of a copy whose ``pyproject.toml`` names no public repository.
COLAB_CELL_WITHOUT_URL = '''\
import sys
if "google.colab" in sys.modules:  # URL written by scripts/links.py
    raise RuntimeError("This copy names no public repository: clone the repository and open it there.")'''


def colab_cell(url: str) -> str:
    """The Colab cell's source for the repository ``url`` (``""``: none named)."""
    return COLAB_CELL.format(url=url) if url else COLAB_CELL_WITHOUT_URL


def repository_url(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """``[project.urls] Repository`` (``""`` when not set); must be ``https://github.com/OWNER/NAME``."""
    url = tomllib.loads(pyproject.read_text())["project"].get("urls", {}).get("Repository", "")
    url = url.rstrip("/").removesuffix(".git")
    if url and not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url):
        raise ValueError(f"[project.urls] Repository must be https://github.com/OWNER/NAME, not {url!r}")
    return url


def readme_block(url: str, notebooks: list[Path] = NOTEBOOKS) -> str:
    """The README text between the markers (markers included)."""
    if not url:
        body = ("Binder and Colab badges appear here once the repository is public: set "
                "`[project.urls] Repository` in `pyproject.toml` to its GitHub URL and run `make links`.")
    else:
        slug = url.removeprefix("https://github.com/")
        binder = f"https://mybinder.org/v2/gh/{slug}/HEAD?urlpath=lab/tree/notebooks"
        rows = [f"| `{nb.stem}` | [![Open In Colab]({COLAB_BADGE})]"
                f"(https://colab.research.google.com/github/{slug}/blob/main/notebooks/{nb.name}) |"
                for nb in notebooks]
        binder_line = f"[![Launch Binder]({BINDER_BADGE})]({binder}) (JupyterLab with everything installed)"
        header = "| notebook | Colab (Runtime > Change runtime type > GPU for notebook 03) |"
        body = "\n".join([binder_line, "", header, "|---|---|", *rows])
    return f"{START}\n{body}\n{END}"


def update_readme(text: str, url: str) -> str:
    """README text with its links block replaced."""
    if START not in text or END not in text:
        raise ValueError(f"README.md lacks the {START} ... {END} markers")
    before, rest = text.split(START, 1)
    return before + readme_block(url) + rest.split(END, 1)[1]


def update_notebook(nb: nbformat.NotebookNode, url: str) -> nbformat.NotebookNode:
    """Set (or insert, after the title cell) the notebook's setup note and Colab cell."""
    prefix = nb.cells[0].get("id", "00-00").split("-")[0]
    for offset, (kind, name, source) in enumerate((("markdown", "setup", setup_note(url)),
                                                   ("code", "colab", colab_cell(url))), start=1):
        cells = [c for c in nb.cells if c.get("id") == f"{prefix}-{name}"]
        if cells:
            cells[0].source = source
        else:
            new_cell = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
            cell = new_cell(source)
            cell.id = f"{prefix}-{name}"
            nb.cells.insert(offset, cell)
    return nb


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` compare) README.md and the notebooks; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report files that are out of date")
    args = parser.parse_args(argv)
    url = repository_url()
    stale = []
    readme = ROOT / "README.md"
    new_readme = update_readme(readme.read_text(), url)
    if new_readme != readme.read_text():
        stale.append(readme)
        if not args.check:
            readme.write_text(new_readme)
    for path in NOTEBOOKS:
        old = path.read_text()
        nb = update_notebook(nbformat.reads(old, as_version=4), url)
        new = nbformat.writes(nb) + "\n"
        if new != old:
            stale.append(path)
            if not args.check:
                path.write_text(new)
    verb = "out of date" if args.check else "updated"
    for path in stale:
        print(f"{path.relative_to(ROOT)} {verb}")
    print(f"repository: {url or '(not set)'}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
