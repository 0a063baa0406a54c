"""Benchmark: the speed claims of the tutorial, measured in one run on one machine.

    python bench/bench.py [--clips 1000]      (part of make bench)

Prints a table and saves it as ``<work dir>/outputs/bench.csv`` and ``bench.md``:

* feature extraction, clips/s: the original's sequential librosa loop vs this project,
  cold (empty cache, ``n_jobs`` workers) and warm (cached), on the same 30-s 22050 Hz clips;
* peak memory (all processes) while extracting ``--clips`` clips cold;
* training: seconds per epoch and test accuracy of the seed model (a few epochs,
  extrapolated to its 200) vs the compact default (trained to early stopping), on the
  same split of the default dataset.

The notebooks' times are measured cold, at 400 and 1,000 clips, by ``bench/scale.py``, and from a
fresh clone against the speed targets by ``bench/fresh_clone.py``.

Every speed figure is also given as a ratio against its baseline from the same run.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import soundfile as sf
from joblib import Parallel, delayed
from report import PeakMemory, save_report

from helpers.config import GTZAN_GENRES, load_settings, work_dir
from helpers.data import discover, genre_list
from helpers.features import dataset_features, extract_features, seed_features
from helpers.pipeline import train_and_test
from helpers.split import make_split


def _write_clip(path: Path, seed: int, sr: int = 22050, seconds: float = 30.0) -> None:
    """A GTZAN-like clip (30 s, 22050 Hz, 16-bit): decaying tones over noise. Content does not
    change extraction cost, so it only needs to be audio-like, not musical."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(sr * seconds)) / sr
    y = 0.05 * rng.standard_normal(t.size)
    for f in rng.uniform(80, 2000, 4):
        y += 0.1 * np.sin(2 * np.pi * f * t) * np.exp(-(t % rng.uniform(0.2, 1.0)) * 3)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, np.clip(y, -1, 1).astype(np.float32), sr, subtype="PCM_16")


def peak_memory(command: list[str]) -> tuple[float, float]:
    """Run ``command``; return (peak resident memory of it and all its children in bytes, seconds)."""
    start = time.perf_counter()
    proc = psutil.Popen(command)
    with PeakMemory(proc, interval=0.05) as memory:
        proc.wait()
    if proc.returncode:
        raise RuntimeError(f"{command} failed with exit code {proc.returncode}")
    return memory.peak, time.perf_counter() - start


def bench_features(n_clips: int, n_baseline: int, n_jobs: int, rows: list) -> None:
    """Extraction throughput (original loop vs project, cold and warm) and peak memory."""
    cfg = load_settings(scaling="power")
    work_dir().mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench-", dir=work_dir()))
    try:
        print(f"writing {n_clips} clips of 30 s at 22050 Hz ...", flush=True)
        Parallel(n_jobs=n_jobs)(delayed(_write_clip)(tmp / "audio" / GTZAN_GENRES[i % 10] / f"{i:05d}.wav", i)
                                for i in range(n_clips))
        clips, _ = discover(tmp / "audio")
        subset = clips.iloc[:n_baseline]

        start = time.perf_counter()
        reference = np.stack([seed_features(p) for p in subset["path"]])
        seq = len(subset) / (time.perf_counter() - start)
        rows.append(("features", "original sequential librosa loop", seq, "clips/s", 1.0))

        # start the worker pool first, so its one-off start-up is not billed to the subset
        extract_features(clips.iloc[-2:], cfg.features, cache_dir=tmp / "warmup", n_jobs=n_jobs)
        start = time.perf_counter()
        _, X, _ = extract_features(subset, cfg.features, cache_dir=tmp / "cache", n_jobs=n_jobs)
        cold = len(subset) / (time.perf_counter() - start)
        err = float(np.max(np.abs(X - reference) / (np.abs(reference) + 1e-6 * reference.max())))
        rows.append(("features", f"project cold, {n_jobs} workers (max rel. error {err:.1e})", cold,
                     "clips/s", cold / seq))
        start = time.perf_counter()
        extract_features(subset, cfg.features, cache_dir=tmp / "cache", n_jobs=n_jobs)
        warm = len(subset) / (time.perf_counter() - start)
        rows.append(("features", "project warm (cached)", warm, "clips/s", warm / seq))

        # a fresh process, as a user's notebook kernel would be, without this script's imports
        code = ("from helpers.config import load_settings; from helpers.data import discover; "
                "from helpers.features import extract_features; "
                f"extract_features(discover({str(tmp / 'audio')!r})[0], "
                f"load_settings(scaling='power').features, cache_dir={str(tmp / 'cache2')!r}, "
                f"n_jobs={n_jobs})")
        peak, wall = peak_memory([sys.executable, "-c", code])
        rows.append(("memory", f"peak RSS extracting {len(clips)} clips cold (all processes)",
                     peak / 2**30, "GiB", None))
        rows.append(("features", f"project cold on all {len(clips)} clips, fresh process "
                     "(start-up included)", len(clips) / wall, "clips/s", len(clips) / wall / seq))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bench_training(seed_epochs: int, rows: list) -> None:
    """Seed vs compact model on the same split of the default dataset."""
    compact = load_settings()
    same_split = {k: getattr(compact, k) for k in ("split", "val_fraction", "test_fraction")}
    seed = load_settings("params/seed.yaml", epochs=seed_epochs, **same_split)  # the original recipe
    results = {}
    for name, cfg in (("compact", compact), ("seed", seed)):
        clips, X, _ = dataset_features(cfg)
        genres = genre_list(clips)
        split = make_split(clips, cfg)
        trained = train_and_test(cfg, X, clips["label"].to_numpy(), genres, split)  # notebook 03's recipe
        seconds, epochs = trained.result.seconds, len(trained.result.history)  # the fit alone
        acc = trained.report["accuracy"]
        per_epoch = seconds / epochs  # includes the first epoch's graph building: conservative
        results[name] = dict(per_epoch=per_epoch, epochs=epochs, total=seconds, acc=acc,
                             n_train=int((split == "train").sum()))
    c, s = results["compact"], results["seed"]
    seed_full = s["per_epoch"] * 200
    rows += [
        ("training", f"seed model: s/epoch ({s['n_train']} training clips)", s["per_epoch"], "s", 1.0),
        ("training", "compact model: s/epoch", c["per_epoch"], "s", c["per_epoch"] / s["per_epoch"]),
        ("training", "seed model: 200 epochs (extrapolated from the epochs run)", seed_full, "s", 1.0),
        ("training", f"compact model: until early stopping ({c['epochs']} epochs)", c["total"], "s",
         c["total"] / seed_full),
        ("accuracy", f"seed model test accuracy after {s['epochs']} epoch(s) (stated budget)", s["acc"],
         "", None),
        ("accuracy", "compact model test accuracy", c["acc"], "", None),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=1000, help="clips for the memory measurement")
    parser.add_argument("--baseline-clips", type=int, default=150,
                        help="clips timed with the original loop and the project")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--seed-epochs", type=int, default=2)
    args = parser.parse_args()
    rows: list = []
    bench_features(args.clips, args.baseline_clips, args.n_jobs, rows)
    bench_training(args.seed_epochs, rows)
    table = pd.DataFrame(rows, columns=["what", "measure", "value", "unit", "ratio_vs_baseline"])
    save_report(table, "bench", "Benchmark")


if __name__ == "__main__":
    main()
