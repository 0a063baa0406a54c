import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from conftest import TINY_GENRES, tiny_signal
from conftest import TINY_WINDOW as WINDOW
from helpers import predict
from helpers.features import cut_windows


def _write(path, label, index, sample_rate, seconds, channels=1):
    y = tiny_signal(label, index, sample_rate, int(seconds * sample_rate))
    if channels == 2:
        y = np.stack([y, y], axis=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, y, sample_rate)
    return path


@pytest.mark.parametrize("label", TINY_GENRES)
def test_new_clips_of_a_known_class_are_predicted_right(bundle, tmp_path, label):
    path = _write(tmp_path / f"{label}.wav", label, index=4, sample_rate=22050, seconds=3)
    pred = predict.predict_song(bundle, path)
    assert bundle.genres[int(pred.probs.argmax())] == label
    np.testing.assert_allclose(pred.window_probs.sum(axis=1), 1, rtol=1e-5)


def test_a_three_minute_stereo_44k_song_is_cut_into_many_windows(bundle, tmp_path):
    path = _write(tmp_path / "long.wav", "metal", 9, 44100, seconds=180, channels=2)
    pred = predict.predict_song(bundle, path)
    frames = 1 + 180 * 16000 // 512
    assert len(pred.window_probs) == pytest.approx(2 * frames / WINDOW, abs=2)
    assert pred.window_starts[-1] == pytest.approx(180 - WINDOW * 512 / 16000, abs=0.05)
    assert bundle.genres[int(pred.probs.argmax())] == "metal"


def test_a_clip_shorter_than_one_window_is_padded_and_predicted(bundle, tmp_path):
    path = _write(tmp_path / "short.wav", "classical", 3, 16000, seconds=0.2)
    pred = predict.predict_song(bundle, path)
    assert pred.window_probs.shape == (1, len(bundle.genres)) and pred.padded
    table, _ = predict.predict_paths(bundle, [path], threshold=0.0)
    assert table["needs_review"].item() and "padded" in table["note"].item()
    two_s = predict.predict_song(bundle, _write(tmp_path / "2s.wav", "disco", 5, 16000, 2.0))
    assert bundle.genres[int(two_s.probs.argmax())] == "disco"


def test_prediction_windows_cover_the_end():
    S = np.arange(25, dtype=float)[:, None]
    W, starts = cut_windows(S, 10, 10, cover_end=True)  # as predict_windows cuts
    assert starts.tolist() == [0, 10, 15]
    assert W[-1, -1, 0] == 24


class _Seen:
    """Stand-in bundle: each window's 'probabilities' are its first frame's value and 1 minus it."""

    window_frames, temperature = 10, 1.0

    def window_probabilities(self, W):
        first = W[:, 0, 0]
        return np.stack([first, 1 - first], axis=1)


def test_predict_windows_hops_half_a_window_covers_the_end_and_averages():
    S = (np.arange(25, dtype=float) / 100)[:, None]
    starts, window_probs, probs = predict.predict_windows(_Seen(), S)
    assert starts.tolist() == [0, 5, 10, 15]  # every half window; 15 + 10 reaches the end
    np.testing.assert_allclose(window_probs[:, 0], starts / 100)
    np.testing.assert_allclose(probs, window_probs.mean(axis=0))
    assert predict.predict_windows(_Seen(), S, hop_frames=10)[0].tolist() == [0, 10, 15]
    warm = _Seen()
    warm.temperature = 2.0
    assert predict.predict_windows(warm, S)[2].max() < probs.max()  # the temperature softens the mean


