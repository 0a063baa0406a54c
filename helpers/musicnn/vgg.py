"""musicnn's VGG baseline (MTT_vgg: five 3x3 conv blocks, 607,030 numbers), rebuilt in Keras 3.

It ships in the same ``musicnn==0.1.0`` wheel as musicnn and loads the same way
(:func:`helpers.musicnn.model.load_checkpoint_weights`), with :data:`VGG_WEIGHT_MAP`.
"""

from __future__ import annotations

import keras
from keras import layers

from helpers.musicnn.model import N_FRAMES, N_MELS, VGG_NAMES, load_checkpoint_weights, read_checkpoint

#: Keras layer name -> TF1 checkpoint scope of the VGG models (``musicnn.models.vgg``).
VGG_WEIGHT_MAP: dict[str, str] = {
    "input_bn": "batch_normalization",
    **{f"vgg_conv_{i}": f"{i}CNN" for i in range(1, 6)},
    **{f"vgg_bn_{i}": f"batch_normalization_{i}" for i in range(1, 6)},
    "logits": "dense",
}
#: Pool size (= stride, except the first block's (4, 1) pool with stride (2, 2)) per VGG block.
_VGG_POOLS = (((4, 1), (2, 2)), ((2, 2), (2, 2)), ((2, 2), (2, 2)), ((2, 2), (2, 2)), ((4, 4), (4, 4)))


def build_vgg(n_tags: int = 50, filters: int = 128) -> keras.Model:
    """musicnn's VGG baseline (random weights): 3-s ``(187, 96)`` log-mel patches -> tag probabilities.

    BatchNorm on the input, then 5 blocks of Conv2D(``filters``, 3x3, 'same', relu) ->
    BatchNorm -> max pooling (``pool1`` ... ``pool5``, the outputs musicnn's extractor
    offers as features; ``pool5`` flattened is 256 numbers), Dense(``n_tags``), sigmoid.
    Dropout (0.25 per block, 0.5 before the dense layer) acts only in training.
    """
    spec = keras.Input((N_FRAMES, N_MELS), name="log_mel")
    x = layers.Reshape((N_FRAMES, N_MELS, 1), name="add_channel")(spec)
    x = layers.BatchNormalization(epsilon=1e-3, name="input_bn")(x)
    for i, (pool, strides) in enumerate(_VGG_POOLS, start=1):
        if i > 1:
            x = layers.Dropout(0.25, name=f"pool{i - 1}_dropout")(x)
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"vgg_conv_{i}")(x)
        x = layers.BatchNormalization(epsilon=1e-3, name=f"vgg_bn_{i}")(x)
        x = layers.MaxPooling2D(pool, strides, name=f"pool{i}")(x)
    x = layers.Flatten(name="pool5_flat")(x)
    x = layers.Dropout(0.5, name="pool5_dropout")(x)
    x = layers.Dense(n_tags, name="logits")(x)
    return keras.Model(spec, layers.Activation("sigmoid", name="taggram")(x), name="vgg")


def load_vgg(model_name: str = "MTT_vgg") -> keras.Model:
    """Pretrained VGG baseline of the musicnn wheel as a Keras model (see :func:`build_vgg`).

    Its 256-number ``pool5_flat`` layer is an embedding like musicnn's ``penultimate``:
    ``helpers.musicnn.embeddings.embeddings(load_vgg(), x, layer="pool5_flat")``. Only 3-s patches
    are accepted.

    Raises
    ------
    helpers.musicnn.weights.PretrainedWeightsError
        If the weights are missing and cannot be fetched (the message says what to do).
    """
    if model_name not in VGG_NAMES:
        raise ValueError(f"model_name must be one of {VGG_NAMES}, got {model_name!r}")
    return load_checkpoint_weights(build_vgg(), read_checkpoint(model_name), VGG_WEIGHT_MAP)
