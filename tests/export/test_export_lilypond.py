"""The printable lead sheet: LilyPond source that engraves cleanly, with every chord and sung syllable."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from troubadour.export.lilypond import engrave_pdf, song_to_lilypond
from troubadour.music.theory import parse_chord
from troubadour.pipeline import create_song


def _sung_syllables(song) -> int:
    count = 0
    for phrase in song.melody:
        previous = -1
        for note in phrase.notes:
            count += note.syllable != previous
            previous = note.syllable
    return count


def _block(source: str, name: str) -> str:
    return re.search(name + r" = \\(?:chordmode|lyricmode) \{(.*?)\}\n", source, re.S).group(1)


@pytest.mark.parametrize("brief, seed", [
    ("a gritty country song about walking my own walk, rugged baritone, mid-tempo", 7),
    ("a slow country waltz in Bb minor about the last dance at the county fair", 2),
])
def test_lead_sheet_engraves_without_a_warning_and_keeps_every_chord_and_syllable(tmp_path, brief, seed):
    """Bar checks in every bar: LilyPond warns if any bar's durations do not add up."""
    song = create_song(brief, seed=seed)
    source = song_to_lilypond(song)
    chord_tokens = [t for t in _block(source, "chordNames").split() if not t.startswith("s")]
    chords = sorted({c.start_beat: c.symbol for c in song.chords}.items())
    assert len(chord_tokens) == len(chords)
    for (_, symbol), token in zip(chords, chord_tokens):
        quality = parse_chord(symbol).quality
        assert (":" in token) == (quality != ""), (symbol, token)  # a D triad is no D5 power chord
    words = [t for t in _block(source, "words").split() if t not in ("--", "_")]
    assert len(words) == _sung_syllables(song)
    pdf = tmp_path / "lead_sheet.pdf"
    warnings = engrave_pdf(source, pdf)
    assert warnings == []
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_pdf_without_lilypond_is_one_clear_error_before_any_work(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path), "TROUBADOUR_CACHE_DIR": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-m", "troubadour", "make", "a folk song", "--pdf", "-o",
                             str(tmp_path / "out")], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "needs LilyPond" in lines[0] and "apt-get install lilypond" in lines[0], result.stderr
    assert not (tmp_path / "out").exists()
