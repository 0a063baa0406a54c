"""Progress bars: widgets in Jupyter, text on stdout in batch runs (helpers.progress)."""

from __future__ import annotations

from tqdm.auto import tqdm as auto_tqdm

from helpers import progress


def test_batch_runs_get_text_bars_on_stdout(monkeypatch, capsys):
    monkeypatch.delenv(progress.TEXT_BARS_ENV, raising=False)
    assert progress.bar_class() is auto_tqdm
    monkeypatch.setenv(progress.TEXT_BARS_ENV, "1")
    assert progress.bar_class() is progress.StdoutBar
    assert sum(progress.progress_bar(range(4), desc="counting", mininterval=0)) == 6
    out, err = capsys.readouterr()
    assert "counting: 100%" in out and "4/4" in out and err == ""
    monkeypatch.setenv(progress.TEXT_BARS_ENV, "")
    assert progress.bar_class() is auto_tqdm
