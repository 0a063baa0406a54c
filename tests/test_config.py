"""Settings: params files, validation, feature keys, paths, and agreement with notebooks/env."""

from __future__ import annotations

import ast
import dataclasses
import json
import os
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path
from typing import get_args, get_type_hints

import numpy as np
import pytest
import yaml

from helpers.config import (
    REPO_ROOT,
    WORKDIR_ENV,
    FeatureScaling,
    FeatureSettings,
    ModelName,
    Scaling,
    Settings,
    SplitName,
    load_settings,
    read_params,
    work_dir,
)

DEFAULT_YAML = REPO_ROOT / "params" / "default.yaml"
PARAMS_FILES = sorted((REPO_ROOT / "params").glob("*.yaml"))
NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))


def _default_values() -> dict:
    return yaml.safe_load(DEFAULT_YAML.read_text())


# --------------------------------------------------------------------------- params files


def test_defaults_equal_default_yaml():
    cfg = load_settings()
    assert cfg.to_dict() == _default_values()
    assert set(_default_values()) == {f.name for f in dataclasses.fields(Settings)}


@pytest.mark.parametrize("path", PARAMS_FILES, ids=lambda p: p.name)
def test_every_params_file_loads_and_overrides_defaults(path):
    cfg = load_settings(path)
    overrides = yaml.safe_load(path.read_text()) or {}
    expected = {**_default_values(), **overrides}
    assert cfg.to_dict() == expected


def test_params_file_found_relative_to_repo(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # "params/seed.yaml" does not exist here
    assert load_settings("params/seed.yaml").model == "seed"


def test_seed_yaml_is_the_original_recipe():
    cfg = load_settings("params/seed.yaml")
    assert cfg.model == "seed"
    assert cfg.scaling == "power"
    assert cfg.window_frames == 900
    assert cfg.n_frames == 900
    assert cfg.batch_size == 64
    assert cfg.learning_rate == pytest.approx(1e-4)
    assert cfg.epochs == 200


def test_overrides_win_over_params_file():
    cfg = load_settings("params/seed.yaml", epochs=3, batch_size=8)
    assert (cfg.epochs, cfg.batch_size, cfg.model) == (3, 8, "seed")


def test_missing_params_file_is_reported():
    with pytest.raises(FileNotFoundError, match="no_such_params"):
        load_settings("params/no_such_params.yaml")


def test_unknown_key_in_params_file_is_rejected(tmp_path):
    path = tmp_path / "typo.yaml"
    path.write_text("epochs: 3\nlearnig_rate: 0.1\n")
    with pytest.raises(ValueError, match="learnig_rate"):
        load_settings(path)
    with pytest.raises(ValueError, match="learnig_rate"):
        read_params(path)


def test_unknown_override_is_rejected():
    with pytest.raises(ValueError, match="n_epochs"):
        load_settings(n_epochs=3)


@pytest.mark.parametrize(
    "overrides, fragment",
    [
        ({"scaling": "log"}, "scaling"),
        ({"model": "resnet"}, "model"),
        ({"window_frames": 901}, "window_frames"),
        ({"window_frames": 0}, "window_frames"),
        ({"n_frames": 100}, "window_frames"),  # default window_frames 300 > 100
        ({"val_fraction": 0.0}, "fraction"),
        ({"test_fraction": 1.0}, "fraction"),
        ({"val_fraction": 0.5, "test_fraction": 0.5}, "fraction"),
        ({"val_fraction": -0.1}, "fraction"),
        ({"epochs": 0}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"n_jobs": 0}, "n_jobs"),
    ],
)
def test_invalid_values_are_rejected(overrides, fragment):
    with pytest.raises(ValueError, match=fragment):
        load_settings(**overrides)


def test_all_problems_reported_at_once():
    with pytest.raises(ValueError) as info:
        load_settings(scaling="log", model="resnet")
    assert "scaling" in str(info.value) and "model" in str(info.value)


