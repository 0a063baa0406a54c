"""The Keras 3 port of pretrained musicnn (``helpers.musicnn.model``) and its inputs and outputs
(``helpers.musicnn.embeddings``) against outputs of musicnn's original TF1 graph.

``tests/musicnn/fixtures/reference.npz`` was made once by running musicnn's own
``models.py`` / ``extractor.batch_data`` (see the README next to it). The weights
are fetched by :mod:`helpers.musicnn.weights` (``make test`` does it first); when they are
missing and cannot be fetched, every test here fails with pip's message: the port is never
left untested without a word.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from musicnn_reference import reference_log_mel

from helpers.features import cut_windows
from helpers.models import embedding_model
from helpers.musicnn import embeddings as mio
from helpers.musicnn import frontend, tags
from helpers.musicnn import model as mn
from helpers.musicnn.vgg import load_vgg
from helpers.musicnn.weights import PretrainedWeightsError, weights_dir
from helpers.progress import TEXT_BARS_ENV

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module", autouse=True)
def weights() -> Path:
    try:
        return weights_dir()
    except PretrainedWeightsError as err:
        pytest.fail(f"musicnn's weights are missing and could not be fetched (run `make weights`): {err}",
                    pytrace=False)


def _reference_signal() -> np.ndarray:
    """The synthetic signal the fixture was computed from (drums 0-3 s, tone 3-6 s, chord 6-9.5 s)."""
    spec = importlib.util.spec_from_file_location("musicnn_make_reference", FIXTURES / "make_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.reference_signal()


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    with np.load(FIXTURES / "reference.npz") as data:
        return dict(data)


@pytest.fixture(scope="module")
def model():
    return mn.load_musicnn("MSD_musicnn")


@pytest.fixture(scope="module")
def ported(model, reference) -> dict[str, np.ndarray]:
    return mio.features(model, reference["input"].astype(np.float32))


def test_parameter_count_matches_checkpoint(model):
    variables = mn.read_checkpoint("MSD_musicnn")
    assert len(variables) == 64
    assert sum(v.size for v in variables.values()) == 792_079
    assert model.count_params() == 792_079


@pytest.mark.parametrize(
    ("key", "atol"),
    [("taggram", 1e-5), ("logits", 1e-4), ("penultimate", 1e-4), ("mean_pool", 1e-4), ("max_pool", 1e-4)],
)
def test_outputs_match_original_graph(ported, reference, key, atol):
    np.testing.assert_allclose(ported[key], reference[key], rtol=1e-5, atol=atol)


def test_embeddings_are_penultimate_layer(model, reference):
    emb = mio.embeddings(model, reference["input"].astype(np.float32))
    assert emb.shape == (4, 200)
    np.testing.assert_allclose(emb, reference["penultimate"], rtol=1e-5, atol=1e-4)


def test_reference_preprocessing_matches_musicnn_bit_for_bit(reference):
    x, _ = cut_windows(reference_log_mel(_reference_signal(), precision="musicnn"), mn.N_FRAMES)
    assert x.shape == (3, mn.N_FRAMES, mn.N_MELS) and x.dtype == np.float32
    expected = reference["input"][:3].astype(np.float32)
    # numpy computes a float16 log10 in float32 and rounds; CPUs with and without AVX-512 differ by
    # one float32 ulp, which flips the float16 rounding of a handful of values (5 of 53,856 here).
    # Every other value is equal bit for bit, and the flipped ones by one float16 step only.
    differ = x != expected
    assert differ.mean() < 1e-3
    np.testing.assert_allclose(x[differ], expected[differ], rtol=2.0**-10, atol=0)


def test_default_preprocessing_is_close_and_never_overflows(model, reference):
    sig = _reference_signal()
    x = frontend.preprocess(sig)  # fast mel, float32 log: differs by float16 rounding only
    np.testing.assert_allclose(x, reference["input"][:3].astype(np.float32), atol=2.5e-3)
    np.testing.assert_allclose(mio.features(model, x)["taggram"], reference["taggram"][:3], atol=1e-3)
    loud = sig * 5.0  # mel power above 6.55: musicnn's float16 log gives inf
    assert np.isfinite(frontend.preprocess(loud)).all()
    with pytest.warns(UserWarning, match="overflowed"):
        reference_log_mel(loud, precision="musicnn")


@pytest.mark.parametrize("gain", [1.0, 5.0])
def test_front_end_matches_librosa_reference(gain):
    """The fast front end against musicnn's librosa recipe (log in float32 on both sides).

    They differ only where the mel power rounds to the neighbouring float16: one float16
    step is at most 2**-10 relative, ``0.434 * 2**-10`` = 4.2e-4 after the log. Measured on
    this signal: 3.9e-4 at most, on 0.03% of the values (0.04-0.06% on 30-s mixes).
    """
    sig = _reference_signal() * gain
    ours, ref = frontend.log_mel(sig), reference_log_mel(sig, precision="float16")
    assert ours.shape == ref.shape == (1 + len(sig) // mn.HOP, mn.N_MELS)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=5e-4)
    assert np.mean(ours != ref) < 1e-3


def test_patches_cut_like_musicnn():
    spec = np.arange(500 * 96, dtype=np.float32).reshape(500, 96)
    p, _ = cut_windows(spec, mn.N_FRAMES)
    assert p.shape == (2, 187, 96)
    np.testing.assert_array_equal(p[1], spec[187:374])
    assert cut_windows(spec, mn.N_FRAMES, hop=100)[0].shape == (4, 187, 96)
    short = frontend.preprocess(_reference_signal()[: 50 * mn.HOP])  # 51 frames of audio
    assert short.shape == (1, 187, 96)  # short input: zero-padded (the signal, so silence)
    np.testing.assert_array_equal(short[0, 51:], 0)  # frames whose window starts after the end


def test_resampling_and_stereo_input():
    sig = _reference_signal()[: 4 * mn.SR]
    import librosa

    sig22 = librosa.resample(sig, orig_sr=mn.SR, target_sr=22050)
    x = frontend.log_mel(np.stack([sig22, sig22]), sr=22050)
    assert x.shape[1] == mn.N_MELS and abs(len(x) - len(frontend.log_mel(sig))) <= 1


def test_tags_make_sense(ported):
    names = mn.tag_names("MSD_musicnn")
    assert len(names) == 50 and names[:3] == ["rock", "pop", "alternative"]
    drums, tone = ported["taggram"][0], ported["taggram"][1]  # patch 0 = drums, patch 1 = pure tone
    idx = {n: i for i, n in enumerate(names)}
    for tag in ("electronic", "electro", "House"):
        assert drums[idx[tag]] > tone[idx[tag]], tag
    for tag in ("ambient", "instrumental"):
        assert tone[idx[tag]] > drums[idx[tag]], tag
    assert tags.top_tags(drums, names, 1)[0][0] == "electronic"


def test_pool_clip():
    emb = np.array([[0.0, 2.0], [1.0, 0.0]])
    np.testing.assert_array_equal(mio.pool_clip(emb), [0.5, 1.0])
    np.testing.assert_array_equal(mio.pool_clip(emb, "max"), [1.0, 2.0])
    assert mio.pool_clip(emb, "meanmax").shape == (4,)
    with pytest.raises(ValueError):
        mio.pool_clip(emb, "median")


def test_embedding_of_30s(model, tmp_path):
    sig = np.tile(_reference_signal(), 4)[: 30 * mn.SR]
    sf.write(tmp_path / "a.wav", sig, mn.SR, subtype="FLOAT")  # no rounding on the way
    emb = mio.dataset_embeddings(model, [str(tmp_path / "a.wav")], how="meanmax", cache_dir=tmp_path / "c")
    assert emb.shape == (1, 400)
    per_patch = embedding_model(model, mn.EMBEDDING_LAYER).predict(frontend.preprocess(sig), verbose=0)
    assert len(per_patch) == 10  # ten 3-s patches, pooled by mean and max
    np.testing.assert_allclose(emb[0], mio.pool_clip(per_patch, "meanmax"), atol=1e-5)


def test_variable_length_input_and_mtt_model(reference):
    free = mn.load_musicnn("MTT_musicnn", n_frames=None)
    assert len(mn.tag_names("MTT_musicnn")) == 50
    out = free.predict(reference["input"][:1, :120].astype(np.float32), verbose=0)
    assert out.shape == (1, 50) and np.isfinite(out).all()


SCRIPT = """
import json, sys, numpy as np, keras
from helpers.musicnn import model as mn
from helpers.musicnn.embeddings import features
from helpers.musicnn.vgg import load_vgg
ref = np.load(sys.argv[1])
out = features(mn.load_musicnn(), ref["input"].astype("float32"))
vgg_ref = np.load(sys.argv[2])
vgg = load_vgg().predict(vgg_ref["input"].astype("float32"), verbose=0)
print(json.dumps({"backend": keras.backend.backend(),
                  "taggram": float(np.abs(out["taggram"] - ref["taggram"]).max()),
                  "penultimate": float(np.abs(out["penultimate"] - ref["penultimate"]).max()),
                  "vgg": float(np.abs(vgg - vgg_ref["taggram"]).max())}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_other_backends_match(backend, tmp_path):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    env = {**os.environ, "KERAS_BACKEND": backend}
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(FIXTURES / "reference.npz"), str(FIXTURES / "vgg_reference.npz")],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).parents[2],
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    assert res["backend"] == backend
    assert res["taggram"] < 1e-5 and res["penultimate"] < 1e-3 and res["vgg"] < 1e-5


