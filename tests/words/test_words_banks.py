"""The phrase banks: every template parses, sings from the dictionary and can be written."""

from __future__ import annotations

import re
from importlib import resources

import pytest
import yaml

from troubadour.words.bank import FUNCTIONS, load_bank, load_settings
from troubadour.words.phonemes import cmu
from troubadour.words.template import GENRES, MOODS, parse_template, plural, tidy
from troubadour.words.writer import good_ending


def data_files():
    return [e for e in resources.files("troubadour.words").joinpath("data").iterdir() if e.name.endswith(".yaml")]


@pytest.mark.parametrize("genre", GENRES)
def test_every_genre_has_what_a_song_needs(genre):
    bank = load_bank(genre)
    for function in FUNCTIONS:
        assert bank.heads.get(function) or bank.lines.get(function), function
    for mood in MOODS:
        assert bank.titles.get(mood) or bank.titles.get("any")
    used = {slot for templates in bank.heads.values() for t in templates for slot in t.slots}
    used |= {slot for t in bank.tails for slot in t.slots}
    assert used <= set(bank.props), used - set(bank.props)


def test_bank_words_are_in_the_dictionary():
    """Bank words come from CMUdict, so writing never waits for espeak-ng."""
    table = cmu()
    missing = set()
    for entry in data_files():
        for word in re.findall(r"[A-Za-z']+", re.sub(r"@\w+|\{\w+\}|#.*", " ", entry.read_text(encoding="utf-8"))):
            key = word.lower().strip("'")
            if key and key not in table and key.replace("'", "") not in table:
                missing.add(key)
    assert len(missing) <= 25, sorted(missing)


def test_templates_parse_and_tails_end_on_good_rhymes():
    bank = load_bank("country")
    props = {slot: values[0].split(" @")[0] for slot, values in bank.props.items()}
    ending = 0
    for template in bank.tails:
        variants = template.variants(tense="present", props=props) + template.variants(tense="past", props=props)
        ending += any(good_ending(re.findall(r"[a-z'\-]+", v.lower())[-1]) for v in variants if v)
    assert ending / len(bank.tails) > 0.9


def test_settings_name_real_places():
    settings = load_settings()
    assert {"beach", "city", "river", "farm", "mountains", "road", "winter"} <= set(settings)
    for setting in settings.values():
        assert setting.words and setting.props


def test_template_syntax():
    t = parse_template("(And |)the {light} <burns|burned> (late|low) @country @solo")
    assert t.tags == {"country", "solo"} and t.slots == {"light"} and t.tense is None
    assert t.variants(tense="past", props={"light": "porch light"})[0] == "And the porch light burned late"
    assert len(t.variants(tense="present", props={"light": "neon"})) == 4
    assert t.variants(tense="present", props={}) == []  # a missing prop: not writable
    assert plural("birch") == "birches" and plural("cherry") == "cherries" and plural("oak") == "oaks"
    assert tidy("a old Ford ,  slow") == "an old Ford, slow"
    with pytest.raises(ValueError):
        parse_template("(unbalanced")


def test_yaml_files_load():
    for entry in data_files():
        assert isinstance(yaml.safe_load(entry.read_text(encoding="utf-8")), dict), entry.name
