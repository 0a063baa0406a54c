from helpers.runner import notebook_paths


def test_notebooks_run_in_numbered_order():
    names = [p.name for p in notebook_paths()]
    assert names == sorted(names)
    assert names[:4] == ["01_load_data.ipynb", "02_spectrograms.ipynb", "03_train_model.ipynb",
                         "04_tsne_embeddings.ipynb"]
