"""GTZAN's faults in the synthetic set: planned from the seed, written, recorded and read back."""

import itertools
import json

import numpy as np
import pytest
import soundfile as sf

from helpers.config import GTZAN_GENRES
from helpers.data import MANIFEST_NAME, discover
from helpers.split import split_songs
from helpers.synth import make_dataset
from helpers.synth.faults import EXCERPT_HOP, EXCERPTS_PER_SONG, plan_faults


@pytest.mark.parametrize("clips_per_genre", [10, 20, 40, 100])
def test_faults_scale_with_the_set_and_never_share_a_clip(clips_per_genre):
    faults = plan_faults(10, clips_per_genre, seed=3)
    assert len(faults.repeats) == 10 * (clips_per_genre // 10)
    assert all(len(song) == EXCERPTS_PER_SONG and list(song) == sorted(song) for _, song in faults.repeats)
    assert len(faults.mislabelled) == clips_per_genre // 10 and faults.corrupt is not None
    clips = [(g, i) for g, song in faults.repeats for i in song] + [faults.corrupt, *faults.mislabelled]
    assert len(clips) == len(set(clips)), "a clip carries two faults"
    assert all(played != g for (g, _), played in faults.mislabelled.items())
    assert all(0 <= i < clips_per_genre for _, i in clips)
    assert plan_faults(10, clips_per_genre, seed=3) == faults
    assert plan_faults(10, clips_per_genre, seed=4) != faults


def test_small_sets_have_no_faults():
    faults = plan_faults(10, 9, seed=0)
    assert faults.corrupt is None and not faults.mislabelled and not faults.repeats


@pytest.fixture(scope="module")
def faulty_set(tmp_path_factory):
    return make_dataset(tmp_path_factory.mktemp("set") / "s", clips_per_genre=20, seconds=2.0, seed=1,
                        n_jobs=1, renderer="additive")


def test_the_set_holds_each_fault_and_its_manifest_names_them(faulty_set):
    manifest = json.loads((faulty_set / MANIFEST_NAME).read_text())
    faults = manifest["faults"]
    assert len(faults["repeated_excerpts"]) == 20 and len(faults["corrupt"]) == 1
    assert len(faults["mislabelled"]) == 2
    assert set(faults["mislabelled"].values()) <= set(GTZAN_GENRES)
    clips, bad = discover(faulty_set)
    assert len(clips) == 199, "the corrupt file is reported and skipped, every other clip kept"
    assert bad["path"].tolist() == [str(faulty_set / faults["corrupt"][0])]
    assert "cannot be decoded" in bad["reason"].iloc[0]
    songs = clips.set_index(clips["path"].str.slice(len(str(faulty_set)) + 1))["song_id"]
    for excerpts in faults["repeated_excerpts"]:
        assert len(excerpts) == EXCERPTS_PER_SONG
        for first, second in itertools.pairwise(excerpts):
            a, sr = sf.read(faulty_set / first)
            b, _ = sf.read(faulty_set / second)
            hop = round(EXCERPT_HOP * len(a))
            np.testing.assert_array_equal(a[hop:], b[: len(a) - hop])  # one recording, neighbours
            assert not np.array_equal(a, b)
        assert {songs[clip] for clip in excerpts} == {manifest["songs"][excerpts[0]]}


def test_the_song_split_keeps_both_excerpts_of_a_song_together(faulty_set):
    clips, _ = discover(faulty_set)
    for seed in range(5):
        part = split_songs(clips, 0.2, 0.2, seed)
        assert (part.groupby(clips["song_id"]).nunique() == 1).all()


def test_solution_05_5_names_the_default_sets_mislabelled_clips_and_its_test_clips():
    """The solution names what the default settings generate, so it cannot go stale unnoticed."""
    import pandas as pd

    from helpers.config import REPO_ROOT, load_settings
    from helpers.split import make_split

    cfg = load_settings()
    faults = plan_faults(len(GTZAN_GENRES), cfg.clips_per_genre, cfg.seed)
    name = lambda g, i: f"{GTZAN_GENRES[g]}.{i:05d}"  # noqa: E731
    songs = {name(g, i): name(g, song[0]) for g, song in faults.repeats for i in song}
    rows = [(name(g, i), GTZAN_GENRES[g], songs.get(name(g, i), name(g, i)))
            for g in range(len(GTZAN_GENRES)) for i in range(cfg.clips_per_genre) if (g, i) != faults.corrupt]
    clips = pd.DataFrame(rows, columns=["clip", "label", "song_id"])  # as discover sorts them
    part = dict(zip(clips["clip"], make_split(clips, cfg), strict=True))
    text = (REPO_ROOT / "solutions" / "05_predict_genres.md").read_text()
    solution = text[text.index("5. **Labels can be wrong too.**"):]
    named = {f"{name(*clip)} ({GTZAN_GENRES[played]})" for clip, played in faults.mislabelled.items()}
    assert all(n in solution.replace(" (it plays ", " (") for n in named), named
    in_test = sorted(name(*clip) for clip in faults.mislabelled if part[name(*clip)] == "test")
    assert f"{' and '.join(in_test)}, are test clips" in solution, in_test
