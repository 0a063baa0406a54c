"""Pretrained musicnn (Pons & Serra, 2019) rebuilt in pure Keras 3, for transfer learning.

The weights are the TF1 checkpoints shipped inside the ``musicnn==0.1.0`` wheel
(ISC license, MTG / Universitat Pompeu Fabra); :mod:`helpers.musicnn.weights` fetches
them on first use. Nothing else of that package is used: the architecture below is
written with ``keras.layers`` only (it runs on the TensorFlow, JAX and PyTorch
backends); TensorFlow is only needed to *read* the checkpoint file.

Its input (audio -> 3-s log-mel patches of 187 frames x 96 bands) is made by
:mod:`helpers.musicnn.frontend`; its outputs are read by :mod:`helpers.musicnn.embeddings`
and :mod:`helpers.musicnn.tags`.

Architecture (``musicnn.models.build_musicnn`` with 64 mid-end filters, 200 back-end units)
-------------------------------------------------------------------------------------------
* front-end: BatchNorm on the input, then 5 parallel branches, each
  Conv2D(relu) -> BatchNorm -> max over the whole frequency axis:
  timbral 204 x (7 frames x 38 bands) and 204 x (7 x 67) ('valid', time padded
  by 3 on both sides), temporal 51 x (128 x 1), 51 x (64 x 1), 51 x (32 x 1)
  (TF 'same' padding, written as explicit zero padding). Concatenated: 561 channels.
* mid-end: three Conv1D(64, 7, relu) -> BatchNorm layers over time (musicnn writes
  them as Conv2D with a kernel spanning all channels plus transposes, which is the
  same operation), the 2nd and 3rd with residual connections. The front-end output
  and the three mid-end outputs are concatenated: 561 + 3 * 64 = 753 channels.
* back-end: max and mean over time, interleaved per channel as in musicnn
  (``[max_0, mean_0, max_1, mean_1, ...]``, 1506 values), BatchNorm, Dropout(0.5),
  Dense(200, relu), BatchNorm (= the **penultimate** embedding), Dropout(0.5),
  Dense(50) logits, sigmoid.

Checkpoint variable -> Keras layer mapping (:data:`WEIGHT_MAP`)
---------------------------------------------------------------
TF1 layers are named by creation order; every BatchNorm has ``gamma, beta,
moving_mean, moving_variance``, every conv / dense layer ``kernel, bias``::

    batch_normalization     -> input_bn
    conv2d                  -> timbral_conv_38      (7, 38, 1, 204)
    batch_normalization_1   -> timbral_bn_38
    conv2d_1                -> timbral_conv_67      (7, 67, 1, 204)
    batch_normalization_2   -> timbral_bn_67
    conv2d_2 / _3 / _4      -> temporal_conv_128 / _64 / _32   (k, 1, 1, 51)
    batch_normalization_3/4/5 -> temporal_bn_128 / _64 / _32
    conv2d_5 / _6 / _7      -> midend_conv_1 / _2 / _3  (7, C, 1, 64) -> Conv1D (7, C, 64)
    batch_normalization_6/7/8 -> midend_bn_1 / _2 / _3
    batch_normalization_9   -> pool_bn             (1506,)
    dense                   -> dense               (1506, 200)
    batch_normalization_10  -> penultimate         (200,)
    dense_1                 -> logits              (200, 50)

64 model variables, 792,079 numbers (787,159 trainable + 4,920 BatchNorm moving
statistics); the other 86 checkpoint entries are Adam optimizer slots, ignored.

The wheel's VGG baseline (MTT_vgg: five 3x3 conv blocks, 607,030 numbers) is here too,
in :mod:`helpers.musicnn.vgg`.
"""

from __future__ import annotations

import ast

import keras
import numpy as np
from keras import layers

from helpers.musicnn.weights import weights_dir

#: Sample rate, FFT size, hop and mel bands musicnn was trained with.
SR = 16000
N_FFT = 512
HOP = 256
N_MELS = 96
#: Frames per 3-s patch (``librosa.time_to_frames(3, sr=16000, n_fft=512, hop_length=256) + 1``).
N_FRAMES = 187
#: Models of the ``musicnn`` wheel that share this architecture.
MODEL_NAMES = ("MSD_musicnn", "MTT_musicnn")
#: The VGG baseline of the same wheel (:mod:`helpers.musicnn.vgg`). Its MSD twin is left out: musicnn's
#: own extractor refuses it ("still training").
VGG_NAMES = ("MTT_vgg",)
#: Name of the Keras layer whose output is the 200-d embedding.
EMBEDDING_LAYER = "penultimate"

