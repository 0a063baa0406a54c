"""Progress bars for long work that end on one line of text, however a notebook runs.

In a Jupyter kernel a bar is a widget while it moves (:class:`WidgetBar`); closing it replaces
the widget by the bar's last line, ``"Mel features: 100%|██████████| 37/37 [00:02<00:00, 15.3clip/s]"``.
JupyterLab draws the widget, then the line (tests/test_browser.py); a run without a frontend
(plain ``papermill``, ``jupyter nbconvert --execute``) stores the line, where the widget alone
would be stored as its first state ("0%"). ``make run`` (:mod:`helpers.notebook.runner`) sets
:data:`TEXT_BARS_ENV` for its kernels and merges their text bars into their last state; in a
terminal the bars are tqdm's text bars.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from IPython.display import display
from tqdm.auto import tqdm as auto_tqdm
from tqdm.notebook import tqdm as notebook_tqdm
from tqdm.std import tqdm as text_tqdm

#: Environment variable: when set (to anything but ""), every bar is a text bar on stdout.
TEXT_BARS_ENV = "TUTORIAL_TEXT_PROGRESS"


class StdoutBar(text_tqdm):
    """A text progress bar written to the current standard output."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("file", sys.stdout)
        super().__init__(*args, **kwargs)

    def close(self) -> None:
        """Stop the bar; its final line is written unpadded (tqdm pads a line with spaces where
        the one before was longer, and an executed notebook would store them)."""
        self.clear()
        super().close()


class WidgetBar(notebook_tqdm):
    """tqdm's Jupyter widget, replaced by the bar's last line of text when the bar closes.

    The widget is shown with a display id; :meth:`close` updates that output to the final
    line (nothing with ``leave=False``) and closes the widgets. Only for a Jupyter kernel
    (:func:`bar_class` picks it there).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, display=False, **kwargs)
        if not self.disable:
            self.handle = display(self.container, display_id=True)
            self.displayed = True

    def close(self) -> None:
        """Stop the bar: its output becomes its final line of text, and its widgets close."""
        if self.disable:
            return
        super().close()
        self.handle.update({"text/plain": str(self) if self.leave else ""}, raw=True)
        for widget in (*self.container.children, self.container):
            widget.close()


def bar_class() -> type[text_tqdm]:
    """The tqdm class to use now: :class:`StdoutBar` in batch runs, :class:`WidgetBar` in a Jupyter
    kernel, else tqdm's text bar."""
    if os.environ.get(TEXT_BARS_ENV):
        return StdoutBar
    return WidgetBar if issubclass(auto_tqdm, notebook_tqdm) else auto_tqdm


def progress_bar(*args: Any, **kwargs: Any) -> text_tqdm:
    """A progress bar (the arguments are tqdm's) of the kind :func:`bar_class` picks."""
    return bar_class()(*args, **kwargs)


def print_cached(what: str, cached: int, total: int) -> None:
    """One line saying how many of ``total`` clips had their ``what`` read from the cache; nothing
    when none had (the progress bar then counts them all).

    >>> print_cached("Mel features", 37, 37)
    Mel features: 37 of 37 clips read from the cache
    >>> print_cached("Mel features", 0, 37)
    """
    if cached:
        print(f"{what}: {cached} of {total} clips read from the cache")
