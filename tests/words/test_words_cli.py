"""`troubadour lyrics`: a lyric sheet or JSON on stdout, one clear line and a non-zero exit on bad input."""

from __future__ import annotations

import json

import pytest

from troubadour.cli import main
from troubadour.words.sheet import parse_lyrics


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        main(["lyrics", *argv])
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    out, err = capsys.readouterr()
    return code, out, err


def test_lyric_sheet_with_tags(capsys):
    code, out, err = run(capsys, "a folk song about a river town", "--seed", "3")
    assert code == 0 and not err
    assert out.startswith("[Title: River Town]")
    for tag in ("[Verse 1]", "[Chorus]", "[Verse 2]", "[Bridge]"):
        assert tag in out
    assert parse_lyrics(out).title == "River Town"  # the sheet reads back


def test_seeds_are_reproducible_and_different(capsys):
    one = run(capsys, "a pop song about the beach", "--seed", "1")[1]
    assert one == run(capsys, "a pop song about the beach", "--seed", "1")[1]
    assert one != run(capsys, "a pop song about the beach", "--seed", "2")[1]


def test_json_has_words_syllables_stress_and_phonemes(capsys):
    code, out, _ = run(capsys, "a country song about my own way", "--json")
    data = json.loads(out)
    syllable = data["sections"][0]["lines"][0]["words"][0]["syllables"][0]
    assert code == 0 and data["title"]
    assert set(syllable) == {"text", "phonemes", "stress"} and syllable["stress"] in (0, 1, 2)


def test_reading_the_users_sheet(capsys, tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("[Verse]\nI'll drive 40 miles (runs out)\n\n[Chorus]\nhold on\n", encoding="utf-8")
    code, out, _ = run(capsys, "--lyrics", str(path), "--json")
    words = [w["text"] for s in json.loads(out)["sections"] for l in s["lines"] for w in l["words"]]
    assert code == 0 and words == ["I'll", "drive", "forty", "miles", "runs", "out", "hold", "on"]


@pytest.mark.parametrize("argv, message", [
    (("",), "empty"),
    (("x" * 5000,), "under 2,000"),
    (("🎸🎸🎸",), "English"),
    (("une chanson triste sur la mer et les bateaux",), "English"),
    (("a song\x07 about bells",), "control character"),
    (("a song", "--genre", "jazz"), "--genre"),
    (("a song", "--lyricist", "nope"), "lyricist"),
    ((), "give a brief"),
])
def test_bad_input_is_one_line_and_non_zero(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code != 0 and not out
    assert message in err and err.count("\n") == 1


def test_bad_lyric_files(capsys, tmp_path):
    many = tmp_path / "long.txt"
    many.write_text("\n".join(f"line {i}" for i in range(2000)), encoding="utf-8")
    code, _, err = run(capsys, "--lyrics", str(many))
    assert code != 0 and "limit is 400 lines" in err
    empty = tmp_path / "none.txt"
    empty.write_text("[Verse]\n\n[Chorus]\n", encoding="utf-8")
    code, _, err = run(capsys, "--lyrics", str(empty))
    assert code != 0 and "no lines" in err


def test_openai_without_a_server_is_an_input_error(capsys, monkeypatch):
    monkeypatch.delenv("TROUBADOUR_LLM_BASE_URL", raising=False)
    code, _, err = run(capsys, "a song", "--lyricist", "openai")
    assert code != 0 and "TROUBADOUR_LLM_BASE_URL" in err
