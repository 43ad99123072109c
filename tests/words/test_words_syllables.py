"""Syllables, stress and spelling splits of sung words."""

from __future__ import annotations

import pytest

from troubadour.words.syllables import make_word, split_spelling, syllable_count
from troubadour.words.text import make_line, number_words, tokenize


@pytest.mark.parametrize("word, count", [("walking", 2), ("river", 2), ("tonight", 2), ("beautiful", 3),
                                         ("I'll", 1), ("don't", 1), ("everything", 3), ("a", 1), ("strengths", 1)])
def test_syllable_counts_of_known_words(word, count):
    assert syllable_count(word) == count


def test_out_of_dictionary_words_are_syllabified():
    assert len(make_word("Zorblax").syllables) == 2
    assert len(make_word("glimmerstone").syllables) == 3
    assert all(s.phonemes for s in make_word("Zorblax").syllables)


def test_stress_marks_the_strong_syllable():
    word = make_word("tonight")
    assert [s.stress for s in word.syllables] == [0, 1]
    assert make_word("the").syllables[0].stress in (0, 1)


def test_spelling_follows_the_syllables():
    assert [s.text for s in make_word("walking").syllables] == ["walk", "ing"]
    assert "".join(s.text for s in make_word("summer").syllables) == "summer"
    assert [s.text for s in make_word("river").syllables] == ["riv", "er"]
    assert split_spelling("walking", [0]) == ["walk", "ing"]


def test_hyphenated_words_keep_their_parts():
    word = make_word("sun-kissed")
    assert word.text == "sun-kissed" and len(word.syllables) == 2


def test_numbers_and_ampersands_are_sung_as_words():
    assert number_words(40) == ["forty"]
    assert number_words(1999) == ["nineteen", "ninety-nine"]
    assert [w for w, _ in tokenize("40 miles & more")] == ["forty", "miles", "and", "more"]


def test_echoes_are_marked_for_the_backing_vocal():
    line = make_line("I keep on running (runs out)")
    assert [w.backing for w in line.words] == [False] * 4 + [True, True]
