"""Augmentation of the training windows: the setting, the alterations, and the batches per epoch."""

from __future__ import annotations

import dataclasses
from typing import get_args, get_type_hints

import numpy as np
import pytest

from helpers import augment
from helpers.config import Augmentation, Settings, load_settings


def test_the_setting_offers_exactly_what_helpers_augment_implements():
    assert get_type_hints(Settings)["augment"] == Augmentation
    assert set(augment.MIXUP) | {"none"} == set(get_args(Augmentation))
    for value in get_args(Augmentation):
        assert load_settings(augment=value).augment == value
    assert load_settings().augment == "none"
    with pytest.raises(ValueError, match="augment must be 'none', 'specaugment' or 'specaugment_mixup'"):
        load_settings(augment="flip")


def test_runs_without_augmentation_keep_the_names_they_had_before_the_setting(monkeypatch):
    cfg = load_settings()
    name = cfg.run_name
    before = {k: v for k, v in cfg.to_dict().items() if k != "augment"}
    monkeypatch.setattr(Settings, "to_dict", lambda self: before)  # Settings as they were without it
    assert cfg.run_name == name
    monkeypatch.undo()
    assert len({load_settings(augment=v).run_name for v in get_args(Augmentation)}) == 3


def _batch(n=16, frames=40, bands=20, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(-20, 5, size=(n, frames, bands)).astype(np.float32)
    return x, np.eye(4, dtype=np.float32)[rng.integers(0, 4, n)]


def test_masks_gain_and_their_limits_in_db():
    x, y = _batch()
    fill = np.full(x.shape[2], -99.0, np.float32)
    xa, ya = augment.augment_batch(x, y, np.random.default_rng(1), fill, "db")
    assert xa.dtype == np.float32 and xa.shape == x.shape and np.array_equal(ya, y)
    masked = xa == -99.0
    for window, orig, m in zip(xa, x, masked, strict=True):
        offsets = (window - orig)[~m]
        assert np.allclose(offsets, offsets[0], atol=1e-4) and abs(offsets[0]) <= augment.GAIN_DB
        full_frames, full_bands = m.all(axis=1), m.all(axis=0)
        assert full_frames.sum() <= augment.TIME_MASKS * round(augment.TIME_MASK_SHARE * x.shape[1])
        assert full_bands.sum() <= augment.BAND_MASKS * round(augment.BAND_MASK_SHARE * x.shape[2])
        assert np.array_equal(m, full_frames[:, None] | full_bands[None, :]), "whole rows or columns"
    assert masked.any()


def test_gain_multiplies_raw_power():
    x, y = _batch()
    x = np.exp(x / 10)  # positive, like mel power
    xa, _ = augment.augment_batch(x, y, np.random.default_rng(2), np.full(x.shape[2], -1.0), "power")
    for window, orig in zip(xa, x, strict=True):
        ratio = (window / orig)[window != -1]
        assert np.allclose(ratio, ratio[0], rtol=1e-4) and 10 ** (-0.6) <= ratio[0] <= 10 ** 0.6


def test_mixup_blends_windows_and_labels_alike():
    x, y = _batch(n=64)
    xa, ya = augment.augment_batch(x, y, np.random.default_rng(3), x.mean(axis=(0, 1)), mixup=True)
    np.testing.assert_allclose(ya.sum(axis=1), 1, rtol=1e-6)
    assert (ya.max(axis=1) < 1).any(), "some labels are blends"
    again = augment.augment_batch(x, y, np.random.default_rng(3), x.mean(axis=(0, 1)), mixup=True)
    assert np.array_equal(again[0], xa) and np.array_equal(again[1], ya)


def _windows_cfg(**overrides):
    return dataclasses.replace(load_settings(), batch_size=8, augment="specaugment", **overrides)


def test_every_window_once_per_epoch_and_new_alterations_each_epoch():
    n = 20
    x = np.random.default_rng(0).normal(size=(n, 30, 12)).astype(np.float32)
    ids = np.eye(n, dtype=np.float32)  # label i marks window i
    data = augment.AugmentedWindows(x, ids, _windows_cfg())
    assert len(data) == 3

    def epoch():
        batches = [data[i] for i in range(len(data))]
        return np.concatenate([b[0] for b in batches]), np.concatenate([b[1] for b in batches]).argmax(axis=1)

    x1, order1 = epoch()
    x2, order2 = epoch()
    assert sorted(order1) == sorted(order2) == list(range(n))
    assert not np.array_equal(order1, order2), "a new order every epoch"
    assert not np.array_equal(x1[np.argsort(order1)], x2[np.argsort(order2)]), "new alterations every epoch"
    repeat = augment.AugmentedWindows(x, ids, _windows_cfg())
    assert np.array_equal(repeat[0][0], x1[:8]), "the same seed gives the same batches"
    other = augment.AugmentedWindows(x, ids, _windows_cfg(seed=1))
    assert not np.array_equal(other[0][0], x1[:8])


def test_no_augmentation_has_no_batches_of_its_own():
    with pytest.raises(KeyError):
        augment.AugmentedWindows(*_batch(), dataclasses.replace(load_settings(), augment="none"))
