"""Reading the user's own lyric sheets: every word sung, in order, whatever the sheet looks like."""

from __future__ import annotations

import re

import pytest

from troubadour.errors import InputError
from troubadour.words.sheet import MAX_LYRIC_LINES, lyrics_to_text, parse_lyrics, read_lyrics_file
from troubadour.words.text import tokenize

TRICKY = """[INTRO]
(ooh, ooh)

[Verse 1]
I'll drive 40 miles & don't look back (runs out)
Sun-kissed, rock-n-roll, Zorblax tonight!

[pre-chorus]
Hold on... hold on

[Chorus]
Run to me, run to me
The river's high, the levee's low

[verse 2]
Twenty-one candles, 1999
Mama's "old" red Chevy; y'all ain't seen nothin'

[Chorus]

[Bridge]
Oh-oh-oh (oh-oh)

[Hook]
Run to me

[Outro]
Run to me (x2)
"""


def sung_words(lyrics) -> list[str]:
    return [w.text for s in lyrics.sections for line in s.lines for w in line.words]


def written_words(text: str) -> list[str]:
    """The words of a sheet as a reader sees them (tags and repeat marks aside)."""
    out = []
    for raw in text.splitlines():
        if re.match(r"^\s*\[[^\]]*\]\s*$", raw):
            continue
        out += [w for w, _ in tokenize(re.sub(r"\(x\d\)\s*$", "", raw))]
    return out


def test_tricky_sheet_sections_and_labels():
    lyrics = parse_lyrics(TRICKY)
    kinds = [s.kind for s in lyrics.sections]
    assert kinds == ["intro", "verse", "prechorus", "chorus", "verse", "chorus", "bridge", "hook", "outro"]
    assert [s.label for s in lyrics.sections][:2] == ["Intro", "Verse 1"]
    assert lyrics.sections[4].label == "Verse 2"
    # An empty [Chorus] tag repeats the chorus, word for word.
    assert [l.text for l in lyrics.sections[5].lines] == [l.text for l in lyrics.sections[3].lines]


def test_every_written_word_is_sung_in_order():
    lyrics = parse_lyrics(TRICKY)
    words = sung_words(lyrics)
    expected = written_words(TRICKY)
    # The empty [Chorus] adds a repeat of the chorus; the (x2) line is sung twice.
    chorus = written_words("Run to me, run to me\nThe river's high, the levee's low")
    at = len(written_words(TRICKY.split("[Chorus]\n\n[Bridge]")[0]))
    expected = expected[:at] + chorus + expected[at:] + ["Run", "to", "me"]
    assert words == expected


def test_contractions_numbers_and_echoes():
    lyrics = parse_lyrics(TRICKY)
    verse = lyrics.sections[1]
    texts = [w.text for w in verse.lines[0].words]
    assert texts[:5] == ["I'll", "drive", "forty", "miles", "and"]
    assert [w.text for w in verse.lines[0].words if w.backing] == ["runs", "out"]
    assert len(verse.lines[0].words[0].syllables) == 1  # I'll
    assert "Zorblax" in [w.text for w in verse.lines[1].words]
    years = [w.text for w in lyrics.sections[4].lines[0].words]
    assert years == ["Twenty-one", "candles", "nineteen", "ninety-nine"]


def test_genius_style_tags_and_repeats():
    text = "[Verse 1: Ana]\nline one here\n\n[Chorus x2]\nsing it loud\n\n(Chorus)\n\nBridge:\nwe fall apart\n"
    lyrics = parse_lyrics(text)
    assert [s.kind for s in lyrics.sections] == ["verse", "chorus", "chorus", "chorus", "bridge"]
    assert lyrics.sections[4].lines[0].text == "we fall apart"


def test_untagged_stanzas_become_verses_and_a_repeated_stanza_the_chorus():
    text = "walking down the road\nall alone\n\nhold me now\nhold me now\n\nanother verse\nof words\n\nhold me now\nhold me now\n"
    lyrics = parse_lyrics(text)
    assert [s.kind for s in lyrics.sections] == ["verse", "chorus", "verse", "chorus"]
    assert lyrics.title == "Hold Me Now"


def test_title_tag_and_round_trip():
    lyrics = parse_lyrics("[Title: Gravel and Grace]\n[Verse]\nI got gravel\n\n[Chorus]\ngravel and grace\n")
    assert lyrics.title == "Gravel and Grace"
    again = parse_lyrics(lyrics_to_text(lyrics, with_title=True))
    assert again.title == lyrics.title
    assert [[l.text for l in s.lines] for s in again.sections] == [[l.text for l in s.lines] for s in lyrics.sections]


@pytest.mark.parametrize("text, message", [
    ("", "no singable"),
    ("[Verse]\n...\n!!!\n", "no singable"),
    ("[Bridge]\n\n[Verse]\nsome words\n", "has no lines"),
    ("[Verse]\nhello\x07 there\n", "control character"),
    ("[Spoken Word]\nhello\n", "unknown section tag"),
    ("\n".join(["la la la"] * (MAX_LYRIC_LINES + 1)), "limit"),
])
def test_bad_sheets_get_one_clear_error(text, message):
    with pytest.raises(InputError, match=message):
        parse_lyrics(text)


def test_two_thousand_lines_are_refused():
    with pytest.raises(InputError, match=f"limit is {MAX_LYRIC_LINES}"):
        parse_lyrics("\n".join(f"line number {i}" for i in range(2000)))


def test_lyric_files(tmp_path):
    good = tmp_path / "song.txt"
    good.write_text("[Verse]\nhello river\n", encoding="utf-8")
    assert "hello river" in read_lyrics_file(good)
    for name, data, message in [("empty.txt", b"  \n", "empty"), ("bin.txt", b"ab\0cd", "binary"),
                                ("latin1.txt", "caf\xe9".encode("latin-1"), "not UTF-8")]:
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(InputError, match=message):
            read_lyrics_file(path)
    with pytest.raises(InputError, match="does not exist"):
        read_lyrics_file(tmp_path / "missing.txt")
