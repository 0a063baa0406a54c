"""Every notebook runs, under papermill, on a small folder of music that is not GTZAN.

The folder is generated here: labels unlike GTZAN's (one with a space, one with a non-ASCII
letter), file names with spaces and commas (the same name in every label folder), mixed formats
(m4a and opus among them),
rates and channel counts, one clip shorter than 28.8 s, one corrupt file, and a label folder
whose only file is corrupt (dropped with a message), with few clips per label. The notebooks run
as a batch user runs them, with plain papermill, and must store no frozen progress bar, no empty
table and no path of the folder; the cells that showed the last two run here alone as well, fast.
"""

from __future__ import annotations

import ast
import json
import re
import time
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pandas as pd
import papermill
import pytest
import soundfile as sf
import soxr
import yaml
from test_audio import write_with_ffmpeg

from helpers.audio import audio_info
from helpers.config import REPO_ROOT, work_dir
from helpers.notebook.runner import notebook_paths, params_for_kernels
from helpers.notebook.upload import HOW_TO
from helpers.progress import TEXT_BARS_ENV
from helpers.synth.dataset import SYNTH_RATE, synth_clip

#: Label folder -> the synthetic style its clips are drawn from.
STYLES = {"hip hop": "metal", "música": "classical", "waltz": "reggae"}
CLIPS_PER_LABEL = 6
#: (extension, soundfile format or FFmpeg codec) of each clip, in turn.
FORMATS = [(".wav", "WAV"), (".flac", "FLAC"), (".ogg", "OGG"), (".mp3", "MP3"), (".m4a", "aac"),
           (".opus", "libopus")]
RATES = [22050, 44100, 48000]
SHORT = "waltz/Short, 20 s.flac"
CORRUPT = "waltz/broken, file.mp3"
ALL_BAD = "only bad/01 Track 1.wav"
#: A progress bar as first drawn: "0%|", "| 0/37 [", "[00:00<?, ?clip/s]", "0epoch [".
#: The notebook with the "try your own song" box, stored as the sentence that says how to use it.
UPLOAD_NOTEBOOK = "05_predict_genres.ipynb"
FROZEN_BAR = re.compile(r"(?<![\d.])0%\||\| 0/\d+ \[|<\?, \?|\b0\w+ \[00:00")


def write_odd_folder(root: Path) -> list[str]:
    """Write the folder described in the module docstring; return the relative paths of good clips."""
    written = []
    for g, (label, style) in enumerate(STYLES.items()):
        for i in range(CLIPS_PER_LABEL):
            ext, fmt = FORMATS[(g + i) % len(FORMATS)]
            rate = RATES[(g + i) % len(RATES)]
            name = "01 Track 1" if i == 0 else f"Song {i}, take {g}"
            relpath = f"{label}/{name}{ext}"
            seconds = 30.0
            if i == CLIPS_PER_LABEL - 1 and label == "waltz":
                relpath, seconds, fmt, rate = SHORT, 20.0, "FLAC", 44100
            y = synth_clip(style, np.random.default_rng([7, g, i]), seconds, SYNTH_RATE)
            if (g + i) % 2:
                y = np.stack([y, 0.6 * y], axis=1)
            path = root / relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            if fmt in ("aac", "libopus"):
                rate = 48000 if fmt == "libopus" else rate  # Opus encodes at 48 kHz
                write_with_ffmpeg(path, soxr.resample(y, SYNTH_RATE, rate), rate, fmt)
            else:
                sf.write(path, soxr.resample(y, SYNTH_RATE, rate), rate, format=fmt)
            written.append(relpath)
    for relpath in (CORRUPT, ALL_BAD):
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_bytes(np.random.default_rng(1).bytes(5000))
    return written


def run_cell(notebook: str, cell_id: str, namespace: dict[str, Any]) -> Any:
    """Run the code cell ``cell_id`` of a committed notebook in ``namespace``; return the value of its
    last line when that is an expression (what Jupyter shows under the cell), else None."""
    cells = nbformat.read(REPO_ROOT / "notebooks" / notebook, as_version=4).cells
    tree = ast.parse(next(c for c in cells if c.get("id") == cell_id).source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, cell_id, "exec"), namespace)
    return eval(compile(ast.Expression(last.value), cell_id, "eval"), namespace) if last else None


def test_the_clip_table_of_notebook_01_shows_paths_inside_the_folder(tiny_dataset, tiny_dataset_spec):
    from helpers.data import discover

    namespace = {"prepare_dataset": lambda cfg: tiny_dataset, "discover": discover, "cfg": None, "Path": Path}
    table = run_cell("01_load_data.ipynb", "01-04", namespace)
    assert table["path"].tolist() == [spec.relpath for spec in tiny_dataset_spec[:5]]
    assert str(tiny_dataset) not in table.to_string()


