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