def test_choices_are_the_ones_the_helpers_implement():
    """Each setting's choices are written once (helpers.config); Settings takes exactly them,
    and they are what helpers.models, helpers.split and helpers.features implement."""
    from helpers import features, models, split

    hints = get_type_hints(Settings)
    for name, choices in (("scaling", Scaling), ("model", ModelName), ("split", SplitName)):
        assert hints[name] == choices
        for value in get_args(choices):
            assert getattr(load_settings(**{name: value}), name) == value
    assert set(models.BUILDERS) == set(get_args(ModelName))
    assert set(split.SPLITTERS) == set(get_args(SplitName))
    fs = FeatureSettings(8000, 256, 128, 16, 4, "db")
    signal = np.random.default_rng(0).normal(size=1000).astype(np.float32)
    for scaling in get_args(FeatureScaling):
        mel = features.mel_from_signal(signal, dataclasses.replace(fs, scaling=scaling))
        assert mel.shape == (4, 16)
    with pytest.raises(ValueError, match="scaling"):
        features.mel_from_signal(signal, dataclasses.replace(fs, scaling="log"))


def test_musicnn_scaling_is_for_feature_settings_only():
    """The transfer bundle's features hold musicnn's compression; a run's settings cannot."""
    assert get_args(FeatureScaling) == (*get_args(Scaling), "musicnn")
    assert get_type_hints(FeatureSettings)["scaling"] == FeatureScaling
    assert FeatureSettings(16000, 512, 256, 96, 187, "musicnn").scaling == "musicnn"
    with pytest.raises(ValueError, match="scaling must be 'db' or 'power', not 'musicnn'"):
        load_settings(scaling="musicnn")


def test_settings_are_frozen():
    cfg = load_settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.epochs = 1


# --------------------------------------------------------------------------- FeatureSettings


def test_features_subset_of_settings():
    cfg = load_settings(n_mels=64, scaling="power")
    fs = cfg.features
    assert fs == FeatureSettings(cfg.sample_rate, cfg.n_fft, cfg.hop_length, 64, cfg.n_frames,
                                 "power")
    assert fs.seconds == pytest.approx(cfg.n_frames * cfg.hop_length / cfg.sample_rate)


def test_feature_key_is_stable():
    fs = FeatureSettings(16000, 2048, 512, 128, 900, "db")
    assert fs.key() == FeatureSettings(16000, 2048, 512, 128, 900, "db").key()
    assert re.fullmatch(r"[0-9a-f]{12}", fs.key())
    # Same value in every process and Python version (cache folders and bundles depend on it).
    assert fs.key() == "fe8267e3bb4a"


def test_feature_key_ignores_non_feature_settings():
    assert load_settings(epochs=1, model="seed", window_frames=900).features.key() == \
        load_settings().features.key()


@pytest.mark.parametrize(
    "field, value",
    [("sample_rate", 22050), ("n_fft", 1024), ("hop_length", 256), ("n_mels", 64),
     ("n_frames", 899), ("scaling", "power")],
)
def test_feature_key_changes_with_every_field(field, value):
    fs = load_settings().features
    assert dataclasses.replace(fs, **{field: value}).key() != fs.key()


# --------------------------------------------------------------------------- paths


def test_dataset_dir_of_synthetic_set_is_under_work_dir(monkeypatch):
    monkeypatch.delenv(WORKDIR_ENV, raising=False)
    cfg = load_settings(data_dir="", seed=3, clips_per_genre=7)
    assert work_dir() == (REPO_ROOT / "data").resolve()
    assert cfg.dataset_dir.parent == (REPO_ROOT / "data").resolve()
    assert "seed3" in cfg.dataset_dir.name and "7" in cfg.dataset_dir.name
    assert cfg.model_dir.is_relative_to((REPO_ROOT / "data").resolve())


def test_work_dir_follows_environment_variable(monkeypatch, tmp_path):
    monkeypatch.setenv(WORKDIR_ENV, str(tmp_path / "elsewhere"))
    cfg = load_settings(data_dir="")
    assert work_dir() == (tmp_path / "elsewhere").resolve()
    assert cfg.dataset_dir.parent == (tmp_path / "elsewhere").resolve()
    assert cfg.model_dir.is_relative_to((tmp_path / "elsewhere").resolve())


def test_synthetic_dataset_dir_depends_on_seed_and_size():
    dirs = {load_settings(seed=s, clips_per_genre=n).dataset_dir for s in (0, 1) for n in (5, 6)}
    assert len(dirs) == 4


def test_explicit_data_dir(tmp_path):
    assert load_settings(data_dir=str(tmp_path)).dataset_dir == tmp_path
    assert load_settings(data_dir="gtzan").dataset_dir == work_dir() / "gtzan"


def test_run_name_differs_between_runs():
    names = {load_settings().run_name, load_settings(model="seed", window_frames=900).run_name,
             load_settings(seed=1).run_name, load_settings(scaling="power").run_name}
    assert len(names) == 4


