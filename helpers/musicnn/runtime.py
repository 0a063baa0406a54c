"""Running musicnn on many patches: ONNX Runtime on a CPU, Keras elsewhere.

On a 2-core laptop CPU ONNX Runtime runs musicnn, exported from the Keras model, 2.1x as fast as
TensorFlow runs the Keras model at its best (26.7 against 12.8 patches per second) and 4x as fast
inside notebook 06's loop (3.0 against 0.76 clips per second), with outputs within 1e-5 of
Keras' (``bench/musicnn_options.py``; README, Performance). So on the TensorFlow backend without
a GPU, :func:`patch_predictor` exports a model once to an ONNX file (Keras' own
``model.export(format="onnx")``), kept beside the weights under a digest of the model's
architecture, weights and exporter (:func:`onnx_file`), and runs that file. With a GPU or on
another backend it runs the Keras model (a GPU was not measured against ONNX Runtime); without
``onnxruntime`` or ``tf2onnx``, or where the export or ONNX Runtime fails, it runs the Keras
model and says why in one line. The Keras port stays the reference: the tests hold the two to
1e-4.
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


def export_digest(model: keras.Model) -> str:
    """SHA-1 of what an ONNX export of ``model`` depends on: its architecture and input shape
    (``to_json``), its weights (:func:`weights_digest`) and the exporter's version."""
    import tf2onnx

    versions = f"keras {keras.__version__}, tf2onnx {tf2onnx.__version__}"
    blob = f"{model.to_json()}|{weights_digest(model)}|{versions}"
    return hashlib.sha1(blob.encode()).hexdigest()


def predict_whole_batches(model: keras.Model, x: np.ndarray, batch_size: int) -> np.ndarray:
    """``model.predict(x)`` with ``x`` padded by zeros to whole batches and the padding dropped
    again, so that every call, whatever ``len(x)``, runs one traced predict function.
    ``model`` has one output; an empty ``x`` gives an empty output."""
    padded = np.concatenate([x, np.zeros((-len(x) % batch_size, *x.shape[1:]), x.dtype)])
    if not len(padded):
        return np.empty((0, *model.output_shape[1:]), np.float32)
    return model.predict(padded, batch_size=batch_size, verbose=0)[: len(x)]


def onnx_path(model: keras.Model, folder: Path | None = None) -> Path:
    """Where ``model``'s ONNX export is kept: ``<folder>/<name>-<export digest>.onnx``.

    ``folder`` defaults to ``onnx/`` beside the weights' folder (:func:`helpers.musicnn.weights.cache_dir`),
    shared by every checkout and work folder, as the weights are; the digest
    (:func:`export_digest`) changes with the architecture, the weights and the exporter, so a
    changed model never runs an old file.
    """
    folder = Path(folder) if folder else weights.cache_dir().parent / "onnx"
    return folder / f"{model.name}-{export_digest(model)[:12]}.onnx"


def onnx_file(model: keras.Model, folder: Path | None = None) -> Path:
    """``model`` exported to ONNX at :func:`onnx_path`, where no export is there yet.

    The file is written whole or not at all (:func:`helpers.atomic.staged_file`; two processes
    exporting at once each write their own and the last one stays); the exporter's log and
    warnings stay off the screen.
    """
    target = onnx_path(model, folder)
    if not target.exists():
        _export(model, target)
    return target


def _export(model: keras.Model, target: Path) -> None:
    """Write ``model``'s ONNX export to ``target``, whole or not at all, off the screen."""
    logging.getLogger("tf2onnx").setLevel(logging.ERROR)  # its INFO lines on every export
    with staged_file(target) as part, native_stderr_silenced(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        signature = [keras.InputSpec(shape=model.input_shape, dtype="float32")]  # (a model never called
        model.export(str(part), format="onnx", verbose=False, input_signature=signature)  # has none)


def _check_single_output(model: keras.Model) -> None:
    if len(model.outputs) != 1:
        raise ValueError(f"{model.name} has {len(model.outputs)} outputs; a predictor runs a model with one")


def onnx_predictor(model: keras.Model, folder: Path | None = None) -> Predictor:
    """A :data:`Predictor` that runs single-output ``model``'s ONNX export (:func:`onnx_file`) on
    ONNX Runtime's CPU, :data:`ONNX_BATCH` patches per call (``folder``: see :func:`onnx_file`).
    A file from an earlier run that ONNX Runtime cannot load (damaged on disk) is exported
    again, once. Raises whatever the export or ONNX Runtime raise."""
    import onnxruntime

    _check_single_output(model)
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors only

    def open_session() -> onnxruntime.InferenceSession:
        return onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])

    unreadable = (onnxruntime.capi.onnxruntime_pybind11_state.InvalidProtobuf,
                  onnxruntime.capi.onnxruntime_pybind11_state.Fail)
    path = onnx_path(model, folder)
    from_earlier_run = path.exists()
    if not from_earlier_run:
        _export(model, path)
    try:
        session = open_session()
    except unreadable:
        if not from_earlier_run:
            raise
        _export(model, path)  # replaces the damaged file in one step
        session = open_session()
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
        return True, (f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not installed; "
                      "pyproject.toml, environment.yml and requirements-colab.txt list it, and with it "
                      "musicnn runs 2 to 4 times faster on a CPU")
    return False, ""


def patch_predictor(model: keras.Model, batch_size: int = 64) -> Predictor:
    """The fastest working way to run ``model`` on many patches, as a :data:`Predictor`.

    ONNX Runtime (:func:`onnx_predictor`) on the TensorFlow backend without a GPU; otherwise,
    or if the export or ONNX Runtime fails, ``model.predict`` in whole batches of ``batch_size``
    (:func:`predict_whole_batches`), with one printed line saying why where ONNX Runtime was
    meant to run it.

    Parameters
    ----------
    model
        A single-output musicnn model, e.g. :func:`helpers.models.embedding_model` of it.
    batch_size
        Patches per forward pass on Keras.
    """
    _check_single_output(model)
    say_it, why = keras_reason()
    if not why:
        try:
            return onnx_predictor(model)
        except Exception as error:  # noqa: BLE001 - any failure of the export or of ONNX Runtime
            first_line = (str(error).strip().splitlines() or [""])[0][:200]
            say_it, why = True, f"ONNX Runtime could not run it: {type(error).__name__}: {first_line}"
    if say_it:
        print(f"{model.name} runs on Keras ({why})")
    return lambda x: predict_whole_batches(model, np.asarray(x, np.float32), batch_size)
