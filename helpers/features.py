"""Mel-spectrogram features: the original recipe, a faster equivalent, and a disk cache.

Every clip becomes a ``(n_frames, n_mels)`` float32 array: time along the first
axis, mel bands along the second (the Conv1D's channels).
"""

from __future__ import annotations

import functools
from pathlib import Path

import joblib
import librosa
import numpy as np
import pandas as pd
import scipy.fft
import scipy.sparse
from threadpoolctl import ThreadpoolController

from helpers.audio import AudioError, load_audio
from helpers.cache import file_cache_path, read_cached, save_array
from helpers.config import FeatureSettings, Settings, shown_path, work_dir
from helpers.data import KEPT, REPORT_COLUMNS, SKIPPED, discover, prepare_dataset
from helpers.progress import print_cached, progress_bar


def seed_features(path: str | Path, sample_rate: int = 16000, n_frames: int = 900) -> np.ndarray:
    """Features exactly as the original tutorial computes them (raw mel power).

    ``librosa.load`` at ``sample_rate``, ``librosa.feature.melspectrogram`` with
    librosa's defaults, transposed, first 1280 frames kept, then the first
    ``n_frames``. Slow (it transforms the whole clip); kept as the reference
    that :func:`clip_features` is tested against.
    """
    y, sr = librosa.load(str(path), sr=sample_rate)
    S = librosa.feature.melspectrogram(y=y, sr=sr).T
    return S[:1280][:n_frames].astype(np.float32)


#: Frames transformed at a time: big enough for fast FFTs, small enough to stay in cache.
BLOCK_FRAMES = 128


@functools.lru_cache(maxsize=8)
def hann_window(n_fft: int) -> np.ndarray:
    """Periodic Hann window of ``n_fft`` samples (librosa's default for the STFT), built once per size."""
    return librosa.filters.get_window("hann", n_fft, fftbins=True).astype(np.float32)


@functools.lru_cache(maxsize=8)
def mel_filterbank(sample_rate: int, n_fft: int, n_mels: int) -> scipy.sparse.csr_matrix:
    """``(n_mels, n_fft // 2 + 1)`` mel filterbank, ``librosa.filters.mel``, built once and stored sparse.

    Each band covers a few FFT bins (about 2,000 non-zeros of 131,000 entries for
    128 bands), so the sparse product is several times faster than the dense one.
    """
    basis = librosa.filters.mel(sr=sample_rate, n_fft=n_fft, n_mels=n_mels).astype(np.float32)
    return scipy.sparse.csr_matrix(basis)