def test_transfer_bundle_sits_beside_the_cnn_bundle():
    cfg = load_settings()
    assert cfg.transfer_dir.parent == cfg.model_dir.parent
    assert cfg.transfer_dir.name == cfg.model_dir.name + "-musicnn10"
    fewer = load_settings(musicnn_patches=3)
    assert fewer.model_dir == cfg.model_dir, "notebook 03's model does not depend on notebook 06's patches"
    assert fewer.transfer_dir.name == cfg.model_dir.name + "-musicnn3"


@pytest.mark.parametrize("patches", [0, 11])
def test_musicnn_patches_must_fit_in_a_clip(patches):
    with pytest.raises(ValueError, match="musicnn_patches must be between 1 and 10"):
        load_settings(musicnn_patches=patches)


# --------------------------------------------------------------------------- notebooks


def _parameters_cells(nb_path: Path) -> list[str]:
    nb = json.loads(nb_path.read_text())
    cells = []
    for cell in nb["cells"]:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            src = cell["source"]
            cells.append("".join(src) if isinstance(src, list) else src)
    return cells


def _literal_assignments(source: str) -> dict:
    values = {}
    for node in ast.parse(source).body:
        assert isinstance(node, ast.Assign), f"not a plain assignment: {ast.unparse(node)}"
        assert len(node.targets) == 1 and isinstance(node.targets[0], ast.Name), \
            f"not a single name: {ast.unparse(node)}"
        name = node.targets[0].id
        assert name not in values, f"{name} assigned twice"
        values[name] = ast.literal_eval(node.value)
    return values


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 4


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_parameters_cell_matches_default_yaml(nb_path):
    cells = _parameters_cells(nb_path)
    assert len(cells) == 1, f"{nb_path.name} has {len(cells)} cells tagged 'parameters'"
    values = _literal_assignments(cells[0])
    defaults = _default_values()
    assert values and set(values) <= set(defaults), "only settings, each a knob this notebook uses"
    assert {"data_dir", "seed"} <= set(values), "every notebook lets its reader pick the data and the seed"
    for key, value in values.items():
        assert value == defaults[key], key
        assert type(value) is type(defaults[key]), key


# --------------------------------------------------------------------------- environment.yml

#: conda-forge names that differ from the PyPI name.
CONDA_TO_PYPI = {"pysoundfile": "soundfile", "soxr-python": "soxr"}
#: Entries that the conda environment may have beyond the package's requirements.
ENV_EXTRAS = {"python", "pip"}
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$")
_PIN = re.compile(r"^(?:==|=|~=|>=)?\s*([0-9]+(?:\.[0-9]+)*)(?:\.\*)?$")


def _norm(name: str) -> str:
    name = re.sub(r"[-_.]+", "-", name).lower()
    return CONDA_TO_PYPI.get(name, name)


def _parse_req(text: str) -> tuple[str, str | None]:
    """``name==4.6.*`` / ``name=4.6`` / ``name 4.6`` -> (normalized name, "4.6"); an environment
    marker (``; sys_platform == ...``) is ignored."""
    m = _NAME.match(text.split("#")[0].split(";")[0])
    assert m, f"cannot parse requirement {text!r}"
    name, rest = _norm(m.group(1)), m.group(2).strip()
    if name in ENV_EXTRAS or not rest:
        return name, None
    pin = _PIN.match(rest)
    assert pin, f"cannot parse the version pin of {text!r}"
    return name, pin.group(1)


def _pyproject_pins() -> tuple[dict, dict]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    deps = dict(_parse_req(r) for r in project["dependencies"])
    dev = dict(_parse_req(r) for r in project.get("optional-dependencies", {}).get("dev", []))
    return deps, dev


def test_requirement_parser():
    assert _parse_req("jupyterlab==4.6.*") == ("jupyterlab", "4.6")
    assert _parse_req("ipykernel==7.*") == ("ipykernel", "7")
    assert _parse_req("scikit_learn=1.9") == ("scikit-learn", "1.9")
    assert _parse_req("PySoundFile =0.14") == ("soundfile", "0.14")
    assert _parse_req("soxr-python 1.1.*") == ("soxr", "1.1")
    assert _parse_req("python") == ("python", None)
    assert _parse_req("python >=3.11,<3.14") == ("python", None)
    assert _parse_req("midirenderer==0.1.*; sys_platform == 'darwin'") == ("midirenderer", "0.1")


