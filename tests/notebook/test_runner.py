from helpers.notebook.runner import notebook_paths


def test_notebooks_run_in_numbered_order():
    names = [p.name for p in notebook_paths()]
    assert names == sorted(names)
    assert names[:4] == ["01_load_data.ipynb", "02_spectrograms.ipynb", "03_train_model.ipynb",
                         "04_tsne_embeddings.ipynb"]


def test_parse_grid_reads_values_as_yaml_and_rejects_malformed_entries():
    import pytest

    from helpers.notebook.runner import parse_grid

    assert parse_grid(["epochs=2,4", "scaling=db"]) == {"epochs": [2, 4], "scaling": ["db"]}
    with pytest.raises(ValueError, match="name=value1,value2"):
        parse_grid(["epochs"])


def test_a_sweep_keeps_its_table_under_the_swept_settings_and_names_each_run(tmp_path, monkeypatch):
    import json

    import pandas as pd

    from helpers.config import load_settings
    from helpers.notebook import runner

    def fake_notebook(notebook, output, cwd, progress_bar, **kernel):  # for notebook 03: saves bundle.json
        import os

        cfg = load_settings(os.environ["TUTORIAL_PARAMS"])
        cfg.model_dir.mkdir(parents=True)
        (cfg.model_dir / "bundle.json").write_text(json.dumps({"info": {
            "test_accuracy": 0.5 + cfg.seed / 10, "baseline_accuracy": 0.4, "best_epoch": 2}}))

    monkeypatch.setattr(runner.papermill, "execute_notebook", fake_notebook)
    table = runner.sweep("params/quick.yaml", {"seed": [0, 1], "augment": ["none"]}, out_dir=tmp_path)
    saved = pd.read_csv(runner.sweep_table(["augment", "seed"], tmp_path))
    pd.testing.assert_frame_equal(saved, pd.read_csv(tmp_path / "sweep.csv"))
    assert saved["test_accuracy"].tolist() == [0.5, 0.6]
    assert saved["run_name"].tolist() == [load_settings("params/quick.yaml", seed=s).run_name for s in (0, 1)]
    assert table["run_name"].tolist() == saved["run_name"].tolist()


def test_notebooks_run_with_text_bars_without_the_plain_tcp_warning_and_stop_at_once(tmp_path, capfd):
    import nbformat

    from helpers.notebook import runner

    notebook = tmp_path / "tiny.ipynb"
    marker = tmp_path / "graceful-exit"
    nb = nbformat.v4.new_notebook()
    on_exit = f"import atexit, pathlib; atexit.register(pathlib.Path({str(marker)!r}).touch)"
    work = "from helpers.progress import progress_bar\nfor _ in progress_bar(range(3), desc='work'): pass"
    nb.cells = [nbformat.v4.new_code_cell(source) for source in ("print(6 * 7)", on_exit, work)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, notebook)
    runner.execute(notebook, tmp_path / "out.ipynb")
    assert nbformat.read(tmp_path / "out.ipynb", 4).cells[0].outputs[0]["text"] == "42\n"
    assert "without encryption" not in capfd.readouterr().err
    assert not marker.exists(), "the kernel went through a graceful shutdown (its exit handlers ran)"
    bar = nbformat.read(tmp_path / "out.ipynb", 4).cells[2].outputs
    assert [(o["output_type"], o.get("name")) for o in bar] == [("stream", "stdout")], "a text bar"
    assert "work: 100%" in bar[0]["text"] and "3/3" in bar[0]["text"] and "\r" not in bar[0]["text"]
