"""Reading audio: mono mix, resampling, length limit, errors."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from helpers.audio import AudioError, load_audio


def _tone(freq: float, seconds: float, sr: int, amp: float = 0.5) -> np.ndarray:
    t = np.arange(round(seconds * sr)) / sr
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _peak_hz(y: np.ndarray, sr: int) -> float:
    spectrum = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    return float(np.fft.rfftfreq(len(y), 1 / sr)[spectrum.argmax()])


def test_mono_file_read_unchanged(tmp_path):
    y = _tone(440, 1.0, 16000)
    sf.write(tmp_path / "m.wav", y, 16000, subtype="FLOAT")
    out = load_audio(tmp_path / "m.wav", 16000)
    assert out.dtype == np.float32 and out.ndim == 1
    np.testing.assert_array_equal(out, y)


def test_stereo_is_mixed_to_mean_of_channels(tmp_path):
    left = _tone(440, 1.0, 16000, amp=0.6)
    right = _tone(1000, 1.0, 16000, amp=0.2)
    sf.write(tmp_path / "s.wav", np.stack([left, right], axis=1), 16000, subtype="FLOAT")
    out = load_audio(tmp_path / "s.wav", 16000)
    assert out.shape == (16000,)
    np.testing.assert_allclose(out, (left + right) / 2, atol=1e-7)


def test_stereo_opposite_channels_cancel(tmp_path):
    y = _tone(300, 0.5, 22050)
    sf.write(tmp_path / "c.wav", np.stack([y, -y], axis=1), 22050, subtype="FLOAT")
    assert np.abs(load_audio(tmp_path / "c.wav", 22050)).max() == 0


@pytest.mark.parametrize("native, target, seconds", [(44100, 16000, 2.0), (22050, 16000, 3.0),
                                                     (16000, 22050, 2.0)])
def test_resampling_length_and_pitch(tmp_path, native, target, seconds):
    sf.write(tmp_path / "r.wav", _tone(1000, seconds, native), native)
    out = load_audio(tmp_path / "r.wav", target)
    assert out.dtype == np.float32
    assert abs(len(out) - seconds * target) <= seconds  # +-1 sample per second
    assert _peak_hz(out, target) == pytest.approx(1000, abs=2)
    # Level is preserved (RMS of a 0.5 sine is 0.354), away from the edges.
    mid = out[len(out) // 4: 3 * len(out) // 4]
    assert np.sqrt(np.mean(mid ** 2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.01)


def test_stereo_44100_mixed_and_resampled(tmp_path):
    left = _tone(500, 2.0, 44100, amp=0.4)
    sf.write(tmp_path / "s.wav", np.stack([left, np.zeros_like(left)], axis=1), 44100)
    out = load_audio(tmp_path / "s.wav", 16000)
    assert abs(len(out) - 32000) <= 2
    mid = out[8000:24000]
    assert np.sqrt(np.mean(mid ** 2)) == pytest.approx(0.2 / np.sqrt(2), rel=0.01)


@pytest.mark.parametrize("native", [16000, 44100])
def test_max_seconds_limits_length(tmp_path, native):
    sf.write(tmp_path / "long.wav", _tone(440, 3.0, native), native)
    full = load_audio(tmp_path / "long.wav", 16000)
    cut = load_audio(tmp_path / "long.wav", 16000, max_seconds=1.0)
    assert abs(len(full) - 48000) <= 3
    assert 16000 <= len(cut) <= 1.2 * 16000
    # The part that is returned is the start of the clip.
    np.testing.assert_allclose(cut[:15000], full[:15000], atol=1e-5)


def test_max_seconds_longer_than_clip_reads_all(tmp_path):
    sf.write(tmp_path / "short.wav", _tone(440, 0.5, 16000), 16000)
    assert len(load_audio(tmp_path / "short.wav", 16000, max_seconds=10)) == 8000


def test_corrupt_file_raises_audio_error_naming_it(tmp_path):
    bad = tmp_path / "broken.00001.wav"
    bad.write_bytes(np.random.default_rng(1).bytes(3000))
    with pytest.raises(AudioError, match="broken.00001.wav"):
        load_audio(bad, 16000)


def test_missing_file_raises_audio_error(tmp_path):
    with pytest.raises(AudioError, match="absent.wav"):
        load_audio(tmp_path / "absent.wav", 16000)


def test_excerpt_player_holds_the_requested_seconds(tmp_path):
    from helpers.audio import excerpt_player

    path = tmp_path / "x.wav"
    sf.write(path, 0.1 * np.random.default_rng(0).standard_normal((44100 * 3, 2)), 44100)
    player = excerpt_player(path, seconds=1.5, sample_rate=8000)
    assert b"WAVE" in player.data[:16]
    assert int.from_bytes(player.data[24:28], "little") == 8000  # WAV header: sample rate
    # 16-bit mono WAV: 44-byte header + 2 bytes per sample
    assert len(player.data) == 44 + 2 * 12000
