"""What musicnn hears in each genre: its most likely tags, held against the genre's name."""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd

from helpers.models import embedding_model
from helpers.musicnn import model as mn
from helpers.musicnn.frontend import clip_audio, preprocess
from helpers.musicnn.runtime import patch_predictor


def top_tags(probs: np.ndarray, names: list[str], k: int = 5) -> list[tuple[str, float]]:
    """The ``k`` most likely tags of a ``(50,)`` probability vector (e.g. a clip's mean taggram).

    >>> top_tags(np.array([0.1, 0.7, 0.3]), ["a", "b", "c"], k=2)
    [('b', 0.7), ('c', 0.3)]
    """
    order = np.argsort(-probs)[:k]
    return [(names[i], round(float(probs[i]), 4)) for i in order]



#: musicnn (MSD_musicnn) tags that fit each GTZAN genre name: the map notebook 06 holds its tag
#: table against. The 50 tags name no reggae or classical, so those genres get their neighbours.
GENRE_TAGS: dict[str, tuple[str, ...]] = {
    "blues": ("blues", "soul", "oldies", "classic rock", "guitar", "60s", "70s"),
    "classical": ("instrumental", "ambient", "beautiful", "Mellow", "easy listening", "sad", "chillout"),
    "country": ("country", "folk", "oldies", "acoustic", "easy listening", "60s"),
    "disco": ("dance", "funk", "soul", "70s", "80s", "House", "party", "pop"),
    "hiphop": ("Hip-Hop", "rnb", "soul", "funk", "party", "sexy"),
    "jazz": ("jazz", "soul", "funk", "blues", "easy listening", "chillout", "Mellow", "instrumental"),
    "metal": ("metal", "heavy metal", "hard rock", "rock", "punk", "Progressive rock"),
    "pop": ("pop", "dance", "catchy", "happy", "80s", "00s", "indie pop", "party"),
    "reggae": ("soul", "funk", "oldies", "70s", "chillout", "chill", "Hip-Hop", "party"),
    "rock": ("rock", "classic rock", "hard rock", "alternative", "alternative rock", "indie", "indie rock",
             "punk", "70s", "80s", "90s", "guitar"),
}

#: Column of :func:`genre_tags` saying whether a fitting tag (:data:`GENRE_TAGS`) is among the top k.
FITS = "a fitting tag among them"


def genre_tags(model: keras.Model, clips: pd.DataFrame, k: int = 3, clips_per_label: int = 5,
               seconds: float = 30.0, batch_size: int = 64) -> pd.DataFrame:
    """musicnn's ``k`` most likely tags per label, its taggram averaged over the label's first clips.

    Parameters
    ----------
    model
        From :func:`helpers.musicnn.model.load_musicnn`.
    clips
        ``path`` and ``label`` per clip (:func:`helpers.data.discover`).
    k
        Tags per label.
    clips_per_label
        Clips averaged per label (all of them where a label has fewer).
    seconds, batch_size
        Length read from the start of each file, and patches per forward pass where Keras runs
        the network (:func:`helpers.musicnn.runtime.patch_predictor`).

    Returns
    -------
    pandas.DataFrame
        One row per label (sorted): ``tag 1`` ... ``tag k`` holding ``"tag (p)"``, ``p`` the tag's
        probability averaged over all 3-s patches of those clips, and :data:`FITS`: ``True`` or
        ``False`` for a label that is a key of :data:`GENRE_TAGS`, ``None`` for any other label.
    """
    tagger, names = patch_predictor(embedding_model(model, "taggram"), batch_size=batch_size), mn.tag_names()
    chosen = clips.groupby("label", sort=True).head(clips_per_label)
    patches = [preprocess(clip_audio(path, seconds)) for path in chosen["path"]]
    taggram = tagger(np.concatenate(patches))
    owner = np.repeat(chosen["label"].to_numpy(), [len(p) for p in patches])
    rows = {}
    for label in sorted(set(owner)):
        top = top_tags(taggram[owner == label].mean(axis=0), names, k)
        fits = any(tag in GENRE_TAGS[label] for tag, _ in top) if label in GENRE_TAGS else None
        rows[label] = [f"{tag} ({p:.2f})" for tag, p in top] + [fits]
    return pd.DataFrame.from_dict(rows, orient="index", columns=[*(f"tag {i + 1}" for i in range(k)), FITS])


def describe_tags(table: pd.DataFrame) -> str:
    r"""One sentence on a :func:`genre_tags` table: for how many genres a fitting tag is among the
    top k, which genres miss, which tag comes first most often, and how often "electronic" does.

    >>> t = pd.DataFrame({"tag 1": ["jazz (0.6)", "jazz (0.3)", "rock (0.2)"], FITS: [True, False, True]},
    ...                  index=["jazz", "pop", "rock"])
    >>> print(describe_tags(t).replace("; ", ";\n"))
    For 2 of 3 genres a tag that fits the genre is among musicnn's top 1 (none for pop);
    "jazz" is the top tag for 2 of 3, "electronic" for 0.
    """
    known, k = table[table[FITS].notna()], sum(str(c).startswith("tag ") for c in table.columns)
    firsts = table["tag 1"].str.rsplit(" (", n=1).str[0]
    common, count = firsts.value_counts().index[0], int(firsts.value_counts().iloc[0])
    electronic = int((firsts == "electronic").sum())
    tail = f'"{common}" is the top tag for {count} of {len(table)}'
    tail += "." if common == "electronic" else f', "electronic" for {electronic}.'
    if known.empty:
        return ("These labels are not GTZAN's genre names, so there is no map to hold the tags "
                f"against: judge for yourself whether they fit. {tail}")
    misses = [str(label) for label, fits in known[FITS].items() if not fits]
    missed = f" (none for {', '.join(misses)})" if misses else ""
    return (f"For {int(known[FITS].sum())} of {len(known)} genres a tag that fits the genre is among "
            f"musicnn's top {k}{missed}; {tail}")
