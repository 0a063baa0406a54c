"""Progress bars for long work: a widget in Jupyter, text in a terminal and in batch runs.

``make run`` (:mod:`helpers.notebook.runner`) sets :data:`TEXT_BARS_ENV` for its kernels. Nobody watches
a batch run's bars as they move, and a widget would be stored in the executed notebook as its
first state ("0%") wherever widgets are not drawn; a text bar is stored as its last line
("100%|...| 400/400 [00:30<00:00]"), on standard output so that it does not read as an error.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from tqdm.auto import tqdm as auto_tqdm
from tqdm.std import tqdm as text_tqdm

#: Environment variable: when set (to anything but ""), every bar is a text bar on stdout.
TEXT_BARS_ENV = "TUTORIAL_TEXT_PROGRESS"


class StdoutBar(text_tqdm):
    """A text progress bar written to the current standard output."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("file", sys.stdout)
        super().__init__(*args, **kwargs)


def bar_class() -> type[text_tqdm]:
    """The tqdm class to use now: :class:`StdoutBar` in batch runs, else ``tqdm.auto``'s choice."""
    return StdoutBar if os.environ.get(TEXT_BARS_ENV) else auto_tqdm


def progress_bar(*args: Any, **kwargs: Any) -> text_tqdm:
    """A progress bar (the arguments are tqdm's) of the kind :func:`bar_class` picks."""
    return bar_class()(*args, **kwargs)