#: Keras layer name -> TF1 checkpoint scope (see the module docstring).
WEIGHT_MAP: dict[str, str] = {
    "input_bn": "batch_normalization",
    "timbral_conv_38": "conv2d",
    "timbral_bn_38": "batch_normalization_1",
    "timbral_conv_67": "conv2d_1",
    "timbral_bn_67": "batch_normalization_2",
    "temporal_conv_128": "conv2d_2",
    "temporal_bn_128": "batch_normalization_3",
    "temporal_conv_64": "conv2d_3",
    "temporal_bn_64": "batch_normalization_4",
    "temporal_conv_32": "conv2d_4",
    "temporal_bn_32": "batch_normalization_5",
    "midend_conv_1": "conv2d_5",
    "midend_bn_1": "batch_normalization_6",
    "midend_conv_2": "conv2d_6",
    "midend_bn_2": "batch_normalization_7",
    "midend_conv_3": "conv2d_7",
    "midend_bn_3": "batch_normalization_8",
    "pool_bn": "batch_normalization_9",
    "dense": "dense",
    "penultimate": "batch_normalization_10",
    "logits": "dense_1",
}

_BN_VARS = ("gamma", "beta", "moving_mean", "moving_variance")
_DENSE_VARS = ("kernel", "bias")


def checkpoint_prefix(model_name: str = "MSD_musicnn") -> str:
    """Checkpoint prefix of one pretrained model, fetching the weights on first use.

    The wheel stores ``<model>/.index`` and ``<model>/.data-00000-of-00001``, so the
    prefix is the folder path with a trailing slash (its ``checkpoint`` file points
    to the author's disk, so ``tf.train.load_checkpoint(folder)`` does not work).

    Parameters
    ----------
    model_name : str
        One of :data:`MODEL_NAMES` or :data:`VGG_NAMES`.

    Returns
    -------
    str
        Prefix for ``tf.compat.v1.train.NewCheckpointReader``.

    Raises
    ------
    ValueError
        For an unsupported model name.
    helpers.musicnn.weights.PretrainedWeightsError
        If the weights are missing and cannot be fetched (the message says what to do).
    """
    if model_name not in MODEL_NAMES + VGG_NAMES:
        raise ValueError(f"model_name must be one of {MODEL_NAMES + VGG_NAMES}, got {model_name!r}")
    return str(weights_dir() / model_name) + "/"


def read_checkpoint(model_name: str = "MSD_musicnn") -> dict[str, np.ndarray]:
    """Model variables of a pretrained checkpoint (optimizer slots dropped).

    Parameters
    ----------
    model_name : str
        One of :data:`MODEL_NAMES`.

    Returns
    -------
    dict of str to numpy.ndarray
        ``{"conv2d/kernel": array, ...}``: 64 arrays for the musicnn models.
    """
    import tensorflow as tf  # only to parse the TF1 checkpoint format

    reader = tf.compat.v1.train.NewCheckpointReader(checkpoint_prefix(model_name))
    names = reader.get_variable_to_shape_map()
    return {
        name: reader.get_tensor(name)
        for name in names
        if "Adam" not in name and not name.startswith(("beta1_power", "beta2_power"))
    }


def _layer_weights(layer: keras.Layer, scope: str, variables: dict[str, np.ndarray]) -> list[np.ndarray]:
    """Checkpoint arrays for one Keras layer, in ``layer.get_weights()`` order."""
    if isinstance(layer, layers.BatchNormalization):
        return [variables[f"{scope}/{v}"] for v in _BN_VARS]
    kernel, bias = (variables[f"{scope}/{v}"] for v in _DENSE_VARS)
    if isinstance(layer, layers.Conv1D):  # (7, C, 1, 64) Conv2D over all channels == Conv1D
        kernel = kernel[:, :, 0, :]
    return [kernel, bias]


