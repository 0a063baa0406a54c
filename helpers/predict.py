"""Predicting the genre of any audio file, with low-confidence results flagged for review.

A song of any length, format, rate or channel count is cut into model-sized
windows (every ``hop_frames`` frames, the last aligned to the end, as
:func:`predict_windows` says); the song's genre probabilities are the
mean of its windows', scaled by the bundle's temperature (1 unless notebook 07
calibrated it). The top probability is the *confidence*; under the
bundle's review threshold, the song is flagged ``needs_review``.

Command line (same functions as notebook 05)::

    python -m helpers.predict song.mp3 my_music/ --csv review.csv
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.audio import AudioError, load_audio
from helpers.bundle import Bundle, BundleError, load_bundle
from helpers.config import load_settings
from helpers.data import REPORT_COLUMNS, SKIPPED, scan_folder
from helpers.features import audio_frame_count, cut_windows, mel_from_signal
from helpers.progress import progress_bar
from helpers.temperature import temper

#: Columns of the prediction table.
PREDICTION_COLUMNS = ["path", "genre_1", "p_1", "genre_2", "p_2", "genre_3", "p_3",
                      "confidence", "needs_review", "note"]


@dataclasses.dataclass
class SongPrediction:
    """Probabilities for one song: per window and for the whole song."""

    path: str
    window_starts: np.ndarray  # start time of each window, seconds
    window_probs: np.ndarray  # (windows, genres), the model's own
    probs: np.ndarray  # (genres,) the song's: the windows' mean, scaled by the bundle's temperature
    padded: bool = False  # shorter than one window, so padded with silence
    audio_seconds: float = 0.0  # how long the song's audio is


def predict_windows(
    bundle: Bundle, S: np.ndarray, hop_frames: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One song's spectrogram ``S`` ``(frames, n_mels)``, at least one window long, through the model
    window by window: each window's start frame and genre probabilities, and the song's probabilities.

    Windows of the model's length start every ``hop_frames`` frames (default half a window), and one
    more ends where the song ends, so every window holds audio (:func:`predict_song` pads only a song
    shorter than one window, which gives exactly one window). The song's probabilities are the
    windows' mean, scaled by the bundle's temperature (:func:`helpers.temperature.temper`; 1, no
    change, unless notebook 07 calibrated the bundle).
    """
    window = bundle.window_frames
    hop_frames = hop_frames or max(1, window // 2)  # default: a new window every half window
    W, starts = cut_windows(S, window, hop_frames, cover_end=True)  # (windows, window, n_mels)
    window_probs = bundle.window_probabilities(W)  # (windows, genres): each window's softmax
    probs = temper(window_probs.mean(axis=0), bundle.temperature)  # the song's: the mean over windows
    return starts, window_probs, probs


def predict_song(
    bundle: Bundle, path: str | Path, hop_frames: int | None = None,
    predict: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]] = predict_windows,
) -> SongPrediction:
    """Genre probabilities of one audio file, with the bundle's own preprocessing.

    The file is read at the model's sample rate and turned into one mel spectrogram, which
    ``predict`` (:func:`predict_windows`; notebook 05 passes the copy it shows) cuts into windows
    every ``hop_frames`` frames and averages. A song shorter than one window is padded with
    silence to one window (flagged ``padded``), unless the model reads shorter windows (the transfer
    bundle's whole 3-s patches, :meth:`helpers.bundle.Bundle.for_song`): then only a song shorter
    than one patch is padded.

    Parameters
    ----------
    bundle
        Model bundle from :func:`helpers.bundle.load_bundle`.
    path
        Audio file (any length, rate and channel count libsndfile reads).
    hop_frames
        Frames between window starts; default half a window.
    predict
        The windowed prediction, :func:`predict_windows`.

    Raises
    ------
    helpers.audio.AudioError
        If the file cannot be decoded.
    """
    y = load_audio(path, bundle.features.sample_rate)
    return predict_signal(bundle, y, str(path), hop_frames, predict)


def predict_signal(
    bundle: Bundle, y: np.ndarray, path: str, hop_frames: int | None = None,
    predict: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]] = predict_windows,
) -> SongPrediction:
    """:func:`predict_song` of a song already read: mono samples ``y`` at the bundle's sample rate,
    named ``path`` in the prediction. Raises :class:`helpers.audio.AudioError` if ``y`` is empty."""
    fs = bundle.features
    if not len(y):
        raise AudioError(f"{path} holds no audio samples.")
    frames = audio_frame_count(len(y), fs.hop_length)  # the song's frames, all of them audio
    bundle = bundle.for_song(frames)  # a short song read by a model of 3-s patches: its whole patches
    window = bundle.window_frames
    S = mel_from_signal(y, fs, n_frames=max(window, frames))
    starts, window_probs, probs = predict(bundle, S, hop_frames)
    return SongPrediction(path, starts * fs.hop_length / fs.sample_rate, window_probs, probs,
                          padded=frames < window, audio_seconds=len(y) / fs.sample_rate)


