"""Augmentation: a fresh random variant of every training window in every epoch.

With the ``augment`` setting other than ``"none"`` (:data:`helpers.config.Augmentation`),
:func:`helpers.train.fit_model` trains on :class:`AugmentedWindows` instead of the windows
themselves. Each window gets

* a random **gain**: the whole window louder or quieter by up to :data:`GAIN_DB` dB (an
  offset in dB features, a factor on raw mel power);
* SpecAugment-style **masks** (Park et al. 2019): :data:`TIME_MASKS` stretches of time, each up
  to :data:`TIME_MASK_SHARE` of the window, and :data:`BAND_MASKS` groups of mel bands, each up
  to :data:`BAND_MASK_SHARE` of the bands, set to the band's average over the training windows
  (what the model's input normalization turns into 0: "nothing unusual here");
* with ``"specaugment_mixup"`` also **mixup** (Zhang et al. 2018): each window blended with
  another of the batch, ``lam * a + (1 - lam) * b`` with ``lam ~ Beta(MIXUP_ALPHA, MIXUP_ALPHA)``,
  and their one-hot labels blended alike.

Validation and test windows are never altered. Everything is numpy drawn from one generator
seeded by ``seed``, so a run repeats exactly on every Keras backend.
"""

from __future__ import annotations

import math

import keras
import numpy as np

from helpers.config import Settings

#: Largest gain, in dB, either way.
GAIN_DB = 6.0
#: Time masks per window, and the longest one as a share of the window.
TIME_MASKS, TIME_MASK_SHARE = 2, 0.1
#: Band masks per window, and the widest one as a share of the mel bands.
BAND_MASKS, BAND_MASK_SHARE = 2, 0.1
#: Mixup's Beta parameter: small values keep most blends close to one of the two windows.
MIXUP_ALPHA = 0.3

#: Whether each ``augment`` value other than ``"none"`` adds mixup to the gain and the masks.
MIXUP: dict[str, bool] = {"specaugment": False, "specaugment_mixup": True}


def _masks(rng: np.random.Generator, n: int, length: int, count: int, share: float) -> np.ndarray:
    """``(n, length)`` booleans: ``count`` random stretches per row, each 0 to ``share * length`` long."""
    widths = rng.integers(0, max(1, round(share * length)) + 1, size=(n, count))
    starts = rng.integers(0, length, size=(n, count))
    positions = np.arange(length)[None, None, :]
    inside = (positions >= starts[..., None]) & (positions < (starts + widths)[..., None])
    return inside.any(axis=1)


def augment_batch(
    x: np.ndarray, y: np.ndarray, rng: np.random.Generator, fill: np.ndarray,
    scaling: str = "db", mixup: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """A randomly altered copy of a batch of windows: gain, time and band masks, optionally mixup.

    Parameters
    ----------
    x
        ``(batch, frames, bands)`` windows.
    y
        ``(batch, genres)`` one-hot labels.
    rng
        Source of every random draw.
    fill
        ``(bands,)`` value a masked cell takes: the band's average over the training windows.
    scaling
        The features' scaling: ``"db"`` takes the gain as an offset, anything else as a factor.
    mixup
        Also blend each window (and its label) with another window of the batch.

    Returns
    -------
    x, y : numpy.ndarray
        The altered windows (float32) and their labels (blended where mixup blended windows).

    >>> x, y = np.zeros((4, 50, 20), np.float32), np.eye(2, dtype=np.float32)[[0, 1, 0, 1]]
    >>> xa, ya = augment_batch(x, y, np.random.default_rng(0), fill=np.full(20, -30.0))
    >>> xa.shape, bool((xa == -30).any()), bool(np.array_equal(ya, y))
    ((4, 50, 20), True, True)
    """
    n, frames, bands = x.shape
    gain_db = rng.uniform(-GAIN_DB, GAIN_DB, size=(n, 1, 1)).astype(np.float32)
    x = x + gain_db if scaling == "db" else x * np.power(10, gain_db / 10, dtype=np.float32)
    masked = (_masks(rng, n, frames, TIME_MASKS, TIME_MASK_SHARE)[:, :, None]
              | _masks(rng, n, bands, BAND_MASKS, BAND_MASK_SHARE)[:, None, :])
    x = np.where(masked, fill.astype(np.float32)[None, None, :], x)
    if mixup:
        lam = rng.beta(MIXUP_ALPHA, MIXUP_ALPHA, size=n).astype(np.float32)
        partner = rng.permutation(n)
        x = lam[:, None, None] * x + (1 - lam[:, None, None]) * x[partner]
        y = lam[:, None] * y + (1 - lam[:, None]) * y[partner]
    return x.astype(np.float32), y.astype(np.float32)


class AugmentedWindows(keras.utils.PyDataset):
    """The training windows in shuffled batches, each window altered afresh every epoch.

    Fit with ``shuffle=False`` (the batches are shuffled here): a new epoch starts whenever
    batch 0 is asked for, with a new order of the windows drawn from the same generator as the
    alterations, so a run is repeatable whatever backend asks for the batches.

    Parameters
    ----------
    x, y
        Training windows ``(N, frames, bands)`` and their one-hot labels ``(N, genres)``.
    cfg
        Settings: ``augment`` (a key of :data:`MIXUP`), ``batch_size``, ``scaling`` and ``seed``.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, cfg: Settings) -> None:
        super().__init__()
        self.mixup = MIXUP[cfg.augment]
        self.x, self.y, self.cfg = x, y, cfg
        self.fill = x.mean(axis=(0, 1))
        self.rng = np.random.default_rng(cfg.seed)
        self.order = np.arange(len(x))

    def __len__(self) -> int:
        return math.ceil(len(self.x) / self.cfg.batch_size)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        if index == 0:
            self.order = self.rng.permutation(len(self.x))
        rows = self.order[index * self.cfg.batch_size:(index + 1) * self.cfg.batch_size]
        return augment_batch(self.x[rows], self.y[rows], self.rng, self.fill, self.cfg.scaling,
                             mixup=self.mixup)
