"""Questions before answers: the program's reading of a run, shown only when the student asks for it.

A notebook asks a question in markdown, then calls :func:`reveal` with the sentences the
program writes about the run. They appear folded under a "Check your reading" line (an HTML
``<details>`` element, which stays closed in JupyterLab, VS Code, Colab and on GitHub alike) and
open with one click, after the student has answered.
"""

from __future__ import annotations

import html
import re

from IPython.display import HTML, display

#: The line a folded reading shows before it is opened.
SUMMARY = "Check your reading (answer the question above first)"


def folded(markdown: str, summary: str = SUMMARY) -> str:
    """HTML of ``markdown`` (``**bold**`` and ``` `code` ``` only) folded under ``summary``.

    >>> folded("The **best** epoch is `9`.", "Check")
    '<details><summary>Check</summary><p>The <b>best</b> epoch is <code>9</code>.</p></details>'
    """
    text = html.escape(markdown, quote=False)
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    text = re.sub(r"`(.+?)`", r"<code>\1</code>", text)
    paragraphs = "".join(f"<p>{p.strip()}</p>" for p in text.split("\n\n") if p.strip())
    return f"<details><summary>{html.escape(summary)}</summary>{paragraphs}</details>"


def reveal(markdown: str, summary: str = SUMMARY) -> None:
    """Show the program's reading of this run folded, to be opened once the student has answered."""
    display(HTML(folded(markdown, summary)))