def _environment_problems(env_path: Path) -> list[str]:
    """Disagreements between ``env_path`` and pyproject.toml (empty list: they agree)."""
    env = yaml.safe_load(env_path.read_text())
    problems = []
    if "conda-forge" not in env.get("channels", []):
        problems.append("environment.yml should use the conda-forge channel")
    pins: dict[str, str | None] = {}
    pip_entries = []
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            assert set(entry) == {"pip"}, f"unexpected mapping in dependencies: {entry}"
            pip_entries.extend(str(e).strip() for e in entry["pip"])
            continue
        name, version = _parse_req(str(entry))
        if name in pins:
            problems.append(f"{name} listed twice")
        pins[name] = version
    for entry in pip_entries:
        if entry.startswith(("-e", ".")):  # the project itself
            continue
        name, version = _parse_req(entry)
        if name in pins:
            problems.append(f"{name} listed twice")
        pins[name] = version

    deps, dev = _pyproject_pins()
    for name in sorted(set(deps) - set(pins)):
        problems.append(f"{name} is in pyproject.toml but not in environment.yml")
    for name in sorted(set(pins) - set(deps) - set(dev) - ENV_EXTRAS):
        problems.append(f"{name} is in environment.yml but not in pyproject.toml")
    for name, version in deps.items():
        if name in pins and pins[name] != version:
            problems.append(f"{name}: environment.yml pins {pins[name]!r}, "
                            f"pyproject.toml {version!r}")
    for name, version in dev.items():  # optional dev tools: a compatible (same or narrower) pin
        if name in pins and version and not (
            pins[name] is not None and (pins[name] + ".").startswith(version + ".")
        ):
            problems.append(f"{name}: environment.yml pins {pins[name]!r}, "
                            f"pyproject.toml {version!r}")
    return problems


def _write_env(path: Path, conda: list[str], pip: list[str]) -> Path:
    deps: list = ["python=3.11", "pip", *conda]
    if pip:
        deps.append({"pip": pip})
    path.write_text(yaml.safe_dump({"name": "x", "channels": ["conda-forge"],
                                    "dependencies": deps}))
    return path


def _matching_lines() -> list[str]:
    deps, _ = _pyproject_pins()
    pypi_to_conda = {v: k for k, v in CONDA_TO_PYPI.items()}
    return [f"{pypi_to_conda.get(name, name)}={version}" for name, version in deps.items()]


def test_environment_check_detects_disagreements(tmp_path):
    lines = _matching_lines()
    assert _environment_problems(_write_env(tmp_path / "ok.yml", lines, ["-e ."])) == []
    # Moving a package to the pip sub-list (PyPI spelling) is fine.
    moved = [ln for ln in lines if not ln.startswith("pysoundfile")]
    assert _environment_problems(
        _write_env(tmp_path / "pip.yml", moved, ["-e .", "soundfile==0.14.*"])) == []
    # A missing package, a different pin, an unknown package are each reported.
    missing = _environment_problems(_write_env(tmp_path / "m.yml", lines[1:], []))
    assert len(missing) == 1 and "not in environment.yml" in missing[0]
    bumped = [ln.replace("numpy=2.4", "numpy=2.3") for ln in lines]
    assert any("numpy" in p for p in _environment_problems(_write_env(tmp_path / "b.yml",
                                                                        bumped, [])))
    extra = _environment_problems(_write_env(tmp_path / "e.yml", [*lines, "torch=2.9"], []))
    assert extra == ["torch is in environment.yml but not in pyproject.toml"]


def test_environment_yml_matches_pyproject():
    assert _environment_problems(REPO_ROOT / "environment.yml") == []


def test_colab_requirements_pin_like_pyproject():
    deps, _ = _pyproject_pins()
    lines = (REPO_ROOT / "requirements-colab.txt").read_text().splitlines()
    wanted = dict(_parse_req(line) for line in lines if line.strip() and not line.startswith("#"))
    assert wanted and {name: deps.get(name) for name in wanted} == wanted


