"""Speech sources: phones aligned to the score's syllables, each with onset, vowel and coda roles."""

from __future__ import annotations

import numpy as np
import pytest

from troubadour.voice import flite
from troubadour.voice.source import SungSyllable, align, speak, words_of
from troubadour.words.text import make_line


def _syllables(text: str) -> list[SungSyllable]:
    line = make_line(text)
    return [SungSyllable(tuple(s.phonemes), s.stress, s.text, i == len(w.syllables) - 1)
            for w in line.words for i, s in enumerate(w.syllables)]


def test_voice_align_matches_and_absorbs_differences():
    ours = ["DH", "AH", "K", "AE", "T"]
    assert align(ours, ["DH", "AH", "K", "AE", "T"]) == ([0, 1, 2, 3, 4], 0.0)
    assert align(ours, ["DH", "IY", "K", "AE", "T"])[0] == [0, 1, 2, 3, 4]  # a vowel for a vowel
    owners, cost = align(ours, ["DH", "AH", "K", "AE", "T", "S"])  # an extra phone joins its neighbour
    assert cost == 1.0
    assert owners[:5] == [0, 1, 2, 3, 4] and owners[5] == 4


def test_voice_words_fold_to_ascii():
    syllables = [SungSyllable(("K", "AE"), 1, "ca", False), SungSyllable(("F", "EY"), 0, "fé", True)]
    assert words_of(syllables) == ["cafe"]


@pytest.mark.parametrize("backend, voice", [("flite", "rms"), ("flite", "slt"), ("espeak", "en-us")])
def test_voice_every_syllable_gets_a_vowel_in_time_order(backend, voice):
    if backend == "flite" and not flite.available():
        pytest.skip("Flite is not installed")
    syllables = _syllables("the river runs through the rugged hills tonight")
    source = speak(syllables, backend=backend, voice=voice)
    assert source.audio.dtype == np.float32 and source.sample_rate in (16000, 22050)
    for index in range(len(syllables)):
        roles = [p.role for p in source.syllable_phones(index)]
        assert roles.count("nucleus") >= 1
        assert roles == sorted(roles, key=["onset", "nucleus", "coda"].index)
    starts = [p.start_s for p in source.phones]
    assert starts == sorted(starts)
    assert source.phones[-1].end_s <= len(source.audio) / source.sample_rate + 1e-6


def test_voice_flite_is_deterministic_and_reports_f0():
    if not flite.available():
        pytest.skip("Flite is not installed")
    a = flite.speak("hello there my friend")
    b = flite.speak("hello there my friend")
    assert np.array_equal(a.audio, b.audio)
    assert a.f0_hz is not None and 60 < np.median(a.f0_hz[a.f0_hz > 0]) < 200
    assert a.strengths is not None and a.strengths.shape[1] == 5
