"""Learned embeddings, their 2-D t-SNE map, and numbers for how well genres cluster."""

from __future__ import annotations

import keras
import numpy as np
from sklearn.manifold import TSNE
from sklearn.metrics import silhouette_score
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors

from helpers.models import embedding_model
from helpers.train import clip_means


def clip_embeddings(
    model: keras.Model, X: np.ndarray, window_frames: int, batch_size: int = 64
) -> np.ndarray:
    """Penultimate-layer output per clip, averaged over the clip's windows: ``(N, dim)``."""
    return clip_means(embedding_model(model), X, window_frames, batch_size)


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


def nearest_clips(embeddings: np.ndarray, index: int, k: int = 3) -> np.ndarray:
    """Indices of the ``k`` clips closest to clip ``index`` in embedding space (itself excluded).

    >>> nearest_clips(np.array([[0.0], [0.1], [5.0], [0.3]]), 0, k=2).tolist()
    [1, 3]
    """
    nn = NearestNeighbors(n_neighbors=k + 1).fit(embeddings)
    found = nn.kneighbors(embeddings[index : index + 1], return_distance=False)[0]
    return found[found != index][:k]