def mel_power(y: np.ndarray, fs: FeatureSettings, n_frames: int) -> np.ndarray:
    """``(n_frames, n_mels)`` mel power of the first ``n_frames`` centred STFT frames of ``y``.

    The same numbers as ``librosa.feature.melspectrogram(y=y, sr=..., n_fft=..., hop_length=...)``
    (zero padding of ``n_fft // 2`` at both ends, periodic Hann window, power 2), computed
    block by block from a strided view of the signal with a sparse filterbank: about twice
    as fast, equal to float32 precision. The first ``n_frames`` frames of a longer signal
    need only its first ``samples_needed(fs, n_frames)`` samples.
    """
    padded = np.pad(y.astype(np.float32, copy=False), fs.n_fft // 2)  # frame t centred on sample t * hop
    frames = np.lib.stride_tricks.sliding_window_view(padded, fs.n_fft)[:: fs.hop_length][:n_frames]
    basis, window = mel_filterbank(fs.sample_rate, fs.n_fft, fs.n_mels), hann_window(fs.n_fft)
    mel = np.empty((len(frames), fs.n_mels), dtype=np.float32)
    for start in range(0, len(frames), BLOCK_FRAMES):  # a block of frames at a time, for speed only
        block = frames[start : start + BLOCK_FRAMES] * window
        power = np.abs(scipy.fft.rfft(block, axis=-1, workers=1)) ** 2  # (frames, n_fft // 2 + 1)
        mel[start : start + BLOCK_FRAMES] = (basis @ power.T).T  # each band: weighted sum of FFT bins
    return mel


def samples_needed(fs: FeatureSettings, n_frames: int | None = None) -> int:
    """Audio samples that fully determine the first ``n_frames`` (default ``fs.n_frames``) frames."""
    return ((n_frames or fs.n_frames) - 1) * fs.hop_length + fs.n_fft // 2 + 1


def to_db(power: np.ndarray) -> np.ndarray:
    """Mel power in decibels, as the ``"db"`` scaling gives the model: ``10 log10(power)``.

    Power 1 is 0 dB, each factor of 10 is 10 dB more; power below ``1e-10`` (digital silence)
    counts as ``1e-10``, -100 dB, since the logarithm of 0 is minus infinity. The same numbers
    as ``librosa.power_to_db(power, ref=1.0, amin=1e-10, top_db=None)``.
    """
    return 10 * np.log10(np.maximum(power, 1e-10))


def mel_from_signal(y: np.ndarray, fs: FeatureSettings, n_frames: int | None = None) -> np.ndarray:
    """``(n_frames, n_mels)`` mel spectrogram of signal ``y`` (already at ``fs.sample_rate``).

    ``n_frames`` defaults to ``fs.n_frames``. Only the samples that the kept
    frames depend on are transformed, so the result equals the seed recipe's
    first ``n_frames`` frames. A signal shorter than that is zero-padded at the
    end (the padded frames are silence). ``fs.scaling`` picks the compression:
    ``"power"`` none, ``"db"`` ``10 log10(power)`` (floored at -100 dB), ``"musicnn"``
    :func:`musicnn_compress` (the input of the pretrained musicnn model).
    """
    n_frames = n_frames or fs.n_frames
    need = samples_needed(fs, n_frames)
    y = y[:need] if len(y) >= need else np.pad(y, (0, need - len(y)))
    mel = mel_power(y, fs, n_frames)
    if fs.scaling == "db":
        mel = to_db(mel)
    elif fs.scaling == "musicnn":
        mel = musicnn_compress(mel)
    elif fs.scaling != "power":
        raise ValueError(f"scaling must be 'power', 'db' or 'musicnn', not {fs.scaling!r}")
    return np.ascontiguousarray(mel, dtype=np.float32)


def musicnn_compress(mel: np.ndarray) -> np.ndarray:
    """musicnn's compression of mel power: ``log10(10000 * mel + 1)``, float32.

    musicnn rounds the mel power to float16 first; that rounding is kept, so the
    pretrained model sees the numbers it was trained on (the log itself is taken
    in float32, which never overflows; see ``tests/musicnn/musicnn_reference.py``).

    >>> musicnn_compress(np.array([0.0, 0.0999])).round(5)
    array([0.     , 3.00006], dtype=float32)
    """
    return np.log10(10000 * np.asarray(mel, np.float16).astype(np.float32) + 1)


def cut_windows(
    S: np.ndarray, window: int, hop: int | None = None, cover_end: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Windows of ``window`` frames every ``hop`` frames (default ``window``: no overlap) along the time
    axis of ``S`` ``(..., frames, bands)``, and their start frames.

    The one window cutter: training (:func:`helpers.train.windows`), prediction
    (:func:`helpers.predict.predict_windows`) and musicnn's 3-s patches
    (:func:`helpers.musicnn.frontend.preprocess`) all cut here. The frames after the last window that
    fits are dropped, unless ``cover_end`` adds one window aligned to the end. Fewer frames than one
    window is an error: pad the signal instead (:func:`mel_from_signal` pads it with silence).
    Returns the windows ``(..., n_windows, window, bands)``, a read-only view of ``S`` where it can
    be, and the ``(n_windows,)`` start frames.
    """
    frames = S.shape[-2]
    if frames < window:
        raise ValueError(f"{frames} frames are shorter than one window ({window}); pad the signal "
                         "(helpers.features.mel_from_signal) instead.")
    hop = window if hop is None else hop
    # every possible window start, without copying: (..., frames - window + 1, bands, window)
    view = np.lib.stride_tricks.sliding_window_view(S, window, axis=-2)[..., ::hop, :, :]  # every hop-th
    W, starts = np.swapaxes(view, -1, -2), np.arange(view.shape[-3]) * hop  # (..., n, window, bands)
    if cover_end and starts[-1] + window < frames:  # frames left over: one more window, ending at the end
        W = np.concatenate([W, S[..., None, frames - window :, :]], axis=-3)
        starts = np.append(starts, frames - window)
    return W, starts


def audio_windows(starts: np.ndarray, window: int, audio_frames: np.ndarray | int) -> np.ndarray:
    """Which windows hold audio, not the silence a short clip was padded with: the one rule for it.

    A window of ``window`` frames starting at frame ``starts[j]`` is kept when at least half of its
    frames hold audio, that is when it starts at least half a window before the end of the audio
    (``audio_frames``, one count per clip); the first window is always kept, so a clip shorter than
    that still gives exactly one window. Every path that cuts clip features into windows
    (:func:`helpers.train.windows`: training, evaluation, k-fold, occlusion, calibration) chooses
    them here; a song predicted from its file is cut from its own frames only, so every window of
    it holds audio already. Returns a boolean array ``(..., n_windows)``: one row per clip of
    ``audio_frames`` ``(...)``.
    """
    audio = np.asarray(audio_frames)[..., None]  # (..., 1): frames of each clip that hold audio
    keep = 2 * (audio - np.asarray(starts)) >= window  # at least half the window is audio
    keep[..., 0] = True  # a clip shorter than half a window keeps its first window
    return keep


def audio_frame_count(n_samples: int, hop_length: int) -> int:
    """Frames of a signal of ``n_samples`` samples (librosa's count, ``1 + n_samples // hop_length``):
    the frames centred on its samples, which hold its audio."""
    return 1 + n_samples // hop_length


#: Peak amplitude under which a clip counts as silent (-80 dBFS): it holds nothing to learn from.
SILENCE_PEAK = 1e-4
#: Shortest audio a clip must hold: under a quarter second there is no note or beat to learn from.
MIN_AUDIO_SECONDS = 0.25


def clip_features(path: str | Path, fs: FeatureSettings) -> tuple[np.ndarray, int]:
    """Read one audio file: its ``(n_frames, n_mels)`` features and how many of those frames hold audio.

    A clip shorter than ``fs.seconds`` is padded with silence to ``n_frames`` frames; the count says
    where its audio ends (:func:`audio_windows` leaves the windows of padding out).

    Raises
    ------
    helpers.audio.AudioError
        If the file cannot be decoded, is silent, or holds less than :data:`MIN_AUDIO_SECONDS` of audio.
    """
    y = load_audio(path, fs.sample_rate, max_seconds=samples_needed(fs) / fs.sample_rate)
    if not len(y) or np.abs(y).max() < SILENCE_PEAK:
        raise AudioError(f"{path} is silent (peak below -80 dBFS): nothing to learn from, skipped")
    if len(y) < MIN_AUDIO_SECONDS * fs.sample_rate:
        raise AudioError(f"{path} holds only {1000 * len(y) / fs.sample_rate:.0f} ms of audio (under "
                         f"{MIN_AUDIO_SECONDS} s): too short to learn from, skipped")
    return mel_from_signal(y, fs), min(fs.n_frames, audio_frame_count(len(y), fs.hop_length))


def cache_path(path: str | Path, fs: FeatureSettings, cache_dir: Path) -> Path:
    """Cache file of one clip's features (:func:`helpers.cache.file_cache_path` under ``fs.key()``)."""
    return file_cache_path(path, fs.key(), cache_dir)


def audio_cache_path(path: str | Path, fs: FeatureSettings, cache_dir: Path) -> Path:
    """Cache file of how many of one clip's frames hold audio, beside its features (in a folder of its
    own, ``audio/``, so a cache written before the count existed is completed, not misread)."""
    return file_cache_path(path, "audio", cache_dir / fs.key())


@functools.cache
def _threadpools() -> ThreadpoolController:
    """This process's numeric thread pools, inspected once (inspection costs about a millisecond)."""
    return ThreadpoolController()


def _compute_clip(path: str, fs: FeatureSettings, target: Path,
                  audio_target: Path) -> tuple[np.ndarray, int] | str:
    """Features of one clip and its frames of audio, written to the cache; an error message if the
    clip is unusable.

    Runs with one numeric thread: the parallelism comes from the workers, and more threads
    per worker only spin against each other.
    """
    try:
        with _threadpools().limit(limits=1):
            mel, audio = clip_features(path, fs)
    except AudioError as err:
        return str(err)
    save_array(mel, target)
    save_array(np.array([audio]), audio_target)  # after the features: a count never outlives them
    return mel, audio


def extract_features(
    clips: pd.DataFrame,
    fs: FeatureSettings,
    cache_dir: Path | None = None,
    n_jobs: int = 1,
) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """Features of every clip, in parallel, with a progress bar and a disk cache.

    Cached clips are read in this process (one printed line says how many); only the
    others go to the joblib workers, under a progress bar of their own, which compute them
    and write them to the cache (each file written atomically, so an interrupted run
    leaves no damaged entry and resumes where it stopped).

    Parameters
    ----------
    clips
        Table from :func:`helpers.data.discover` (needs a ``path`` column).
    fs
        Feature settings.
    cache_dir
        Cache folder; default ``<work dir>/cache``.
    n_jobs
        joblib workers, each with one numeric thread.

    Returns
    -------
    kept
        The rows of ``clips`` whose features were computed, re-indexed from 0, with a column
        ``audio_frames``: how many of each clip's frames hold audio (the rest is padding).
    X
        ``(len(kept), n_frames, n_mels)`` float32.
    failed
        Report (:data:`helpers.data.REPORT_COLUMNS`) of the clips that could not
        be decoded, are silent or hold too little audio (skipped), and of clips shorter than
        ``fs.seconds`` (zero-padded at the end and kept; their windows of padding are left out).
    """
    cache_dir = Path(cache_dir) if cache_dir else work_dir() / "cache"
    paths = clips["path"].tolist()
    X = np.empty((len(clips), fs.n_frames, fs.n_mels), dtype=np.float32)
    audio = np.zeros(len(clips), dtype=np.int64)  # frames of each clip that hold audio
    ok = np.zeros(len(clips), dtype=bool)
    failed = []
    targets, todo = [cache_path(path, fs, cache_dir) for path in paths], []
    audio_targets = [audio_cache_path(path, fs, cache_dir) for path in paths]
    for i, (target, audio_target) in enumerate(zip(targets, audio_targets, strict=True)):
        cached, count = read_cached(target, (fs.n_frames, fs.n_mels)), read_cached(audio_target, (1,))
        if cached is None or count is None:  # (a cache older than the count is computed again)
            todo.append(i)
        else:
            X[i], audio[i], ok[i] = cached, count[0], True
    print_cached("Mel features", len(clips) - len(todo), len(clips))
    if todo:  # a bar only over the clips computed now
        jobs = (joblib.delayed(_compute_clip)(paths[i], fs, targets[i], audio_targets[i]) for i in todo)
        results = joblib.Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
        progress = progress_bar(results, total=len(todo), desc="Mel features", unit="clip")
        for i, result in zip(todo, progress, strict=True):
            if isinstance(result, str):
                failed.append((paths[i], result, SKIPPED))
            else:
                (X[i], audio[i]), ok[i] = result, True
    if "duration" in clips:
        short = clips[ok & (clips["duration"] < fs.seconds).to_numpy()]
        failed += [(p, f"shorter than {fs.seconds:.1f} s ({d:.1f} s): padded with silence, which "
                       "training and prediction leave out", KEPT)
                   for p, d in zip(short["path"], short["duration"], strict=True)]
    kept = clips[ok].reset_index(drop=True).assign(audio_frames=audio[ok])
    X = X if ok.all() else X[ok]
    return kept, X, pd.DataFrame(failed, columns=REPORT_COLUMNS)


def dataset_features(cfg: Settings) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """Clips, features and bad-file report of the run's dataset, in one call.

    Makes the synthetic set if needed, lists the clips, extracts (or loads
    from the cache) their features, and saves the report of skipped files as
    ``<work dir>/reports/<dataset>-bad-files.csv``.

    Returns
    -------
    clips
        The clips that have features (see :func:`helpers.data.discover`).
    X
        ``(len(clips), n_frames, n_mels)`` float32 features.
    bad
        ``path, reason`` of every skipped file.
    """
    clips, bad = discover(prepare_dataset(cfg))
    clips, X, failed = extract_features(clips, cfg.features, n_jobs=cfg.n_jobs)
    bad = pd.concat([bad, failed], ignore_index=True)
    report = work_dir() / "reports" / f"{cfg.dataset_dir.name}-bad-files.csv"
    report.parent.mkdir(parents=True, exist_ok=True)
    bad.to_csv(report, index=False)
    if len(bad):
        counts = bad["action"].value_counts()
        print(f"{counts.get(SKIPPED, 0)} file(s) skipped, {counts.get(KEPT, 0)} kept with a caveat; "
              f"see {shown_path(report)}")
    return clips, X, bad
