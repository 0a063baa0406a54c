"""Finding the clips of a dataset: a tidy table of good files and a report of bad ones.

A dataset is any folder where each audio file sits in a folder named after its
label, at any depth: ``<root>/<genre>/<file>`` (the GTZAN layout) or
``<root>/genres_original/<genre>/<file>``. Hidden files and macOS ``._*``
files are ignored.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import soundfile as sf

from helpers.config import Settings
from helpers.synth import make_dataset

#: File extensions read as audio (all decoded by libsndfile through soundfile).
AUDIO_EXTENSIONS = frozenset({".wav", ".au", ".flac", ".ogg", ".mp3", ".aiff", ".aif"})

#: Columns of the table returned by :func:`discover`.
CLIP_COLUMNS = ["path", "label", "song_id", "duration", "sample_rate", "channels"]

#: Columns of every bad-file report: the file, what is wrong, and what was done
#: (``"skipped"``, or ``"kept"`` for a usable file with a caveat such as padding).
REPORT_COLUMNS = ["path", "reason", "action"]

SKIPPED, KEPT = "skipped", "kept"

LAYOUT_HELP = """Expected layout (one folder per genre, audio files inside):
    {root}/
        blues/blues.00000.wav
        blues/blues.00001.wav
        classical/classical.00000.wav
        ...
Any of these formats: {exts}. Leave data_dir empty to use the synthetic default set."""


class DatasetError(ValueError):
    """The dataset folder cannot be used; the message says why and what to do."""


def is_hidden(path: Path, root: Path) -> bool:
    """Whether ``path`` (below ``root``) is hidden or inside a hidden folder (``.x``, macOS ``._x``).

    >>> is_hidden(Path("r/rock/._a.wav"), Path("r")), is_hidden(Path("r/rock/a.wav"), Path("r"))
    (True, False)
    """
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def song_id(path: Path, root: Path) -> str:
    """The song a file belongs to: clips share a song only when the dataset says so.

    A GTZAN-style name, ``<label>.<five digits>`` inside the folder ``<label>``, is GTZAN's
    own clip id (``blues.00029``), which its artist-filtered split lists. Any other file is a
    song of its own, named by its path below ``root``, so same-named files in two label
    folders (``01 Track 1.mp3``, as CD rips are named) stay two songs.

    >>> song_id(Path("r/blues/blues.00029.au"), Path("r"))
    'blues.00029'
    >>> song_id(Path("r/hip hop/01 Track 1.mp3"), Path("r")), song_id(Path("r/waltz/01 Track 1.mp3"), Path("r"))
    ('hip hop/01 Track 1.mp3', 'waltz/01 Track 1.mp3')
    """
    if re.fullmatch(rf"{re.escape(path.parent.name)}\.\d{{5}}", path.stem):
        return path.stem
    return path.relative_to(root).as_posix()


def scan_folder(root: Path) -> tuple[list[Path], list[tuple[str, str, str]]]:
    """Every visible file under ``root`` (recursively, sorted by path): the audio files, and a
    report row (:data:`REPORT_COLUMNS`) for each of the others, which are skipped."""
    audio, others = [], []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not is_hidden(p, root)):
        if path.suffix.lower() in AUDIO_EXTENSIONS:
            audio.append(path)
        else:
            others.append((str(path), f"not an audio file (extension {path.suffix or 'none'!r})", SKIPPED))
    return audio, others


def discover(root: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """List the clips under ``root``.

    Parameters
    ----------
    root
        Dataset folder (see the module docstring for the layout).

    Returns
    -------
    clips
        One row per readable audio file, sorted by label then path, with columns
        ``path, label, song_id, duration`` (seconds) ``, sample_rate, channels``.
    bad
        One row per file that was skipped (:data:`REPORT_COLUMNS`).

    Raises
    ------
    DatasetError
        If ``root`` does not exist, holds no readable audio, or fewer than two labels.
    """
    root = Path(root)
    help_text = LAYOUT_HELP.format(root=root, exts=", ".join(sorted(AUDIO_EXTENSIONS)))
    if not root.is_dir():
        raise DatasetError(f"Dataset folder {root} does not exist.\n{help_text}")
    rows = []
    audio, bad = scan_folder(root)
    for path in audio:
        if path.parent == root:
            bad.append((str(path), "not inside a label folder, so it has no label", SKIPPED))
            continue
        try:
            info = sf.info(str(path))
        except (sf.LibsndfileError, RuntimeError) as err:
            bad.append((str(path), f"cannot be decoded: {err}", SKIPPED))
            continue
        if info.frames == 0:
            bad.append((str(path), "empty: no audio samples", SKIPPED))
            continue
        rows.append((str(path), path.parent.name, song_id(path, root), info.frames / info.samplerate,
                     info.samplerate, info.channels))
    clips = pd.DataFrame(rows, columns=CLIP_COLUMNS).sort_values(["label", "path"])
    clips = clips.reset_index(drop=True)
    if clips.empty:
        raise DatasetError(f"No readable audio files under {root}.\n{help_text}")
    labels = sorted(clips["label"].unique())
    if len(labels) < 2:
        raise DatasetError(
            f"Found only one label ({labels[0]!r}) under {root}; a classifier needs at least two "
            f"label folders.\n{help_text}"
        )
    return clips, pd.DataFrame(bad, columns=REPORT_COLUMNS)


def prepare_dataset(cfg: Settings) -> Path:
    """Return the dataset folder for ``cfg``, synthesizing the default set on first use."""
    if cfg.data_dir:
        return cfg.dataset_dir
    return make_dataset(cfg.dataset_dir, clips_per_genre=cfg.clips_per_genre, seed=cfg.seed,
                        n_jobs=cfg.n_jobs)


def genre_list(clips: pd.DataFrame) -> list[str]:
    """The sorted label list: index ``i`` of every label array means ``genres[i]``.

    >>> genre_list(pd.DataFrame({"label": ["rock", "blues", "rock"]}))
    ['blues', 'rock']
    """
    return sorted(clips["label"].unique())