@pytest.mark.parametrize("labels", [list(STYLES), ["blues", "waltz"]])
def test_notebook_06_shows_no_empty_table_of_fitting_tags(labels):
    from IPython.display import Markdown

    from helpers.musicnn.tags import GENRE_TAGS

    shown = []
    run_cell("06_transfer_learning.ipynb", "06-05", {"pd": pd, "GENRE_TAGS": GENRE_TAGS, "Markdown": Markdown,
                                                      "display": shown.append, "genres": sorted(labels)})
    [what] = shown
    if "blues" in labels:
        assert what.index.tolist() == ["blues"] and GENRE_TAGS["blues"][0] in what.iloc[0, 0]
    else:
        assert isinstance(what, Markdown) and "no map of fitting tags" in what.data


def test_odd_folder_has_what_the_test_promises(tmp_path):
    written = write_odd_folder(tmp_path)
    assert {Path(p).suffix for p in written} == {".wav", ".flac", ".ogg", ".mp3", ".m4a", ".opus"}
    infos = [audio_info(tmp_path / p) for p in written]
    assert {i.sample_rate for i in infos} == set(RATES) and {i.channels for i in infos} == {1, 2}
    assert min(i.duration for i in infos) < 28.8
    assert sum(Path(p).name.startswith("01 Track 1") for p in written) == len(STYLES)


@pytest.mark.slow
def test_every_notebook_runs_on_a_folder_that_is_not_gtzan(tmp_path, monkeypatch):
    """Run as a batch user runs them, with plain papermill: no frozen bar, empty table or path of
    the user's folder may be stored."""
    data = tmp_path / "my music"
    write_odd_folder(data)
    params = tmp_path / "odd.yaml"
    quick = yaml.safe_load(Path("params/quick.yaml").read_text())
    params.write_text(yaml.safe_dump({**quick, "data_dir": str(data)}))
    out = tmp_path / "outputs"
    out.mkdir()
    monkeypatch.delenv(TEXT_BARS_ENV, raising=False)
    monkeypatch.setenv("PYTHONPATH", str(REPO_ROOT))  # the kernels import this checkout's helpers
    seconds = {}
    with params_for_kernels(params):
        for notebook in notebook_paths():
            start = time.perf_counter()
            papermill.execute_notebook(notebook, out / notebook.name, cwd=notebook.parent, progress_bar=False)
            seconds[notebook.name] = round(time.perf_counter() - start)
    print(seconds)  # the runtime of each notebook, for the record

    assert len(seconds) == 7

    def text_of(notebook: str) -> str:
        cells = json.loads((out / notebook).read_text())["cells"]
        return "\n".join("".join(o.get("text", "")) + json.dumps(o.get("data", {}), ensure_ascii=False)
                         for c in cells if c["cell_type"] == "code" for o in c["outputs"])

    report = pd.read_csv(work_dir() / "reports" / f"{data.name}-bad-files.csv")
    skipped = dict(zip(report["path"], report["action"], strict=True))
    assert skipped[str(data / CORRUPT)] == "skipped"
    assert skipped[str(data / SHORT)] == "kept"
    assert any("only bad" in p and action != "kept" for p, action in skipped.items())
    assert "broken, file.mp3" in text_of("01_load_data.ipynb")
    assert "differ most" in text_of("02_spectrograms.ipynb")
    assert "k-fold: 100%" in text_of("03_train_model.ipynb")
    assert "query: " in text_of("04_tsne_embeddings.ipynb")
    for label in STYLES:
        assert label in text_of("06_transfer_learning.ipynb")
    for notebook in seconds:
        text = text_of(notebook)
        assert not FROZEN_BAR.search(text), f"{notebook} stores a bar in its first state"
        cells = json.loads((out / notebook).read_text())["cells"]
        widgets = ["".join(o["data"]["text/plain"]) for c in cells if c["cell_type"] == "code"
                   for o in c["outputs"] if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
        assert set(widgets) <= {HOW_TO}, f"{notebook} stores widgets other than the upload box: {widgets}"
        assert widgets == ([HOW_TO] if notebook == UPLOAD_NOTEBOOK else []), notebook
        assert "Empty DataFrame" not in text, notebook
        settings = "replaces this notebook's"  # start() names the data_dir the notebook ran with
        shown = [line for line in text.splitlines() if str(data) in line and settings not in line]
        assert not shown, f"{notebook} shows the path of the folder: {shown}"
