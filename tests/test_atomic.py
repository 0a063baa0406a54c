"""Tests of folders and files that appear whole or not at all, with two runs building at once."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from helpers.atomic import staged_file, staged_folder


def _ended_pid() -> int:
    """The id of a process that has ended."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    return int(done.stdout)


def test_leftovers_of_ended_runs_are_removed_and_a_running_builders_folder_is_left(tmp_path):
    dead = tmp_path / f"out.partial-{_ended_pid()}"
    legacy = tmp_path / "out.partial"  # the name earlier versions used
    running = tmp_path / f"out.partial-{os.getppid()}"  # a live process: as if building it now
    for folder in (dead, legacy, running):
        (folder / "junk").mkdir(parents=True)
    with staged_folder(tmp_path / "out") as partial:
        assert partial == tmp_path / f"out.partial-{os.getpid()}"
        assert not dead.exists() and not legacy.exists() and (running / "junk").is_dir()
        (partial / "a.txt").write_text("mine")
    assert (tmp_path / "out" / "a.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["out", running.name])


def test_finished_folder_replaces_or_keeps_what_appeared_meanwhile(tmp_path):
    dest = tmp_path / "out"
    for replace, expected in ((True, "second"), (False, "first")):
        with staged_folder(dest, replace=replace) as partial:
            dest.mkdir(exist_ok=True)  # the other run finished first
            (dest / "a.txt").write_text("first")
            (partial / "a.txt").write_text("second")
        assert (dest / "a.txt").read_text() == expected
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # nothing half-made or old left
        (dest / "a.txt").unlink()
        dest.rmdir()


def test_failed_block_leaves_the_folder_as_it_was(tmp_path):
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "a.txt").write_text("before")
    with pytest.raises(KeyboardInterrupt), staged_folder(dest) as partial:
        (partial / "a.txt").write_text("half")
        raise KeyboardInterrupt
    assert (dest / "a.txt").read_text() == "before"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_file_is_replaced_whole_or_not_at_all(tmp_path):
    target = tmp_path / "sub" / "x.txt"
    with staged_file(target) as part:
        part.write_text("one")
    with pytest.raises(RuntimeError), staged_file(target) as part:
        part.write_text("tw")
        raise RuntimeError("interrupted")
    assert target.read_text() == "one"
    assert [p.name for p in target.parent.iterdir()] == ["x.txt"]
