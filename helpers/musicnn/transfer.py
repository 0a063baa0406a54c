"""Transfer learning packaged as an ordinary model bundle.

Notebook 06 fits a scikit-learn classifier (standardization + logistic regression)
on pooled musicnn embeddings. Both steps after the embedding are affine maps plus
a softmax, so they fold exactly into Keras layers: the result is one Keras model,
from a 30-s log-mel window to genre probabilities::

    (1870, 96) log-mel -> 10 patches of (187, 96) -> musicnn penultimate layer per patch
    -> mean and max over the patches (400) -> Normalization (the scaler) -> Dense softmax

Saved as a :class:`helpers.bundle.Bundle` with musicnn's feature settings, it is
used by ``python -m helpers.predict --model <folder>`` and notebook 05 exactly
like the CNN of notebook 03, on any Keras backend, without scikit-learn or the
checkpoint files at prediction time.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import layers
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from helpers.bundle import Bundle
from helpers.config import MUSICNN_CLIP_PATCHES, FeatureSettings
from helpers.models import embedding_model
from helpers.musicnn import model as mn
from helpers.musicnn.frontend import front_end_settings

#: Patches per model window by default: 10 x 3 s, the first 30 s of a clip, as the embeddings are pooled.
PATCHES_PER_WINDOW = MUSICNN_CLIP_PATCHES


def transfer_features(n_patches: int = PATCHES_PER_WINDOW) -> FeatureSettings:
    """The bundle's feature settings: musicnn's front end for windows of ``n_patches`` patches.

    Parameters
    ----------
    n_patches
        3-s patches per window.

    Returns
    -------
    helpers.config.FeatureSettings
        :func:`helpers.musicnn.frontend.front_end_settings` of ``n_patches * 187`` frames, the
        features the training embeddings are computed from.
    """
    return front_end_settings(n_patches * mn.N_FRAMES)


def classifier_weights(classifier: Pipeline) -> tuple[StandardScaler, np.ndarray, np.ndarray]:
    """What a fitted scaler + logistic regression computes, as the layers of :func:`transfer_model` hold it.

    ``classifier.predict_proba(x)`` equals ``softmax((x - scaler.mean_) / scaler.scale_ @ kernel + bias)``
    (notebook 06 checks it).

    Parameters
    ----------
    classifier
        A fitted ``StandardScaler`` + ``LogisticRegression`` pipeline
        (:func:`helpers.baseline.fit_classifier`).

    Returns
    -------
    scaler, kernel, bias
        The fitted scaler, the softmax weights ``(dim, classes)`` and the bias ``(classes,)``;
        for two classes the logistic regression's one column becomes two (``sigmoid(z)`` is
        ``softmax([-z/2, z/2])``).

    Raises
    ------
    TypeError
        If ``classifier`` is another kind of model, which no softmax layer can hold.
    """
    steps = [step for _, step in classifier.steps]
    if len(steps) != 2 or not isinstance(steps[0], StandardScaler) \
            or not isinstance(steps[1], LogisticRegression):
        raise TypeError(f"The transfer bundle folds a StandardScaler + LogisticRegression pipeline "
                        f"(helpers.baseline.fit_classifier) into Keras layers; this classifier is "
                        f"{' + '.join(type(step).__name__ for step in steps)}, which it cannot fold.")
    scaler, logistic = steps
    kernel, bias = logistic.coef_.T, logistic.intercept_
    if kernel.shape[1] == 1:  # two classes: sigmoid(z) == softmax([-z/2, z/2])
        kernel, bias = np.hstack([-kernel / 2, kernel / 2]), np.hstack([-bias / 2, bias / 2])
    return scaler, kernel, bias


def transfer_model(musicnn: keras.Model, classifier: Pipeline) -> keras.Model:
    """One Keras model equal to ``classifier.predict_proba`` of the mean+max pooled musicnn embeddings.

    Parameters
    ----------
    musicnn
        Pretrained model from :func:`helpers.musicnn.model.load_musicnn` (187-frame patches).
    classifier
        ``StandardScaler`` + ``LogisticRegression`` pipeline fitted on
        ``pool_clip(embeddings, "meanmax")`` vectors (what
        :func:`helpers.musicnn.embeddings.dataset_embeddings` returns).

    Returns
    -------
    keras.Model
        Input ``(k * 187, 96)`` log-mel, ``k`` whole patches (as many as the bundle's window holds,
        fewer for a song shorter than that: :meth:`helpers.bundle.Bundle.for_song`), output
        probabilities over ``classifier.classes_`` (in that order).
    """
    scaler, kernel, bias = classifier_weights(classifier)
    encoder = embedding_model(musicnn, mn.EMBEDDING_LAYER)
    encoder.trainable = False  # freezes musicnn's layers (shared with ``musicnn``): only the head learns
    spec = keras.Input((None, mn.N_MELS), name="log_mel")  # any whole number of patches
    x = layers.Reshape((-1, mn.N_FRAMES, mn.N_MELS), name="patches")(spec)
    x = layers.TimeDistributed(encoder, name="patch_embeddings")(x)
    mean = layers.GlobalAveragePooling1D(name="patch_mean")(x)
    top = layers.GlobalMaxPooling1D(name="patch_max")(x)
    x = layers.Concatenate(name="meanmax")([mean, top])  # the order of musicnn_io.pool_clip "meanmax"
    x = layers.Normalization(mean=scaler.mean_, variance=scaler.scale_**2, name="scaler")(x)
    head = layers.Dense(kernel.shape[1], activation="softmax", name="logistic_regression")
    model = keras.Model(spec, head(x), name="musicnn_transfer")
    head.set_weights([kernel.astype(np.float32), bias.astype(np.float32)])
    return model


def transfer_bundle(
    musicnn: keras.Model, classifier: Pipeline, threshold: float | None, info: dict[str, Any] | None = None,
    n_patches: int = PATCHES_PER_WINDOW,
) -> Bundle:
    """A :class:`helpers.bundle.Bundle` of :func:`transfer_model`, ready to save and predict with.

    Genres are ``classifier.classes_``; ``threshold`` is the review threshold
    (chosen on validation clips, as in notebook 03); ``n_patches`` the patches per window, as
    many as the classifier's training embeddings were pooled over.
    """
    features = transfer_features(n_patches)
    return Bundle(model=transfer_model(musicnn, classifier),
                  genres=[str(g) for g in classifier.classes_],
                  features=features, window_frames=features.n_frames, threshold=threshold,
                  step_frames=mn.N_FRAMES,
                  info={"kind": "musicnn embeddings + logistic regression", **(info or {})})
