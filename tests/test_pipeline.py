"""load_or_train: notebooks 04-06 get notebook 03's bundle, training it first if it is missing."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import pipeline
from helpers.bundle import load_bundle
from helpers.config import load_settings
from helpers.features import dataset_features
from helpers.train import clip_probabilities


@pytest.fixture
def cfg(tiny_dataset):
    return load_settings(data_dir=str(tiny_dataset), n_frames=40, window_frames=20, epochs=3,
                         patience=0, batch_size=4, n_jobs=1)


@pytest.mark.slow
def test_trains_and_saves_when_missing_then_loads(cfg, monkeypatch, capsys):
    assert not cfg.model_dir.exists()
    trained = pipeline.load_or_train(cfg)
    assert "Training it now" in capsys.readouterr().out
    saved = load_bundle(cfg.model_dir)
    assert saved.genres == trained.genres == ["classical", "disco", "metal"]
    assert saved.window_frames == 20 and saved.threshold is not None
    assert saved.info["settings"] == cfg.to_dict() and len(saved.info["history"]["loss"]) == 3
    assert {"test_accuracy", "baseline_accuracy", "train_seconds", "best_epoch"} <= set(saved.info)
    _, X, _ = dataset_features(cfg)
    np.testing.assert_allclose(clip_probabilities(saved.model, X, 20),
                               clip_probabilities(trained.model, X, 20), atol=1e-6)
    monkeypatch.setattr(pipeline, "train_bundle", lambda cfg: pytest.fail("retrained"))
    again = pipeline.load_or_train(cfg)
    assert "Training" not in capsys.readouterr().out and again.genres == saved.genres


@pytest.mark.slow
def test_train_bundle_gives_the_bundle_of_notebook_03(cfg, tmp_path, monkeypatch):
    import papermill

    from helpers.config import REPO_ROOT, WORKDIR_ENV

    notebook = REPO_ROOT / "notebooks" / "03_train_model.ipynb"
    monkeypatch.delenv("TUTORIAL_PARAMS", raising=False)
    monkeypatch.setenv(WORKDIR_ENV, str(tmp_path / "notebook"))
    papermill.execute_notebook(notebook, tmp_path / "03.ipynb", parameters=cfg.to_dict(),
                               cwd=notebook.parent, progress_bar=False)
    from_notebook = load_bundle(cfg.model_dir)
    monkeypatch.setenv(WORKDIR_ENV, str(tmp_path / "pipeline"))
    from_pipeline = pipeline.train_bundle(cfg)
    assert from_pipeline.genres == from_notebook.genres
    assert from_pipeline.threshold == from_notebook.threshold
    for key in ("test_accuracy", "baseline_accuracy", "best_epoch"):
        assert from_pipeline.info[key] == from_notebook.info[key], key
    np.testing.assert_allclose(from_pipeline.info["history"]["loss"], from_notebook.info["history"]["loss"],
                               rtol=1e-6)
    for a, b in zip(from_pipeline.model.get_weights(), from_notebook.model.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)
