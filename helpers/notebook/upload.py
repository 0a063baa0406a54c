"""Try your own song: an upload box for notebook 05 that predicts the genre of any audio file dropped in.

In JupyterLab the box is a live widget (ipywidgets' ``FileUpload``): a person picks a file and sees
its top-3 genres with the review flag, the per-window timeline and a player. Where no one can
upload (papermill, nbval, a notebook viewer) the stored output is :data:`HOW_TO`, the sentence that
says how to use it, and the notebook runs on.
"""

from __future__ import annotations

import html
import io
import tempfile
from collections.abc import Callable
from pathlib import Path

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Audio, Image, Markdown, display

from helpers.audio import AudioError, load_audio
from helpers.bundle import Bundle
from helpers.plots import plot_window_timeline
from helpers.predict import predict_signal, predict_windows, top3_row

#: What the box says where it cannot be used (papermill, nbval, a stored copy) and above the button.
HOW_TO = ("Try your own song: open this notebook in JupyterLab, run this cell, click "
          "\"Upload a song\" and pick an audio file (WAV, FLAC, OGG, MP3, M4A...).")
#: What the live box says above its button.
HINT = ("Click \"Upload a song\" and pick an audio file (WAV, FLAC, OGG, MP3, M4A...): its top-3 "
        "genres, timeline and a player appear below.")
#: Seconds of the song the player holds (the prediction always reads the whole file).
PLAYER_SECONDS = 60

Predict = Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]]


def show_upload(bundle: Bundle, name: str, content: bytes, predict: Predict = predict_windows) -> None:
    """Display what the box shows for one upload: the top-3 table with the review flag, the
    timeline and a player; or, for a file that cannot be decoded, what went wrong and what to try.

    The upload is decoded once (from a temporary file of its name, whose suffix tells the decoder
    the format) and predicted by :func:`helpers.predict.predict_signal`, as
    :func:`helpers.predict.predict_song` predicts a file, with ``predict`` as its windowed step.
    """
    name, sample_rate = Path(name).name, bundle.features.sample_rate
    try:
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / name).write_bytes(content)
            y = load_audio(Path(folder) / name, sample_rate)
        prediction = predict_signal(bundle, y, name, predict=predict)
    except AudioError as err:
        display(Markdown(f"**Could not read `{name}`:** {err}\n\nTry another file: the project reads WAV, "
                         "FLAC, OGG, MP3 and M4A, so this one may be damaged or not audio at all."))
        return
    row = top3_row(prediction, bundle.genres, bundle.threshold, bundle.shortest_seconds)
    display(pd.DataFrame([row]).set_index("path"))
    fig = plot_window_timeline(prediction, bundle.genres)
    png = io.BytesIO()
    fig.savefig(png, format="png", bbox_inches="tight")  # as the inline backend crops, legend included
    plt.close(fig)
    display(Image(png.getvalue()))
    display(Audio(y[: PLAYER_SECONDS * sample_rate], rate=sample_rate))


class UploadBox(widgets.VBox):
    """The box notebook 05 shows; its plain-text form (what papermill stores) is :data:`HOW_TO`."""

    def _repr_mimebundle_(self, **kwargs: object) -> dict[str, object] | None:
        data = super()._repr_mimebundle_(**kwargs)
        if data is not None:
            data["text/plain"] = HOW_TO
        return data


def song_upload(bundle: Bundle, predict: Predict = predict_windows) -> UploadBox:
    """An upload button and the output area where each uploaded song's prediction appears
    (:func:`show_upload`); ``predict`` is the windowed prediction, notebook 05's shown copy."""
    button = widgets.FileUpload(accept="audio/*,.mp3,.m4a,.wav,.flac,.ogg,.aiff,.aif", multiple=False,
                                description="Upload a song")
    results = widgets.Output()

    def on_upload(change: dict[str, object]) -> None:
        results.clear_output()
        with results:
            for item in change["new"]:
                show_upload(bundle, item["name"], bytes(item["content"]), predict)

    button.observe(on_upload, names="value")
    return UploadBox([widgets.HTML(f"<p>{html.escape(HINT)}</p>"), button, results])