def test_dataset_embeddings_one_row_per_file(tmp_path):
    from helpers.musicnn.embeddings import dataset_embeddings
    from helpers.musicnn.model import load_musicnn

    paths = []
    for i, seconds in enumerate((3.5, 7.0)):
        path = tmp_path / f"{i}.wav"
        t = np.arange(int(22050 * seconds)) / 22050
        sf.write(path, 0.2 * np.sin(2 * np.pi * (220 + 110 * i) * t), 22050)
        paths.append(str(path))
    emb = dataset_embeddings(load_musicnn(), paths, seconds=6.0)
    assert emb.shape == (2, 400) and emb.dtype == np.float32
    assert not np.allclose(emb[0], emb[1])


def test_dataset_embeddings_are_cached_batched_and_recomputed_when_damaged(model, tmp_path, monkeypatch,
                                                                           capsys):
    paths = []
    for i in range(5):
        t = np.arange(int(16000 * (3.5 + i))) / 16000
        sf.write(tmp_path / f"{i}.wav", 0.2 * np.sin(2 * np.pi * (200 + 90 * i) * t), 16000)
        paths.append(str(tmp_path / f"{i}.wav"))
    cache = tmp_path / "cache"
    one_by_one = np.stack([mio.dataset_embeddings(model, [p], cache_dir=tmp_path / f"single{k}")[0]
                           for k, p in enumerate(paths)])
    batched = mio.dataset_embeddings(model, paths, cache_dir=cache, clips_per_batch=3, batch_size=4)
    np.testing.assert_allclose(batched, one_by_one, atol=1e-5)  # padding and batching change nothing
    entries = sorted(cache.rglob("*.npy"))
    assert len(entries) == 5 and not list(cache.rglob("*.tmp"))
    entries[0].write_bytes(b"damaged")
    calls = []
    real = frontend.preprocess
    monkeypatch.setattr(mio, "preprocess", lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setenv(TEXT_BARS_ENV, "1")
    capsys.readouterr()
    again = mio.dataset_embeddings(model, paths, cache_dir=cache)
    assert len(calls) == 1, "only the damaged entry is recomputed"
    out = capsys.readouterr().out
    assert out.startswith(f"{model.name} embeddings: 4 of 5 clips read from the cache\n") and "| 1/1 [" in out
    np.testing.assert_allclose(again, batched, atol=1e-5)
    other = mio.embedding_cache_key(mn.load_musicnn("MTT_musicnn"), mn.EMBEDDING_LAYER, "meanmax", 30.0)
    assert other != mio.embedding_cache_key(model, mn.EMBEDDING_LAYER, "meanmax", 30.0), "weights count"


@pytest.fixture(scope="module")
def vgg_reference() -> dict[str, np.ndarray]:
    with np.load(FIXTURES / "vgg_reference.npz") as data:
        return dict(data)


def test_vgg_matches_original_graph(vgg_reference):
    vgg = load_vgg("MTT_vgg")
    assert vgg.count_params() == 607_030  # the 36 checkpoint variables
    assert len(mn.read_checkpoint("MTT_vgg")) == 36
    x = vgg_reference["input"].astype(np.float32)
    np.testing.assert_allclose(vgg.predict(x, verbose=0), vgg_reference["taggram"], rtol=1e-5, atol=1e-5)
    pool5 = mio.embeddings(vgg, x, layer="pool5_flat")
    assert pool5.shape == (4, 256)
    np.testing.assert_allclose(pool5, vgg_reference["pool5"].reshape(4, -1), rtol=1e-5, atol=1e-4)
    logits = mio.embeddings(vgg, x, layer="logits")
    np.testing.assert_allclose(logits, vgg_reference["logits"], rtol=1e-5, atol=1e-4)


def test_vgg_names_are_checked():
    with pytest.raises(ValueError, match="MTT_vgg"):
        load_vgg("MSD_vgg")


def test_genre_tag_map_names_every_genre_with_real_tags():
    from helpers.config import GTZAN_GENRES

    assert set(tags.GENRE_TAGS) == set(GTZAN_GENRES)
    fitting = {tag for tags in tags.GENRE_TAGS.values() for tag in tags}
    assert fitting <= set(mn.tag_names()), "every fitting tag is one musicnn can output"
    assert "electronic" not in fitting


def test_genre_tags_average_each_labels_clips(model, tmp_path):
    import pandas as pd

    rows = []
    for label, freq in (("jazz", 220.0), ("my label", 880.0)):
        for i in range(3):
            path = tmp_path / f"{label}{i}.wav"
            t = np.arange(int(16000 * 3.5)) / 16000
            sf.write(path, 0.2 * np.sin(2 * np.pi * freq * (1 + i / 10) * t), 16000)
            rows.append({"path": str(path), "label": label})
    clips = pd.DataFrame(rows)
    table = tags.genre_tags(model, clips, k=2, clips_per_label=2)
    assert list(table.index) == ["jazz", "my label"]
    assert list(table.columns) == ["tag 1", "tag 2", tags.FITS]
    assert table.loc["my label", tags.FITS] is None, "no map for labels that are not GTZAN genres"
    assert table.loc["jazz", tags.FITS] in (True, False)
    # the table's first tag is the top tag of the mean taggram of the label's first two clips
    x = np.concatenate([frontend.preprocess(frontend.clip_audio(p)) for p in clips["path"][3:5]])
    mean = mio.features(model, x)["taggram"].mean(axis=0)
    tag, p = tags.top_tags(mean, mn.tag_names(), 1)[0]
    assert table.loc["my label", "tag 1"] == f"{tag} ({p:.2f})"


def test_describe_tags_without_known_genres():
    import pandas as pd

    table = pd.DataFrame({"tag 1": ["rock (0.3)"], tags.FITS: [None]}, index=["mine"])
    assert tags.describe_tags(table).startswith("These labels are not GTZAN's genre names")


def test_dataset_embeddings_of_the_first_patches_only(model, tmp_path):
    path = tmp_path / "tone.wav"
    t = np.arange(int(16000 * 10)) / 16000
    sf.write(path, 0.2 * np.sin(2 * np.pi * 330 * t) * (1 + np.sin(2 * np.pi * 0.3 * t)), 16000)
    patches = frontend.preprocess(frontend.clip_audio(path))
    assert len(patches) == 3
    first_two = mio.dataset_embeddings(model, [str(path)], n_patches=2, cache_dir=tmp_path / "cache")
    expected = mio.pool_clip(mio.embeddings(model, patches[:2]), "meanmax")
    np.testing.assert_allclose(first_two[0], expected, atol=1e-5)
    every = mio.dataset_embeddings(model, [str(path)], cache_dir=tmp_path / "cache")
    assert not np.allclose(every[0], first_two[0]), "a separate cache entry for each patch count"
    assert len(list((tmp_path / "cache").rglob("*.npy"))) == 2
    all_ten = mio.dataset_embeddings(model, [str(path)], n_patches=10, cache_dir=tmp_path / "cache")
    np.testing.assert_array_equal(all_ten, every)
    assert len(list((tmp_path / "cache").rglob("*.npy"))) == 2, "10 of 30 s's 10 patches: all of them"
    assert mio.embedding_cache_key(model, mn.EMBEDDING_LAYER, "meanmax", 30.0, 2) != \
        mio.embedding_cache_key(model, mn.EMBEDDING_LAYER, "meanmax", 30.0)
