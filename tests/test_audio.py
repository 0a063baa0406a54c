"""Reading audio: mono mix, resampling, length limit, errors, and every format (libsndfile's, FFmpeg's)."""

from __future__ import annotations

import av
import numpy as np
import pytest
import soundfile as sf
import soxr

from helpers.audio import AudioError, AudioInfo, audio_info, load_audio


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


# --------------------------------------------------------------------------- formats FFmpeg reads


def write_with_ffmpeg(path, y: np.ndarray, sr: int, codec: str, container: str | None = None,
                      bit_rate: int | None = None) -> None:
    """Encode ``y`` (frames, or frames x channels, float32) with PyAV's bundled FFmpeg."""
    planes = np.ascontiguousarray(np.atleast_2d(y.T), dtype=np.float32)  # (channels, frames)
    layout = "mono" if len(planes) == 1 else "stereo"
    with av.open(str(path), "w", format=container) as out:
        stream = out.add_stream(codec, rate=sr, layout=layout)
        if bit_rate:
            stream.bit_rate = bit_rate
        frame = av.AudioFrame.from_ndarray(planes, format="fltp", layout=layout)
        frame.sample_rate, frame.pts = sr, 0
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)


#: (file name, codec, container, rate, channels, duration tolerance in s, bit rate): raw AAC keeps
#: the encoder's priming (two frames at most) and WMA's decoder trims a little at the start.
FFMPEG_CASES = [
    ("a.m4a", "aac", None, 44100, 2, 1e-9, None),
    ("b.opus", "libopus", None, 48000, 1, 1e-9, None),
    ("c.webm", "libopus", None, 48000, 2, 1e-9, None),
    ("d.mp4", "aac", None, 16000, 1, 1e-9, None),
    ("e.aac", "aac", "adts", 22050, 1, 2048 / 22050, None),
    ("f.wma", "wmav2", "asf", 44100, 2, 0.01, 128000),
]


@pytest.mark.parametrize("name, codec, container, sr, channels, tol, bit_rate", FFMPEG_CASES,
                         ids=[c[0] for c in FFMPEG_CASES])
