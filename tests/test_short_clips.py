"""Short clips: the model learns and predicts from their audio, not from the silence they were padded with.

The folder here is the synthetic set cut short when the test runs: clips of 15-20 s, padded to
28.8 s by the features, so about a third to half of every clip's windows are padding. Two tests:

* trained with only the windows (and, for the baseline, the frames) of audio, the compact CNN and
  the baseline do no worse, over seeds, than trained and tested on the padded windows as well;
* notebook 03, run as a batch user runs it, never hands Keras a window that is mostly padding, in
  training or in prediction (a spy in the kernel counts them).
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import numpy as np
import papermill
import pytest
import soundfile as sf
import yaml

from helpers.config import REPO_ROOT, load_settings
from helpers.data import genre_list
from helpers.features import dataset_features
from helpers.notebook.runner import params_for_kernels
from helpers.pipeline import train_and_test
from helpers.progress import TEXT_BARS_ENV
from helpers.split import make_split
from helpers.synth.dataset import SYNTH_RATE, synth_clip
from helpers.train import windows

GENRES = ("classical", "disco", "metal", "reggae")
CLIPS_PER_GENRE = 12
SEEDS = (0, 1, 2)

#: Runs in the notebook's kernel: counts the windows given to Keras that are mostly padding (more
#: than half their frames at the -100 dB floor of digital silence in every band).
SPY = '''
import json, os, keras, numpy as np
def _count(x, where):
    if isinstance(x, np.ndarray) and x.ndim == 3:
        padding = ((x == -100.0).all(axis=-1).mean(axis=-1) > 0.5).sum()
        with open(os.environ["SHORT_CLIPS_SPY"], "a") as f:
            f.write(json.dumps({"where": where, "windows": len(x), "padding": int(padding)}) + "\\n")
_fit, _predict = keras.Model.fit, keras.Model.predict
def fit(self, x=None, y=None, *args, validation_data=None, **kwargs):
    _count(x, "fit")
    if validation_data is not None:
        _count(validation_data[0], "validation")
    return _fit(self, x, y, *args, validation_data=validation_data, **kwargs)
def predict(self, x, *args, **kwargs):
    _count(x, "predict")
    return _predict(self, x, *args, **kwargs)
keras.Model.fit, keras.Model.predict = fit, predict
'''


def write_short_folder(root: Path) -> None:
    """The synthetic styles of :data:`GENRES`, each clip rendered at 30 s and cut to 15-20 s."""
    for g, genre in enumerate(GENRES):
        for i in range(CLIPS_PER_GENRE):
            rng = np.random.default_rng([11, g, i])
            y = synth_clip(genre, rng, 30.0, SYNTH_RATE)
            seconds = rng.uniform(15, 20)
            path = root / genre / f"{genre}.{i:05d}.wav"
            path.parent.mkdir(parents=True, exist_ok=True)
            sf.write(path, y[: int(seconds * SYNTH_RATE)], SYNTH_RATE)


@pytest.fixture(scope="module")
def short_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("short") / "short clips"
    write_short_folder(root)
    return root


@pytest.mark.slow
def test_audio_only_windows_do_no_worse_than_padded_ones_over_seeds(short_folder):
    cfg = load_settings("params/quick.yaml", data_dir=str(short_folder))
    clips, X, _ = dataset_features(cfg)
    audio = clips["audio_frames"].to_numpy()
    assert (audio < X.shape[1]).all() and (audio > X.shape[1] / 2).all()  # every clip padded, none by half
    padding = {way: int(((W == -100.0).all(axis=-1).mean(axis=-1) > 0.5).sum())  # the notebook spy's count
               for way, (W, _) in {"all": windows(X, cfg.window_frames),
                                   "audio": windows(X, cfg.window_frames, audio)}.items()}
    assert padding["all"] >= len(X) and padding["audio"] == 0, padding
    labels, genres, split = clips["label"].to_numpy(), genre_list(clips), make_split(clips, cfg)
    scores = {"cnn": {"padded": [], "audio": []}, "baseline": {"padded": [], "audio": []}}
    for seed in SEEDS:
        run = dataclasses.replace(cfg, seed=seed)
        for way, frames in (("padded", None), ("audio", audio)):  # None: every frame counts as audio
            trained = train_and_test(run, X, labels, genres, split, verbose=0, audio_frames=frames)
            scores["cnn"][way].append(trained.report["accuracy"])
            scores["baseline"][way].append(trained.baseline_accuracy)
    for model, ways in scores.items():
        gain = np.subtract(ways["audio"], ways["padded"])
        one_clip = 1 / (split == "test").sum()  # the spread's floor: one test clip
        spread = max(np.std(ways["audio"], ddof=1), np.std(ways["padded"], ddof=1), one_clip)
        print(f"{model}: padded {np.mean(ways['padded']):.3f} ± {np.std(ways['padded'], ddof=1):.3f}, audio "
              f"only {np.mean(ways['audio']):.3f} ± {np.std(ways['audio'], ddof=1):.3f} over seeds {SEEDS}")
        assert gain.mean() >= -spread, f"{model}: audio-only windows do worse than padded ones: {ways}"


@pytest.mark.slow
def test_notebook_03_uses_no_window_of_padding_on_short_clips(short_folder, tmp_path, monkeypatch):
    quick = yaml.safe_load(Path("params/quick.yaml").read_text())
    params = tmp_path / "short.yaml"
    params.write_text(yaml.safe_dump({**quick, "data_dir": str(short_folder)}))
    startup = tmp_path / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-spy.py").write_text(SPY)
    spy = tmp_path / "windows.jsonl"
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("SHORT_CLIPS_SPY", str(spy))
    monkeypatch.setenv("PYTHONPATH", str(REPO_ROOT))  # the kernel imports this checkout's helpers
    monkeypatch.delenv(TEXT_BARS_ENV, raising=False)
    with params_for_kernels(params):
        notebook = REPO_ROOT / "notebooks" / "03_train_model.ipynb"
        papermill.execute_notebook(notebook, tmp_path / notebook.name, cwd=notebook.parent,
                                   progress_bar=False)
    calls = [json.loads(line) for line in spy.read_text().splitlines()]
    seen = {where: sum(c["windows"] for c in calls if c["where"] == where) for where in ("fit", "predict")}
    assert seen["fit"] > 0 and seen["predict"] > 0, f"the spy saw no windows: {seen}"
    padding = [c for c in calls if c["padding"]]
    assert not padding, f"windows of padding given to Keras: {padding}"
    assert os.path.exists(tmp_path / notebook.name)
