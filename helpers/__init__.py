"""Reusable code for the genre-classification tutorial notebooks.

One module per step: ``config`` (settings), ``synth`` (the default dataset), ``data``
(finding clips), ``audio`` and ``features`` (mel spectrograms and their cache), ``split``,
``models``, ``train``, ``bundle`` (saved models), ``embed`` (embeddings and t-SNE),
``baseline``, ``predict`` (new songs, review flags), ``plots``, ``download`` (resumable,
checksum-verified downloads), ``extract`` (safe unpacking of tar archives), ``gtzan`` (the
known GTZAN archives, ``python -m helpers.gtzan``), ``musicnn`` (the pretrained models in
Keras 3), ``pretrained`` (their weights), ``transfer`` (pretrained model + classifier as one
bundle), ``pipeline`` (notebook 03's model in one call), ``atomic`` (folders written whole
or not at all), ``session`` (notebook setup) and ``runner`` (all notebooks in batch).
"""

import os

# TensorFlow's C++ start-up chatter (CUDA probing, CPU instruction notes) would fill every
# notebook's first output; keep only errors unless the user asked for more.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
