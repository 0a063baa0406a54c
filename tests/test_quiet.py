"""TensorFlow's start-up log stays off the screen; the command lines' --help never loads it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from helpers.config import REPO_ROOT


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=300)


@pytest.mark.slow
def test_importing_keras_after_helpers_prints_nothing_on_tensorflow():
    done = _run("import helpers, keras; keras.distribution.list_devices(); print(keras.ops.ones(2).shape)",
                KERAS_BACKEND="tensorflow")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(2,)"
    assert done.stderr == "", "TensorFlow's start-up lines reached standard error"
    loud = _run("import keras; keras.distribution.list_devices()", KERAS_BACKEND="tensorflow")
    assert loud.returncode == 0 and loud.stderr, "without helpers TensorFlow logs; else this proves nothing"


def test_silencing_is_scoped_to_the_block():
    code = ("import os; from helpers.quiet import native_stderr_silenced\n"
            "with native_stderr_silenced(): os.write(2, b'hidden')\n"
            "os.write(2, b'shown')")
    done = _run(code)
    assert done.returncode == 0 and done.stderr == "shown"


CLIS = ["helpers.predict", "helpers.gtzan", "helpers.musicnn.weights", "helpers.notebook.runner"]


@pytest.mark.parametrize("module", CLIS)
def test_command_line_help_does_not_load_tensorflow(module):
    code = (f"import runpy, sys\nsys.argv = ['{module}', '--help']\n"
            f"try:\n    runpy.run_module('{module}', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print('TENSORFLOW' if 'tensorflow' in sys.modules else 'NO TENSORFLOW')")
    done = _run(code)
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout and done.stdout.strip().endswith("NO TENSORFLOW")


def test_decoders_do_not_write_to_the_screen(tmp_path):
    import numpy as np

    for label in ("a", "b"):
        (tmp_path / label).mkdir()
        (tmp_path / label / "broken.mp3").write_bytes(np.random.default_rng(1).bytes(5000))
    code = (f"from helpers.data import DatasetError, discover\ntry:\n    discover({str(tmp_path)!r})\n"
            "except DatasetError:\n    print('refused')")
    done = _run(code)
    assert done.stdout.strip() == "refused", done.stderr
    assert "mpg123" not in done.stderr and "header" not in done.stderr, done.stderr
    loud = _run(f"import soundfile as sf\ntry:\n    sf.info({str(tmp_path / 'a' / 'broken.mp3')!r})\n"
                "except Exception:\n    pass")
    assert "mpg123" in loud.stderr, "libsndfile itself does print (else this test proves nothing)"


@pytest.mark.slow
def test_tensorflow_python_logger_keeps_only_errors_whichever_is_imported_first():
    for code in ("import helpers, keras; keras.ops.ones(1)", "import tensorflow, helpers"):
        done = _run(code + "\nimport logging; print(logging.getLogger('tensorflow').level)",
                    KERAS_BACKEND="tensorflow")
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip().splitlines()[-1] == "40", code  # logging.ERROR