def test_compressed_formats_decode_to_the_source(tmp_path, name, codec, container, sr, channels,
                                                 tol, bit_rate):
    y = _tone(1000, 2.0, sr)
    write_with_ffmpeg(tmp_path / name, np.stack([y] * channels, axis=1), sr, codec, container, bit_rate)
    info = audio_info(tmp_path / name)
    assert (info.sample_rate, info.channels) == (sr, channels)
    assert info.duration == pytest.approx(2.0, abs=tol)
    out = load_audio(tmp_path / name, 16000)
    assert out.dtype == np.float32 and out.ndim == 1
    assert abs(len(out) - info.duration * 16000) <= 1
    assert _peak_hz(out, 16000) == pytest.approx(1000, abs=2)
    mid = out[len(out) // 4: 3 * len(out) // 4]
    assert np.sqrt(np.mean(mid ** 2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.05)


def test_aac_m4a_is_aligned_with_the_source(tmp_path):
    """The encoder's priming samples are dropped and its padding of the last frame is cut."""
    y = _tone(440, 2.3, 44100)
    write_with_ffmpeg(tmp_path / "x.m4a", y, 44100, "aac")
    out = load_audio(tmp_path / "x.m4a", 44100)
    assert len(out) == len(y)
    mid = slice(len(y) // 4, 3 * len(y) // 4)
    assert np.sqrt(np.mean((out[mid] - y[mid]) ** 2)) < 0.01


def test_lossless_alac_m4a_matches_the_source(tmp_path):
    """ALAC decodes to 32-bit integers: converted to float like every other sample format."""
    left, right = _tone(440, 1.0, 44100, amp=0.6), _tone(1000, 1.0, 44100, amp=0.2)
    write_with_ffmpeg(tmp_path / "x.m4a", np.stack([left, right], axis=1), 44100, "alac")
    np.testing.assert_allclose(load_audio(tmp_path / "x.m4a", 44100), (left + right) / 2, atol=1e-6)


def test_max_seconds_limits_length_of_compressed_file(tmp_path):
    write_with_ffmpeg(tmp_path / "long.m4a", _tone(440, 3.0, 44100), 44100, "aac")
    full = load_audio(tmp_path / "long.m4a", 16000)
    cut = load_audio(tmp_path / "long.m4a", 16000, max_seconds=1.0)
    assert len(full) == 48000
    assert 16000 <= len(cut) <= 1.2 * 16000
    np.testing.assert_allclose(cut[:15000], full[:15000], atol=1e-5)


def test_ffmpeg_reads_what_libsndfile_fails_on(tmp_path):
    write_with_ffmpeg(tmp_path / "song.m4a", _tone(440, 1.0, 44100), 44100, "aac")
    misnamed = tmp_path / "song.wav"  # AAC in MP4, named as WAV
    misnamed.write_bytes((tmp_path / "song.m4a").read_bytes())
    np.testing.assert_array_equal(load_audio(misnamed, 16000), load_audio(tmp_path / "song.m4a", 16000))
    assert audio_info(misnamed) == audio_info(tmp_path / "song.m4a")


@pytest.mark.parametrize("damage", ["random bytes", "truncated"])
def test_corrupt_m4a_raises_audio_error_naming_it(tmp_path, damage):
    bad = tmp_path / "broken song.m4a"
    if damage == "random bytes":
        bad.write_bytes(np.random.default_rng(2).bytes(5000))
    else:
        write_with_ffmpeg(bad, _tone(440, 2.0, 44100), 44100, "aac")
        bad.write_bytes(bad.read_bytes()[:5000])
    for read in (lambda: load_audio(bad, 16000), lambda: audio_info(bad)):
        with pytest.raises(AudioError, match="broken song.m4a") as info:
            read()
        assert info.value.reason.startswith("FFmpeg: ")
        assert "broken song.m4a" not in info.value.reason


def test_undecodable_wav_names_both_decoders(tmp_path):
    bad = tmp_path / "noise.wav"
    bad.write_bytes(np.random.default_rng(3).bytes(4000))
    with pytest.raises(AudioError) as info:
        load_audio(bad, 16000)
    assert info.value.reason == ("libsndfile: Format not recognised; "
                                 "FFmpeg: Invalid data found when processing input")
    assert str(info.value) == f"Cannot decode {bad}: {info.value.reason}"


def test_video_without_sound_is_reported(tmp_path):
    path = tmp_path / "silent film.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    with pytest.raises(AudioError, match="no audio stream"):
        load_audio(path, 16000)


# --------------------------------------------------------------------------- libsndfile's formats

#: (extension, soundfile format, subtype) of the formats libsndfile reads.
LIBSNDFILE_CASES = [(".wav", "WAV", "PCM_16"), (".wav", "WAV", "FLOAT"), (".flac", "FLAC", None),
                    (".ogg", "OGG", "VORBIS"), (".opus", "OGG", "OPUS"), (".mp3", "MP3", None),
                    (".au", "AU", None), (".aiff", "AIFF", None)]


@pytest.mark.parametrize("ext, fmt, subtype", LIBSNDFILE_CASES,
                         ids=[f"{c[0]}-{c[2]}" for c in LIBSNDFILE_CASES])
def test_libsndfile_formats_decode_exactly_as_before(tmp_path, ext, fmt, subtype):
    """Bit for bit what libsndfile, the channel mean and soxr give, as before FFmpeg came in."""
    path = tmp_path / f"x{ext}"
    rate = 48000 if subtype == "OPUS" else 44100
    y = np.stack([_tone(440, 1.5, rate), _tone(660, 1.5, rate, amp=0.3)], axis=1)
    sf.write(path, y, rate, format=fmt, subtype=subtype)
    for max_seconds in (None, 0.5):
        frames = -1 if max_seconds is None else int(np.ceil((max_seconds + 0.1) * rate))
        raw, native = sf.read(path, frames=frames, dtype="float32", always_2d=True)
        expected = soxr.resample(raw.mean(axis=1), native, 16000, quality="HQ")
        np.testing.assert_array_equal(load_audio(path, 16000, max_seconds=max_seconds), expected)
    info = sf.info(str(path))
    assert audio_info(path) == AudioInfo(info.frames, info.samplerate, info.channels)