def load_checkpoint_weights(
    model: keras.Model, variables: dict[str, np.ndarray], weight_map: dict[str, str] | None = None
) -> keras.Model:
    """Copy checkpoint variables into a model built by :func:`build_musicnn` (or the VGG baseline).

    Parameters
    ----------
    model : keras.Model
        Model from :func:`build_musicnn` (or :func:`helpers.musicnn.vgg.build_vgg`).
    variables : dict of str to numpy.ndarray
        Output of :func:`read_checkpoint`.
    weight_map : dict of str to str, optional
        Keras layer -> checkpoint scope; default :data:`WEIGHT_MAP` (for VGG,
        :data:`helpers.musicnn.vgg.VGG_WEIGHT_MAP`).

    Returns
    -------
    keras.Model
        The same model, with its weights set (shapes are checked by Keras).

    Raises
    ------
    ValueError
        If some checkpoint variable was not used (the mapping would be incomplete).
    """
    used: set[str] = set()
    for layer_name, scope in (weight_map or WEIGHT_MAP).items():
        layer = model.get_layer(layer_name)
        layer.set_weights(_layer_weights(layer, scope, variables))
        used.update(k for k in variables if k.startswith(scope + "/"))
    unused = sorted(set(variables) - used)
    if unused:
        raise ValueError(f"Checkpoint variables not mapped to any layer: {unused}")
    return model


def tag_names(model_name: str = "MSD_musicnn") -> list[str]:
    """The 50 tag names of a pretrained model, in output order (from musicnn's ``configuration.py``).

    Parameters
    ----------
    model_name : str
        One of :data:`MODEL_NAMES`; ``MSD_*`` uses ``MSD_LABELS``, ``MTT_*`` ``MTT_LABELS``.

    Returns
    -------
    list of str
        Tag names, e.g. ``['rock', 'pop', 'alternative', ...]`` for MSD.
    """
    wanted = "MSD_LABELS" if model_name.startswith("MSD") else "MTT_LABELS"
    tree = ast.parse((weights_dir() / "configuration.py").read_text())
    for node in tree.body:  # read the literal list; the file is never executed
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == wanted for t in node.targets):
            return list(ast.literal_eval(node.value))
    raise ValueError(f"{wanted} not found in musicnn's configuration.py")


# --------------------------------------------------------------------------- architecture


def _freq_max(x: keras.KerasTensor, name: str) -> keras.KerasTensor:
    """Max over the whole frequency axis: ``(T, F, C) -> (T, C)``."""
    x = layers.MaxPooling2D(pool_size=(1, x.shape[2]), name=f"{name}_fmax")(x)
    return layers.Reshape((-1, x.shape[-1]), name=f"{name}_squeeze")(x)


def _timbral_branch(x: keras.KerasTensor, bands: int) -> keras.KerasTensor:
    """Conv2D(204, (7, bands), relu, valid) -> BatchNorm -> max over frequency."""
    x = layers.Conv2D(204, (7, bands), activation="relu", name=f"timbral_conv_{bands}")(x)
    x = layers.BatchNormalization(epsilon=1e-3, name=f"timbral_bn_{bands}")(x)
    return _freq_max(x, f"timbral_{bands}")


def _temporal_branch(x: keras.KerasTensor, frames: int) -> keras.KerasTensor:
    """TF-'same' Conv2D(51, (frames, 1), relu) -> BatchNorm -> max over frequency."""
    before = (frames - 1) // 2  # TF 'same': the extra zero of an even kernel goes after
    x = layers.ZeroPadding2D(((before, frames - 1 - before), (0, 0)), name=f"temporal_pad_{frames}")(x)
    x = layers.Conv2D(51, (frames, 1), activation="relu", name=f"temporal_conv_{frames}")(x)
    x = layers.BatchNormalization(epsilon=1e-3, name=f"temporal_bn_{frames}")(x)
    return _freq_max(x, f"temporal_{frames}")


def _frontend(spec: keras.KerasTensor) -> keras.KerasTensor:
    """Musically motivated front-end: ``(T, 96) -> (T, 561)``."""
    x = layers.Reshape((-1, N_MELS, 1), name="add_channel")(spec)
    x = layers.BatchNormalization(epsilon=1e-3, name="input_bn")(x)
    padded = layers.ZeroPadding2D(((3, 3), (0, 0)), name="timbral_pad")(x)
    branches = [_timbral_branch(padded, int(0.4 * N_MELS)), _timbral_branch(padded, int(0.7 * N_MELS))]
    branches += [_temporal_branch(x, frames) for frames in (128, 64, 32)]
    return layers.Concatenate(axis=-1, name="frontend")(branches)


