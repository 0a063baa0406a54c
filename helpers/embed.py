"""Learned embeddings, their 2-D t-SNE map, and numbers for how well genres cluster."""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd
from sklearn.manifold import TSNE
from sklearn.metrics import silhouette_score
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors

from helpers.models import embedding_model
from helpers.train import clip_means


def clip_embeddings(
    model: keras.Model, X: np.ndarray, window_frames: int, audio_frames: np.ndarray | None = None,
    batch_size: int = 64,
) -> np.ndarray:
    """The embedding of every clip, ``(N, embedding size)``: the embedding layer's output for each
    window of ``window_frames`` frames, averaged over the clip's windows of audio (``audio_frames``
    per clip; as a clip's genre probabilities average its windows', :func:`helpers.train.clip_means`)."""
    return clip_means(embedding_model(model), X, window_frames, audio_frames, batch_size)


def tsne_2d(embeddings: np.ndarray, random_state: int = 0, perplexity: float = 30.0) -> np.ndarray:
    """2-D t-SNE map of ``embeddings`` (as the original: ``TSNE(n_components=2, random_state=0)``).

    The perplexity is lowered automatically for very small sets, where t-SNE requires
    ``perplexity < n_samples``.
    """
    perplexity = min(perplexity, (len(embeddings) - 1) / 3)
    tsne = TSNE(n_components=2, random_state=random_state, perplexity=perplexity)
    return tsne.fit_transform(embeddings)


def cluster_scores(points: np.ndarray, labels: np.ndarray, n_neighbors: int = 5) -> dict[str, float]:
    """How well ``labels`` cluster in ``points``.

    ``silhouette``: mean silhouette coefficient (-1 to 1, higher = tighter,
    better separated genres). ``knn_accuracy``: cross-validated accuracy (5 folds,
    fewer if a genre has fewer clips) of a k-nearest-neighbour vote (chance = 1 /
    number of genres). A score that the clips cannot support (fewer than two clips
    per genre, say) is ``nan``.

    >>> points, labels = np.array([[0.0], [0.1], [5.0], [5.1]]), np.array(["a", "a", "b", "b"])
    >>> cluster_scores(points, labels)["silhouette"] > 0.9
    True
    >>> cluster_scores(np.array([[0.0], [5.0]]), np.array(["a", "b"]))
    {'silhouette': nan, 'knn_accuracy': nan}
    """
    _, counts = np.unique(labels, return_counts=True)
    folds = min(5, int(counts.min()))
    enough = len(counts) >= 2 and len(counts) < len(labels)
    knn = KNeighborsClassifier(n_neighbors=min(n_neighbors, len(labels) - len(labels) // max(folds, 1)))
    return {
        "silhouette": float(silhouette_score(points, labels)) if enough else float("nan"),
        "knn_accuracy": (float(cross_val_score(knn, points, labels, cv=folds).mean())
                         if enough and folds >= 2 else float("nan")),
    }


def nearest_clips(embeddings: np.ndarray, index: int, k: int = 3,
                  exclude: np.ndarray | None = None) -> np.ndarray:
    """Indices of the ``k`` clips closest to clip ``index`` in embedding space, itself excluded,
    and so are the clips where the boolean mask ``exclude`` is true (e.g. other cuts of the same
    song, which share its audio and would match it without telling anything).

    >>> points = np.array([[0.0], [0.1], [5.0], [0.3]])
    >>> nearest_clips(points, 0, k=2).tolist(), nearest_clips(points, 0, 2, points[:, 0] == 0.1).tolist()
    ([1, 3], [3, 2])
    """
    allowed = np.ones(len(embeddings), bool) if exclude is None else ~np.asarray(exclude, dtype=bool)
    allowed[index] = False
    candidates = np.flatnonzero(allowed)
    nn = NearestNeighbors(n_neighbors=min(k, len(candidates))).fit(embeddings[candidates])
    return candidates[nn.kneighbors(embeddings[index : index + 1], return_distance=False)[0]]


def describe_cluster_scores(scores: pd.DataFrame, n_genres: int, n_test: int) -> str:
    """The program's reading of notebook 04's table of :func:`cluster_scores`, in three sentences.

    ``scores`` has rows ``"<simple features|learned embedding>, <full space|t-SNE map>"`` and
    ``"learned embedding, <full space|t-SNE map>, test clips only"`` (columns ``silhouette`` and
    ``knn_accuracy``); ``n_test`` is the number of test clips.
    """
    simple, learned = scores.loc["simple features, full space"], scores.loc["learned embedding, full space"]
    test = scores.loc["learned embedding, full space, test clips only"]
    mapped = scores.loc["learned embedding, t-SNE map"]
    knn = {"simple": simple["knn_accuracy"], "learned": learned["knn_accuracy"],
           "test": test["knn_accuracy"], "map": mapped["knn_accuracy"]}
    if np.isnan(list(knn.values())).any():
        return "Too few clips per genre for some of these scores (`nan`): compare them on a bigger dataset."
    better = "better" if knn["learned"] > knn["simple"] else "no better"
    sentences = [
        f"Over all clips, a 5-nearest-neighbour vote in the **learned embedding** is right for "
        f"{knn['learned']:.0%} of them against {knn['simple']:.0%} with the **simple features** (chance "
        f"{1 / n_genres:.0%}; silhouette {learned['silhouette']:.2f} against {simple['silhouette']:.2f}): "
        f"the network's description separates the genres {better} than band averages do."]
    gap = 100 * (knn["learned"] - knn["test"])
    if gap >= 0:
        sentences.append(
            f"On the {n_test} **test clips** alone it is {knn['test']:.0%}, {gap:.0f} points lower: the "
            "all-clips rows include the clips the network was fitted to separate, and among fewer clips "
            "each has fewer neighbours of its genre to find. The test rows are the ones to compare "
            "with notebook 03's test accuracy.")
    else:
        sentences.append(
            f"A surprise: on the {n_test} **test clips** alone it is {knn['test']:.0%}, {-gap:.0f} points "
            "*higher* than over all clips, although the network never trained on them. With this few "
            "clips, a handful of them moves the score by several points.")
    sentences.append(
        f"The **t-SNE map** scores {knn['map']:.0%} against {knn['learned']:.0%} in the full space: "
        + ("the map looks tidier than the space it was drawn from, because t-SNE is built to pull each "
           "clip's neighbours together; do not read its islands as proof." if knn["map"] >= knn["learned"]
           else "squeezed into two dimensions, some clips lose the neighbours they had."))
    return "\n\n".join(sentences)
