"""Predicting the genre of any audio file, with low-confidence results flagged for review.

A song of any length, format, rate or channel count is cut into model-sized
windows (every ``hop_frames`` frames); the song's genre probabilities are the
mean of its windows'. The top probability is the *confidence*; under the
bundle's review threshold, the song is flagged ``needs_review``.

Command line (same functions as notebook 05)::

    python -m helpers.predict song.mp3 my_music/ --csv review.csv
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from helpers.audio import AudioError, load_audio
from helpers.bundle import Bundle, BundleError, load_bundle
from helpers.config import load_settings
from helpers.data import REPORT_COLUMNS, SKIPPED, scan_folder
from helpers.features import mel_from_signal

#: Columns of the prediction table.
PREDICTION_COLUMNS = ["path", "genre_1", "p_1", "genre_2", "p_2", "genre_3", "p_3",
                      "confidence", "needs_review", "note"]


@dataclasses.dataclass
class SongPrediction:
    """Probabilities for one song: per window and averaged."""

    path: str
    window_starts: np.ndarray  # start time of each window, seconds
    window_probs: np.ndarray  # (windows, genres)
    padded: bool = False  # shorter than one window, so padded with silence

    @property
    def probs(self) -> np.ndarray:
        """The song's genre probabilities: the mean over its windows."""
        return self.window_probs.mean(axis=0)


