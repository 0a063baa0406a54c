"""The helpers on every Keras backend: each check runs in a fresh process with KERAS_BACKEND set."""

import importlib.util
import json
import subprocess
import sys

import pytest

SCRIPT = """
import json, numpy as np, pandas as pd, keras
from helpers.config import load_settings
from helpers.embed import clip_embeddings
from helpers.models import build_model
from helpers.metrics import evaluate
from helpers.train import clip_probabilities, one_hot, train_model

rng = np.random.default_rng(0)
X = rng.normal(size=(24, 64, 8)).astype("float32")
X[:12, :, :4] += 3
X[12:, :, 4:] += 3
clips = pd.DataFrame({"label": ["low"] * 12 + ["high"] * 12, "song_id": [f"s{i}" for i in range(24)]})
split = pd.Series(["train"] * 8 + ["val"] * 2 + ["test"] * 2 + ["train"] * 8 + ["val"] * 2 + ["test"] * 2)
cfg = load_settings(n_frames=64, window_frames=32, n_mels=8, epochs=8, patience=0, batch_size=8,
                    learning_rate=0.01)
genres = ["high", "low"]
model = build_model("compact", (32, 8), 2, cfg.learning_rate, seed=0)
result = train_model(model, cfg, X, one_hot(clips["label"], genres), split)
test = (split == "test").to_numpy()
acc = evaluate(clip_probabilities(model, X[test], 32), clips["label"][test], genres)["accuracy"]
model.save("TMP/m.keras")
again = keras.saving.load_model("TMP/m.keras")
same = bool(np.allclose(again.predict(X[:2, :32], verbose=0), model.predict(X[:2, :32], verbose=0),
                        atol=1e-5))
print(json.dumps({"backend": keras.backend.backend(), "accuracy": acc, "reloaded_same": same,
                  "embedding": list(clip_embeddings(model, X[:2], 32).shape)}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_training_and_saving_work_on_the_backend(backend, tmp_path):
    module = "tensorflow" if backend == "tensorflow" else backend
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{backend} is not installed (see the README's section on backends)")
    env = {"KERAS_BACKEND": backend, "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", SCRIPT.replace("TMP", str(tmp_path))], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["backend"] == backend
    assert report["accuracy"] == 1.0
    assert report["reloaded_same"]
    assert report["embedding"] == [2, 64]
