"""The per-file disk cache: what was computed from one audio file, kept as ``.npy`` beside its settings.

Mel features (:mod:`helpers.features`) and musicnn embeddings (:mod:`helpers.musicnn.embeddings`)
are cached the same way: one file per audio file and settings key, written whole or not at all,
so an interrupted run leaves no damaged entry and resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from helpers.atomic import staged_file


def file_cache_path(path: str | Path, key: str, cache_dir: Path) -> Path:
    """Cache file for what was computed from one audio file under settings hashed as ``key``.

    The file's identity is its absolute path, size and modification time, so an edited
    or replaced file is recomputed, and other settings never reuse an entry.
    """
    st = os.stat(path)
    ident = f"{Path(path).resolve()}|{st.st_size}|{st.st_mtime_ns}"
    digest = hashlib.sha1(ident.encode()).hexdigest()
    return cache_dir / key / digest[:2] / f"{digest}.npy"


def save_array(array: np.ndarray, target: Path) -> None:
    """Write ``array`` to ``target`` (``.npy``) whole or not at all (:func:`helpers.atomic.staged_file`)."""
    with staged_file(target) as tmp, open(tmp, "wb") as f:
        np.save(f, array)


def read_cached(target: Path, shape: tuple[int, ...]) -> np.ndarray | None:
    """A cached array of ``shape``, or ``None`` if absent; a damaged entry is deleted (and recomputed)."""
    if not target.exists():
        return None
    try:
        cached = np.load(target)
        if cached.shape == shape:
            return cached
    except (ValueError, OSError, EOFError):
        pass
    target.unlink(missing_ok=True)
    return None
