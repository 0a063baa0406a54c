"""Reusable code for the genre-classification tutorial notebooks.

One module per step: ``config`` (settings), ``synth`` (the default dataset: ``styles`` of the
genres, ``compose`` (their notes), ``render`` (General MIDI audio) or ``additive`` (the
fallback synthesizer)), ``data``
(finding clips), ``audio`` and ``features`` (mel spectrograms and their cache), ``split``,
``models``, ``train``, ``crossval`` (k-fold estimates for small collections), ``examples``
(picking what a notebook shows from the labels present), ``bundle`` (saved models), ``embed``
(embeddings and t-SNE), ``baseline``, ``calibration`` (coverage, the review threshold and
temperature scaling), ``augment`` (altered training windows), ``occlusion`` (what the model
listens to), ``compare`` (a setting against none, paired over seeds),
``predict`` (new songs, review flags), ``plots``, ``download`` (resumable, checksum-verified
downloads), ``extract`` (safe unpacking of tar archives), ``gtzan`` (the known GTZAN archives,
``python -m helpers.gtzan``), ``musicnn`` (the pretrained models in Keras 3) and
``musicnn_io`` (their inputs and outputs), ``pretrained`` (their weights), ``transfer``
(pretrained model + classifier as one bundle), ``pipeline`` (notebook 03's recipe in one call),
``atomic`` (folders written whole or not at all), ``quiet`` (TensorFlow's start-up log kept
off the screen), ``session`` (notebook setup) and ``runner`` (all notebooks in batch).
"""

from helpers.quiet import quiet_tensorflow_start

# TensorFlow's native start-up lines (CUDA probing, CPU instruction notes) and its routine
# "retracing" warnings would fill the notebooks' outputs; see helpers.quiet.
quiet_tensorflow_start()
