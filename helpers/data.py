"""Finding the clips of a dataset: a tidy table of good files and a report of bad ones.

A dataset is any folder where each audio file sits in a folder named after its
label, at any depth: ``<root>/<genre>/<file>`` (the GTZAN layout) or
``<root>/genres_original/<genre>/<file>``. Hidden files and macOS ``._*``
files are ignored.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from helpers.audio import FFMPEG_EXTENSIONS, LIBSNDFILE_EXTENSIONS, AudioError, audio_info
from helpers.config import Settings

#: File extensions read as audio: libsndfile's and FFmpeg's (see :mod:`helpers.audio`).
AUDIO_EXTENSIONS = LIBSNDFILE_EXTENSIONS | FFMPEG_EXTENSIONS

#: Columns of the table returned by :func:`discover`.
CLIP_COLUMNS = ["path", "label", "song_id", "duration", "sample_rate", "channels"]

#: Columns of every bad-file report: the file, what is wrong, and what was done
#: (``"skipped"``, ``"kept"`` for a usable file with a caveat such as padding, or, on the row
#: of a label folder whose every file was skipped, ``"label dropped"``).
REPORT_COLUMNS = ["path", "reason", "action"]

SKIPPED, KEPT, LABEL_DROPPED = "skipped", "kept", "label dropped"

#: Reason on the report row of a dropped label folder.
ALL_FILES_SKIPPED = "every file in this label folder was skipped"

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
    >>> [song_id(Path(f"r/{label}/01 Track 1.mp3"), Path("r")) for label in ("hip hop", "waltz")]
    ['hip hop/01 Track 1.mp3', 'waltz/01 Track 1.mp3']
    """
    if re.fullmatch(rf"{re.escape(path.parent.name)}\.\d{{5}}", path.stem):
        return path.stem
    return path.relative_to(root).as_posix()


#: A dataset folder's optional manifest (hidden; the synthetic set writes one). Its ``songs``
#: maps clips (paths relative to the folder) to the song they were cut from.
MANIFEST_NAME = ".manifest.json"