def sliding_windows(S: np.ndarray, window_frames: int, hop_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """Windows of ``window_frames`` frames every ``hop_frames`` frames, and their start frames.

    A spectrogram shorter than one window is padded at the end with its
    quietest value (silence); the last window is aligned to the end so that no
    part of the song is left out.

    >>> W, starts = sliding_windows(np.zeros((10, 2)), 4, 3)
    >>> W.shape, starts.tolist()
    ((3, 4, 2), [0, 3, 6])
    """
    if len(S) < window_frames:
        S = np.pad(S, ((0, window_frames - len(S)), (0, 0)), constant_values=S.min())
    starts = list(range(0, len(S) - window_frames + 1, hop_frames))
    if starts[-1] + window_frames < len(S):
        starts.append(len(S) - window_frames)
    starts = np.array(starts)
    return np.stack([S[s : s + window_frames] for s in starts]), starts


def predict_song(bundle: Bundle, path: str | Path, hop_frames: int | None = None) -> SongPrediction:
    """Genre probabilities of one audio file, with the bundle's own preprocessing.

    Parameters
    ----------
    bundle
        Model bundle from :func:`helpers.bundle.load_bundle`.
    path
        Audio file (any length, rate and channel count libsndfile reads).
    hop_frames
        Frames between window starts; default half a window.

    Raises
    ------
    helpers.audio.AudioError
        If the file cannot be decoded.
    """
    fs, window = bundle.features, bundle.window_frames
    hop_frames = hop_frames or max(1, window // 2)
    y = load_audio(path, fs.sample_rate)
    if not len(y):
        raise AudioError(f"{path} holds no audio samples.")
    frames = 1 + len(y) // fs.hop_length
    S = mel_from_signal(y, fs, n_frames=max(window, frames))
    W, starts = sliding_windows(S, window, hop_frames)
    probs = bundle.model.predict(W, batch_size=64, verbose=0)
    return SongPrediction(str(path), starts * fs.hop_length / fs.sample_rate, probs,
                          padded=frames < window)


def top3_row(
    pred: SongPrediction, genres: list[str], threshold: float, window_seconds: float
) -> dict[str, object]:
    """One row of the prediction table: top-3 genres with probabilities, confidence, review flag.

    A song shorter than one window is always flagged: most of what the model saw is the
    silence it was padded with, so even a confident answer means little.
    """
    probs = pred.probs
    order = np.argsort(probs)[::-1][:3]
    row: dict[str, object] = {"path": pred.path}
    for rank, i in enumerate(order, start=1):
        row[f"genre_{rank}"], row[f"p_{rank}"] = genres[i], round(float(probs[i]), 4)
    row["confidence"] = round(float(probs[order[0]]), 4)
    row["needs_review"] = bool(probs[order[0]] < threshold or pred.padded)
    row["note"] = f"shorter than one window ({window_seconds:.1f} s): padded" if pred.padded else ""
    return row


def audio_files(paths: list[str | Path]) -> tuple[list[Path], pd.DataFrame]:
    """Expand files and folders (recursively) into audio files; report what is not usable."""
    files, bad = [], []
    for p in map(Path, paths):
        if p.is_dir():
            audio, others = scan_folder(p)
            files += audio
            bad += others
        elif p.is_file():
            files.append(p)
        else:
            bad.append((str(p), "no such file or folder", SKIPPED))
    return files, pd.DataFrame(bad, columns=REPORT_COLUMNS)


def predict_paths(
    bundle: Bundle, paths: list[str | Path], threshold: float | None = None,
    hop_frames: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Predict every audio file among ``paths`` (files or folders).

    Returns the prediction table (:data:`PREDICTION_COLUMNS`) and a report of
    skipped files (``path, reason``). ``threshold`` defaults to the bundle's.
    """
    threshold = _threshold(bundle, threshold)
    files, bad = audio_files(paths)
    rows, failed = [], []
    for f in tqdm(files, desc="Predicting", unit="song", disable=len(files) < 2):
        try:
            pred = predict_song(bundle, f, hop_frames)
        except AudioError as err:
            failed.append((str(f), str(err), SKIPPED))
            continue
        rows.append(top3_row(pred, bundle.genres, threshold, bundle.window_seconds))
    bad = pd.concat([bad, pd.DataFrame(failed, columns=REPORT_COLUMNS)], ignore_index=True)
    return pd.DataFrame(rows, columns=PREDICTION_COLUMNS), bad


def _threshold(bundle: Bundle, threshold: float | None) -> float:
    if threshold is not None:
        return threshold
    if bundle.threshold is None:
        raise BundleError("The bundle has no review threshold; pass one (e.g. --threshold 0.6).")
    return bundle.threshold


def coverage_curve(probs: np.ndarray, labels: np.ndarray, genres: list[str]) -> pd.DataFrame:
    """Coverage and accuracy of the accepted songs at every confidence threshold.

    For each distinct confidence ``t`` (ascending), the songs with confidence
    ``>= t`` are accepted: ``coverage`` is their share and ``accuracy`` how
    many of them are right.
    """
    confidence = probs.max(axis=1)
    correct = np.asarray(genres)[probs.argmax(axis=1)] == np.asarray(labels)
    order = np.argsort(-confidence, kind="stable")
    accepted = np.arange(1, len(order) + 1)
    curve = pd.DataFrame({
        "threshold": confidence[order],
        "coverage": accepted / len(order),
        "accuracy": np.cumsum(correct[order]) / accepted,
    })
    # ties: a threshold accepts every song at that confidence, so keep the last row of each
    return curve.drop_duplicates("threshold", keep="last").iloc[::-1].reset_index(drop=True)


def coverage_at(curve: pd.DataFrame, threshold: float) -> tuple[float, float]:
    """Coverage and accuracy of the songs accepted at ``threshold`` (accuracy NaN if none)."""
    accepted = curve[curve["threshold"] >= threshold]
    if accepted.empty:
        return 0.0, float("nan")
    return float(accepted["coverage"].iloc[0]), float(accepted["accuracy"].iloc[0])


def choose_threshold(curve: pd.DataFrame, target_accuracy: float) -> float:
    """The lowest threshold whose accepted songs reach ``target_accuracy`` (max coverage).

    Falls back to the highest threshold if no threshold reaches the target.

    >>> curve = pd.DataFrame({"threshold": [0.3, 0.6, 0.9], "coverage": [1, 0.5, 0.2],
    ...                       "accuracy": [0.6, 0.85, 1.0]})
    >>> choose_threshold(curve, 0.8)
    0.6
    """
    ok = curve[curve["accuracy"] >= target_accuracy]
    return float(ok["threshold"].min() if len(ok) else curve["threshold"].max())


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.predict",
        description="Predict the genre of audio files; low-confidence results are flagged "
                    "needs_review.",
    )
    parser.add_argument("paths", nargs="+", help="audio files or folders (searched recursively)")
    parser.add_argument("--model", type=Path, default=None,
                        help="model bundle folder (default: the one notebook 03 saves with "
                             "params/default.yaml; notebook 06 saves a transfer-learning one)")
    parser.add_argument("--threshold", type=float, default=None,
                        help="review threshold on confidence (default: the bundle's)")
    parser.add_argument("--hop", type=int, default=None,
                        help="frames between windows (default: half a window)")
    parser.add_argument("--csv", type=Path, default=None, help="also write the table to this CSV")
    args = parser.parse_args(argv)
    if args.threshold is not None and not 0 <= args.threshold <= 1:
        parser.error("--threshold must be between 0 and 1")
    try:
        bundle = load_bundle(args.model or load_settings().model_dir)
        table, bad = predict_paths(bundle, args.paths, args.threshold, args.hop)
    except BundleError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        print(table.to_string(index=False) if len(table) else "No audio files predicted.")
    if len(bad):
        print(f"\nSkipped {len(bad)} file(s):\n{bad.to_string(index=False)}")
    if args.csv:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(args.csv, index=False)
        print(f"\nWrote {args.csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
