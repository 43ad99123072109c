"""Singer timing: vowels on the beat, consonants before it, codas at the end, consonants not stretched."""

from __future__ import annotations

import pytest

from troubadour.voice.singer import phrase_syllables, spoken
from troubadour.voice.timing import plan, syllable_spans

from voice_testing import phrase_from


def _timeline(phrase, voice="rms"):
    syllables = phrase_syllables(list(phrase.notes))
    source, _ = spoken(syllables, backend="flite", voice=voice)
    spans = syllable_spans(list(phrase.notes))
    return spans, source, plan(spans, source)


PHRASES = [
    ("walking down the dusty road tonight", "G3:1 A3:0.5 B3:0.5 D4:1 B3:0.5 A3:0.5 G3:1 A3:1 B3:2"),
    ("hold me close and sing to me", "D4:1 ~E4:0.5 ~F#4:0.5 A4:1 F#4:1 E4:1 ~D4:1 B3:1 A3:1 D4:3"),
    ("stop the clocks r", "C4:0.5 D4:0.5 r:1 E4:2"),  # a rest before the last word
]


@pytest.mark.parametrize("text, melody", [(t.replace(" r", ""), m) for t, m in PHRASES])
def test_voice_vowel_onsets_land_on_their_notes(text, melody):
    phrase = phrase_from(text, melody)
    spans, _, timeline = _timeline(phrase)
    for span in spans:
        nuclei = [p for p in timeline.phones if p.syllable == span.index and p.role == "nucleus"]
        assert nuclei, f"syllable {span.index} has no vowel"
        assert abs(nuclei[0].start_s - span.start_s) <= 0.020


@pytest.mark.parametrize("text, melody", [(t.replace(" r", ""), m) for t, m in PHRASES])
def test_voice_onsets_before_the_note_codas_at_the_end(text, melody):
    phrase = phrase_from(text, melody)
    spans, _, timeline = _timeline(phrase)
    for span in spans:
        phones = [p for p in timeline.phones if p.syllable == span.index]
        for p in phones:
            if p.role == "onset":
                assert p.end_s <= span.start_s + 1e-6
            if p.role == "coda":
                assert p.start_s >= span.start_s and p.end_s <= span.end_s + 1e-6
        # The vowel is sustained through the note and any melisma (up to its consonants).
        nucleus_end = max(p.end_s for p in phones if p.role == "nucleus")
        consonants_after = sum(p.end_s - p.start_s for p in timeline.phones
                               if p.start_s >= nucleus_end - 1e-6 and p.end_s <= span.end_s + 1e-6)
        assert nucleus_end + consonants_after >= span.end_s - 0.01 or span.index == len(spans) - 1


def test_voice_consonants_keep_their_spoken_length_vowels_stretch():
    phrase = phrase_from("walking down the dusty road tonight", "G3:1 A3:1 B3:1 D4:2 B3:1 A3:1 G3:1 A3:1 B3:3",
                         tempo_bpm=72)
    _, _, timeline = _timeline(phrase)
    for p in timeline.phones:
        sung, said = p.end_s - p.start_s, p.src_end_s - p.src_start_s
        if p.role == "nucleus":
            assert sung >= said - 1e-6
        else:
            assert sung <= said * 1.0001 + 1e-6


def test_voice_fast_notes_squeeze_consonants_but_keep_the_vowel_on_the_beat():
    phrase = phrase_from("strengths and sprints", "C4:0.25 D4:0.25 E4:0.5", tempo_bpm=120)
    spans, _, timeline = _timeline(phrase)
    for span in spans:
        nucleus = next(p for p in timeline.phones if p.syllable == span.index and p.role == "nucleus")
        assert abs(nucleus.start_s - span.start_s) <= 0.020
        assert nucleus.end_s > nucleus.start_s
    starts = [p.start_s for p in timeline.phones]
    assert starts == sorted(starts)


def test_voice_time_map_is_monotonic_and_silent_in_rests():
    import numpy as np

    phrase = phrase_from("stop the clocks", "C4:0.5 D4:0.5 r:2 E4:2")
    _, _, timeline = _timeline(phrase)
    times = np.linspace(timeline.start_s, timeline.end_s, 500)
    src, sounding = timeline.source_time(times)
    assert np.all(np.diff(src) >= -1e-9)
    rest_middle = phrase.notes[1].end_s + 0.5
    assert not timeline.source_time(np.array([rest_middle]))[1][0]
    assert sounding.mean() > 0.5
