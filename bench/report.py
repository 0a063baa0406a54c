"""What every benchmark does with its table: print it and save it beside the others, with a title
naming the machine and the day."""

from __future__ import annotations

import os
import platform
from datetime import date

import pandas as pd

from helpers.config import work_dir


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
