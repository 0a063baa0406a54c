"""The pretrained musicnn model in Keras 3, for notebook 06's transfer learning.

- :mod:`~helpers.musicnn.weights`: its checkpoints, fetched once from the ``musicnn`` wheel
  (``python -m helpers.musicnn.weights``);
- :mod:`~helpers.musicnn.model`: the network rebuilt with Keras layers and the checkpoint loaded into it
  (:mod:`~helpers.musicnn.vgg`: the wheel's VGG baseline);
- :mod:`~helpers.musicnn.frontend`: audio -> 3-s log-mel patches;
- :mod:`~helpers.musicnn.runtime`: the network run on many patches (ONNX Runtime on a CPU, else Keras);
- :mod:`~helpers.musicnn.embeddings`: cached clip embeddings;
- :mod:`~helpers.musicnn.tags`: its tags per genre;
- :mod:`~helpers.musicnn.transfer`: musicnn + a classifier saved as one model bundle.
"""
