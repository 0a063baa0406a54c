"""Settings: one frozen object built from ``params/*.yaml`` and notebook parameters.

``params/default.yaml`` is the single source of the default values; every other
params file, and every notebook's ``parameters`` cell, only overrides them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Literal, get_args

import yaml

#: The ten GTZAN genres, sorted. One list, used for labels everywhere.
GTZAN_GENRES: tuple[str, ...] = (
    "blues",
    "classical",
    "country",
    "disco",
    "hiphop",
    "jazz",
    "metal",
    "pop",
    "reggae",
    "rock",
)

#: Feature scalings a run may choose (``scaling`` setting): log-mel ``"db"`` or raw mel ``"power"``.
Scaling = Literal["db", "power"]

#: Scalings a :class:`FeatureSettings` may hold: a run's, plus ``"musicnn"``, the input of the
#: pretrained musicnn model, which only the transfer bundle (:mod:`helpers.musicnn.transfer`) uses.
FeatureScaling = Literal[Scaling, "musicnn"]

#: Networks of :mod:`helpers.models` (``model`` setting).
ModelName = Literal["compact", "seed"]

#: Splits of :mod:`helpers.split` (``split`` setting).
SplitName = Literal["song", "fault_filtered", "random"]

#: Alterations of the training windows (``augment`` setting, :mod:`helpers.augment`): none, or
#: SpecAugment-style time and frequency masks with a random gain, optionally with mixup.
Augmentation = Literal["none", "specaugment", "specaugment_mixup"]


def choice_problem(name: str, value: Any, choices: Any) -> str | None:
    """Why ``value`` is not one of the strings of the ``Literal`` alias ``choices``; ``None`` if it is.

    Parameters
    ----------
    name
        Setting name, for the message.
    value
        The value given.
    choices
        One of the aliases above, e.g. :data:`ModelName`.

    Returns
    -------
    str or None
        A message naming the allowed values, or ``None`` if ``value`` is allowed.

    >>> choice_problem("model", "resnet", ModelName)
    "model must be 'compact' or 'seed', not 'resnet'"
    >>> choice_problem("scaling", "musicnn", FeatureScaling) is None
    True
    """
    allowed = get_args(choices)
    if isinstance(value, str) and value in allowed:
        return None
    names = [repr(a) for a in allowed]
    return f"{name} must be {', '.join(names[:-1])} or {names[-1]}, not {value!r}"


#: Repository root (the folder holding ``params/`` and ``notebooks/``).
REPO_ROOT = Path(__file__).resolve().parents[1]

#: Version of the synthetic set's generator (:mod:`helpers.synth.dataset`), part of its folder's name, so
#: a set made by an older generator is left alone and a new one is made beside it.
SYNTH_VERSION = 5

#: 3-s musicnn patches in the first 30 s of a clip: the most notebook 06 embeds per clip
#: (``musicnn_patches`` setting).
MUSICNN_CLIP_PATCHES = 10

#: Environment variable that moves everything generated (data, cache, models, outputs).
WORKDIR_ENV = "GENRE_WORKDIR"

#: Environment variable naming a params file whose values win over a notebook's parameters
#: cell (``make test`` sets it to ``params/quick.yaml``; ``helpers.notebook.runner`` to its params file).
PARAMS_ENV = "TUTORIAL_PARAMS"


def work_dir() -> Path:
    """Folder for everything generated: datasets, feature cache, models, executed notebooks.

    ``$GENRE_WORKDIR`` if set, else ``data/`` in the repository.
    """
    return Path(os.environ.get(WORKDIR_ENV) or REPO_ROOT / "data").expanduser().resolve()


def shown_path(path: str | os.PathLike) -> str:
    """``path`` as a notebook prints it: relative to the repository (where commands run) when inside it.

    >>> shown_path(REPO_ROOT / "data" / "models" / "x"), shown_path("/elsewhere/x")
    ('data/models/x', '/elsewhere/x')
    """
    path = Path(path)
    return path.relative_to(REPO_ROOT).as_posix() if path.is_relative_to(REPO_ROOT) else str(path)


@dataclasses.dataclass(frozen=True)
class FeatureSettings:
    """Everything that decides what a feature array contains.

    Saved with the feature cache and with every model bundle, so a model is
    always fed exactly the preprocessing it was trained on.
    """

    sample_rate: int
    n_fft: int
    hop_length: int
    n_mels: int
    n_frames: int
    scaling: FeatureScaling

    def key(self) -> str:
        """Short stable hash of these settings, for cache and file names.

        >>> FeatureSettings(16000, 2048, 512, 128, 900, "db").key() == \\
        ...     FeatureSettings(16000, 2048, 512, 128, 900, "db").key()
        True
        """
        blob = json.dumps(dataclasses.asdict(self), sort_keys=True).encode()
        return hashlib.sha1(blob).hexdigest()[:12]

    @property
    def seconds(self) -> float:
        """Audio duration covered by ``n_frames`` frames."""
        return self.n_frames * self.hop_length / self.sample_rate


@dataclasses.dataclass(frozen=True)
class Settings:
    """All knobs of a run. Field meanings are documented in ``params/default.yaml``."""

    data_dir: str
    clips_per_genre: int
    sample_rate: int
    n_fft: int
    hop_length: int
    n_mels: int
    n_frames: int
    window_frames: int
    scaling: Scaling
    model: ModelName
    epochs: int
    batch_size: int
    learning_rate: float
    patience: int
    augment: Augmentation
    split: SplitName
    val_fraction: float
    test_fraction: float
    review_target: float
    musicnn_patches: int
    seed: int
    n_jobs: int

    def __post_init__(self) -> None:
        choices = (("scaling", self.scaling, Scaling), ("split", self.split, SplitName),
                   ("model", self.model, ModelName), ("augment", self.augment, Augmentation))
        problems = [p for p in (choice_problem(*c) for c in choices) if p]
        if not 0 < self.window_frames <= self.n_frames:
            problems.append(
                f"window_frames ({self.window_frames}) must be between 1 and n_frames ({self.n_frames})"
            )
        if not (0 < self.val_fraction < 1 and 0 < self.test_fraction < 1
                and self.val_fraction + self.test_fraction < 1):
            problems.append("val_fraction and test_fraction must be in (0, 1) and sum below 1")
        if not 1 <= self.musicnn_patches <= MUSICNN_CLIP_PATCHES:
            problems.append(f"musicnn_patches must be between 1 and {MUSICNN_CLIP_PATCHES} (3-s patches of "
                            f"a clip's first 30 s), not {self.musicnn_patches}")
        if not 0 < self.review_target <= 1:
            problems.append(f"review_target must be in (0, 1], not {self.review_target}")
        for name in ("clips_per_genre", "sample_rate", "n_fft", "hop_length", "n_mels",
                     "n_frames", "epochs", "batch_size", "n_jobs"):
            if getattr(self, name) < 1:
                problems.append(f"{name} must be at least 1, not {getattr(self, name)}")
        if problems:
            raise ValueError("Invalid settings:\n  - " + "\n  - ".join(problems))

    @property
    def features(self) -> FeatureSettings:
        """The subset of settings that defines the feature arrays."""
        return FeatureSettings(
            sample_rate=self.sample_rate,
            n_fft=self.n_fft,
            hop_length=self.hop_length,
            n_mels=self.n_mels,
            n_frames=self.n_frames,
            scaling=self.scaling,
        )

    @property
    def dataset_dir(self) -> Path:
        """Folder of ``<genre>/<audio>`` to use: ``data_dir``, or the synthetic set's folder.

        A relative ``data_dir`` is taken inside the work folder (``data/`` unless
        ``$GENRE_WORKDIR`` moves it), so ``data_dir: gtzan`` means ``data/gtzan``.
        """
        if self.data_dir:
            path = Path(self.data_dir).expanduser()
            return path if path.is_absolute() else work_dir() / path
        return work_dir() / f"mini-gtzan-v{SYNTH_VERSION}-seed{self.seed}-{self.clips_per_genre}"

    @property
    def run_name(self) -> str:
        """Name of this run's model bundle: dataset, model, and a hash of every setting that
        changes notebook 03's trained model (all but ``n_jobs`` and notebook 06's
        ``musicnn_patches``), so runs never overwrite each other.

        ``augment: none`` is left out of the hash, so runs without augmentation keep the names
        (and the saved bundles) they had before the setting existed.
        """
        settings = {k: v for k, v in self.to_dict().items()
                    if k not in ("n_jobs", "musicnn_patches") and (k, v) != ("augment", "none")}
        digest = hashlib.sha1(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:10]
        return f"{self.dataset_dir.name}-{self.model}-{digest}"

    @property
    def model_dir(self) -> Path:
        """Where notebook 03 saves the trained model bundle and later notebooks read it."""
        return work_dir() / "models" / self.run_name

    @property
    def transfer_dir(self) -> Path:
        """Where notebook 06 saves its transfer-learning bundle (musicnn + logistic regression),
        one per number of patches per clip."""
        return self.model_dir.with_name(f"{self.run_name}-musicnn{self.musicnn_patches}")

    @property
    def calibrated_dir(self) -> Path:
        """Where notebook 07 saves notebook 03's model with its temperature and the review
        threshold chosen on the calibrated probabilities (notebook 03's bundle stays as it is)."""
        return self.model_dir.with_name(f"{self.run_name}-calibrated")

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of all fields (for printing and saving)."""
        return dataclasses.asdict(self)


def read_params(path: str | os.PathLike) -> dict[str, Any]:
    """Read one params YAML file into a dict, checking that every key is a known setting."""
    path = Path(path)
    if not path.is_absolute() and not path.exists():
        path = REPO_ROOT / path
    if not path.exists():
        raise FileNotFoundError(f"Params file {path} does not exist; see params/ for examples.")
    values = yaml.safe_load(path.read_text()) or {}
    _check_keys(values, source=str(path))
    return values


def load_settings(params_file: str | os.PathLike | None = None, **overrides: Any) -> Settings:
    """Build settings: ``params/default.yaml``, then ``params_file``, then keyword overrides.

    >>> load_settings("params/seed.yaml").model
    'seed'
    """
    values = read_params(REPO_ROOT / "params" / "default.yaml")
    if params_file:
        values.update(read_params(params_file))
    _check_keys(overrides, source="overrides")
    values.update(overrides)
    missing = {f.name for f in dataclasses.fields(Settings)} - set(values)
    if missing:
        raise ValueError(f"params/default.yaml lacks settings: {sorted(missing)}")
    return Settings(**values)


def _check_keys(values: dict[str, Any], source: str) -> None:
    known = {f.name for f in dataclasses.fields(Settings)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"Unknown setting(s) {unknown} in {source}; known settings: {sorted(known)}")


def sweep_table(knobs: list[str], out_dir: Path | None = None) -> Path:
    """Where a sweep over the settings ``knobs`` keeps its table, in any order of the knobs.

    >>> sweep_table(["seed", "augment"]).name
    'sweep-augment-seed.csv'
    """
    return (out_dir or work_dir() / "outputs" / "sweep") / f"sweep-{'-'.join(sorted(knobs))}.csv"
