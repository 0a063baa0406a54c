import numpy as np

from helpers.embed import clip_embeddings, cluster_scores, tsne_2d
from helpers.models import build_compact_model


def _blobs(separation, n=30, dim=8, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.repeat(["x", "y", "z"], n)
    centers = {"x": 0.0, "y": separation, "z": -separation}
    points = rng.normal(size=(3 * n, dim)) + np.array([centers[label] for label in labels])[:, None]
    return points, labels


def test_cluster_scores_separate_clusters_from_noise():
    good = cluster_scores(*_blobs(10.0))
    bad = cluster_scores(*_blobs(0.0))
    assert good["silhouette"] > 0.7 and good["knn_accuracy"] > 0.95
    assert bad["silhouette"] < 0.1 and bad["knn_accuracy"] < 0.6


def test_tsne_is_two_dimensional_and_repeatable():
    points, _ = _blobs(5.0, n=10)
    a, b = tsne_2d(points, random_state=0), tsne_2d(points, random_state=0)
    assert a.shape == (30, 2)
    np.testing.assert_array_equal(a, b)


def test_clip_embeddings_average_windows_per_clip():
    model = build_compact_model((16, 8), 3)
    X = np.random.default_rng(0).random((4, 48, 8), dtype=np.float32)
    emb = clip_embeddings(model, X, 16)
    assert emb.shape == (4, 64)
    single = clip_embeddings(model, X[:1, :16], 16)
    assert emb.shape[1] == single.shape[1]


def test_nearest_clips_excludes_the_query_and_orders_by_distance():
    from helpers.embed import nearest_clips

    points = np.array([[0.0, 0], [3, 0], [1, 0], [10, 0]])
    assert nearest_clips(points, 0, k=2).tolist() == [2, 1]
    same_song = np.zeros(len(points), bool)
    same_song[2] = True  # the nearest, cut from the query's song: left out
    assert nearest_clips(points, 0, k=2, exclude=same_song).tolist() == [1, 3]


def _scores(learned, test, mapped, simple=0.5):
    import pandas as pd

    rows = {"simple features, full space": simple, "simple features, t-SNE map": simple,
            "learned embedding, full space": learned, "learned embedding, t-SNE map": mapped,
            "learned embedding, full space, test clips only": test,
            "learned embedding, t-SNE map, test clips only": test}
    return pd.DataFrame({"silhouette": 0.2, "knn_accuracy": rows})


def test_describe_cluster_scores_reads_the_table_and_names_surprises():
    from helpers.embed import describe_cluster_scores

    text = describe_cluster_scores(_scores(0.9, 0.7, 0.95), n_genres=10, n_test=60)
    assert "right for 90% of them against 50%" in text and "chance 10%" in text
    assert "On the 60 **test clips** alone it is 70%, 20 points lower" in text
    assert "scores 95% against 90%" in text and "tidier" in text
    text = describe_cluster_scores(_scores(0.4, 0.6, 0.3, simple=0.45), n_genres=4, n_test=12)
    assert "no better than band averages" in text
    assert "A surprise" in text and "20 points *higher*" in text
    assert "lose the neighbours" in text
    assert "nan" in describe_cluster_scores(_scores(float("nan"), 0.6, 0.3), n_genres=4, n_test=12)
