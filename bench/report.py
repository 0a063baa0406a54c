"""What the benchmarks share: the peak memory of a process tree, and what every benchmark does
with its table (print it and save it beside the others, with a title naming the machine and the day)."""

from __future__ import annotations

import os
import platform
import threading
from datetime import date

import pandas as pd
import psutil

from helpers.config import work_dir


class PeakMemory:
    """Peak resident memory, in bytes, of a process and all its children while inside ``with``,
    sampled every ``interval`` seconds by a thread.

    ``root`` is the process to follow (for example a :class:`psutil.Popen`); by default this one.
    """

    def __init__(self, root: psutil.Process | None = None, interval: float = 0.1) -> None:
        self.root, self.interval, self.peak = root or psutil.Process(), interval, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._done.is_set():
            total = 0
            try:
                tree = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:  # the root has ended
                tree = []
            for process in tree:
                try:
                    total += process.memory_info().rss
                except psutil.Error:  # ended between listing and reading
                    pass
            self.peak = max(self.peak, total)
            self._done.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()


def machine() -> str:
    """This machine in a few words, e.g. ``x86_64, 2 cores``."""
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"


def save_report(table: pd.DataFrame, name: str, title: str, digits: str = ".3g") -> None:
    """Print ``table`` under ``title`` (with today's date and :func:`machine`) and save it as
    ``<work dir>/outputs/<name>.csv`` and, as a Markdown table, ``<name>.md``."""
    header = f"{title}, {date.today()}, {machine()}"
    out = work_dir() / "outputs"
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / f"{name}.csv", index=False)
    (out / f"{name}.md").write_text(f"{header}\n\n{table.to_markdown(index=False, floatfmt=digits)}\n")
    shown = table.to_string(index=False, float_format=lambda v: f"{v:{digits}}", na_rep="")
    print(f"\n{header}\n{shown}")
    print(f"saved {out / name}.csv and {name}.md")
