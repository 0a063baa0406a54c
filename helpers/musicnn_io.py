"""Inputs and outputs of the pretrained models of :mod:`helpers.musicnn`: audio in, embeddings and tags out.

Front end
---------
One front end feeds musicnn everywhere: the training embeddings of notebook 06
(:func:`dataset_embeddings`) and the transfer bundle (:func:`helpers.transfer.transfer_bundle`,
whose feature settings are :func:`front_end_settings`), so both see the same numbers::

    audio -> mono 16 kHz -> mel power (FFT 512, hop 256, 96 bands: helpers.features.mel_power)
    -> log10(10000 * mel + 1) of the float16-rounded power (helpers.features.musicnn_compress)
    -> non-overlapping patches of 187 frames = 3 s (helpers.features.cut_windows)
    -> network -> 50 tag probabilities, or an embedding, per patch.

musicnn itself (``musicnn.extractor``) computes the mel power with librosa and the log in
float16; :func:`reference_log_mel` does exactly that and is kept only as the reference the
front end is tested against (as :func:`helpers.features.seed_features` is for the CNN's
features). With the log in float32 on both sides (``precision="float16"``) the two differ
only where the mel power lands on the other side of a float16 rounding step: about 0.05%
of the values, by at most ``0.434 * 2**-10`` (4.2e-4). musicnn's float16 log adds the
float16 rounding of its result (1.96e-3 at most on the test fixture's signal).
"""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path
from typing import Literal

import keras
import librosa
import numpy as np
import pandas as pd
import soxr

from helpers import musicnn as mn
from helpers.audio import load_audio
from helpers.config import FeatureSettings, work_dir
from helpers.features import (
    cut_windows,
    file_cache_path,
    mel_from_signal,
    musicnn_compress,
    read_cached,
    save_atomic,
)
from helpers.models import embedding_model
from helpers.progress import progress_bar

# --------------------------------------------------------------------------- front end


def front_end_settings(n_frames: int = mn.N_FRAMES) -> FeatureSettings:
    """musicnn's input features as feature settings, for windows of ``n_frames`` frames.

    Parameters
    ----------
    n_frames
        Frames per window (187 = one 3-s patch).

    Returns
    -------
    helpers.config.FeatureSettings
        16 kHz, FFT 512, hop 256, 96 bands, ``scaling="musicnn"``: what
        :func:`helpers.features.mel_from_signal` turns into musicnn's input.
    """
    return FeatureSettings(sample_rate=mn.SR, n_fft=mn.N_FFT, hop_length=mn.HOP, n_mels=mn.N_MELS,
                           n_frames=n_frames, scaling="musicnn")