def test_predict_song_and_paths_run_the_windowed_prediction_they_are_given(bundle, tmp_path):
    path = _write(tmp_path / "a.wav", "classical", 1, 16000, 4)
    calls = []

    def spy(bundle, S, hop_frames=None):
        calls.append((S.shape, hop_frames))
        return predict.predict_windows(bundle, S, hop_frames)

    assert np.array_equal(predict.predict_song(bundle, path, 7, predict=spy).probs,
                          predict.predict_song(bundle, path, 7).probs)
    predict.predict_paths(bundle, [path], predict=spy)
    assert calls == [((1 + 4 * 16000 // 512, bundle.features.n_mels), 7),
                     ((1 + 4 * 16000 // 512, bundle.features.n_mels), None)]


def test_readings_of_the_review_list_and_the_accepted_clips():
    table = pd.DataFrame({"path": ["d/a.wav", "d/b.wav", "d/c.wav", "d/d.wav"],
                          "true_label": ["x", "x", "y", "y"], "genre_1": ["x", "y", "x", "y"],
                          "confidence": [0.9, 0.95, 0.5, 0.4], "needs_review": [False, False, True, True]})
    text = predict.describe_review(table)
    assert "2 of the 4 songs are predicted wrong; 1 of them is flagged" in text
    one_wrong = predict.describe_review(table.iloc[[0, 1, 3]])
    assert "1 of the 3 songs is predicted wrong; 0 of them are flagged" in one_wrong
    assert "**1 escaped review**: `b.wav` (true x, predicted y with confidence 0.95)" in text
    assert "1 right prediction is flagged as well: a person checks it for nothing" in text
    assert "All 2 songs are predicted right" in predict.describe_review(table.iloc[[0, 3]])
    short = predict.describe_accepted(0.7, 0.8, 0.55, 0.9, 60)
    assert "70% of the 60 clips" in short and "**short of the target of 90%**" in short
    assert "at or above the target" in predict.describe_accepted(0.5, 0.95, 0.7, 0.9, 60)
    assert "none of the 60 clips is accepted" in predict.describe_accepted(0.0, float("nan"), 0.99, 0.9, 60)


def test_cli_help_names_the_transfer_bundle_for_small_collections(capsys):
    with pytest.raises(SystemExit):
        predict.main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "Small collections" in text and "notebook 06's transfer bundle" in text and "-musicnn10" in text


def test_bad_files_are_reported_and_good_ones_predicted(bundle, tmp_path):
    folder = tmp_path / "mixed"
    _write(folder / "a.wav", "classical", 1, 16000, 2)
    _write(folder / "sub" / "b.flac", "metal", 2, 22050, 2)
    (folder / "broken.wav").write_bytes(b"RIFF not really a wave file")
    (folder / "notes.txt").write_text("hello")
    (folder / ".hidden.wav").write_bytes(b"junk")
    table, bad = predict.predict_paths(bundle, [folder, tmp_path / "missing.mp3"])
    assert sorted(table["path"].map(lambda p: p.split("/")[-1])) == ["a.wav", "b.flac"]
    assert list(table.columns) == predict.PREDICTION_COLUMNS
    reasons = dict(zip(bad["path"].map(lambda p: p.split("/")[-1]), bad["reason"], strict=True))
    assert set(reasons) == {"broken.wav", "notes.txt", "missing.mp3"}
    assert "Cannot decode" in reasons["broken.wav"]


def test_review_flag_follows_the_threshold(bundle, tmp_path):
    path = _write(tmp_path / "a.wav", "classical", 1, 16000, 2)
    strict, _ = predict.predict_paths(bundle, [path], threshold=1.01)
    lenient, _ = predict.predict_paths(bundle, [path], threshold=0.0)
    assert strict["needs_review"].item() and not lenient["needs_review"].item()
    row = strict.iloc[0]
    assert row["p_1"] >= row["p_2"] >= row["p_3"] and row["confidence"] == row["p_1"]


def test_cli_end_to_end(bundle_dir, tmp_path, capsys):
    folder = tmp_path / "songs"
    _write(folder / "x.wav", "disco", 2, 16000, 3)
    (folder / "bad.wav").write_bytes(b"nope")
    out_csv = tmp_path / "out" / "review.csv"
    status = predict.main([str(folder), "--model", str(bundle_dir), "--csv", str(out_csv)])
    printed = capsys.readouterr().out
    assert status == 0
    assert "x.wav" in printed and "Skipped 1 file(s)" in printed and "bad.wav" in printed
    table = pd.read_csv(out_csv)
    assert table["genre_1"].tolist() == ["disco"]


def test_cli_missing_model_and_usage_errors(tmp_path, capsys):
    assert predict.main([str(tmp_path), "--model", str(tmp_path / "none")]) == 2
    assert "notebooks/03" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        predict.main([])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit):
        predict.main([str(tmp_path), "--threshold", "7"])


def test_the_bundle_temperature_applies_to_songs_and_on_the_command_line(bundle, tmp_path, capsys):
    import dataclasses

    from helpers.temperature import temper

    path = _write(tmp_path / "songs" / "a.wav", "disco", 6, 16000, 3)
    plain = predict.predict_song(bundle, path)
    warm = dataclasses.replace(bundle, temperature=3.0)
    softened = predict.predict_song(warm, path)
    np.testing.assert_allclose(softened.window_probs, plain.window_probs, rtol=1e-6)  # the model's own
    np.testing.assert_allclose(softened.probs, temper(plain.probs, 3.0), rtol=1e-5)
    assert softened.probs.max() < plain.probs.max() and softened.probs.argmax() == plain.probs.argmax()
    assert bundle.temperature == 1 and np.array_equal(plain.probs, plain.window_probs.mean(axis=0))
    folder = warm.save(tmp_path / "calibrated")
    assert predict.main([str(path), "--model", str(folder), "--csv", str(tmp_path / "out.csv")]) == 0
    row = pd.read_csv(tmp_path / "out.csv").iloc[0]
    table, _ = predict.predict_paths(warm, [path])
    assert row["confidence"] == pytest.approx(table["confidence"].item()) == pytest.approx(
        round(float(softened.probs.max()), 4))
    capsys.readouterr()
