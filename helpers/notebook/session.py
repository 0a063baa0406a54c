"""The one-line setup every notebook calls after its ``parameters`` cell."""

from __future__ import annotations

import os
import re
import tomllib
import warnings
from importlib.metadata import PackageNotFoundError, requires, version
from typing import Any, Literal, get_args, get_origin, get_type_hints

import keras

from helpers.config import PARAMS_ENV, REPO_ROOT, Settings, load_settings, read_params, shown_path, work_dir
from helpers.plots import use_style

KEY_PACKAGES = ("keras", "tensorflow", "librosa", "numpy", "scikit-learn")

#: Name of this project's distribution, whose pinned requirements are the tested versions.
DISTRIBUTION = "genre-tutorial-helpers"


def tested_versions() -> dict[str, str]:
    """Package -> tested major.minor prefix, from the project's pins (``==X.Y.*``).

    Read from the installed distribution, or, where the checkout is only on the path (as on
    Colab), from its ``pyproject.toml``.
    """
    try:
        reqs = requires(DISTRIBUTION) or []
    except PackageNotFoundError:
        pyproject = REPO_ROOT / "pyproject.toml"
        if not pyproject.is_file():
            return {}
        reqs = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    pins = (re.fullmatch(r"([A-Za-z0-9_.-]+)==([0-9.]+)\.\*", r.strip()) for r in reqs)
    return {m.group(1).lower(): m.group(2) for m in pins if m}


def version_problems(installed: dict[str, str], tested: dict[str, str]) -> list[str]:
    """One message per installed package whose version is outside its tested major.minor.

    >>> version_problems({"keras": "3.16.0", "numpy": "2.4.6"}, {"keras": "3.15", "numpy": "2.4"})
    ['keras 3.16.0 is outside the tested 3.15.x']
    """
    return [f"{name} {ver} is outside the tested {tested[name]}.x"
            for name, ver in installed.items()
            if name in tested and not (ver == tested[name] or ver.startswith(tested[name] + "."))]


def devices() -> list[str]:
    """Devices Keras computes on: ``["gpu:0"]`` on a GPU runtime (e.g. Colab's), ``["cpu:0"]`` otherwise."""
    if keras.backend.backend() == "torch":  # keras.distribution does not cover PyTorch
        import torch

        return [f"gpu:{i}" for i in range(torch.cuda.device_count())] or ["cpu:0"]
    return list(keras.distribution.list_devices())


def type_mismatch(value: Any, declared: Any) -> str | None:
    """Why ``value`` cannot be a setting of type ``declared``; ``None`` if it can.

    Only the type is checked (the value is :class:`~helpers.config.Settings`' business): an
    ``int`` fits a ``float`` setting, any ``str`` fits a ``Literal`` of strings, and a ``bool``
    fits none (no setting is a flag, and ``True`` is no epoch count).

    >>> type_mismatch(True, int)
    'bool, not int'
    >>> type_mismatch(3, float) is None and type_mismatch("resnet", Literal["compact"]) is None
    True
    """
    if get_origin(declared) is Literal:
        declared = type(get_args(declared)[0])
    accepted = (int, float) if declared is float else (declared,)
    if isinstance(value, accepted) and not isinstance(value, bool):
        return None
    return f"{type(value).__name__}, not {declared.__name__}"


def start(namespace: dict[str, Any]) -> Settings:
    """Build the run's settings from a notebook's parameters and prepare the session.

    Parameters
    ----------
    namespace
        The notebook's ``globals()``: every variable named like a setting
        (``data_dir``, ``epochs``, ...) is taken from it, unless its type is not the
        setting's (``split`` or ``model`` bound by a later notebook cell to a pandas Series
        or a Keras model): those are ignored, with one printed line naming them. If
        ``$TUTORIAL_PARAMS`` names a params file, its values win over the notebook's, and
        one printed line names every value of the notebook's that it replaced.

    Sets Keras' random seeds and the plot style, prints the versions of the key
    packages and the devices Keras uses (a GPU when there is one: nothing to
    change), and warns about any package outside the tested range.
    """
    declared = get_type_hints(Settings)
    values, ignored = {}, []
    for name, value in namespace.items():
        if name in declared:
            mismatch = type_mismatch(value, declared[name])
            if mismatch:
                ignored.append(f"{name} ({mismatch})")
            else:
                values[name] = value
    if ignored:
        print(f"Ignored variables whose type is not the setting's: {', '.join(ignored)}")
    override, replaced = os.environ.get(PARAMS_ENV), []
    if override:
        from_file = read_params(override)
        replaced = [f"{k} = {values[k]!r} by {v!r}" for k, v in from_file.items()
                    if k in values and values[k] != v]
        values.update(from_file)
    cfg = load_settings(**values)
    keras.utils.set_random_seed(cfg.seed)
    use_style()
    installed = {p: version(p) for p in KEY_PACKAGES}
    print(", ".join(f"{p} {v}" for p, v in installed.items())
          + f"; Keras backend: {keras.backend.backend()} on {', '.join(devices())}")
    for problem in version_problems(installed, tested_versions()):
        warnings.warn(f"{problem}: results may differ from the README's. Install the tested versions "
                      "with `make run` (or `pip install -e .`) in a fresh environment.", stacklevel=2)
    print(f"Work folder: {shown_path(work_dir())}")
    if replaced:
        print(f"{override} (named by ${PARAMS_ENV}) replaces this notebook's {', '.join(replaced)}")
    return cfg

