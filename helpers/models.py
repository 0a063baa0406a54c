"""Keras 3 models: the original tutorial's ``seed`` network and the compact default.

Both take ``(frames, n_mels)`` inputs: a Conv1D slides along time, and the mel
bands are its input channels. Layers that later steps look up by name are named
explicitly (``embedding``, ``genre``) so that nothing depends on Keras'
automatic layer names.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
from keras import layers

from helpers.config import ModelName, choice_problem

#: Name of the penultimate layer whose output notebook 04 uses as the embedding.
EMBEDDING_LAYER = "embedding"

#: Shortest input (frames) the seed model accepts: each block's unpadded conv and pooling
#: shrink the time axis from L to (L - 2) // 2, and seven blocks must leave at least 1.
SEED_MIN_FRAMES = 382

#: Name of the compact model's input normalization layer.
NORM_LAYER = "band_norm"


def build_seed_model(input_shape: tuple[int, int], n_classes: int) -> keras.Model:
    """The original tutorial's network, layer for layer (notebook 03 shows and explains it):
    34,728,650 parameters for ``(900, 128)`` inputs and 10 genres."""
    if input_shape[0] < SEED_MIN_FRAMES:
        raise ValueError(
            f"The seed model needs windows of at least {SEED_MIN_FRAMES} frames (its seven "
            f"unpadded conv + pool blocks shrink time 128-fold); got {input_shape[0]}. "
            "Set window_frames to 900 as in params/seed.yaml."
        )
    inputs = keras.Input(shape=input_shape, name="mel")
    x = inputs
    for i, filters in enumerate((64, 128, 256, 512, 1024, 2048, 4096), start=1):
        x = layers.Conv1D(filters, 3, activation="relu", name=f"conv{i}")(x)
        x = layers.BatchNormalization(name=f"bn{i}")(x)
        x = layers.MaxPooling1D(2, strides=2, name=f"pool{i}")(x)
    x = layers.GlobalMaxPooling1D(name="global_max")(x)
    x = layers.Dense(256, activation="relu", name="dense1")(x)
    x = layers.Dropout(0.5, name="dropout1")(x)
    x = layers.Dense(256, activation="relu", name=EMBEDDING_LAYER)(x)
    x = layers.Dropout(0.5, name="dropout2")(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="genre")(x)
    return keras.Model(inputs, outputs, name="seed")


def build_compact_model(input_shape: tuple[int, int], n_classes: int) -> keras.Model:
    """The default network, about 100k parameters (notebook 03 shows and explains it)."""
    inputs = keras.Input(shape=input_shape, name="mel")
    x = layers.Normalization(axis=-1, name=NORM_LAYER)(inputs)
    for i, filters in enumerate((48, 64, 96, 128), start=1):
        x = layers.Conv1D(filters, 3, padding="same", use_bias=False, name=f"conv{i}")(x)
        x = layers.BatchNormalization(momentum=0.9, name=f"bn{i}")(x)
        x = layers.Activation("relu", name=f"relu{i}")(x)
        x = layers.MaxPooling1D(2, name=f"pool{i}")(x)
    x = layers.Concatenate(name="avg_max")(
        [layers.GlobalAveragePooling1D(name="global_avg")(x),
         layers.GlobalMaxPooling1D(name="global_max")(x)]
    )
    x = layers.Dropout(0.3, name="dropout1")(x)
    x = layers.Dense(64, activation="relu", name=EMBEDDING_LAYER)(x)
    x = layers.Dropout(0.3, name="dropout2")(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="genre")(x)
    return keras.Model(inputs, outputs, name="compact")


#: The network each value of the ``model`` setting (:data:`helpers.config.ModelName`) builds.
BUILDERS: dict[str, Callable[[tuple[int, int], int], keras.Model]] = {
    "compact": build_compact_model,
    "seed": build_seed_model,
}


def compile_model(model: keras.Model, learning_rate: float) -> keras.Model:
    """Attach the loss, the optimizer and the metric that training uses; returns ``model``."""
    model.compile(
        loss="categorical_crossentropy",  # one-hot genres in, softmax probabilities out
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        metrics=["accuracy"],
    )
    return model


def build_model(
    name: ModelName,
    input_shape: tuple[int, int],
    n_classes: int,
    learning_rate: float,
    seed: int | None = None,
) -> keras.Model:
    """Build ``"seed"`` or ``"compact"`` (:data:`BUILDERS`) and :func:`compile_model` it.

    With ``seed``, Keras' random generators are seeded first, so the initial
    weights are the same whatever ran before in the session.

    Raises
    ------
    ValueError
        If ``name`` is not one of :data:`helpers.config.ModelName`.
    """
    problem = choice_problem("model", name, ModelName)
    if problem:
        raise ValueError(problem)
    if seed is not None:
        keras.utils.set_random_seed(seed)
    return compile_model(BUILDERS[name](input_shape, n_classes), learning_rate)


def embedding_model(model: keras.Model, layer: str = EMBEDDING_LAYER) -> keras.Model:
    """A model from ``model``'s input to the output of its layer named ``layer`` (the embedding).

    It shares ``model``'s layers and weights: nothing is copied or trained. The layer is found
    by the name its builder gave it, which stays the same whatever else the session has built
    (Keras' automatic names, ``dense``, ``dense_1``, ..., do not). Each new Keras model traces
    its own prediction function, so build it once per model where speed matters.
    """
    return keras.Model(model.inputs, model.get_layer(layer).output, name=f"{model.name}_{layer}")


def fit_normalization(model: keras.Model, train_inputs: np.ndarray) -> None:
    """Fit the model's ``band_norm`` layer (if it has one) to per-band statistics of the training windows."""
    names = [layer.name for layer in model.layers]
    if NORM_LAYER in names:  # the seed model has none (it reads raw mel power, as the original did)
        model.get_layer(NORM_LAYER).adapt(train_inputs)  # each band's mean and variance, over all frames
