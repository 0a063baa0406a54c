"""Shared fixtures: a tiny GTZAN-layout dataset and small feature settings.

Fixtures for every test file:

``tiny_dataset``
    Root ``Path`` of a fresh dataset ``<root>/<genre>/<genre>.000NN.wav`` with
    3 genres x 4 clips (2-3 s each) whose signals differ clearly:
    ``classical`` = low sine tones, ``disco`` = click trains, ``metal`` = white
    noise. Sample rates are mixed (22050, 16000, 44100 Hz) and some clips are stereo.
``tiny_dataset_spec``
    The list of :class:`ClipSpec` describing those 12 files (relative path,
    label, sample rate, channels, frames), sorted like ``discover`` sorts.
``small_features``
    :class:`~helpers.config.FeatureSettings` of the default settings with
    ``n_frames=40`` (about 1.3 s of audio), so features are fast to compute.
``bundle_dir``, ``bundle``
    A compact model trained on the tiny dataset (windows of :data:`TINY_WINDOW` frames),
    saved as a bundle once per test run, and that bundle loaded.
``archive``, ``server``, ``dead_url``
    For the download, extraction and GTZAN tests: a small generated tar.gz in
    GTZAN's layout (:data:`ARCHIVE_FILES`), a local HTTP server on 127.0.0.1 serving
    it (Range-aware, with configurable faults), and a URL nothing answers at.

Every test also runs with ``$GENRE_WORKDIR`` pointing at a fresh temporary
folder, so nothing a test generates (datasets, feature cache, models) lands in
the repository's ``data/``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import socket
import tarfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from helpers.config import WORKDIR_ENV, FeatureSettings, load_settings

#: Genres of the tiny dataset, sorted.
TINY_GENRES = ("classical", "disco", "metal")
TINY_CLIPS_PER_GENRE = 4
TINY_RATES = (22050, 16000, 44100)


@dataclasses.dataclass(frozen=True)
class ClipSpec:
    """One file of the tiny dataset."""

    relpath: str
    label: str
    sample_rate: int
    channels: int
    frames: int

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate


def _tiny_specs() -> list[ClipSpec]:
    specs = []
    for g, genre in enumerate(TINY_GENRES):
        for i in range(TINY_CLIPS_PER_GENRE):
            sr = TINY_RATES[(g + i) % len(TINY_RATES)]
            channels = 2 if (g + i) % 2 == 1 else 1
            seconds = 2.0 + 0.25 * i
            specs.append(ClipSpec(f"{genre}/{genre}.{i:05d}.wav", genre, sr, channels,
                                  round(seconds * sr)))
    return specs


def tiny_signal(label: str, index: int, sample_rate: int, frames: int) -> np.ndarray:
    """Mono float32 signal of one tiny-dataset clip (deterministic)."""
    t = np.arange(frames) / sample_rate
    rng = np.random.default_rng(1000 * TINY_GENRES.index(label) + index)
    if label == "classical":  # two low sine tones, no noise
        f0 = 110.0 + 15.0 * index
        y = 0.4 * np.sin(2 * np.pi * f0 * t) + 0.2 * np.sin(2 * np.pi * 2 * f0 * t)
    elif label == "disco":  # click train: short decaying noise bursts, 4-6 per second
        y = np.zeros(frames)
        period = int(sample_rate / (4.0 + 0.5 * index))
        burst = int(0.005 * sample_rate)
        env = np.exp(-np.arange(burst) / (burst / 5))
        for start in range(0, frames - burst, period):
            y[start:start + burst] += 0.8 * env * rng.standard_normal(burst)
    elif label == "metal":  # loud white noise
        y = 0.3 * rng.standard_normal(frames)
    else:
        raise ValueError(label)
    return np.clip(y, -1, 1).astype(np.float32)


def write_tiny_dataset(root: Path) -> list[ClipSpec]:
    """Write the tiny dataset under ``root`` and return its specs."""
    specs = _tiny_specs()
    for spec in specs:
        index = int(spec.relpath.split(".")[-2])
        y = tiny_signal(spec.label, index, spec.sample_rate, spec.frames)
        if spec.channels == 2:  # right channel quieter, so the mono mix differs from either side
            y = np.stack([y, 0.5 * y], axis=1)
        path = root / spec.relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(path, y, spec.sample_rate)
    return specs


@pytest.fixture
def tiny_dataset_spec() -> list[ClipSpec]:
    """The files that :func:`tiny_dataset` writes, sorted by label then path."""
    return _tiny_specs()


@pytest.fixture
def tiny_dataset(tmp_path: Path) -> Path:
    """A fresh 3-genre x 4-clip dataset in GTZAN layout; returns its root folder."""
    root = tmp_path / "tiny"
    write_tiny_dataset(root)
    return root


@pytest.fixture
def small_features() -> FeatureSettings:
    """Default feature settings but only 40 frames per clip (fast)."""
    return load_settings(n_frames=40, window_frames=20).features


#: Window length (frames) of the tiny bundle.
TINY_WINDOW = 20


@pytest.fixture(scope="session")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A compact model trained on the tiny dataset (sines / clicks / noise), saved as a bundle."""
    import keras

    from helpers.bundle import Bundle
    from helpers.data import discover
    from helpers.features import extract_features
    from helpers.models import build_model, fit_normalization
    from helpers.train import one_hot, windows

    root = tmp_path_factory.mktemp("tiny")
    write_tiny_dataset(root)
    fs = load_settings(n_frames=40, window_frames=TINY_WINDOW).features
    clips, X, _ = extract_features(*discover(root)[:1], fs, cache_dir=root / "cache")
    genres = sorted(TINY_GENRES)
    W, owner = windows(X, TINY_WINDOW)
    y = one_hot(clips["label"], genres)[owner]
    keras.utils.set_random_seed(0)
    model = build_model("compact", (TINY_WINDOW, fs.n_mels), len(genres), learning_rate=0.01)
    fit_normalization(model, W)
    model.fit(W, y, epochs=40, batch_size=8, verbose=0)
    return Bundle(model, genres, fs, TINY_WINDOW, threshold=0.5).save(root / "bundle")