def test_binder_environment_is_the_same_without_the_project():
    """repo2docker builds the environment before the repository is copied in, so Binder's copy
    must not install the project (binder/postBuild does); the packages must be the same, and so
    must the pip entries (packages conda-forge lacks) after the project's ``-e .``."""
    root = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    binder = yaml.safe_load((REPO_ROOT / "binder" / "environment.yml").read_text())
    assert binder["channels"] == root["channels"]

    def split(env):
        conda = [d for d in env["dependencies"] if not isinstance(d, dict)]
        pip = [e for d in env["dependencies"] if isinstance(d, dict) for e in d["pip"]]
        return conda, pip

    (root_conda, root_pip), (binder_conda, binder_pip) = split(root), split(binder)
    assert binder_conda == root_conda
    assert root_pip == ["-e .", *binder_pip]
    post_build = (REPO_ROOT / "binder" / "postBuild").read_text()
    assert "pip install --no-deps -e ." in post_build and "helpers.musicnn.weights" in post_build
    assert os.access(REPO_ROOT / "binder" / "postBuild", os.X_OK)


def _version_bounds(spec: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``">=3.11.4,<3.14"`` -> ((3, 11, 4), (3, 14))."""
    m = re.fullmatch(r"\s*>=\s*([0-9.]+)\s*,\s*<\s*([0-9.]+)\s*", spec)
    assert m, f"cannot parse the Python range {spec!r}"
    low, high = (tuple(int(part) for part in v.split(".")) for v in m.groups())
    return low, high


def test_environment_python_is_within_requires_python():
    """tarfile's data extraction filter needs Python 3.11.4; conda must not pick an older one."""
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    low, high = _version_bounds(project["requires-python"])
    assert low >= (3, 11, 4)
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    python = [d for d in env["dependencies"] if isinstance(d, str) and _parse_req(d)[0] == "python"]
    assert len(python) == 1
    env_low, env_high = _version_bounds(python[0].removeprefix("python"))
    assert low <= env_low and env_high <= high


# --------------------------------------------------------------------------- imports

#: Third-party imports that no requirement declares, and why.
UNDECLARED_IMPORTS = {
    "torch": "helpers.notebook.session.devices, only on Keras' PyTorch backend, which its user installs",
    "musicnn": "tests/fixtures/musicnn/make_reference.py, run by hand in its own environment",
}
#: First-party modules: the package, test modules that other tests import, and the benchmark
#: modules that other benchmarks import (bench/report.py).
LOCAL_MODULES = {"helpers"} | {p.stem for folder in ("tests", "bench")
                               for p in (REPO_ROOT / folder).rglob("*.py")}


def _imported_modules(path: Path) -> set[str]:
    """Top-level names of the absolute imports in a .py file or a notebook's code cells,
    at any depth (an import inside a function counts)."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text())["cells"]
        source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    else:
        source = path.read_text()
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _undeclared_imports(files: list[Path], declared: set[str]) -> list[str]:
    """One message per third-party import in ``files`` whose distribution is not in ``declared``."""
    distributions = packages_distributions()
    skipped = set(sys.stdlib_module_names) | LOCAL_MODULES | set(UNDECLARED_IMPORTS)
    problems = []
    for path in files:
        for name in sorted(_imported_modules(path) - skipped):
            dists = {_norm(d) for d in distributions.get(name, [name])}
            if not dists & declared:
                problems.append(f"{path} imports {name} (from {', '.join(sorted(dists))}), "
                                "which pyproject.toml does not declare")
    return problems


def test_helpers_import_only_declared_packages(tmp_path):
    deps, _ = _pyproject_pins()
    assert _undeclared_imports(sorted((REPO_ROOT / "helpers").rglob("*.py")), set(deps)) == []
    probe = tmp_path / "probe.py"
    probe.write_text("import os\nfrom helpers import config\n\ndef f():\n    import scipy.fft\n")
    assert _undeclared_imports([probe], set(deps) - {"scipy"}) == [
        f"{probe} imports scipy (from scipy), which pyproject.toml does not declare"]


def test_scripts_tests_and_notebooks_import_only_declared_packages():
    deps, dev = _pyproject_pins()
    files = [*sorted((REPO_ROOT / "scripts").glob("*.py")), *sorted((REPO_ROOT / "bench").glob("*.py")),
             *sorted((REPO_ROOT / "tests").rglob("*.py")), *NOTEBOOKS]
    assert _undeclared_imports(files, set(deps) | set(dev)) == []


def test_run_name_ignores_only_the_worker_count_and_notebook_06s_patches():
    base = load_settings()
    assert load_settings(n_jobs=1).run_name == base.run_name
    assert load_settings(musicnn_patches=2).run_name == base.run_name
    assert load_settings(learning_rate=0.003).run_name != base.run_name
    assert load_settings(window_frames=300).run_name != base.run_name
    assert load_settings(split="random").run_name != base.run_name
