"""Every notebook runs, under papermill, on a small folder of music that is not GTZAN.

The folder is generated here: labels unlike GTZAN's (one with a space, one with a non-ASCII
letter), file names with spaces and commas (the same name in every label folder), mixed formats
(m4a and opus among them),
rates and channel counts, one clip shorter than 28.8 s, one corrupt file, and a label folder
whose only file is corrupt (dropped with a message), with few clips per label.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
import soxr
import yaml
from test_audio import write_with_ffmpeg

from helpers.audio import audio_info
from helpers.config import work_dir
from helpers.notebook.runner import run_all
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


def test_odd_folder_has_what_the_test_promises(tmp_path):
    written = write_odd_folder(tmp_path)
    assert {Path(p).suffix for p in written} == {".wav", ".flac", ".ogg", ".mp3", ".m4a", ".opus"}
    infos = [audio_info(tmp_path / p) for p in written]
    assert {i.sample_rate for i in infos} == set(RATES) and {i.channels for i in infos} == {1, 2}
    assert min(i.duration for i in infos) < 28.8
    assert sum(Path(p).name.startswith("01 Track 1") for p in written) == len(STYLES)


@pytest.mark.slow
def test_every_notebook_runs_on_a_folder_that_is_not_gtzan(tmp_path):
    data = tmp_path / "my music"
    write_odd_folder(data)
    params = tmp_path / "odd.yaml"
    quick = yaml.safe_load(Path("params/quick.yaml").read_text())
    params.write_text(yaml.safe_dump({**quick, "data_dir": str(data)}))
    out = tmp_path / "outputs"

    timings = run_all(str(params), out_dir=out)
    print(timings.to_string(index=False))  # the runtime of each notebook, for the record

    assert len(timings) == 7

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
    assert "k-fold" in text_of("03_train_model.ipynb")
    assert "query: " in text_of("04_tsne_embeddings.ipynb")
    for label in STYLES:
        assert label in text_of("06_transfer_learning.ipynb")

