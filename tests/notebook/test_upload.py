import datetime
import io

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from IPython.display import Audio, Image, Markdown

from conftest import TINY_GENRES, tiny_signal
from helpers.notebook import upload


def _wav_bytes(label: str, seconds: float = 3.0, sample_rate: int = 22050) -> bytes:
    buffer = io.BytesIO()
    y = tiny_signal(label, 5, sample_rate, int(seconds * sample_rate))
    sf.write(buffer, y, sample_rate, format="WAV")
    return buffer.getvalue()


@pytest.fixture
def shown(monkeypatch):
    """What the box displays, in order."""
    items = []
    monkeypatch.setattr(upload, "display", items.append)
    return items


@pytest.mark.parametrize("label", TINY_GENRES)
def test_an_uploaded_song_shows_its_top3_the_timeline_and_a_player(bundle, shown, label):
    upload.show_upload(bundle, "my song.wav", _wav_bytes(label))
    table, figure, player = shown
    assert isinstance(table, pd.DataFrame) and list(table.index) == ["my song.wav"]
    row = table.iloc[0]
    assert row["genre_1"] == label and row["p_1"] >= row["p_2"] >= row["p_3"]
    assert row["needs_review"] == (row["confidence"] < bundle.threshold)
    assert isinstance(figure, Image) and figure.data.startswith(b"\x89PNG") and isinstance(player, Audio)


def test_the_player_holds_at_most_a_minute(bundle, shown):
    upload.show_upload(bundle, "long.wav", _wav_bytes("metal", seconds=75, sample_rate=16000))
    rate = bundle.features.sample_rate
    wav = shown[-1].data  # a WAV file: 44-byte header, then 16-bit samples
    assert (len(wav) - 44) // 2 == upload.PLAYER_SECONDS * rate


def test_a_file_that_is_not_audio_gets_a_message_not_a_traceback(bundle, shown):
    upload.show_upload(bundle, "notes.mp3", b"these are not the bytes of a song" * 40)
    (message,) = shown
    assert isinstance(message, Markdown)
    assert "Could not read `notes.mp3`" in message.data and "Try another file" in message.data


def test_the_box_predicts_what_is_uploaded_through_its_button(bundle, shown):
    box = upload.song_upload(bundle)
    button = next(w for w in box.children if w.__class__.__name__ == "FileUpload")
    content = _wav_bytes("disco")
    button.value = ({"name": "upload.wav", "type": "audio/wav", "size": len(content),
                     "content": memoryview(content),
                     "last_modified": datetime.datetime.now(datetime.UTC)},)
    assert shown and shown[0].iloc[0]["genre_1"] == "disco"


def test_where_nobody_can_upload_the_box_reads_as_how_to_use_it(bundle):
    data = upload.song_upload(bundle)._repr_mimebundle_()
    assert data["text/plain"] == upload.HOW_TO
    assert "application/vnd.jupyter.widget-view+json" in data


def test_the_windowed_prediction_it_uses_is_the_one_given(bundle, shown):
    calls = []

    def predict(b, S, hop_frames=None):
        calls.append(S.shape)
        even = np.full(len(b.genres), 1 / len(b.genres))  # no idea: below any review threshold
        return np.array([0]), even[None], even

    upload.show_upload(bundle, "song.wav", _wav_bytes("classical"), predict=predict)
    assert len(calls) == 1 and bool(shown[0].iloc[0]["needs_review"])
