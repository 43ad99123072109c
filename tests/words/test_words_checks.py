"""The quality checker: rhyme share, form, title, fresh verses, meter, family-friendliness."""

from __future__ import annotations

from troubadour.words.checks import check_lyrics, meter_consistency, rhyme_share, verse_overlap
from troubadour.words.sheet import parse_lyrics
from words_testing import RIVER_TOWN, RIVER_TOWN_CHORUS

GOOD = "[Title: River Town]\n" + RIVER_TOWN + RIVER_TOWN_CHORUS


def test_a_good_song_passes():
    report = check_lyrics(parse_lyrics(GOOD))
    assert report.ok, report.summary()
    assert report.rhyme_share == 1.0 and report.chorus_count == 2 and report.title_in_chorus


def test_lines_that_do_not_rhyme_are_named():
    text = GOOD.replace("I walk the tracks on the long way home", "I walk the tracks and think of you") \
               .replace("I drive my truck to the edge of town", "I drive my truck into the night") \
               .replace("I find the field where I was born", "I find the field and sit a while") \
               .replace("The church bell rings on a Sunday morn", "The church bell rings as morning breaks") \
               .replace("I'm back again where the river flows", "I'm back again in the summer heat")
    lyrics = parse_lyrics(text)
    report = check_lyrics(lyrics)
    assert rhyme_share(lyrics) < 0.8
    rhyme = [p for p in report.problems if p.kind == "rhyme"]
    assert rhyme and all(p.section is not None and p.line is not None for p in rhyme)


def test_form_title_and_repeats():
    one_chorus = GOOD.split("[Chorus]\nRiver Town, you never let me go\nRiver Town, the only home I know\n"
                            "I hear you calling in the evening glow\nRiver Town, you never let me go\n\n[Verse 2]")[0]
    report = check_lyrics(parse_lyrics(one_chorus + "[Verse 2]\nthe end is here\nthe end is near\n"))
    assert any(p.kind == "form" for p in report.problems)
    report = check_lyrics(parse_lyrics(GOOD.replace("[Title: River Town]", "[Title: Mountain Song]")))
    assert any(p.kind == "title" for p in report.problems)
    repeated = GOOD.replace("I find the field where I was born", "I walk the tracks on the long way home")
    report = check_lyrics(parse_lyrics(repeated))
    assert [p.kind for p in report.problems if p.kind == "repeat"] == ["repeat"]


def test_long_lines_and_explicit_words():
    text = GOOD.replace("The river runs like a rolling stone",
                        "The river runs and runs and runs and runs and runs like a rolling stone")
    report = check_lyrics(parse_lyrics(text))
    assert any(p.kind == "syllables" and p.line == 2 for p in report.problems)
    text = GOOD.replace("The river runs like a rolling stone", "The damn river runs like a rolling stone")
    assert any(p.kind == "explicit" for p in check_lyrics(parse_lyrics(text)).problems)
    assert not any(p.kind == "explicit" for p in check_lyrics(parse_lyrics(text), explicit=True).problems)


def test_meter_consistency_and_overlap():
    lyrics = parse_lyrics(GOOD)
    assert 0.0 < meter_consistency(lyrics) <= 1.0
    assert verse_overlap(lyrics, lyrics) == 1.0
    other = parse_lyrics(GOOD.replace("The porch light burns", "The neon burns"))
    assert verse_overlap(lyrics, other) == 7 / 8
