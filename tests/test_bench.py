"""bench/bench.py's verdicts on the speed targets (the measurements themselves run in `make bench`)."""

import importlib.util
from pathlib import Path

import pandas as pd


def _bench(name="bench"):
    spec = importlib.util.spec_from_file_location(name, Path(__file__).parents[1] / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_notebook_times_are_held_against_their_targets():
    bench = _bench()
    table = pd.DataFrame({"measure": ["06_transfer_learning.ipynb", "all notebooks (make run)", "other"],
                          "value": [98.1, 120.0, 5.0]})
    assert bench.against_targets(table) == [
        "06_transfer_learning.ipynb: 98 s, target at most 40 s: missed by 58 s",
        "all notebooks (make run): 120 s, target at most 150 s: met",
    ]
    assert bench.against_targets(table[table["measure"] == "other"]) == []


def test_the_set_projection_counts_each_rendering_once_at_its_length():
    synth = _bench("synth_render")
    # 400 files less 120 later excerpts and the corrupt one; 40 songs each run 0.75 clips longer
    assert synth.default_set_seconds(1.0, cores=1) == 279 + 40 * 0.75
    assert synth.default_set_seconds(2.0, cores=2) == synth.default_set_seconds(1.0, cores=1)