def top3_row(
    pred: SongPrediction, genres: list[str], threshold: float, shortest_seconds: float
) -> dict[str, object]:
    """One row of the prediction table: top-3 genres with probabilities, confidence, review flag.

    A song shorter than the least the model can read (``shortest_seconds``: one window, or one
    patch of the transfer model, :attr:`helpers.bundle.Bundle.shortest_seconds`) is always flagged,
    and the note says how long it was: part of what the model saw is the silence it was padded
    with, so even a confident answer means little.
    """
    probs = pred.probs
    order = np.argsort(probs)[::-1][:3]
    row: dict[str, object] = {"path": pred.path}
    for rank, i in enumerate(order, start=1):
        row[f"genre_{rank}"], row[f"p_{rank}"] = genres[i], round(float(probs[i]), 4)
    row["confidence"] = round(float(probs[order[0]]), 4)
    row["needs_review"] = bool(probs[order[0]] < threshold or pred.padded)
    row["note"] = (f"only {pred.audio_seconds:.1f} s of audio, shorter than the {shortest_seconds:.1f} s "
                   "the model reads: padded" if pred.padded else "")
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
    predict: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]] = predict_windows,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Predict every audio file among ``paths`` (files or folders).

    Returns the prediction table (:data:`PREDICTION_COLUMNS`) and a report of
    skipped files (``path, reason``). ``threshold`` defaults to the bundle's;
    ``hop_frames`` and ``predict`` go to :func:`predict_song`.
    """
    threshold = _threshold(bundle, threshold)
    files, bad = audio_files(paths)
    rows, failed = [], []
    for f in progress_bar(files, desc="Predicting", unit="song", disable=len(files) < 2):
        try:
            pred = predict_song(bundle, f, hop_frames, predict)
        except AudioError as err:
            failed.append((str(f), str(err), SKIPPED))
            continue
        rows.append(top3_row(pred, bundle.genres, threshold, bundle.shortest_seconds))
    bad = pd.concat([bad, pd.DataFrame(failed, columns=REPORT_COLUMNS)], ignore_index=True)
    return pd.DataFrame(rows, columns=PREDICTION_COLUMNS), bad


def describe_accepted(coverage: float, accuracy: float, threshold: float, target: float, n_clips: int) -> str:
    """What the review threshold did on ``n_clips`` labelled clips (Markdown): the share accepted, and
    whether the accepted ones reach the ``target`` accuracy the threshold was chosen for."""
    if not coverage:
        return (f"At threshold {threshold:.2f}, none of the {n_clips} clips is accepted: every one goes "
                "to review, so the threshold chosen on the validation clips is too strict for these.")
    reached = (f"at or above the target of {target:.0%}" if accuracy >= target else
               f"**short of the target of {target:.0%}**: the threshold was chosen on the validation "
               "clips, and these are other clips")
    return (f"At threshold {threshold:.2f}, {coverage:.0%} of the {n_clips} clips are accepted and "
            f"{accuracy:.0%} of those are right, {reached}. Each clip is worth {100 / n_clips:.1f} "
            "points here, so a few clips decide the gap.")


def describe_review(table: pd.DataFrame) -> str:
    """Which wrong predictions of a review list (:func:`predict_paths`, plus a ``true_label`` column)
    were flagged and which escaped review (Markdown)."""
    wrong = table[table["genre_1"] != table["true_label"]]
    escaped = wrong[~wrong["needs_review"]]
    needless = int(table["needs_review"].sum()) - int(wrong["needs_review"].sum())
    flagged = len(wrong) - len(escaped)
    text = (f"All {len(table)} songs are predicted right." if wrong.empty else
            f"{len(wrong)} of the {len(table)} songs {'is' if len(wrong) == 1 else 'are'} predicted wrong; "
            f"{flagged} of them {'is' if flagged == 1 else 'are'} flagged for review.")
    if len(escaped):
        names = "; ".join(f"`{Path(r.path).name}` (true {r.true_label}, predicted {r.genre_1} with "
                          f"confidence {r.confidence:.2f})" for r in escaped.itertuples())
        text += (f" **{len(escaped)} escaped review**: {names}. Confident mistakes like these are what "
                 "a review threshold cannot catch.")
    return text + (f" {needless} right prediction{' is' if needless == 1 else 's are'} flagged as well: "
                   f"a person checks {'it' if needless == 1 else 'them'} for nothing.")


def _threshold(bundle: Bundle, threshold: float | None) -> float:
    if threshold is not None:
        return threshold
    if bundle.threshold is None:
        raise BundleError("The bundle has no review threshold; pass one (e.g. --threshold 0.6).")
    return bundle.threshold


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.predict",
        description="Predict the genre of audio files; low-confidence results are flagged "
                    "needs_review.",
        epilog="Small collections (tens of clips per label): a network trained from scratch has few "
               "examples to learn what to listen for, and notebook 03's k-fold may find it no better than "
               "its baseline. Then try notebook 06's transfer bundle, musicnn (pretrained on the Million "
               "Song Dataset's tags) with a logistic regression on top, which needs far fewer examples: "
               "--model data/models/<run name>-musicnn10 (notebook 06 prints the folder).",
    )
    parser.add_argument("paths", nargs="+", help="audio files or folders (searched recursively)")
    parser.add_argument("--model", type=Path, default=None,
                        help="model bundle folder (default: the CNN notebook 03 saves with "
                             "params/default.yaml; notebook 06 saves a transfer-learning one, to try on a "
                             "small collection, notebook 07 a calibrated one, whose temperature is applied)")
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
