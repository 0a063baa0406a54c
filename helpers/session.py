"""The one-line setup every notebook calls after its ``parameters`` cell."""

from __future__ import annotations

import dataclasses
import os
from importlib.metadata import version
from typing import Any

import keras

from helpers.config import Settings, load_settings, read_params, work_dir
from helpers.plots import use_style

#: Environment variable naming a params file that overrides the notebook's parameters
#: cell (``make test`` sets it to ``params/quick.yaml`` so nbval runs quickly).
PARAMS_ENV = "TUTORIAL_PARAMS"

KEY_PACKAGES = ("keras", "tensorflow", "librosa", "numpy", "scikit-learn")


def start(namespace: dict[str, Any]) -> Settings:
    """Build the run's settings from a notebook's parameters and prepare the session.

    Parameters
    ----------
    namespace
        The notebook's ``globals()``: every variable named like a setting
        (``data_dir``, ``epochs``, ...) is taken from it. If ``$TUTORIAL_PARAMS``
        names a params file, its values win over the notebook's.

    Sets Keras' random seeds, the plot style, and prints versions and settings.
    """
    names = {f.name for f in dataclasses.fields(Settings)}
    values = {k: v for k, v in namespace.items() if k in names}
    override = os.environ.get(PARAMS_ENV)
    if override:
        values.update(read_params(override))
    cfg = load_settings(**values)
    keras.utils.set_random_seed(cfg.seed)
    use_style()
    versions = ", ".join(f"{p} {version(p)}" for p in KEY_PACKAGES)
    print(f"{versions}; Keras backend: {keras.backend.backend()}")
    print(f"Work folder: {work_dir()}")
    if override:
        print(f"Parameters overridden by ${PARAMS_ENV}={override}")
    return cfg

