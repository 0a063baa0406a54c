from helpers.runner import notebook_paths


def test_notebooks_run_in_numbered_order():
    names = [p.name for p in notebook_paths()]
    assert names == sorted(names)
    assert names[:4] == ["01_load_data.ipynb", "02_spectrograms.ipynb", "03_train_model.ipynb",
                         "04_tsne_embeddings.ipynb"]


def test_parse_grid_reads_values_as_yaml_and_rejects_malformed_entries():
    import pytest

    from helpers.runner import parse_grid

    assert parse_grid(["epochs=2,4", "scaling=db"]) == {"epochs": [2, 4], "scaling": ["db"]}
    with pytest.raises(ValueError, match="name=value1,value2"):
        parse_grid(["epochs"])
