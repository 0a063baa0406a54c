"""Scaling out on existing engines: feature extraction on a Dask cluster, training on two JAX devices.

Both are what the README's scaling section promises, run for real: a ``dask.distributed``
LocalCluster with two worker processes behind joblib's ``dask`` backend, and Keras'
``DataParallel`` over two virtual CPU devices of JAX (``--xla_force_host_platform_device_count``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import joblib
import numpy as np
import pytest

from helpers.config import REPO_ROOT
from helpers.data import discover
from helpers.features import extract_features

distributed = pytest.importorskip("distributed", reason="dask.distributed is a dev dependency")


@pytest.mark.slow
def test_features_on_a_dask_cluster_are_bit_identical_to_the_local_run(tiny_dataset, small_features,
                                                                      tmp_path):
    clips, _ = discover(tiny_dataset)
    _, local, _ = extract_features(clips, small_features, cache_dir=tmp_path / "local", n_jobs=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        with joblib.parallel_config(backend="dask"):
            kept, remote, failed = extract_features(clips, small_features, cache_dir=tmp_path / "dask",
                                                    n_jobs=2)
        workers = {w["id"] for w in client.scheduler_info()["workers"].values()}
        assert len(workers) == 2
    assert failed.empty and len(kept) == len(clips)
    assert remote.dtype == local.dtype and np.array_equal(remote, local)
    assert len(list((tmp_path / "dask").rglob("*.npy"))) == 2 * len(clips), "the workers filled the cache"


#: Trains the compact model on the tiny dataset with 1 or 2 JAX devices; prints its history as JSON.
TRAIN_SCRIPT = """
import json, sys
import keras
from helpers.config import load_settings
from helpers.data import genre_list
from helpers.features import dataset_features
from helpers.split import make_split
from helpers.pipeline import train_and_test

devices = keras.distribution.list_devices()
if len(devices) > 1:
    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
cfg = load_settings(data_dir=sys.argv[1], n_frames=40, window_frames=20, epochs=4, patience=0,
                    batch_size=4, n_jobs=1)
clips, X, _ = dataset_features(cfg)
trained = train_and_test(cfg, X, clips["label"].to_numpy(), genre_list(clips), make_split(clips, cfg),
                         verbose=0)
print(json.dumps({"devices": len(devices), "history": trained.result.history.to_dict(orient="list")}))
"""


def _train_on(devices: int, data_dir: str, workdir: str) -> dict:
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu", "GENRE_WORKDIR": workdir,
           "XLA_FLAGS": f"--xla_force_host_platform_device_count={devices}"}
    done = subprocess.run([sys.executable, "-c", TRAIN_SCRIPT, data_dir], env=env, cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_data_parallel_on_two_jax_devices_trains_like_one(tiny_dataset, tmp_path):
    pytest.importorskip("jax", reason="JAX is a dev dependency")
    one = _train_on(1, str(tiny_dataset), str(tmp_path / "one"))
    two = _train_on(2, str(tiny_dataset), str(tmp_path / "two"))
    assert (one["devices"], two["devices"]) == (1, 2)
    for metric in ("loss", "val_loss"):
        np.testing.assert_allclose(two["history"][metric], one["history"][metric], rtol=1e-3, atol=1e-4)
    assert two["history"]["loss"][-1] < two["history"]["loss"][0], "it learns on two devices"
