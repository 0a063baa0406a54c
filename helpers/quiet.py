"""Keeping TensorFlow's start-up log off the screen.

TensorFlow 2.21 writes a few lines to the process's standard error while it loads (``oneDNN
custom operations are on...``, ``Could not find cuda drivers...``) from C++, before its logging
can be configured, so ``TF_CPP_MIN_LOG_LEVEL`` does not hide them (tensorflow/tensorflow#100442).
In a notebook they land under the first cell that imports Keras. Importing :mod:`helpers`
installs :func:`quiet_tensorflow_start`: the first import of ``tensorflow``, wherever it
happens, then runs with the native standard error sent to ``/dev/null``. Python's own
``sys.stderr`` (warnings, tracebacks) is untouched, and an import that fails still raises.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import importlib.util
import logging
import os
import sys
from collections.abc import Iterator
from types import ModuleType


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 (what C and C++ code write to) to ``/dev/null`` inside the block."""
    try:
        saved = os.dup(2)
    except OSError:  # no standard error to silence
        yield
        return
    sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


class _QuietLoader(importlib.abc.Loader):
    """Runs another loader's ``exec_module`` with the native standard error silenced."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        with native_stderr_silenced():
            self._loader.exec_module(module)
        _python_log_errors_only()  # after loading: TensorFlow sets its logger's level while it loads


class _QuietFinder(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow`` once, through the other finders, and wraps its loader."""

    def find_spec(self, fullname: str, path: object = None, target: object = None):
        if fullname != "tensorflow":
            return None
        sys.meta_path.remove(self)  # once is enough; the other finders do the finding
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


def _python_log_errors_only() -> None:
    """Keep only the errors of TensorFlow's Python logger.

    Every Keras model traces its own predict function once; a notebook that builds several
    models (embedding views, k-fold, bundles) makes that logger warn about "retracing", which
    is expected here and says nothing about the lesson.
    """
    logging.getLogger("tensorflow").setLevel(logging.ERROR)


def quiet_tensorflow_start() -> None:
    """Keep TensorFlow's start-up log and its routine warnings off the screen (idempotent).

    Its first import in this process runs with the native standard error silenced, its later
    C++ logging keeps only errors unless ``TF_CPP_MIN_LOG_LEVEL`` says otherwise, and its
    Python logger keeps only errors (set again once it has loaded, since loading resets it).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" in sys.modules:
        _python_log_errors_only()
    elif not any(isinstance(f, _QuietFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietFinder())
