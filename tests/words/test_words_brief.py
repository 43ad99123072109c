"""Reading a brief: genre, mood, point of view, setting, title, hook; refusing bad ones."""

from __future__ import annotations

import pytest

from troubadour.brief import MAX_BRIEF_CHARS, read_brief
from troubadour.errors import InputError


def test_genre_mood_and_theme():
    brief = read_brief("a gritty country song about walking my own way, baritone")
    assert (brief.genre, brief.mood, brief.voice) == ("country", "defiant", "rugged_baritone")
    assert brief.topic == "walking my own way"
    assert read_brief("a folk ballad about the sea").genre == "folk"  # the genre named first
    assert read_brief("a power ballad about the storm").genre == "ballad"
    assert read_brief("a breakup song for a rainy night").mood == "sad"


@pytest.mark.parametrize("text, perspective", [
    ("a folk song about an old fisherman who lost his boat", "he"),
    ("a country song about a waitress who dreams of leaving", "she"),
    ("a rock anthem about our band", "we"),
    ("a love song for my wife", "first"),
])
def test_point_of_view(text, perspective):
    assert read_brief(text).perspective == perspective


def test_setting_kin_title_and_hook():
    brief = read_brief('a country song about my grandmother\'s garden by the river with the hook "roses on the fence"')
    assert brief.setting == "river" and brief.kin == "Grandma"
    assert brief.hook == "roses on the fence" and brief.title == "Roses on the Fence"
    assert brief.topic == "my grandmother's garden by the river"
    assert read_brief('a song called "Gravel and Grace" about leaving').title == "Gravel and Grace"
    assert read_brief("a song titled Neon Heartbeat about a night out").title == "Neon Heartbeat"
    assert read_brief("a song about the kids' bikes in the yard").title is None  # an apostrophe is not a quote


@pytest.mark.parametrize("text, message", [
    ("", "empty"),
    ("   \n ", "empty"),
    ("x" * 5000, f"keep it under {MAX_BRIEF_CHARS:,}"),
    ("🎸🎸🎸 🤠", "English"),
    ("une chanson triste sur la mer et les bateaux", "English"),
    ("una canción triste sobre el mar", "English"),
    ("a song about\x00 bells", "control character"),
])
def test_bad_briefs_are_refused_with_one_line(text, message):
    with pytest.raises(InputError, match=message) as info:
        read_brief(text)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("text, key, bpm", [
    ("a slow country waltz in Bb minor about the last dance", "Bbm", None),
    ("a rock song in the key of E about trucks", "E", None),
    ("a sad song in Em at 72 bpm", "Em", 72.0),
    ("a pop song in F# major, 120 BPM", "F#", 120.0),
    ("a folk song about a small town", None, None),
    ("a song about living in A town", None, None),  # an article, not a key
])
def test_a_key_and_tempo_named_in_the_brief(text, key, bpm):
    brief = read_brief(text)
    assert (brief.key, brief.bpm) == (key, bpm)


def test_groove_styles_win_over_the_genre_word():
    """A country waltz is sung in 3/4 (the waltz style); a honky-tonk song shuffles."""
    assert read_brief("a country waltz about dancing with my grandmother").genre == "waltz"
    assert read_brief("a honky tonk song about a jukebox").genre == "honkytonk"
    assert read_brief("a folk ballad about a lighthouse").genre == "folk"