@pytest.fixture(scope="session")
def bundle(bundle_dir: Path):
    """The tiny bundle of :func:`bundle_dir`, loaded."""
    from helpers.bundle import load_bundle

    return load_bundle(bundle_dir)


@pytest.fixture(autouse=True)
def _isolated_workdir(tmp_path_factory: pytest.TempPathFactory,
                      monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point ``$GENRE_WORKDIR`` at a fresh folder so no test writes into the repository."""
    workdir = tmp_path_factory.mktemp("workdir")
    monkeypatch.setenv(WORKDIR_ENV, str(workdir))
    return workdir


# --------------------------------------------------------------------------- archives and HTTP

#: Genres and clips per genre of the generated archive.
ARCHIVE_GENRES = ("blues", "classical", "rock")
ARCHIVE_CLIPS = 2
#: Relative paths of the audio files in the generated archive.
ARCHIVE_FILES = sorted(f"genres/{g}/{g}.{i:05d}.wav" for g in ARCHIVE_GENRES
                       for i in range(ARCHIVE_CLIPS))
#: Seconds the tests let a download wait for the local server.
HTTP_TIMEOUT = 5


@dataclasses.dataclass(frozen=True)
class Archive:
    """The generated test archive: its bytes and checksums."""

    data: bytes
    sha256: str
    md5: str

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.data)
        return path


@pytest.fixture(scope="session")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    """A tar.gz of 3 genres x 2 noise clips (0.5 s at 8 kHz, about 50 kB: barely compressible)."""
    root = tmp_path_factory.mktemp("archive-src")
    rng = np.random.default_rng(0)
    for rel in ARCHIVE_FILES:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(path, (0.3 * rng.standard_normal(4000)).astype(np.float32), 8000,
                 subtype="PCM_16")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        tf.add(root / "genres", arcname="genres")
    data = buffer.getvalue()
    return Archive(data, hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest())


def relative_files(root: Path) -> list[str]:
    """Every file under ``root``, as sorted posix paths relative to it."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


@dataclasses.dataclass
class ServerState:
    """What the test server serves and how it misbehaves; records each request's Range."""

    data: bytes
    url: str = ""
    drop_after: int | None = None  # send only this many body bytes, then close
    ignore_range: bool = False  # answer 200 with the whole file even to a Range request
    status: int | None = None  # answer every request with this HTTP error
    ranges: list[str | None] = dataclasses.field(default_factory=list)
    answers: list[int] = dataclasses.field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # http.server calls it by this name
        state = self.server.state
        state.ranges.append(self.headers.get("Range"))
        if state.status:
            state.answers.append(state.status)
            self.send_error(state.status)
            return
        data, start = state.data, 0
        match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
        if match and not state.ignore_range:
            start = int(match.group(1))
            if start >= len(data):
                state.answers.append(416)
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            state.answers.append(206)
        else:
            self.send_response(200)
            state.answers.append(200)
        body = data[start:]
        self.send_header("Content-Type", "application/gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body if state.drop_after is None else body[:state.drop_after])
            self.wfile.flush()
        except OSError:  # the client went away
            pass
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: ServerState

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # dropped connections are the point of some tests


@pytest.fixture
def server(archive: Archive) -> Iterator[ServerState]:
    """A local HTTP server (Range-aware, configurable faults) serving the test archive."""
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.state = ServerState(archive.data)
    httpd.state.url = f"http://127.0.0.1:{httpd.server_address[1]}/data/genres.tar.gz"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield httpd.state
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=HTTP_TIMEOUT)


@pytest.fixture
def dead_url() -> str:
    """URL of a port on 127.0.0.1 that nothing listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/data/genres.tar.gz"
