import re

import nbformat
import pytest

from helpers.config import REPO_ROOT
from helpers.notebook.reveal import SUMMARY, folded


def test_a_reading_is_folded_and_its_markup_kept_safe():
    out = folded("A **b** <script>x</script>\n\nSecond `c`.")
    assert out.startswith(f"<details><summary>{SUMMARY}</summary>") and out.endswith("</details>")
    assert "<b>b</b>" in out and "&lt;script&gt;" in out and "<code>c</code>" in out
    assert out.count("<p>") == 2


#: Notebooks with machine-written readings: each is revealed after a question (issue 26).
ASKED_FIRST = ("03_train_model.ipynb", "04_tsne_embeddings.ipynb", "05_predict_genres.ipynb",
               "06_transfer_learning.ipynb", "07_trust_and_test.ipynb")


@pytest.mark.parametrize("name", ASKED_FIRST)
def test_every_reading_is_revealed_after_a_markdown_question(name):
    cells = nbformat.read(REPO_ROOT / "notebooks" / name, as_version=4).cells
    reading = re.compile(r"\b(describe_\w+|compare_accuracy|advice|baseline_reading)\(")
    readings = [k for k, c in enumerate(cells) if c.cell_type == "code" and reading.search(c.source)]
    assert readings, f"{name} has no reading: take it off the list"
    for k in readings:
        assert re.search(r"^\s*reveal\(", cells[k].source, re.M), f"{cells[k].id}: show it with reveal(...)"
        assert cells[k].metadata.get("jupyter", {}).get("outputs_hidden"), \
            f"{cells[k].id}: collapse the reading's output (metadata jupyter.outputs_hidden)"
        assert cells[k - 1].cell_type == "markdown" and "?" in cells[k - 1].source, \
            f"{cells[k].id}: ask a question in the markdown cell just above the reading"
