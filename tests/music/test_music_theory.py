"""Scales, keys, chord spelling, roman numerals, voice ranges."""

import pytest

from troubadour.errors import InputError
from troubadour.music.theory import (Key, fit_to_range, midi_to_name, name_to_midi, nearest_pitch_with_pc, parse_chord,
                                     parse_key, roman_to_symbol)


@pytest.mark.parametrize("text,tonic,mode,name", [
    ("G", 7, "major", "G"), ("Em", 4, "minor", "Em"), ("Bb", 10, "major", "Bb"), ("F#m", 6, "minor", "F#m"),
    ("C# minor", 1, "minor", "C#m"), ("A major", 9, "major", "A"), ("Ebm", 3, "minor", "Ebm"), ("db", 1, "major", "Db"),
])
def test_keys_parse_and_spell(text, tonic, mode, name):
    key = parse_key(text)
    assert (key.tonic, key.mode, key.name) == (tonic, mode, name)


@pytest.mark.parametrize("bad", ["H", "", "Gx", "G minor major", "12"])
def test_bad_keys_name_the_problem(bad):
    with pytest.raises(InputError, match="key"):
        parse_key(bad)


def test_key_signatures_follow_the_circle_of_fifths():
    assert [parse_key(k).fifths for k in ("C", "G", "D", "A", "E", "F", "Bb", "Eb", "Am", "Em", "Dm", "Gb")] == \
        [0, 1, 2, 3, 4, -1, -2, -3, 0, 1, -1, -6]


def test_scales_have_the_right_pitch_classes():
    assert Key(7, "major").pitch_classes == (7, 9, 11, 0, 2, 4, 6)
    assert Key(9, "minor").pitch_classes == (9, 11, 0, 2, 4, 5, 7)


@pytest.mark.parametrize("symbol,pcs", [
    ("G", (7, 11, 2)), ("Em7", (4, 7, 11, 2)), ("Bbmaj7", (10, 2, 5, 9)), ("F#m7b5", (6, 9, 0, 4)),
    ("Dsus4", (2, 7, 9)), ("Cdim", (0, 3, 6)), ("Caug", (0, 4, 8)), ("A7", (9, 1, 4, 7)),
])
def test_chord_spelling(symbol, pcs):
    assert parse_chord(symbol).pitch_classes == pcs


def test_slash_chords_keep_their_bass():
    chord = parse_chord("D/F#")
    assert chord.root == 2 and chord.bass == 6


@pytest.mark.parametrize("bad", ["X", "Gblah", "", "C/Z"])
def test_bad_chords_are_refused(bad):
    with pytest.raises(InputError, match="chord"):
        parse_chord(bad)


def test_roman_numerals_in_major_and_minor():
    g = parse_key("G")
    assert [roman_to_symbol(r, g) for r in ("I", "ii", "iii", "IV", "V", "vi", "vii°", "V7", "bVII", "V/V", "iv")] == \
        ["G", "Am", "Bm", "C", "D", "Em", "F#dim", "D7", "F", "A", "Cm"]
    a_minor = parse_key("Am")
    assert [roman_to_symbol(r, a_minor) for r in ("i", "iv", "V", "VI", "III", "VII")] == ["Am", "Dm", "E", "F", "C", "G"]


def test_flat_keys_spell_with_flats():
    assert roman_to_symbol("IV", parse_key("Bb")) == "Eb"
    assert roman_to_symbol("V", parse_key("F")) == "C"


def test_pitch_names_round_trip():
    for pitch in range(21, 109):
        assert name_to_midi(midi_to_name(pitch)) == pitch
    assert name_to_midi("A2") == 45 and name_to_midi("E4") == 64


def test_range_helpers():
    assert fit_to_range(30, 45, 64) == 54
    assert fit_to_range(80, 45, 64) == 56
    assert nearest_pitch_with_pc(60.4, 7) == 55
    assert nearest_pitch_with_pc(62, 7) == 67 - 12 or nearest_pitch_with_pc(62, 7) == 67
