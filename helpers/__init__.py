"""Reusable code for the genre-classification tutorial notebooks.

One module per step: ``config`` (settings), ``synth`` (the default dataset), ``data``
(finding clips), ``audio`` and ``features`` (mel spectrograms and their cache), ``split``,
``models``, ``train``, ``crossval`` (k-fold estimates for small collections), ``examples``
(picking what a notebook shows from the labels present), ``bundle`` (saved models), ``embed``
(embeddings and t-SNE), ``baseline``, ``calibration`` (coverage and the review threshold),
``predict`` (new songs, review flags), ``plots``, ``download`` (resumable, checksum-verified
downloads), ``extract`` (safe unpacking of tar archives), ``gtzan`` (the known GTZAN archives,
``python -m helpers.gtzan``), ``musicnn`` (the pretrained models in Keras 3) and
``musicnn_io`` (their inputs and outputs), ``pretrained`` (their weights), ``transfer``
(pretrained model + classifier as one bundle), ``pipeline`` (notebook 03's recipe in one call),
``atomic`` (folders written whole or not at all), ``quiet`` (TensorFlow's start-up log kept
off the screen), ``session`` (notebook setup) and ``runner`` (all notebooks in batch).
"""

import logging
import os

from helpers.quiet import quiet_tensorflow_start

# TensorFlow's native start-up lines (CUDA probing, CPU instruction notes) would fill every
# notebook's first output: the first import of tensorflow runs with them silenced, and its
# later C++ logging keeps only errors unless the user asked for more.
quiet_tensorflow_start()
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Every Keras model traces its own predict function once; a notebook that builds several models
# (embedding views, k-fold, bundles) makes TensorFlow's Python logger warn about "retracing",
# which is expected here and says nothing about the lesson. Its errors still show.
logging.getLogger("tensorflow").setLevel(logging.ERROR)