def declared_songs(root: Path) -> dict[str, str]:
    """Clip path (relative to ``root``) -> song id, as the folder's manifest declares them; ``{}``
    without a manifest. Clips cut from one recording must share a song, so that a split by song
    never puts them in two parts."""
    manifest = root / MANIFEST_NAME
    if not manifest.is_file():
        return {}
    try:
        return dict(json.loads(manifest.read_text()).get("songs", {}))
    except (ValueError, AttributeError) as err:
        raise DatasetError(f"{manifest} is not a readable manifest ({err}); delete it or fix it.") from err


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

    A label folder whose every file is skipped is dropped, with a note printed and a row of
    its own in the report; the rest goes on while at least two labels remain.

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
        One row per file that was skipped, and one per dropped label folder
        (:data:`REPORT_COLUMNS`).

    Raises
    ------
    DatasetError
        If ``root`` does not exist, holds no readable audio, or fewer than two labels; the
        message names the label folders dropped for want of a readable file.
    """
    root = Path(root)
    help_text = LAYOUT_HELP.format(root=root, exts=", ".join(sorted(AUDIO_EXTENSIONS)))
    if not root.is_dir():
        raise DatasetError(f"Dataset folder {root} does not exist.\n{help_text}")
    rows = []
    label_folders: dict[str, set[Path]] = {}
    audio, bad = scan_folder(root)
    songs = declared_songs(root)
    for path in audio:
        if path.parent == root:
            bad.append((str(path), "not inside a label folder, so it has no label", SKIPPED))
            continue
        label_folders.setdefault(path.parent.name, set()).add(path.parent)
        try:
            info = audio_info(path)
        except AudioError as err:
            bad.append((str(path), f"cannot be decoded: {err.reason}", SKIPPED))
            continue
        if info.frames == 0:
            bad.append((str(path), "empty: no audio samples", SKIPPED))
            continue
        song = songs.get(path.relative_to(root).as_posix()) or song_id(path, root)
        rows.append((str(path), path.parent.name, song, info.duration,
                     info.sample_rate, info.channels))
    clips = pd.DataFrame(rows, columns=CLIP_COLUMNS).sort_values(["label", "path"])
    clips = clips.reset_index(drop=True)
    dropped = sorted(folder for label in set(label_folders) - set(clips["label"])
                     for folder in label_folders[label])
    note = _dropped_note(dropped, bad, root)
    if clips.empty:
        raise DatasetError(f"No readable audio files under {root}.{note}\n{help_text}")
    labels = sorted(clips["label"].unique())
    if len(labels) < 2:
        raise DatasetError(
            f"Found only one label ({labels[0]!r}) under {root}; a classifier needs at least two "
            f"label folders.{note}\n{help_text}"
        )
    if note:
        print(note.strip())
    bad += [(str(folder), ALL_FILES_SKIPPED, LABEL_DROPPED) for folder in dropped]
    return clips, pd.DataFrame(bad, columns=REPORT_COLUMNS)


def _dropped_note(folders: list[Path], bad: list[tuple[str, str, str]], root: Path) -> str:
    """A line per dropped label folder (named relative to ``root``), with how many files it held and
    why one was skipped (``bad`` holds their report rows); empty if none was dropped."""
    lines = []
    for folder in folders:
        rows = [row for row in bad if Path(row[0]).parent == folder]
        example, reason, _ = next(row for row in rows if Path(row[0]).suffix.lower() in AUDIO_EXTENSIONS)
        lines.append(f"\n  {folder.relative_to(root).as_posix()}/: all {len(rows)} file(s) skipped, "
                     f"e.g. {Path(example).name}: {reason}")
    if not lines:
        return ""
    return "\nLabel folders dropped because every file in them was skipped:" + "".join(lines)


def prepare_dataset(cfg: Settings) -> Path:
    """Return the dataset folder for ``cfg``, synthesizing the default set on first use.

    The generator (:mod:`helpers.synth`) is imported here, and only for the default set: a
    folder of the user's own music never loads it.
    """
    if cfg.data_dir:
        return cfg.dataset_dir
    from helpers.synth import make_dataset

    return make_dataset(cfg.dataset_dir, clips_per_genre=cfg.clips_per_genre, seed=cfg.seed,
                        n_jobs=cfg.n_jobs)


def genre_list(clips: pd.DataFrame) -> list[str]:
    """The sorted label list: index ``i`` of every label array means ``genres[i]``.

    >>> genre_list(pd.DataFrame({"label": ["rock", "blues", "rock"]}))
    ['blues', 'rock']
    """
    return sorted(clips["label"].unique())


def format_summary(clips: pd.DataFrame) -> pd.DataFrame:
    """Clips, durations (mean, shortest), sample rates and channel counts per label.

    When every label has the same values (as in the synthetic set), one row ``every genre``
    says so instead of repeating them.

    >>> clips = pd.DataFrame({"path": list("abcd"), "label": ["x", "x", "y", "y"], "duration": 30.0,
    ...                       "sample_rate": 16000, "channels": 1})
    >>> format_summary(clips).to_dict("index")
    {'every genre': {'clips': 4, 'mean_seconds': 30.0, 'min_seconds': 30.0, 'sample_rates': '16000', \
'channels': '1'}}
    """
    table = clips.groupby("label").agg(
        clips=("path", "size"),
        mean_seconds=("duration", "mean"),
        min_seconds=("duration", "min"),
        sample_rates=("sample_rate", lambda r: ", ".join(map(str, sorted(set(r))))),
        channels=("channels", lambda c: ", ".join(map(str, sorted(set(c))))),
    ).round(1)
    if len(table) > 1 and (table.drop(columns="clips").nunique() == 1).all():
        table = table.iloc[[0]].assign(clips=int(table["clips"].sum()))
        table.index = pd.Index(["every genre"], name="label")
    return table
