"""Ways to run musicnn's embeddings on a CPU, measured in one run on one machine.

    python bench/musicnn_options.py [--clips 32]

Each option embeds the same patches (the 3-s patches of about ``--clips`` clips of the default
dataset: the same whole number per genre) in a fresh process, after one warm-up batch, one call
per batch, and is compared with the Keras port run plainly (Keras ``predict``, batches of 64,
TensorFlow's default threads; the project's way is ONNX Runtime, :mod:`helpers.musicnn.runtime`):
patches per second, the speed-up, the largest difference of any embedding value, and the share
of full batches that took more than 1.5 times the fastest one (on a 2-core machine TensorFlow
runs some batches on one core while the other idles, at random; such a batch takes twice as
long). The last line is the
bound the network's own arithmetic sets: its multiply-adds per patch against the machine's
measured matrix-multiply rate.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np

from helpers.musicnn import runtime

#: option name -> (environment, arguments of the worker)
OPTIONS: dict[str, tuple[dict[str, str], dict[str, object]]] = {
    "Keras predict, batch 64 (the Keras port)": ({}, {"batch": 64}),
    "batch 16": ({}, {"batch": 16}),
    "batch 256": ({}, {"batch": 256}),
    "XLA (jit_compile=True), batch 64": ({}, {"batch": 64, "way": "xla"}),
    "1 intra-op thread": ({"TF_NUM_INTRAOP_THREADS": "1"}, {"batch": 64}),
    "2 intra-op threads, 1 inter-op": ({"TF_NUM_INTRAOP_THREADS": "2", "TF_NUM_INTEROP_THREADS": "1"},
                                       {"batch": 64}),
    "8 inter-op threads": ({"TF_NUM_INTEROP_THREADS": "8"}, {"batch": 64}),
    "oneDNN off (TF_ENABLE_ONEDNN_OPTS=0)": ({"TF_ENABLE_ONEDNN_OPTS": "0"}, {"batch": 64}),
    "JAX backend, batch 64": ({"KERAS_BACKEND": "jax"}, {"batch": 64}),
    "ONNX Runtime, batch 16 (the project's)": ({}, {"batch": runtime.ONNX_BATCH, "way": "onnx"}),
}


def patches(n_clips: int) -> tuple[np.ndarray, int]:
    """The musicnn input patches of the first ``n_clips // genres`` clips of each genre of the
    default dataset (at least one each), and how many clips that is."""
    from helpers.config import load_settings
    from helpers.data import discover, prepare_dataset
    from helpers.musicnn.frontend import clip_audio, preprocess

    clips, _ = discover(prepare_dataset(load_settings()))
    paths = clips.groupby("label").head(max(1, n_clips // clips["label"].nunique()))["path"][:n_clips]
    return np.concatenate([preprocess(clip_audio(p)) for p in paths]), len(paths)


#: A batch that takes more than this many times the fastest batch of its run is counted as slow.
SLOW_BATCH = 1.5


def slow_share(seconds: list[float], sizes: list[int]) -> float:
    """Share of the full batches (the largest size) that took more than :data:`SLOW_BATCH` times the
    fastest of them; a last, partial batch is left out, as it is faster for being smaller.

    >>> slow_share([5.2, 10.3, 5.0, 5.4, 2.1], [64, 64, 64, 64, 24])
    0.25
    """
    full = [s for s, n in zip(seconds, sizes, strict=True) if n == max(sizes)]
    return sum(s > SLOW_BATCH * min(full) for s in full) / len(full)


def worker(inputs: Path, output: Path, batch: int, way: str = "keras") -> None:
    """Embed the patches in ``inputs`` one way (``"keras"``, ``"xla"`` or ``"onnx"``), a call per
    batch; write the embeddings and the seconds each batch took."""
    from helpers.models import embedding_model
    from helpers.musicnn.model import EMBEDDING_LAYER, load_musicnn

    x = np.load(inputs)
    encoder = embedding_model(load_musicnn(), EMBEDDING_LAYER)
    if way == "onnx":
        predict = runtime.onnx_predictor(encoder, output.parent / "onnx")
    else:
        if way == "xla":
            encoder.compile(jit_compile=True)
        predict = partial(encoder.predict, batch_size=batch, verbose=0)
    predict(x[:batch])  # warm-up: tracing and compiling
    out, seconds = [], []
    for start in range(0, len(x), batch):
        begun = time.perf_counter()
        out.append(predict(x[start : start + batch]))
        seconds.append(time.perf_counter() - begun)
    np.save(output, np.concatenate(out).astype(np.float32))
    sizes = [len(part) for part in out]
    output.with_suffix(".json").write_text(json.dumps({"seconds": seconds, "sizes": sizes}))


def multiply_adds_per_patch() -> int:
    """Multiply-adds of one patch through musicnn's convolutions and dense layers (the bulk of it)."""
    import keras

    from helpers.musicnn.model import load_musicnn

    total = 0
    for layer in load_musicnn().layers:
        if isinstance(layer, keras.layers.Conv2D | keras.layers.Conv1D | keras.layers.Dense):
            kernel = int(np.prod(layer.kernel.shape))  # inputs x outputs of one position
            positions = int(np.prod(layer.output.shape[1:-1])) if len(layer.output.shape) > 2 else 1
            total += kernel * positions
    return total


def matmul_rate(size: int = 2048, repeats: int = 5) -> float:
    """Multiply-adds per second of a float32 matrix product on this machine (NumPy's BLAS)."""
    a = np.random.default_rng(0).standard_normal((size, size), np.float32)
    a @ a
    start = time.perf_counter()
    for _ in range(repeats):
        a @ a
    return repeats * size**3 / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=32)
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        inputs, output, batch, way = args.worker
        worker(Path(inputs), Path(output), int(batch), way)
        return
    with tempfile.TemporaryDirectory() as folder:
        inputs = Path(folder) / "patches.npy"
        x, n_clips = patches(args.clips)
        np.save(inputs, x)
        n = len(np.load(inputs))
        rows, reference = [], None
        for name, (env, kwargs) in OPTIONS.items():
            output = Path(folder) / f"{len(rows)}.npy"
            command = [sys.executable, __file__, "--worker", str(inputs), str(output), str(kwargs["batch"]),
                       kwargs.get("way", "keras")]
            done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True)
            if done.returncode:
                rows.append((name, None, None, None, None, done.stderr.strip().splitlines()[-1][:80]))
                continue
            batches = json.loads(output.with_suffix(".json").read_text())
            rate = n / sum(batches["seconds"])
            out = np.load(output)
            reference = out if reference is None else reference
            base = rows[0][1] if rows else rate
            diff = float(np.abs(out - reference).max())
            rows.append((name, rate, rate / base, diff, slow_share(batches["seconds"], batches["sizes"]), ""))
        per_patch = multiply_adds_per_patch()
        bound = matmul_rate() / per_patch
    print(f"{n} patches of 3 s ({n_clips} clips); {os.cpu_count()} CPUs")
    print(f"{'option':42} {'patches/s':>10} {'speed-up':>9} {'max |diff|':>11} {'slow batches':>13}")
    for name, rate, ratio, diff, slow, error in rows:
        if rate is None:
            print(f"{name:42} failed: {error}")
        else:
            print(f"{name:42} {rate:10.1f} {ratio:8.2f}x {diff:11.2e} {slow:13.0%}")
    print(f"bound: {bound:.1f} patches/s = NumPy's float32 matrix-multiply rate / musicnn's "
          f"{per_patch / 1e9:.2f} G multiply-adds per patch")


if __name__ == "__main__":
    main()
