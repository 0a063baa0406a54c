"""The benchmarks' verdicts, tables and reports (the measurements themselves run in `make bench`)."""

import importlib.util
import sys
from pathlib import Path

import pandas as pd

BENCH = Path(__file__).parents[1] / "bench"
sys.path.insert(0, str(BENCH))  # as when a benchmark runs as a script: they import bench/report.py


def _bench(name="bench"):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fresh_clone_figures_are_held_against_their_targets():
    fresh = _bench("fresh_clone")
    table = pd.DataFrame({"measure": ["06_transfer_learning.ipynb, cold", "all notebooks, cold", "other"],
                          "seconds": [98.1, 120.0, 5.0]})
    judged = fresh.against_targets(table)
    assert judged["target"].tolist()[:2] == [50.0, 150.0] and pd.isna(judged["target"].iloc[2])
    assert judged["verdict"].tolist() == ["missed by 48 s", "met", ""]


def test_every_target_names_a_measure_the_fresh_clone_run_makes():
    fresh = _bench("fresh_clone")
    made = {"install + make run", "all notebooks, cold", "make test, after its install"}
    made |= {f"{p.name}, cold" for p in (Path(__file__).parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    assert set(fresh.TARGETS) <= made


def test_scale_table_flags_a_notebook_growing_faster_than_the_clips():
    scale = _bench("scale")
    small = pd.DataFrame({"notebook": ["01", "06", "all notebooks"], "seconds": [10.0, 40.0, 50.0],
                          "peak GiB": [0.5, 2.0, 2.0]})
    big = pd.DataFrame({"notebook": ["01", "06", "all notebooks"], "seconds": [24.0, 120.0, 144.0],
                        "peak GiB": [0.6, 3.0, 3.0]})
    table = scale.side_by_side({40: small, 100: big})
    assert table["faster than the clips"].tolist() == ["", "yes", "yes"]  # 2.4x, 3x, 2.88x against 2.5x
    assert table["peak GiB, 1000 clips"].tolist() == [0.6, 3.0, 3.0]


#: A child that holds 300 MiB for half a second.
HOLDS_300_MIB = [sys.executable, "-c", "import time; b = b'x' * (300 * 2**20); time.sleep(0.5)"]


def test_peak_memory_sees_a_child_process():
    import subprocess

    with _bench("report").PeakMemory(interval=0.02) as memory:
        subprocess.run(HOLDS_300_MIB, check=True)
    assert memory.peak > 300 * 2**20


def test_peak_memory_of_a_given_process_counts_it_alone_and_survives_its_end():
    import psutil

    before = psutil.Process().memory_info().rss
    peak, seconds = _bench("bench").peak_memory(HOLDS_300_MIB)
    assert 300 * 2**20 < peak < 300 * 2**20 + before and seconds >= 0.5


def test_the_set_projection_counts_each_rendering_once_at_its_length():
    synth = _bench("synth_render")
    # 400 files less 120 later excerpts and the corrupt one; 40 songs each run 0.75 clips longer
    assert synth.default_set_seconds(1.0, cores=1) == 279 + 40 * 0.75
    assert synth.default_set_seconds(2.0, cores=2) == synth.default_set_seconds(1.0, cores=1)


def test_report_is_printed_and_saved_as_csv_and_markdown(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GENRE_WORKDIR", str(tmp_path))
    table = pd.DataFrame({"measure": ["a", "b"], "seconds": [1.234, None]})
    _bench("report").save_report(table, "bench-x", "Title", digits=".1f")
    shown = capsys.readouterr().out
    assert shown.splitlines()[1].startswith("Title, ") and "1.2" in shown and "nan" not in shown
    assert pd.read_csv(tmp_path / "outputs" / "bench-x.csv")["seconds"].iloc[0] == 1.234
    markdown = (tmp_path / "outputs" / "bench-x.md").read_text()
    assert "| measure   |" in markdown and "1.2 |" in markdown
