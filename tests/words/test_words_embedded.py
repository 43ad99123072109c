"""The embedded lyricist, judged over many briefs and seeds on what a listener hears."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import zlib

import numpy as np
import pytest

from troubadour.brief import read_brief
from troubadour.words.checks import (chorus_count, explicit_in, meter_consistency, repeated_verse_lines, rhyme_share,
                                     rhyming_lines, syllable_count, title_in_chorus, verse_overlap)
from troubadour.words.lyricist import get_lyricist
from troubadour.words.sheet import lyrics_to_text

BRIEFS = [
    "a gritty country song about walking my own way",
    "a sad pop song about a summer love that ended at the beach",
    "a rock anthem about our band from a steel town",
    "a folk song about an old fisherman who lost his boat",
    "a romantic ballad for a wedding first dance",
    "an upbeat country song about Friday night on the tailgate",
    "a nostalgic folk song about my grandmother's garden",
    "a pop song titled 'Neon Heartbeat' about a night out with friends",
    "a song about the first snow of winter",
    "a defiant rock song about never giving up",
]
SEEDS = range(4)


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(b"write")])


@pytest.fixture(scope="module")
def songs():
    writer = get_lyricist("embedded")
    out = {}
    for text in BRIEFS:
        brief = read_brief(text)
        out[text] = [writer.write(brief, genre=brief.genre or "country", rng=rng(seed)) for seed in SEEDS]
    return out


def all_songs(songs):
    return [song for group in songs.values() for song in group]


def test_line_endings_rhyme(songs):
    shares = [rhyme_share(song) for song in all_songs(songs)]
    assert min(shares) >= 0.8
    assert np.mean(shares) >= 0.95
    for song in all_songs(songs):  # every section rhymes on its own, not just on average
        for section in song.sections:
            assert np.mean(rhyming_lines(section)) >= 0.75, lyrics_to_text(song)


def test_form_title_and_fresh_verses(songs):
    for song in all_songs(songs):
        kinds = [s.kind for s in song.sections]
        assert kinds.count("verse") >= 2 and chorus_count(song) >= 3, kinds
        assert title_in_chorus(song), (song.title, lyrics_to_text(song))
        assert not repeated_verse_lines(song)
        assert kinds[-1] == "chorus" and "bridge" in kinds


def test_lines_fit_two_bars_and_verses_share_a_meter(songs):
    consistent = 0
    for song in all_songs(songs):
        for section in song.sections:
            if section.kind in ("verse", "chorus"):
                assert len(section.lines) == 4
                assert all(6 <= syllable_count(line) <= 11 for line in section.lines), lyrics_to_text(song)
        verses = [s for s in song.sections if s.kind == "verse"]
        consistent += all(syllable_count(a) == syllable_count(b) for a, b in zip(verses[0].lines, verses[1].lines))
        assert meter_consistency(song) >= 0.6
    assert consistent / len(all_songs(songs)) >= 0.9


def test_lines_end_on_a_stressed_syllable(songs):
    for song in all_songs(songs):
        for section in song.sections:
            if section.kind == "verse":
                for line in section.lines:
                    assert line.words[-1].syllables[-1].stress > 0, line.text


def test_seeds_write_different_songs(songs):
    """Seeds of one brief share at most a line or two of verse (bench: about 0.3% of pairs share two)."""
    overlaps = [verse_overlap(a, b) for group in songs.values() for a, b in itertools.combinations(group, 2)]
    assert max(overlaps) <= 0.25
    assert sum(o > 0.2 for o in overlaps) <= len(overlaps) * 0.03
    assert np.mean(overlaps) <= 0.02


def test_briefs_write_different_songs(songs):
    firsts = [group[0] for group in songs.values()]
    assert len({song.title for song in firsts}) == len(firsts)
    for a, b in itertools.combinations(firsts, 2):
        assert verse_overlap(a, b) <= 0.2


def test_family_friendly_unless_explicit(songs):
    for song in all_songs(songs):
        assert not explicit_in(lyrics_to_text(song))


def test_point_of_view_follows_the_brief(songs):
    he = [line.text for s in songs[BRIEFS[3]][0].sections for line in s.lines]
    assert not any(w in ("I", "I'm", "you", "your") for line in he for w in line.split())
    we = [line.text.lower() for s in songs[BRIEFS[2]][0].sections if s.kind == "verse" for line in s.lines]
    assert any(w in ("we", "our", "we're", "us") for line in we for w in line.split())


def test_same_rng_same_song_in_any_process():
    brief = read_brief("a sad pop song about the beach")
    writer = get_lyricist("embedded")
    one = lyrics_to_text(writer.write(brief, genre="pop", rng=rng(7)))
    assert one == lyrics_to_text(writer.write(brief, genre="pop", rng=rng(7)))
    code = ("import zlib, numpy as np; from troubadour.brief import read_brief; "
            "from troubadour.words.lyricist import get_lyricist; from troubadour.words.sheet import lyrics_to_text; "
            "b = read_brief('a sad pop song about the beach'); "
            "print(lyrics_to_text(get_lyricist().write(b, genre='pop', rng=np.random.default_rng([7, zlib.crc32(b'write')]))), end='')")
    for hash_seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONHASHSEED": hash_seed}).stdout
        assert out == one


def test_unknown_genre_and_no_network(monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("the embedded lyricist must not touch the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    brief = read_brief("a song about a lighthouse")
    lyrics = get_lyricist().write(brief, genre="jazz", rng=rng(0))
    assert title_in_chorus(lyrics)


def test_the_lyrics_command_sings_what_make_sings():
    from troubadour.cli.lyrics_command import _rng
    from troubadour.pipeline import stage_rng

    assert _rng(42).integers(1 << 30) == stage_rng(42, "write").integers(1 << 30)
