"""musicnn's embeddings of clips: one vector per clip from its 3-s patches, cached per file.

Notebook 06 describes every clip by the pretrained network's penultimate layer
(:func:`dataset_embeddings`), pooled over the clip's patches (:func:`pool_clip`), and trains a
classifier on them (:mod:`helpers.musicnn.transfer`). The patches come from the front end of
:mod:`helpers.musicnn.frontend`, the same one the transfer bundle predicts with.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

import keras
import numpy as np

from helpers.cache import file_cache_path, read_cached, save_array
from helpers.config import work_dir
from helpers.models import embedding_model
from helpers.musicnn import model as mn
from helpers.musicnn.frontend import clip_audio, front_end_settings, preprocess
from helpers.musicnn.runtime import patch_predictor, weights_digest
from helpers.progress import print_cached, progress_bar


def feature_model(model: keras.Model) -> keras.Model:
    """Multi-output view of a musicnn model (shares its weights).

    Parameters
    ----------
    model : keras.Model
        From :func:`helpers.musicnn.model.load_musicnn` or :func:`helpers.musicnn.model.build_musicnn`.

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
        From :func:`helpers.musicnn.model.load_musicnn` (or :func:`helpers.musicnn.vgg.load_vgg`).
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


#: Bump when the front end or the pooling change, so cached embeddings are recomputed.
EMBEDDING_CACHE_VERSION = 1


def embedding_cache_key(model: keras.Model, layer: str, how: str, seconds: float,
                        n_patches: int | None = None) -> str:
    """Short hash of everything an embedding depends on: the weights, the layer, the pooling,
    the length read, the patches kept and the front end (so MSD and MTT weights, say, never
    share an entry)."""
    settings = {"model": model.name, "weights": weights_digest(model), "layer": layer, "how": how,
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
    already in the cache (keyed by the file and :func:`embedding_cache_key`) are read back
    (one printed line says how many); the others are computed under a progress bar,
    ``clips_per_batch`` at a time, all their patches in one call of
    :func:`helpers.musicnn.runtime.patch_predictor` (ONNX Runtime on a CPU, else Keras), and each
    result is written to the cache atomically: an interrupted run resumes, and a damaged entry
    is recomputed.

    Parameters
    ----------
    model
        From :func:`helpers.musicnn.model.load_musicnn` (or :func:`helpers.musicnn.vgg.load_vgg`).
    paths
        Audio files.
    seconds
        Length read from the start of each file.
    how
        Pooling over patches, see :func:`pool_clip`.
    layer
        Layer read per patch (``"pool5_flat"`` for :func:`helpers.musicnn.vgg.load_vgg`).
    cache_dir
        Cache folder; default ``<work dir>/cache``.
    clips_per_batch, batch_size
        Files per predict call, and patches per forward pass where Keras runs the network.
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
    todo = []
    for i, target in enumerate(targets):
        cached = read_cached(target, (dim,))
        if cached is None:
            todo.append(i)
        else:
            out[i] = cached
    print_cached(f"{model.name} embeddings", len(paths) - len(todo), len(paths))
    predict = patch_predictor(encoder, batch_size) if todo else None
    with progress_bar(total=len(todo), desc=f"{model.name} embeddings", unit="clip",
                      disable=not todo) as progress:
        for start in range(0, len(todo), clips_per_batch):
            group = todo[start : start + clips_per_batch]
            patches = [preprocess(clip_audio(paths[i], seconds))[:n_patches] for i in group]
            counts = np.cumsum([len(x) for x in patches])
            per_patch = predict(np.concatenate(patches))
            for i, part in zip(group, np.split(per_patch, counts[:-1]), strict=True):
                out[i] = pool_clip(part, how)
                save_array(out[i], targets[i])
            progress.update(len(group))
    return out
