"""The song document: exact JSON round trip, determinism, and messages that name the broken field."""

import json

import pytest

from troubadour.errors import DocumentError
from troubadour.pipeline import create_song
from troubadour.song import load_song, song_from_json, song_to_json


def test_song_json_round_trips_exactly(full_song):
    text = song_to_json(full_song)
    again = song_from_json(text)
    assert again == full_song
    assert song_to_json(again) == text


def test_same_brief_and_seed_give_the_identical_document():
    brief = "a gritty country song about walking my own walk, rugged baritone, mid-tempo"
    assert song_to_json(create_song(brief, seed=11)) == song_to_json(create_song(brief, seed=11))
    assert song_to_json(create_song(brief, seed=11)) != song_to_json(create_song(brief, seed=12))


def _broken(song, mutate) -> str:
    data = json.loads(song_to_json(song))
    mutate(data)
    return json.dumps(data)


@pytest.mark.parametrize("mutate,expected", [
    (lambda d: d.__setitem__("tempo_bpm", 500), "tempo_bpm"),
    (lambda d: d.__setitem__("key", "H#"), "key"),
    (lambda d: d["chords"][0].__setitem__("symbol", "Xmaj"), "chords.0.symbol"),
    (lambda d: d["melody"][0]["notes"][0].__setitem__("pitch", 200), "melody.0.notes.0.pitch"),
    (lambda d: d.__setitem__("colour", "blue"), "colour"),
    (lambda d: d.pop("lyrics"), "form[1].lyrics"),
    (lambda d: d.__setitem__("schema_version", 99), "schema_version"),
    (lambda d: d["form"][1].__setitem__("lyrics", 42), "form"),
    (lambda d: d.__setitem__("time_signature", [5, 3]), "time_signature"),
])
def test_hand_broken_documents_name_the_field(full_song, mutate, expected):
    with pytest.raises(DocumentError) as info:
        song_from_json(_broken(full_song, mutate), source="song.json")
    assert expected in str(info.value)
    assert "\n" not in str(info.value)


def test_not_json_and_not_a_song(tmp_path):
    path = tmp_path / "song.json"
    path.write_text("{ this is not json", encoding="utf-8")
    with pytest.raises(DocumentError, match="not valid JSON"):
        load_song(path)
    path.write_text("[1, 2, 3]", encoding="utf-8")
    with pytest.raises(DocumentError, match="JSON object"):
        load_song(path)
    path.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(DocumentError, match="UTF-8"):
        load_song(path)
    with pytest.raises(DocumentError, match="no song document"):
        load_song(tmp_path / "missing.json")
