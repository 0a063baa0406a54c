"""The known GTZAN archives: where each copy comes from, its checksum, and which one a file is.

Two copies of ``genres.tar.gz`` are known (:data:`GTZAN_ARCHIVES`): the Hugging Face one and the
original from marsyas.info. They are not byte-identical, so each has its own digest.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from helpers.gtzan.download import (
    DIGEST_LENGTHS,
    ChecksumError,
    expected_digests,
    file_digests,
)

#: Where ``make gtzan`` downloads GTZAN from: the copy on the Hugging Face hub
#: (dataset ``marsyas/gtzan``). See :data:`GTZAN_HF` for how it is verified.
GTZAN_URL = "https://huggingface.co/datasets/marsyas/gtzan/resolve/main/data/genres.tar.gz"
#: The original host of ``genres.tar.gz`` (linked from marsyas.info), long offline.
GTZAN_ORIGINAL_URL = "http://opihi.cs.uvic.ca/sound/genres.tar.gz"

# The two archives are not byte-identical, so each has its own digest; neither is
# valid for the other. Where each value comes from:
#
#: sha256 of the archive served at :data:`GTZAN_URL`, as pinned by several public
#: projects that download GTZAN from there (GitHub code and READMEs that fetch
#: ``marsyas/gtzan``'s ``data/genres.tar.gz`` and check it with this value).
GTZAN_HF_SHA256 = "b28cc067ff6199bd826f5d1a6931458586d64acae7f44b2e882b7a97af057531"
#: md5 of the original ``genres.tar.gz`` from :data:`GTZAN_ORIGINAL_URL`, as listed by
#: mirdata (``mirdata.datasets.gtzan_genre``, ``REMOTES["all"]``) and by torchaudio
#: releases before its switch to sha256 (``torchaudio.datasets.gtzan._CHECKSUMS``).
GTZAN_ORIGINAL_MD5 = "5b3d6dddb579ab49814ab86dba69e7c7"


@dataclasses.dataclass(frozen=True)
class KnownArchive:
    """A published GTZAN archive, recognised by one digest of the whole file.

    Attributes
    ----------
    name
        Short name used in messages (``"Hugging Face copy"``).
    source
        Where the file comes from, in words.
    algorithm, digest
        ``"sha256"`` or ``"md5"`` and its hex digest (lower case).
    url
        Address that serves this very file, or ``None``. A download from it is
        checked against :attr:`digest`.
    """

    name: str
    source: str
    algorithm: str
    digest: str
    url: str | None = None

    def __post_init__(self) -> None:
        if self.algorithm not in DIGEST_LENGTHS:
            raise ValueError(f"algorithm must be one of {sorted(DIGEST_LENGTHS)}, "
                             f"not {self.algorithm!r}")
        checked = expected_digests(**{self.algorithm: self.digest})
        object.__setattr__(self, "digest", checked[self.algorithm])

    @property
    def expected(self) -> dict[str, str]:
        """``{algorithm: digest}``, as :func:`~helpers.gtzan.download.download` takes it."""
        return {self.algorithm: self.digest}

    def describe(self) -> str:
        """One line: name, source and digest."""
        return f"{self.name} ({self.source}): {self.algorithm} {self.digest}"


#: The copy :data:`GTZAN_URL` serves. Its audio may be ``genres/<genre>/<genre>.000NN.wav``
#: rather than the original's ``.au``; both are handled alike.
GTZAN_HF = KnownArchive(
    name="Hugging Face copy",
    source="huggingface.co/datasets/marsyas/gtzan, data/genres.tar.gz",
    algorithm="sha256", digest=GTZAN_HF_SHA256, url=GTZAN_URL,
)
#: The original archive (``genres/<genre>/<genre>.000NN.au``), as copies of it circulate.
GTZAN_ORIGINAL = KnownArchive(
    name="original archive",
    source=f"marsyas.info's genres.tar.gz, once at {GTZAN_ORIGINAL_URL}",
    algorithm="md5", digest=GTZAN_ORIGINAL_MD5, url=GTZAN_ORIGINAL_URL,
)
#: Every archive accepted as GTZAN. :func:`fetch_gtzan` and the command line read this
#: name when called (not when defined), so adding an entry here is enough.
GTZAN_ARCHIVES: tuple[KnownArchive, ...] = (GTZAN_HF, GTZAN_ORIGINAL)

#: The last of the manual steps in download errors: what to do with the saved archive.
USE_BY_HAND = (
    "Copy it here and either pass it as a local archive:\n"
    "         python -m helpers.gtzan --archive /path/genres.tar.gz\n"
    "     or unpack it yourself into data/gtzan/ so that\n"
    "     data/gtzan/<genre>/<genre>.000NN.au (or .wav) exists, for example:\n"
    "         mkdir -p data/gtzan && tar -xzf genres.tar.gz -C data/gtzan --strip-components=1"
)


class UnknownArchiveError(ChecksumError):
    """A file matches none of the known archives.

    Attributes
    ----------
    known
        The archives it was compared with. ``expected`` maps each of their
        algorithms to a digest, ``actual`` to the file's digest.
    """

    def __init__(self, message: str, path: Path, known: Sequence[KnownArchive],
                 actual: dict[str, str]) -> None:
        super().__init__(message, path, {k.algorithm: k.digest for k in known}, actual)
        self.known = tuple(known)


def known_archives(known: Sequence[KnownArchive] | None) -> tuple[KnownArchive, ...]:
    """The archives to accept: ``known``, or :data:`GTZAN_ARCHIVES` when it is ``None``."""
    return tuple(GTZAN_ARCHIVES if known is None else known)


def known_archive_for_url(url: str,
                          known: Sequence[KnownArchive] | None = None) -> KnownArchive | None:
    """The known archive served at ``url`` (default table :data:`GTZAN_ARCHIVES`), else ``None``.

    >>> known_archive_for_url(GTZAN_URL).expected
    {'sha256': 'b28cc067ff6199bd826f5d1a6931458586d64acae7f44b2e882b7a97af057531'}
    >>> known_archive_for_url("https://example.org/genres.tar.gz") is None
    True
    """
    return next((k for k in known_archives(known) if k.url == url), None)


def identify_archive(path: str | Path,
                     known: Sequence[KnownArchive] | None = None) -> KnownArchive:
    """Which known GTZAN archive ``path`` is, by its digests (all computed in one read).

    Parameters
    ----------
    path
        The archive file.
    known
        Archives to compare with; default :data:`GTZAN_ARCHIVES`.

    Returns
    -------
    KnownArchive
        The first entry of ``known`` whose digest the file has.

    Raises
    ------
    UnknownArchiveError
        If it matches none; the message names every known archive with its digest,
        and the digests the file has.
    """
    path, known = Path(path), known_archives(known)
    if not known:
        raise ValueError("no known archives to compare with")
    algorithms = sorted({k.algorithm for k in known}, key=list(DIGEST_LENGTHS).index)
    actual = file_digests(path, algorithms)
    for entry in known:
        if actual[entry.algorithm] == entry.digest:
            return entry
    listed = "\n".join(f"  - {k.describe()}" for k in known)
    found = "\n".join(f"  {name:<6} {value}" for name, value in actual.items())
    raise UnknownArchiveError(
        f"{path} is none of the known GTZAN archives (or it is damaged).\n"
        f"Known archives:\n{listed}\nThis file has:\n{found}",
        path, known, actual,
    )


# --------------------------------------------------------------------------- GTZAN