def log_mel(audio: np.ndarray, sr: int = mn.SR, min_frames: int = 1) -> np.ndarray:
    """musicnn's log-compressed mel spectrogram of ``audio``, by the project's fast mel.

    Parameters
    ----------
    audio
        Mono ``(samples,)`` or multichannel ``(channels, samples)`` audio (averaged to mono).
    sr
        Sample rate of ``audio``; resampled to 16 kHz with soxr's high-quality filter,
        as :func:`helpers.audio.load_audio` (and ``librosa.load(sr=16000)`` in musicnn) does.
    min_frames
        At least this many frames: a shorter signal is zero-padded at the end, so the
        extra frames are silence (0 after the compression).

    Returns
    -------
    numpy.ndarray
        ``(max(min_frames, 1 + samples // 256), 96)`` float32, 62.5 frames per second: the
        frames of ``librosa.feature.melspectrogram``, compressed by
        :func:`helpers.features.musicnn_compress`.
    """
    y = np.asarray(audio, dtype=np.float32)
    y = y.mean(axis=0) if y.ndim > 1 else y
    if sr != mn.SR:
        y = soxr.resample(y, sr, mn.SR, quality="HQ")
    return mel_from_signal(y, front_end_settings(max(min_frames, 1 + len(y) // mn.HOP)))


def preprocess(audio: np.ndarray, sr: int = mn.SR, hop: int | None = None) -> np.ndarray:
    """Audio -> ``(n_patches, 187, 96)`` musicnn input patches.

    :func:`log_mel` cut by :func:`helpers.features.cut_windows`: patches every ``hop``
    frames (default 187, no overlap, as musicnn's ``batch_data``), the incomplete tail
    dropped. Audio shorter than one patch (where musicnn fails) is padded with silence
    to one patch.

    Parameters
    ----------
    audio, sr
        As for :func:`log_mel`.
    hop
        Frames between patch starts; ``None`` means 187.

    Returns
    -------
    numpy.ndarray
        ``(n_patches, 187, 96)`` float32.
    """
    return cut_windows(log_mel(audio, sr, min_frames=mn.N_FRAMES), mn.N_FRAMES, hop)[0]


def clip_audio(path: str | Path, seconds: float = 30.0) -> np.ndarray:
    """The first ``seconds`` of an audio file as musicnn reads it (mono, 16 kHz).

    :func:`helpers.audio.load_audio` is ``librosa.load``'s equivalent; the samples are those
    the transfer bundle predicts from (:func:`helpers.predict.predict_song` reads the same way).
    """
    return load_audio(path, mn.SR, max_seconds=seconds)[: int(seconds * mn.SR)]


def reference_log_mel(
    audio: np.ndarray, sr: int = mn.SR, precision: Literal["float16", "musicnn"] = "float16"
) -> np.ndarray:
    """musicnn's own preprocessing, with librosa: the reference :func:`log_mel` is tested against.

    Not used by the tutorial (slower; kept as :func:`helpers.features.seed_features` is).

    Parameters
    ----------
    audio : numpy.ndarray
        Mono ``(samples,)`` or multichannel ``(channels, samples)`` audio
        (averaged to mono, as ``librosa.load`` does).
    sr : int
        Sample rate of ``audio``; resampled to 16 kHz with librosa's default
        (``soxr_hq``, as ``librosa.load(sr=16000)`` in musicnn).
    precision : {"float16", "musicnn"}
        musicnn stores the mel power as float16 and computes
        ``log10(10000 * mel + 1)`` *in float16*, which overflows to ``inf`` for
        any mel value above 6.55 (loud tonal sounds). ``"musicnn"`` reproduces
        that bit for bit (a warning is issued when ``inf`` appears);
        ``"float16"`` (default) keeps the float16 rounding of the mel power but takes the log in
        float32 (:func:`helpers.features.musicnn_compress`, as :func:`log_mel`), so it never
        overflows and otherwise differs from ``"musicnn"`` by float16 rounding of the
        result only (< 0.002).

    Returns
    -------
    numpy.ndarray
        ``(1 + samples // 256, 96)`` float32, frames at 16 kHz / 256 hop (62.5 per second).
    """
    y = librosa.to_mono(np.asarray(audio, dtype=np.float32))
    if sr != mn.SR:
        y = librosa.resample(y, orig_sr=sr, target_sr=mn.SR)
    mel = librosa.feature.melspectrogram(y=y, sr=mn.SR, hop_length=mn.HOP, n_fft=mn.N_FFT,
                                         n_mels=mn.N_MELS).T
    mel16 = mel.astype(np.float16)
    if precision == "musicnn":
        with np.errstate(over="ignore"):
            out = np.log10(10000 * mel16 + 1)  # float16 arithmetic, as musicnn
        if not np.isfinite(out).all():
            warnings.warn("musicnn's float16 log-mel overflowed to inf; use precision='float16'",
                          stacklevel=2)
        return out.astype(np.float32)
    if precision != "float16":
        raise ValueError(f"precision must be 'float16' or 'musicnn', got {precision!r}")
    return musicnn_compress(mel16)


# --------------------------------------------------------------------------- outputs


def feature_model(model: keras.Model) -> keras.Model:
    """Multi-output view of a musicnn model (shares its weights).

    Parameters
    ----------
    model : keras.Model
        From :func:`helpers.musicnn.load_musicnn` or :func:`helpers.musicnn.build_musicnn`.

    Returns
    -------
    keras.Model
        Outputs a dict: ``taggram`` (n, 50), ``logits`` (n, 50),
        ``penultimate`` (n, 200), ``mean_pool`` and ``max_pool`` (n, 753).
    """
    names = ("taggram", "logits", mn.EMBEDDING_LAYER, "mean_pool", "max_pool")
    return keras.Model(model.inputs, {n: model.get_layer(n).output for n in names}, name="musicnn_features")


def features(model: keras.Model, x: np.ndarray, batch_size: int = 32) -> dict[str, np.ndarray]:
    """All outputs of :func:`feature_model` for patches ``x`` of shape ``(n, frames, 96)``."""
    return feature_model(model).predict(np.asarray(x, np.float32), batch_size=batch_size, verbose=0)


def embeddings(
    model: keras.Model, x: np.ndarray, layer: str = mn.EMBEDDING_LAYER, batch_size: int = 32
) -> np.ndarray:
    """Embedding per patch, by default the 200-d penultimate layer (inference mode).

    Parameters
    ----------
    model : keras.Model
        From :func:`helpers.musicnn.load_musicnn` (or :func:`helpers.musicnn.load_vgg`).
    x : numpy.ndarray
        ``(n, frames, 96)`` patches from :func:`preprocess`.
    layer : str
        Layer to read: ``"penultimate"`` (200), ``"mean_pool"`` / ``"max_pool"``
        (753, mid-end features pooled over time) or ``"logits"`` (50).
    batch_size : int
        Patches per forward pass.

    Returns
    -------
    numpy.ndarray
        ``(n, dim)`` float32.
    """
    return embedding_model(model, layer).predict(np.asarray(x, np.float32), batch_size=batch_size, verbose=0)


def pool_clip(patch_embeddings: np.ndarray, how: Literal["mean", "max", "meanmax"] = "mean") -> np.ndarray:
    """Pool the ``(n_patches, dim)`` embeddings of one clip into one vector.

    Parameters
    ----------
    patch_embeddings : numpy.ndarray
        Output of :func:`embeddings` for the patches of a single clip.
    how : {"mean", "max", "meanmax"}
        Mean over patches, max over patches, or both concatenated (``2 * dim``).

    Returns
    -------
    numpy.ndarray
        ``(dim,)`` or ``(2 * dim,)``.
    """
    if how == "mean":
        return patch_embeddings.mean(axis=0)
    if how == "max":
        return patch_embeddings.max(axis=0)
    if how == "meanmax":
        return np.concatenate([patch_embeddings.mean(axis=0), patch_embeddings.max(axis=0)])
    raise ValueError(f"how must be 'mean', 'max' or 'meanmax', got {how!r}")


def top_tags(probs: np.ndarray, names: list[str], k: int = 5) -> list[tuple[str, float]]:
    """The ``k`` most likely tags of a ``(50,)`` probability vector (e.g. a clip's mean taggram).

    >>> top_tags(np.array([0.1, 0.7, 0.3]), ["a", "b", "c"], k=2)
    [('b', 0.7), ('c', 0.3)]
    """
    order = np.argsort(-probs)[:k]
    return [(names[i], round(float(probs[i]), 4)) for i in order]


def predict_whole_batches(model: keras.Model, x: np.ndarray, batch_size: int) -> np.ndarray | dict:
    """``model.predict(x)`` with ``x`` padded by zeros to whole batches and the padding dropped
    again, so that every call, whatever ``len(x)``, runs one traced predict function.

    Returns the model's output for ``x`` (an array, or a dict of arrays for a multi-output model).
    """
    padded = np.concatenate([x, np.zeros((-len(x) % batch_size, *x.shape[1:]), x.dtype)])
    out = model.predict(padded, batch_size=batch_size, verbose=0)
    return {k: v[: len(x)] for k, v in out.items()} if isinstance(out, dict) else out[: len(x)]


#: Bump when the front end or the pooling change, so cached embeddings are recomputed.
EMBEDDING_CACHE_VERSION = 1


def embedding_cache_key(model: keras.Model, layer: str, how: str, seconds: float,
                        n_patches: int | None = None) -> str:
    """Short hash of everything an embedding depends on: the weights, the layer, the pooling,
    the length read, the patches kept and the front end (so MSD and MTT weights, say, never
    share an entry)."""
    weights = hashlib.sha1()
    for w in model.get_weights():
        weights.update(np.ascontiguousarray(w).tobytes())
    settings = {"model": model.name, "weights": weights.hexdigest(), "layer": layer, "how": how,
                "seconds": seconds, "front_end": front_end_settings().key(),
                "version": EMBEDDING_CACHE_VERSION}
    if n_patches is not None:  # (absent for all patches, so entries cached before the option stay valid)
        settings["n_patches"] = n_patches
    blob = json.dumps(settings, sort_keys=True)
    return f"{model.name}-{hashlib.sha1(blob.encode()).hexdigest()[:12]}"


def dataset_embeddings(
    model: keras.Model,
    paths: list[str],
    seconds: float = 30.0,
    how: Literal["mean", "max", "meanmax"] = "meanmax",
    layer: str = mn.EMBEDDING_LAYER,
    cache_dir: Path | None = None,
    clips_per_batch: int = 32,
    batch_size: int = 64,
    n_patches: int | None = None,
) -> np.ndarray:
    """One pooled embedding per audio file (the first ``seconds`` of each), cached on disk.

    Each file: :func:`clip_audio` -> :func:`preprocess` -> ``layer`` per 3-s patch ->
    :func:`pool_clip`; the same features the transfer bundle computes from the file. Files
    already in the cache (keyed by the file and :func:`embedding_cache_key`) are read back;
    the others are computed ``clips_per_batch`` at a time, all their patches in one call of
    one predict function (padded to whole batches, so it is traced once), and each result is
    written to the cache atomically: an interrupted run resumes, and a damaged entry is
    recomputed.

    Parameters
    ----------
    model
        From :func:`helpers.musicnn.load_musicnn` (or :func:`helpers.musicnn.load_vgg`).
    paths
        Audio files.
    seconds
        Length read from the start of each file.
    how
        Pooling over patches, see :func:`pool_clip`.
    layer
        Layer read per patch (``"pool5_flat"`` for :func:`helpers.musicnn.load_vgg`).
    cache_dir
        Cache folder; default ``<work dir>/cache``.
    clips_per_batch, batch_size
        Files per predict call, and patches per forward pass.
    n_patches
        Pool only each file's first ``n_patches`` 3-s patches (faster); ``None``: all of them.

    Returns
    -------
    numpy.ndarray
        ``(len(paths), dim)`` float32, ``dim`` = 400 for ``"meanmax"`` of the 200-d
        penultimate layer.
    """
    cache_dir = Path(cache_dir) if cache_dir else work_dir() / "cache"
    if n_patches is not None and n_patches >= len(preprocess(np.zeros(int(seconds * mn.SR), np.float32))):
        n_patches = None  # keeps every patch of ``seconds`` anyway: the same entries as all patches
    encoder = embedding_model(model, layer)
    dim = encoder.output_shape[-1] * (2 if how == "meanmax" else 1)
    key = embedding_cache_key(model, layer, how, seconds, n_patches)
    targets = [file_cache_path(p, key, cache_dir) for p in paths]
    out = np.empty((len(paths), dim), np.float32)
    with progress_bar(total=len(paths), desc=f"{model.name} embeddings", unit="clip") as progress:
        todo = []
        for i, target in enumerate(targets):
            cached = read_cached(target, (dim,))
            if cached is None:
                todo.append(i)
            else:
                out[i] = cached
                progress.update()
        for start in range(0, len(todo), clips_per_batch):
            group = todo[start : start + clips_per_batch]
            patches = [preprocess(clip_audio(paths[i], seconds))[:n_patches] for i in group]
            counts = np.cumsum([len(x) for x in patches])
            per_patch = predict_whole_batches(encoder, np.concatenate(patches), batch_size)
            for i, part in zip(group, np.split(per_patch, counts[:-1]), strict=True):
                out[i] = pool_clip(part, how)
                save_atomic(out[i], targets[i])
            progress.update(len(group))
    return out


#: musicnn (MSD_musicnn) tags that fit each GTZAN genre name: the map notebook 06 holds its tag
#: table against. The 50 tags name no reggae or classical, so those genres get their neighbours.
GENRE_TAGS: dict[str, tuple[str, ...]] = {
    "blues": ("blues", "soul", "oldies", "classic rock", "guitar", "60s", "70s"),
    "classical": ("instrumental", "ambient", "beautiful", "Mellow", "easy listening", "sad", "chillout"),
    "country": ("country", "folk", "oldies", "acoustic", "easy listening", "60s"),
    "disco": ("dance", "funk", "soul", "70s", "80s", "House", "party", "pop"),
    "hiphop": ("Hip-Hop", "rnb", "soul", "funk", "party", "sexy"),
    "jazz": ("jazz", "soul", "funk", "blues", "easy listening", "chillout", "Mellow", "instrumental"),
    "metal": ("metal", "heavy metal", "hard rock", "rock", "punk", "Progressive rock"),
    "pop": ("pop", "dance", "catchy", "happy", "80s", "00s", "indie pop", "party"),
    "reggae": ("soul", "funk", "oldies", "70s", "chillout", "chill", "Hip-Hop", "party"),
    "rock": ("rock", "classic rock", "hard rock", "alternative", "alternative rock", "indie", "indie rock",
             "punk", "70s", "80s", "90s", "guitar"),
}

#: Column of :func:`genre_tags` saying whether a fitting tag (:data:`GENRE_TAGS`) is among the top k.
FITS = "a fitting tag among them"


def genre_tags(model: keras.Model, clips: pd.DataFrame, k: int = 3, clips_per_label: int = 5,
               seconds: float = 30.0, batch_size: int = 64) -> pd.DataFrame:
    """musicnn's ``k`` most likely tags per label, its taggram averaged over the label's first clips.

    Parameters
    ----------
    model
        From :func:`helpers.musicnn.load_musicnn`.
    clips
        ``path`` and ``label`` per clip (:func:`helpers.data.discover`).
    k
        Tags per label.
    clips_per_label
        Clips averaged per label (all of them where a label has fewer).
    seconds, batch_size
        Length read from the start of each file, and patches per forward pass.

    Returns
    -------
    pandas.DataFrame
        One row per label (sorted): ``tag 1`` ... ``tag k`` holding ``"tag (p)"``, ``p`` the tag's
        probability averaged over all 3-s patches of those clips, and :data:`FITS`: ``True`` or
        ``False`` for a label that is a key of :data:`GENRE_TAGS`, ``None`` for any other label.
    """
    tagger, names = feature_model(model), mn.tag_names()
    chosen = clips.groupby("label", sort=True).head(clips_per_label)
    patches = [preprocess(clip_audio(path, seconds)) for path in chosen["path"]]
    taggram = predict_whole_batches(tagger, np.concatenate(patches), batch_size)["taggram"]
    owner = np.repeat(chosen["label"].to_numpy(), [len(p) for p in patches])
    rows = {}
    for label in sorted(set(owner)):
        top = top_tags(taggram[owner == label].mean(axis=0), names, k)
        fits = any(tag in GENRE_TAGS[label] for tag, _ in top) if label in GENRE_TAGS else None
        rows[label] = [f"{tag} ({p:.2f})" for tag, p in top] + [fits]
    return pd.DataFrame.from_dict(rows, orient="index", columns=[*(f"tag {i + 1}" for i in range(k)), FITS])


def describe_tags(table: pd.DataFrame) -> str:
    r"""One sentence on a :func:`genre_tags` table: for how many genres a fitting tag is among the
    top k, which genres miss, which tag comes first most often, and how often "electronic" does.

    >>> t = pd.DataFrame({"tag 1": ["jazz (0.6)", "jazz (0.3)", "rock (0.2)"], FITS: [True, False, True]},
    ...                  index=["jazz", "pop", "rock"])
    >>> print(describe_tags(t).replace("; ", ";\n"))
    For 2 of 3 genres a tag that fits the genre is among musicnn's top 1 (none for pop);
    "jazz" is the top tag for 2 of 3, "electronic" for 0.
    """
    known, k = table[table[FITS].notna()], sum(str(c).startswith("tag ") for c in table.columns)
    firsts = table["tag 1"].str.rsplit(" (", n=1).str[0]
    common, count = firsts.value_counts().index[0], int(firsts.value_counts().iloc[0])
    electronic = int((firsts == "electronic").sum())
    tail = f'"{common}" is the top tag for {count} of {len(table)}'
    tail += "." if common == "electronic" else f', "electronic" for {electronic}.'
    if known.empty:
        return ("These labels are not GTZAN's genre names, so there is no map to hold the tags "
                f"against: judge for yourself whether they fit. {tail}")
    misses = [str(label) for label, fits in known[FITS].items() if not fits]
    missed = f" (none for {', '.join(misses)})" if misses else ""
    return (f"For {int(known[FITS].sum())} of {len(known)} genres a tag that fits the genre is among "
            f"musicnn's top {k}{missed}; {tail}")
