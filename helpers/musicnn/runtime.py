"""Running musicnn on many patches: ONNX Runtime on a CPU, Keras elsewhere.

On a 2-core laptop CPU TensorFlow runs musicnn at 8 to 12 patches per second, and ONNX Runtime
runs the same network, exported from the Keras model, at about 30, with outputs within 1e-5
of Keras' (``bench/musicnn_options.py``; README, Performance). So on the TensorFlow backend
without a GPU, :func:`patch_predictor` exports a model once to an ONNX file (Keras' own
``model.export(format="onnx")``), kept beside the weights under the model's name and a digest
of its weights (:func:`onnx_file`), and runs that file. With a GPU, on another backend,
without ``onnxruntime`` or ``tf2onnx``, or where the export fails, it runs the Keras model,
and says why in one line unless Keras is the faster way there. The Keras port stays the
reference: the tests hold the two to 1e-4.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import warnings
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np

from helpers.atomic import staged_file
from helpers.musicnn import weights
from helpers.quiet import native_stderr_silenced

#: Patches per ONNX Runtime call. Its memory grows by about 50 MB per patch of a call (0.9 GB
#: peak at 16, 1.7 GB at 32, measured); 4 to 32 ran equally fast.
ONNX_BATCH = 16

#: What turns a ``(n, frames, 96)`` float32 array of patches into the model's ``(n, ...)`` output.
Predictor = Callable[[np.ndarray], np.ndarray]


def weights_digest(model: keras.Model) -> str:
    """SHA-1 of all of ``model``'s weights, in order: the same digest means the same network."""
    digest = hashlib.sha1()
    for w in model.get_weights():
        digest.update(np.ascontiguousarray(w).tobytes())
    return digest.hexdigest()


def predict_whole_batches(model: keras.Model, x: np.ndarray, batch_size: int) -> np.ndarray | dict:
    """``model.predict(x)`` with ``x`` padded by zeros to whole batches and the padding dropped
    again, so that every call, whatever ``len(x)``, runs one traced predict function.

    Returns the model's output for ``x`` (an array, or a dict of arrays for a multi-output model).
    """
    padded = np.concatenate([x, np.zeros((-len(x) % batch_size, *x.shape[1:]), x.dtype)])
    out = model.predict(padded, batch_size=batch_size, verbose=0)
    return {k: v[: len(x)] for k, v in out.items()} if isinstance(out, dict) else out[: len(x)]


def onnx_file(model: keras.Model, folder: Path | None = None) -> Path:
    """``model`` exported to ONNX, once: ``<folder>/<name>-<weights digest>.onnx``.

    ``folder`` defaults to ``onnx/`` beside the weights' folder (:func:`helpers.musicnn.weights.cache_dir`),
    shared by every checkout and work folder, as the weights are. The file is written whole or
    not at all (:func:`helpers.atomic.staged_file`); the exporter's log and warnings stay off
    the screen.
    """
    folder = Path(folder) if folder else weights.cache_dir().parent / "onnx"
    target = folder / f"{model.name}-{weights_digest(model)[:12]}.onnx"
    if not target.exists():
        logging.getLogger("tf2onnx").setLevel(logging.ERROR)
        with staged_file(target) as part, native_stderr_silenced(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            signature = [keras.InputSpec(shape=model.input_shape, dtype="float32")]  # (a model never called
            model.export(str(part), format="onnx", verbose=False, input_signature=signature)  # has none)
    return target


def onnx_predictor(model: keras.Model, folder: Path | None = None) -> Predictor:
    """A :data:`Predictor` that runs ``model``'s ONNX export (:func:`onnx_file`) on ONNX Runtime's
    CPU, :data:`ONNX_BATCH` patches per call (``folder``: see :func:`onnx_file`). Raises whatever
    the export or ONNX Runtime raise."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors only
    session = onnxruntime.InferenceSession(onnx_file(model, folder), options,
                                           providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name

    def predict(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, np.float32)
        if not len(x):
            return np.empty((0, *model.output_shape[1:]), np.float32)
        return np.concatenate([session.run(None, {name: x[i : i + ONNX_BATCH]})[0]
                               for i in range(0, len(x), ONNX_BATCH)])

    return predict


def keras_reason() -> tuple[bool, str]:
    """``(say_it, why)`` when this process should run musicnn through Keras, else ``(False, "")``.

    ``say_it`` is ``True`` where ONNX Runtime would have been faster (its packages are missing),
    ``False`` where Keras is the better way anyway (a GPU, or a backend other than TensorFlow).
    """
    if keras.config.backend() != "tensorflow":
        return False, f"the {keras.config.backend()} backend runs it"
    import tensorflow as tf

    if tf.config.list_physical_devices("GPU"):
        return False, "a GPU runs it"
    missing = [m for m in ("onnxruntime", "tf2onnx") if importlib.util.find_spec(m) is None]
    if missing:
        return True, (f"{' and '.join(missing)} not installed; `pip install -e .` installs them and "
                      "makes musicnn about 3x faster on a CPU")
    return False, ""


def patch_predictor(model: keras.Model, batch_size: int = 64) -> Predictor:
    """The fastest working way to run ``model`` on many patches, as a :data:`Predictor`.

    ONNX Runtime (:func:`onnx_predictor`) on the TensorFlow backend without a GPU; otherwise,
    or if the export fails, ``model.predict`` in whole batches of ``batch_size``
    (:func:`predict_whole_batches`), with one printed line saying why where that is slower.

    Parameters
    ----------
    model
        A single-output musicnn model, e.g. :func:`helpers.models.embedding_model` of it.
    batch_size
        Patches per forward pass on Keras.
    """
    say_it, why = keras_reason()
    if not why:
        try:
            return onnx_predictor(model)
        except Exception as error:  # noqa: BLE001 - any failure of the export or of ONNX Runtime
            say_it, why = True, f"its ONNX export failed: {type(error).__name__}: {error}"
    if say_it:
        print(f"{model.name} runs on Keras ({why})")
    return lambda x: predict_whole_batches(model, np.asarray(x, np.float32), batch_size)
