"""The user's words, end to end: every word of the sheet is in the song's MIDI lyric events, in order."""

from __future__ import annotations

import io
import re

import pytest

from troubadour.words.text import tokenize

SHEET = """[Intro]
(ooh, ooh)

[Verse 1]
I'll drive 40 miles & don't look back (runs out)
Sun-kissed Zorblax in a rock-n-roll town

[Pre-Chorus]
Hold on... hold on

[Chorus]
Run to me, run to me
The river's high, the levee's low

[Verse 2]
Twenty-one candles, Mama's "old" red Chevy
Y'all ain't seen nothin' like my hometown

[Chorus]

[Bridge]
Oh-oh-oh (oh-oh)
"""


def letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def test_every_word_of_the_sheet_is_sung_in_order(tmp_path):
    mido = pytest.importorskip("mido")
    from troubadour.export.midi import song_to_midi_bytes
    from troubadour.pipeline import create_song

    path = tmp_path / "mine.txt"
    path.write_text(SHEET, encoding="utf-8")
    song = create_song("a country song", seed=1, lyrics_path=path)
    midi = mido.MidiFile(file=io.BytesIO(song_to_midi_bytes(song)))
    events = [m.text for track in midi.tracks for m in track if m.type == "lyrics"]
    sung = letters("".join(events))
    # The words as written, with the repeated [Chorus] sung again where its tag stands.
    chorus = "Run to me, run to me\nThe river's high, the levee's low\n"
    written = SHEET.replace("[Chorus]\n\n[Bridge]", "[Chorus]\n" + chorus + "\n[Bridge]")
    words = [w for raw in written.splitlines() if not raw.startswith("[") for w, _ in tokenize(raw)]
    position, found = 0, 0
    for word in words:
        at = sung.find(letters(word), position)
        if at >= 0:
            found += 1
            position = at + len(letters(word))
    assert found == len(words), f"{found} of {len(words)} words sung in order"