def _midend_conv(x: keras.KerasTensor, i: int) -> keras.KerasTensor:
    """Zero-pad 3 frames -> Conv1D(64, 7, relu) -> BatchNorm."""
    x = layers.ZeroPadding1D(3, name=f"midend_pad_{i}")(x)
    x = layers.Conv1D(64, 7, activation="relu", name=f"midend_conv_{i}")(x)
    return layers.BatchNormalization(epsilon=1e-3, name=f"midend_bn_{i}")(x)


def _midend(front: keras.KerasTensor) -> keras.KerasTensor:
    """Dense mid-end with two residual connections: ``(T, 561) -> (T, 753)``."""
    cnn1 = _midend_conv(front, 1)
    cnn2 = layers.Add(name="midend_res_2")([_midend_conv(cnn1, 2), cnn1])
    cnn3 = layers.Add(name="midend_res_3")([_midend_conv(cnn2, 3), cnn2])
    return layers.Concatenate(axis=-1, name="midend")([front, cnn1, cnn2, cnn3])


def _backend(mid: keras.KerasTensor, n_tags: int) -> keras.KerasTensor:
    """Temporal pooling + dense back-end: ``(T, 753) -> (n_tags,)`` probabilities."""
    channels = mid.shape[-1]
    max_pool = layers.GlobalMaxPooling1D(name="max_pool")(mid)
    mean_pool = layers.GlobalAveragePooling1D(name="mean_pool")(mid)
    pooled = layers.Concatenate(axis=-1, name="max_mean")(
        [
            layers.Reshape((channels, 1), name="max_pool_col")(max_pool),
            layers.Reshape((channels, 1), name="mean_pool_col")(mean_pool),
        ]
    )
    x = layers.Flatten(name="interleave")(pooled)  # [max_0, mean_0, max_1, ...] as in musicnn
    x = layers.BatchNormalization(epsilon=1e-3, name="pool_bn")(x)
    x = layers.Dropout(0.5, name="pool_dropout")(x)
    x = layers.Dense(200, activation="relu", name="dense")(x)
    x = layers.BatchNormalization(epsilon=1e-3, name=EMBEDDING_LAYER)(x)
    x = layers.Dropout(0.5, name="penultimate_dropout")(x)
    x = layers.Dense(n_tags, name="logits")(x)
    return layers.Activation("sigmoid", name="taggram")(x)


def build_musicnn(n_frames: int | None = N_FRAMES, n_tags: int = 50) -> keras.Model:
    """The musicnn architecture (random weights), input ``(n_frames, 96)`` log-mel patches.

    Parameters
    ----------
    n_frames : int or None
        Frames per patch; 187 (3 s) is what the models were trained on. ``None``
        accepts any length of at least 1 frame (pooling is global over time).
    n_tags : int
        Size of the output layer (50 for the shipped models).

    Returns
    -------
    keras.Model
        Model named ``"musicnn"`` mapping patches to tag probabilities; layers are
        named as in :data:`WEIGHT_MAP`.
    """
    spec = keras.Input((n_frames, N_MELS), name="log_mel")
    probs = _backend(_midend(_frontend(spec)), n_tags)
    return keras.Model(spec, probs, name="musicnn")


def load_musicnn(model_name: str = "MSD_musicnn", n_frames: int | None = N_FRAMES) -> keras.Model:
    """Pretrained musicnn as a Keras model.

    Parameters
    ----------
    model_name : str
        ``"MSD_musicnn"`` (Million Song Dataset tags, default) or ``"MTT_musicnn"``
        (MagnaTagATune tags).
    n_frames : int or None
        See :func:`build_musicnn`.

    Returns
    -------
    keras.Model
        Model with the checkpoint weights; output = 50 tag probabilities.

    Raises
    ------
    helpers.musicnn.weights.PretrainedWeightsError
        If the weights are missing and cannot be fetched (the message says what to do).
    """
    variables = read_checkpoint(model_name)
    return load_checkpoint_weights(build_musicnn(n_frames), variables)
