"""Mel features: agreement with the original recipe, scaling, padding, extraction and cache."""

from __future__ import annotations

import dataclasses
import os
import shutil

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from helpers import features
from helpers.config import FeatureSettings, work_dir
from helpers.data import discover
from helpers.features import (
    cache_path,
    clip_features,
    cut_windows,
    extract_features,
    mel_from_signal,
    samples_needed,
    seed_features,
)
from helpers.progress import TEXT_BARS_ENV


def _music_like(seconds: float, sr: int, seed: int = 0) -> np.ndarray:
    """Tones plus noise plus clicks: energy in many mel bands."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    y = 0.3 * np.sin(2 * np.pi * 220 * t) + 0.1 * np.sin(2 * np.pi * 1760 * t)
    y += 0.05 * rng.standard_normal(t.size)
    y[:: sr // 4] += 0.5
    return np.clip(y, -1, 1).astype(np.float32)


def _assert_close_relative(a: np.ndarray, b: np.ndarray, rtol: float = 1e-5) -> None:
    """Every element within ``rtol`` of the reference (plus a floor far below the signal)."""
    assert a.shape == b.shape
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * 1e-3 * np.abs(b).max())


def _power(fs: FeatureSettings) -> FeatureSettings:
    return dataclasses.replace(fs, scaling="power")


# --------------------------------------------------------------------------- one clip


@pytest.mark.parametrize("native", [22050, 16000, 44100])
def test_power_features_match_seed_recipe(tmp_path, small_features, native):
    path = tmp_path / f"clip{native}.wav"
    sf.write(path, _music_like(3.0, native), native)
    fs = _power(small_features)
    ours = clip_features(path, fs)[0]
    ref = seed_features(path, sample_rate=fs.sample_rate, n_frames=fs.n_frames)
    assert ours.dtype == np.float32 and ours.shape == (40, 128)
    assert ref.max() > 0
    _assert_close_relative(ours, ref)


@pytest.mark.slow
def test_power_features_match_seed_recipe_full_length(tmp_path):
    path = tmp_path / "long.wav"
    sf.write(path, np.stack([_music_like(30.0, 22050, 1), _music_like(30.0, 22050, 2)], 1), 22050)
    fs = FeatureSettings(16000, 2048, 512, 128, 900, "power")
    ours = clip_features(path, fs)[0]
    ref = seed_features(path)
    assert ours.shape == ref.shape == (900, 128)
    _assert_close_relative(ours, ref)


def test_db_is_ten_log10_of_power(tmp_path, small_features):
    path = tmp_path / "clip.wav"
    y = _music_like(2.0, 16000)
    y[8000:] = 0  # silent second half: exercises the floor
    sf.write(path, y, 16000, subtype="FLOAT")
    power = clip_features(path, _power(small_features))[0].astype(np.float64)
    db = clip_features(path, dataclasses.replace(small_features, scaling="db"))[0]
    assert db.dtype == np.float32
    np.testing.assert_allclose(db, 10 * np.log10(np.maximum(power, 1e-10)), atol=1e-3)
    assert db.min() == pytest.approx(-100.0, abs=1e-4)
    assert db.max() > 0


def test_to_db_is_the_plain_formula_and_librosas_numbers():
    import librosa

    from helpers.features import to_db

    assert to_db(np.array([100.0, 1.0, 0.0])).tolist() == [20.0, 0.0, -100.0]
    power = np.random.default_rng(0).random((50, 8)).astype(np.float32) ** 6
    power[0] = 0
    for values in (power, power.astype(np.float64)):
        db = to_db(values)
        assert db.dtype == values.dtype
        np.testing.assert_array_equal(db, librosa.power_to_db(values, ref=1.0, amin=1e-10, top_db=None))


@pytest.mark.parametrize("scaling, silence", [("power", 0.0), ("db", -100.0)])
def test_short_clip_is_padded_with_silence(tmp_path, small_features, scaling, silence):
    fs = dataclasses.replace(small_features, scaling=scaling)
    path = tmp_path / "short.wav"
    sf.write(path, _music_like(0.5, 16000), 16000)  # 8000 samples, 40 frames need ~20500
    mel = clip_features(path, fs)[0]
    assert mel.shape == (fs.n_frames, fs.n_mels)
    assert np.isfinite(mel).all()
    # Frame t is centred on sample t * hop; its window ends before the clip's end up to
    # t = (8000 - n_fft / 2) / hop and starts after it from t = (8000 + n_fft / 2) / hop.
    first_silent = int(np.ceil((8000 + fs.n_fft // 2) / fs.hop_length))
    np.testing.assert_allclose(mel[first_silent:], silence, rtol=0,
                               atol=0 if scaling == "power" else 1e-4)
    assert (mel[:10].max(axis=1) > silence + (10 if scaling == "db" else 1e-3)).all()


def test_mel_from_signal_only_uses_needed_samples(small_features):
    rng = np.random.default_rng(3)
    need = samples_needed(small_features)
    y = rng.standard_normal(need + 5000).astype(np.float32)
    y2 = y.copy()
    y2[need:] = rng.standard_normal(5000)  # change what comes after: features must not move
    np.testing.assert_array_equal(mel_from_signal(y, small_features),
                                  mel_from_signal(y2, small_features))
    y3 = y.copy()
    y3[need - 2] += 1.0  # the end of the last frame's window does matter
    assert not np.array_equal(mel_from_signal(y3, small_features)[-1],
                              mel_from_signal(y, small_features)[-1])


def test_features_differ_between_tiny_genres(tiny_dataset, small_features):
    clips, _ = discover(tiny_dataset)
    mean_spectra = {label: np.mean([clip_features(p, small_features)[0].mean(axis=0)
                                    for p in group["path"]], axis=0)
                    for label, group in clips.groupby("label")}
    # Low tones put their energy in low bands; white noise spreads it upward.
    c, m = mean_spectra["classical"], mean_spectra["metal"]
    assert c[:16].mean() - c[-32:].mean() > 40
    assert m[-32:].mean() > c[-32:].mean() + 40


# --------------------------------------------------------------------------- extraction


def _with_corrupt(clips: pd.DataFrame, tmp_path, position: int) -> tuple[pd.DataFrame, str]:
    corrupt = tmp_path / "corrupt.00000.wav"
    corrupt.write_bytes(np.random.default_rng(5).bytes(5000))
    row = pd.DataFrame([{"path": str(corrupt), "label": "disco", "song_id": "corrupt.00000",
                         "duration": 3.0, "sample_rate": 22050, "channels": 1}])
    mixed = pd.concat([clips.iloc[:position], row, clips.iloc[position:]], ignore_index=True)
    return mixed, str(corrupt)


def test_extract_features_shapes_order_and_failures(tiny_dataset, small_features, tmp_path):
    clips, _ = discover(tiny_dataset)
    mixed, corrupt = _with_corrupt(clips, tmp_path, position=5)
    kept, X, failed = extract_features(mixed, small_features, cache_dir=tmp_path / "cache")
    assert X.dtype == np.float32
    assert X.shape == (12, small_features.n_frames, small_features.n_mels)
    pd.testing.assert_frame_equal(kept.drop(columns="audio_frames"), clips)
    assert failed["path"].tolist() == [corrupt]
    assert "corrupt.00000.wav" in failed["reason"].iloc[0]
    for i, path in enumerate(kept["path"]):  # (workers use one thread: float rounding differs)
        np.testing.assert_allclose(X[i], clip_features(path, small_features)[0], rtol=1e-5,
                                   atol=1e-4)


def test_extract_features_all_good(tiny_dataset, small_features, tmp_path):
    clips, _ = discover(tiny_dataset)
    kept, X, failed = extract_features(clips, small_features, cache_dir=tmp_path / "cache")
    assert failed.empty and list(failed.columns) == ["path", "reason", "action"]
    pd.testing.assert_frame_equal(kept.drop(columns="audio_frames"), clips)
    assert X.shape == (12, 40, 128)


def test_default_cache_dir_is_under_work_dir(tiny_dataset, small_features, _isolated_workdir):
    clips, _ = discover(tiny_dataset)
    extract_features(clips.iloc[:2], small_features)
    entries = list((_isolated_workdir / "cache").rglob("*.npy"))
    assert len(entries) == 2 * 2  # each clip's features and its count of frames of audio


# --------------------------------------------------------------------------- cache


class _Counter:
    """Wraps clip_features and records which paths were really computed."""

    def __init__(self):
        self.paths: list[str] = []
        self._real = features.clip_features

    def __call__(self, path, fs):
        self.paths.append(str(path))
        return self._real(path, fs)


def _refuse(path, fs):
    raise AssertionError(f"clip_features called for {path}: cache not used")


def test_second_call_reads_from_cache_and_says_so_instead_of_a_bar(tiny_dataset, small_features, tmp_path,
                                                                   monkeypatch, capsys):
    monkeypatch.setenv(TEXT_BARS_ENV, "1")
    clips, _ = discover(tiny_dataset)
    cache = tmp_path / "cache"
    _, X1, _ = extract_features(clips.iloc[:4], small_features, cache_dir=cache, n_jobs=1)
    first = capsys.readouterr().out
    assert "Mel features: 100%" in first and "| 4/4 [" in first and "cache" not in first
    _, X1, _ = extract_features(clips, small_features, cache_dir=cache, n_jobs=1)
    assert capsys.readouterr().out.startswith("Mel features: 4 of 12 clips read from the cache\n")
    assert len(list(cache.rglob("*.npy"))) == 2 * 12  # features and frames of audio
    monkeypatch.setattr(features, "clip_features", _refuse)
    kept, X2, failed = extract_features(clips, small_features, cache_dir=cache, n_jobs=1)
    np.testing.assert_array_equal(X1, X2)
    assert failed.empty and len(kept) == 12
    assert capsys.readouterr().out == "Mel features: 12 of 12 clips read from the cache\n"  # and no bar


def test_other_settings_do_not_reuse_cache(tiny_dataset, small_features, tmp_path, monkeypatch):
    clips, _ = discover(tiny_dataset)
    cache = tmp_path / "cache"
    extract_features(clips, small_features, cache_dir=cache)
    counter = _Counter()
    monkeypatch.setattr(features, "clip_features", counter)
    for other in (dataclasses.replace(small_features, scaling="power"),
                  dataclasses.replace(small_features, n_mels=64),
                  dataclasses.replace(small_features, n_frames=30)):
        counter.paths.clear()
        _, X2, _ = extract_features(clips, other, cache_dir=cache)
        assert sorted(counter.paths) == sorted(clips["path"])
        assert X2.shape == (12, other.n_frames, other.n_mels)
    assert len([d for d in cache.iterdir() if d.is_dir()]) == 4


def test_changed_file_is_recomputed(tiny_dataset, small_features, tmp_path, monkeypatch):
    clips, _ = discover(tiny_dataset)
    cache = tmp_path / "cache"
    _, X1, _ = extract_features(clips, small_features, cache_dir=cache)
    touched, rewritten = clips["path"].iloc[0], clips["path"].iloc[7]

    st = os.stat(touched)
    os.utime(touched, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    info = sf.info(rewritten)
    sf.write(rewritten, _music_like(2.6, info.samplerate, seed=9), info.samplerate)

    counter = _Counter()
    monkeypatch.setattr(features, "clip_features", counter)
    _, X2, _ = extract_features(clips, small_features, cache_dir=cache)
    assert sorted(counter.paths) == sorted([touched, rewritten])
    np.testing.assert_array_equal(X2[0], X1[0])  # same content, just recomputed
    assert not np.allclose(X2[7], X1[7])
    np.testing.assert_allclose(X2[7], clip_features(rewritten, small_features)[0], rtol=1e-5,
                               atol=1e-4)


def test_replaced_file_same_size_new_mtime_is_recomputed(tiny_dataset, small_features, tmp_path,
                                                         monkeypatch):
    clips, _ = discover(tiny_dataset)
    cache = tmp_path / "cache"
    target = clips["path"].iloc[4]
    _, X1, _ = extract_features(clips, small_features, cache_dir=cache)
    # Swap in another clip's audio with exactly the same size (same rate, channels, frames).
    info = sf.info(target)
    replacement = tmp_path / "replacement.wav"
    data, _ = sf.read(target)
    sf.write(replacement, -data[::-1], info.samplerate)
    assert os.path.getsize(replacement) == os.path.getsize(target)
    st = os.stat(target)
    shutil.copyfile(replacement, target)
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    counter = _Counter()
    monkeypatch.setattr(features, "clip_features", counter)
    _, X2, _ = extract_features(clips, small_features, cache_dir=cache)
    assert counter.paths == [target]
    assert not np.allclose(X2[4], X1[4])


@pytest.mark.parametrize("damage", [
    "random",
    "truncated",
    "empty",
])
def test_corrupt_cache_entry_is_recomputed(tiny_dataset, small_features, tmp_path, monkeypatch,
                                           damage):
    clips, _ = discover(tiny_dataset)
    cache = tmp_path / "cache"
    _, X1, _ = extract_features(clips, small_features, cache_dir=cache)
    entry = cache_path(clips["path"].iloc[2], small_features, cache)
    assert entry.exists()
    if damage == "random":
        entry.write_bytes(np.random.default_rng(0).bytes(300))
    elif damage == "truncated":
        entry.write_bytes(entry.read_bytes()[:200])
    else:
        entry.write_bytes(b"")
    counter = _Counter()
    monkeypatch.setattr(features, "clip_features", counter)
    _, X2, failed = extract_features(clips, small_features, cache_dir=cache)
    assert failed.empty
    assert counter.paths == [clips["path"].iloc[2]]
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(np.load(entry), X1[2])  # the entry was rewritten


def test_no_temporary_files_left(tiny_dataset, small_features, tmp_path):
    clips, _ = discover(tiny_dataset)
    mixed, _ = _with_corrupt(clips, tmp_path, position=0)
    cache = tmp_path / "cache"
    extract_features(mixed, small_features, cache_dir=cache)
    extract_features(mixed, small_features, cache_dir=cache)
    assert len(list(cache.rglob("*.npy"))) == 2 * 12  # features and frames of audio
    assert not list(cache.rglob("*.tmp"))
    assert all(p.suffix == ".npy" for p in cache.rglob("*") if p.is_file())


def test_parallel_equals_serial(tiny_dataset, small_features, tmp_path):
    clips, _ = discover(tiny_dataset)
    mixed, corrupt = _with_corrupt(clips, tmp_path, position=3)
    kept1, X1, failed1 = extract_features(mixed, small_features, cache_dir=tmp_path / "c1",
                                          n_jobs=1)
    kept2, X2, failed2 = extract_features(mixed, small_features, cache_dir=tmp_path / "c2",
                                          n_jobs=2)
    np.testing.assert_array_equal(X1, X2)
    pd.testing.assert_frame_equal(kept1, kept2)
    pd.testing.assert_frame_equal(failed1, failed2)
    assert failed2["path"].tolist() == [corrupt]
    assert len(list((tmp_path / "c2").rglob("*.npy"))) == 2 * 12  # features and frames of audio


def test_a_corpus_of_bad_files_is_reported_and_every_good_clip_kept(tmp_path, monkeypatch):
    """Corrupt, empty, non-audio, truncated, short, silent, stereo and odd-rate files together."""
    from helpers.config import load_settings
    from helpers.features import dataset_features

    root = tmp_path / "corpus"
    rng = np.random.default_rng(0)

    def wav(rel, seconds, sr=16000, channels=1, amplitude=0.3):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        shape = (int(seconds * sr), channels) if channels > 1 else int(seconds * sr)
        sf.write(path, amplitude * rng.standard_normal(shape), sr)
        return path

    good = [wav("rock/good1.wav", 3), wav("rock/stereo.wav", 3, channels=2),
            wav("jazz/odd_rate.flac", 3, sr=11025), wav("jazz/hi_rate.wav", 3, sr=48000)]
    short = wav("jazz/short.wav", 0.5)
    truncated = wav("rock/truncated.wav", 3)
    truncated.write_bytes(truncated.read_bytes()[: len(truncated.read_bytes()) // 3])
    silent = wav("rock/silent.wav", 3, amplitude=0.0)
    (root / "jazz" / "corrupt.wav").write_bytes(b"RIFF" + bytes(rng.integers(0, 255, 500, dtype=np.uint8)))
    empty = root / "jazz" / "empty.wav"
    sf.write(empty, np.zeros(0), 16000)
    (root / "rock" / "cover.jpg").write_bytes(b"\xff\xd8\xff")
    (root / "rock" / "._good1.wav").write_bytes(b"mac resource fork")

    cfg = load_settings(data_dir=str(root), n_frames=60, window_frames=20)
    clips, X, report = dataset_features(cfg)
    kept = set(clips["path"])
    assert {str(p) for p in good + [short, truncated]} <= kept
    assert X.shape == (len(clips), 60, 128) and np.isfinite(X).all()
    actions = dict(zip(report["path"], report["action"], strict=True))
    assert actions[str(silent)] == "skipped"
    assert actions[str(root / "jazz" / "corrupt.wav")] == "skipped"
    assert actions[str(empty)] == "skipped"
    assert actions[str(root / "rock" / "cover.jpg")] == "skipped"
    assert actions[str(short)] == "kept"
    assert str(root / "rock" / "._good1.wav") not in actions
    assert kept.isdisjoint(p for p, a in actions.items() if a == "skipped")
    saved = pd.read_csv(work_dir() / "reports" / "corpus-bad-files.csv")
    assert len(saved) == len(report)


@pytest.mark.parametrize("n", [5000, 16000 * 3 + 77])
def test_mel_power_equals_librosa_melspectrogram(n):
    import librosa

    from helpers.features import mel_power

    fs = FeatureSettings(16000, 2048, 512, 128, 900, "power")
    y = np.random.default_rng(n).standard_normal(n).astype(np.float32)
    ref = librosa.feature.melspectrogram(y=y, sr=16000).T
    ours = mel_power(y, fs, n_frames=len(ref))
    assert ours.shape == ref.shape == (1 + n // 512, 128)
    np.testing.assert_allclose(ours, ref, rtol=1e-4, atol=1e-6 * ref.max())


def test_cut_windows_rules_for_leftovers_and_short_inputs():
    S = np.arange(2 * 25 * 3, dtype=np.float32).reshape(2, 25, 3)  # a batch of two
    W, starts = cut_windows(S, 10, 4)
    assert starts.tolist() == [0, 4, 8, 12] and W.shape == (2, 4, 10, 3)  # frames 22-24 dropped
    np.testing.assert_array_equal(W[1, 2], S[1, 8:18])
    W, starts = cut_windows(S, 10, 4, cover_end=True)
    assert starts.tolist() == [0, 4, 8, 12, 15]
    np.testing.assert_array_equal(W[:, -1], S[:, 15:])
    assert cut_windows(S[:, :20], 10, cover_end=True)[1].tolist() == [0, 10]  # nothing to add
    X = np.zeros((3, 900, 128), dtype=np.float32)
    assert np.shares_memory(cut_windows(X, 150)[0], X)  # training windows: a view, no copy
    with pytest.raises(ValueError, match="shorter than one window"):
        cut_windows(S[:, :9], 10)


@pytest.mark.parametrize("hop", [None, 3, 4])
def test_cut_windows_equals_librosa_framing(hop):
    import librosa

    X = np.random.default_rng(0).normal(size=(2, 25, 3)).astype(np.float32)
    W, starts = cut_windows(X, 10, hop)
    framed = librosa.util.frame(X, frame_length=10, hop_length=hop or 10, axis=1)
    np.testing.assert_array_equal(W, framed)
    assert W.shape == (2, len(starts), 10, 3) and cut_windows(X[0], 10, hop)[0].shape == (len(starts), 10, 3)


# --------------------------------------------------------------------------- short clips


def test_a_window_is_kept_when_at_least_half_of_it_is_audio():
    starts = np.arange(6) * 150  # the six windows of a 900-frame clip
    keep = features.audio_windows(starts, 150, np.array([900, 400, 375, 374, 74, 1]))
    assert keep.sum(axis=1).tolist() == [6, 3, 3, 2, 1, 1]  # 375 - 300 = 75 frames: half, kept
    assert keep[:, 0].all(), "a clip shorter than half a window still gives exactly one window"
    assert features.audio_windows(starts, 150, 900).tolist() == [True] * 6


def test_a_short_clip_records_where_its_audio_ends(tiny_dataset, small_features, tmp_path, monkeypatch):
    sf.write(tiny_dataset / "metal" / "metal.00009.wav", _music_like(0.5, 16000, seed=3), 16000)  # 16 frames
    clips, _ = discover(tiny_dataset)  # (1 + 8000 // 512 = 16 of 40 frames hold audio; it sorts last)
    kept, X, failed = extract_features(clips, small_features, cache_dir=tmp_path / "cache")
    assert kept["audio_frames"].tolist() == [40] * 12 + [16]
    assert np.all(X[-1, 18:] == -100.0) and np.all(X[-1, :16] > -100.0)  # padding after the audio
    assert "padded with silence, which training and prediction leave out" in failed["reason"].item()
    monkeypatch.setattr(features, "clip_features", _refuse)  # the count is read back from the cache
    again, _, _ = extract_features(clips, small_features, cache_dir=tmp_path / "cache")
    pd.testing.assert_frame_equal(again, kept)


def test_a_cache_written_before_the_count_is_completed_not_misread(tiny_dataset, small_features, tmp_path,
                                                                    monkeypatch):
    clips, _ = discover(tiny_dataset)
    cache = tmp_path / "cache"
    kept, X1, _ = extract_features(clips, small_features, cache_dir=cache)
    shutil.rmtree(cache / small_features.key() / "audio")  # as an older version left it: features only
    counter = _Counter()
    monkeypatch.setattr(features, "clip_features", counter)
    again, X2, _ = extract_features(clips, small_features, cache_dir=cache)
    assert sorted(counter.paths) == sorted(clips["path"])
    np.testing.assert_array_equal(X1, X2)
    pd.testing.assert_frame_equal(again, kept)


def test_a_clip_of_a_few_milliseconds_and_a_silent_one_are_reported_and_left_out(tiny_dataset, small_features,
                                                                                  tmp_path):
    sf.write(tiny_dataset / "metal" / "blip.wav", _music_like(0.01, 16000, seed=4), 16000)  # 10 ms
    sf.write(tiny_dataset / "metal" / "silent.wav", np.zeros(32000, np.float32), 16000)
    clips, _ = discover(tiny_dataset)
    kept, X, failed = extract_features(clips, small_features, cache_dir=tmp_path / "cache")
    assert len(kept) == len(X) == 12 and (kept["audio_frames"] > 0).all()
    reasons = dict(zip(failed["path"].map(lambda p: p.rsplit("/", 1)[-1]), failed["reason"], strict=True))
    assert "holds only 10 ms of audio" in reasons["blip.wav"] and "silent" in reasons["silent.wav"]
    assert set(failed["action"]) == {"skipped"}
