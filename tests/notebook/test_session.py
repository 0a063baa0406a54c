from helpers.notebook.session import PARAMS_ENV, start


def test_start_takes_notebook_parameters(monkeypatch, capsys):
    monkeypatch.delenv(PARAMS_ENV, raising=False)
    cfg = start({"epochs": 3, "model": "seed", "unrelated": object()})
    assert cfg.epochs == 3 and cfg.model == "seed"
    assert "Keras backend" in capsys.readouterr().out


def test_params_file_in_environment_wins_over_the_notebook(monkeypatch, capsys):
    monkeypatch.setenv(PARAMS_ENV, "params/quick.yaml")
    cfg = start({"epochs": 60, "patience": 8, "seed": 3})
    assert cfg.epochs == 6 and cfg.patience == 0
    assert cfg.seed == 3
    said = capsys.readouterr().out
    assert f"params/quick.yaml (named by ${PARAMS_ENV}) replaces this notebook's epochs = 60 by 6, " in said
    assert "seed" not in said.splitlines()[-1]  # the file does not set it
    start({"epochs": 6, "seed": 3})  # nothing replaced (as in `make run`, whose file holds the defaults)
    assert "replaces" not in capsys.readouterr().out


def test_tested_versions_come_from_the_project_pins():
    from helpers.notebook.session import tested_versions

    tested = tested_versions()
    assert tested["keras"] == "3.15" and tested["numpy"] == "2.4"


def test_tested_versions_without_an_installed_project(monkeypatch):
    """On Colab the checkout is only put on the path: the pins come from its pyproject.toml."""
    from importlib.metadata import PackageNotFoundError

    from helpers.notebook import session

    def not_installed(name):
        raise PackageNotFoundError(name)

    installed = session.tested_versions()
    monkeypatch.setattr(session, "requires", not_installed)
    assert session.tested_versions() == installed


def test_start_warns_about_untested_versions(monkeypatch):
    import pytest

    from helpers.notebook import session

    monkeypatch.delenv(PARAMS_ENV, raising=False)
    monkeypatch.setattr(session, "tested_versions", lambda: {"keras": "2.0"})
    with pytest.warns(UserWarning, match="keras .* is outside the tested 2.0.x"):
        start({})


def test_devices_name_what_keras_runs_on(capsys):
    from helpers.notebook.session import devices

    found = devices()
    assert found and all(d.split(":")[0] in ("cpu", "gpu", "tpu") for d in found)
    start({})
    assert f"on {', '.join(found)}" in capsys.readouterr().out


def test_start_ignores_globals_of_another_type(monkeypatch, capsys):
    """After notebook 03, ``split`` is a pandas Series and ``model`` a Keras model: re-running
    the setup cell must take neither, and say so in one line."""
    import keras
    import pandas as pd

    from helpers.config import load_settings

    monkeypatch.delenv(PARAMS_ENV, raising=False)
    namespace = {"split": pd.Series(["train", "test"]), "model": keras.Sequential(),
                 "epochs": True, "learning_rate": 1, "seed": 2}
    cfg = start(namespace)
    default = load_settings()
    assert (cfg.split, cfg.model, cfg.epochs) == (default.split, default.model, default.epochs)
    assert cfg.learning_rate == 1 and cfg.seed == 2  # an int is fine for a float setting
    ignored = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Ignored")]
    assert ignored == ["Ignored variables whose type is not the setting's: split (Series, not str), "
                       "model (Sequential, not str), epochs (bool, not int)"]


def test_start_still_rejects_bad_values_of_the_right_type(monkeypatch):
    import pytest

    monkeypatch.delenv(PARAMS_ENV, raising=False)
    with pytest.raises(ValueError, match="model must be 'compact' or 'seed', not 'resnet'"):
        start({"model": "resnet"})
