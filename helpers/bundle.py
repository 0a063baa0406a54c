"""A model bundle: the Keras model plus everything needed to use it correctly.

A bundle is a folder holding ``model.keras`` and ``bundle.json`` (genre list,
feature settings, window length, review threshold, temperature, training summary). Saving
writes to a temporary sibling folder and swaps it in, so an interrupted save
never leaves a half-written bundle.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from helpers.atomic import staged_folder
from helpers.config import FeatureSettings

if TYPE_CHECKING:  # Keras (and with it TensorFlow) loads only when a bundle does, so CLIs start fast
    import keras

BUNDLE_VERSION = 1


class BundleError(RuntimeError):
    """A model bundle is missing or unusable; the message says what to do."""


@dataclasses.dataclass
class Bundle:
    """A trained model and the facts that must travel with it."""

    model: keras.Model
    genres: list[str]
    features: FeatureSettings
    window_frames: int
    threshold: float | None = None  # review threshold on confidence; None = not chosen yet
    info: dict[str, Any] = dataclasses.field(default_factory=dict)  # settings, metrics, history
    # scales every song's probabilities (helpers.temperature.clip_mean; notebook 07): 1 = as trained
    temperature: float = 1.0
    # shorter windows the model reads too: any whole number of these frames (the transfer model's
    # 3-s patches); None: windows of exactly window_frames
    step_frames: int | None = None

    def window_probabilities(self, windows: np.ndarray) -> np.ndarray:
        """The model's genre probabilities for model-sized windows ``(n, window_frames, n_mels)``.

        A song's probabilities are their mean, scaled by :attr:`temperature`
        (:func:`helpers.temperature.clip_mean`).
        """
        return self.model.predict(windows, batch_size=64, verbose=0)

    def clip_window_probabilities(self, X: np.ndarray, audio_frames: np.ndarray | None = None) -> np.ndarray:
        """``(clips, windows, genres)`` :meth:`window_probabilities` of clip features ``X``
        ``(clips, n_frames, n_mels)``, cut into windows as in training, NaN for a window of padding
        (``audio_frames``: each clip's frames of audio); their mean over the windows of audio is each
        clip's prediction (:func:`helpers.temperature.clip_mean`)."""
        from helpers.train import window_outputs  # here, not above: helpers.train loads Keras

        return window_outputs(self.model, X, self.window_frames, audio_frames)

    @property
    def window_seconds(self) -> float:
        """Audio duration of one model input window."""
        return self.window_frames * self.features.hop_length / self.features.sample_rate

    @property
    def shortest_seconds(self) -> float:
        """The least audio the model reads without padding: one step, or else one window."""
        return (self.step_frames or self.window_frames) * self.features.hop_length / self.features.sample_rate

    def for_song(self, frames: int) -> Bundle:
        """This bundle as it reads a song of ``frames`` frames of audio.

        A song shorter than one window, whose model reads shorter windows (:attr:`step_frames`),
        gets a window of as many whole steps as it holds, so that no step is silence it was
        padded with. Any other song gets the bundle as it is.

        >>> b = Bundle(None, ["a"], None, window_frames=1870, step_frames=187)
        >>> b.for_song(1250).window_frames, b.for_song(3000).window_frames, b.for_song(100).window_frames
        (1122, 1870, 1870)
        """
        if self.step_frames and self.step_frames <= frames < self.window_frames:
            return dataclasses.replace(self, window_frames=frames // self.step_frames * self.step_frames)
        return self

    def save(self, folder: str | Path) -> Path:
        """Write the bundle to ``folder`` atomically (replacing an older bundle there)."""
        folder = Path(folder)
        meta = {
            "bundle_version": BUNDLE_VERSION,
            "genres": self.genres,
            "features": dataclasses.asdict(self.features),
            "window_frames": self.window_frames,
            "threshold": self.threshold,
            "temperature": self.temperature,
            "step_frames": self.step_frames,
            "info": self.info,
        }
        with staged_folder(folder) as tmp:
            self.model.save(tmp / "model.keras")
            (tmp / "bundle.json").write_text(json.dumps(meta, indent=2, default=str))
        return folder


def load_bundle(folder: str | Path) -> Bundle:
    """Load a bundle saved by :meth:`Bundle.save`.

    The model loads for inference, without its optimizer (:func:`_load_model`). A bundle saved
    before bundles had a temperature loads with temperature 1 (its probabilities are the
    model's own, as when it was saved).

    Raises
    ------
    BundleError
        If the folder, its files or its version do not match; the message says
        how to make a bundle (run notebook 03).
    """
    folder = Path(folder)
    meta_file, model_file = folder / "bundle.json", folder / "model.keras"
    if not meta_file.exists() or not model_file.exists():
        raise BundleError(
            f"No model bundle in {folder} (expected bundle.json and model.keras). "
            "Train one first: run notebooks/03_train_model.ipynb with the same parameters."
        )
    meta = json.loads(meta_file.read_text())
    if meta.get("bundle_version") != BUNDLE_VERSION:
        raise BundleError(
            f"Bundle {folder} has version {meta.get('bundle_version')}, this code reads "
            f"version {BUNDLE_VERSION}. Retrain with notebook 03."
        )
    return Bundle(
        model=_load_model(model_file),
        genres=list(meta["genres"]),
        features=FeatureSettings(**meta["features"]),
        window_frames=int(meta["window_frames"]),
        threshold=meta["threshold"],
        info=meta["info"],
        temperature=float(meta.get("temperature", 1.0)),
        step_frames=meta.get("step_frames"),
    )


def _load_model(path: Path) -> keras.Model:
    """The bundle's model, for inference: uncompiled, so the optimizer state saved with it (which
    predicting never uses) is not restored, nor warned about when it does not match."""
    import keras  # here, not at the top: see the TYPE_CHECKING import

    return keras.saving.load_model(path, compile=False)
