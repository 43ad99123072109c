"""Breaths between phrases: an inhale never sounds over a note; the singer ends a note for the next words."""

from __future__ import annotations

import numpy as np
import pytest

from troubadour.voice.profiles import load_voice
from troubadour.voice.score import BREATH_GAP_S, MAX_RELEASE_SHARE, MIN_BREATH_S, ONSET_CONSONANT_S, VocalScore, breathe
from troubadour.voice.singer import render_score, sing

from voice_testing import phrase_from

RATE = 44100


def two_phrases(rest_beats: float, *, tempo_bpm: float = 100.0) -> VocalScore:
    first = phrase_from("I still remember", "G3:1 A3:1 B3:1 A3:0.5 ~B3:0.5 G3:2", tempo_bpm=tempo_bpm, start_s=0.5)
    start = first.end_s + rest_beats * 60.0 / tempo_bpm
    second = phrase_from("take me home", "B3:1 A3:1 G3:2", tempo_bpm=tempo_bpm, start_s=start)
    return VocalScore([first, second])


def test_voice_a_long_rest_holds_the_whole_breath_and_leaves_the_notes_alone():
    score = two_phrases(2.0)
    fitted = breathe(score, 0.35)
    assert [p.breath_s for p in fitted.phrases] == [0.35, 0.35]
    assert [n.duration_s for n in fitted.notes()] == [n.duration_s for n in score.notes()]


@pytest.mark.parametrize("rest_beats", [0.0, 0.25, 0.5, 0.75])
def test_voice_the_breath_fits_in_the_rest_before_the_next_words(rest_beats):
    score = two_phrases(rest_beats)
    fitted = breathe(score, 0.35)
    first, second = fitted.phrases
    consonants = ONSET_CONSONANT_S  # the T of "take", as breathe plans it
    room = second.start_s - consonants - BREATH_GAP_S - first.end_s
    assert second.breath_s == 0.0 or MIN_BREATH_S <= second.breath_s <= room + 1e-9
    assert second.breath_s == (pytest.approx(min(room, 0.35)) if room >= MIN_BREATH_S else 0.0)
    cut = score.phrases[0].notes[-1].duration_s - first.notes[-1].duration_s
    assert 0.0 <= cut <= MAX_RELEASE_SHARE * score.phrases[0].notes[-1].duration_s + 1e-9
    assert (cut > 0) == (score.phrases[1].start_s - consonants - BREATH_GAP_S < score.phrases[0].end_s)


@pytest.mark.parametrize("rest_beats", [0.0, 0.5])
def test_voice_no_inhale_or_consonant_sounds_over_the_previous_note(rest_beats):
    """Rendered: nothing of the second phrase sounds before the first phrase's (fitted) last note ends."""
    voice = load_voice("rugged_baritone")
    score = two_phrases(rest_beats)
    renders = render_score(score, voice=voice, sample_rate=RATE)
    fitted = breathe(score, voice.breath_s)
    second = renders[1]
    first_end = fitted.phrases[0].end_s
    # Its consonants start where that note ends (planned from a typical consonant length) ...
    assert second.timeline.start_s >= first_end - 0.03
    # ... and before them (where the inhale goes) it is silent while that note sounds.
    silent_until = min(first_end, second.timeline.start_s - 0.005)
    offset = int(round((silent_until - second.start_s) * RATE))
    if offset > 0:
        assert np.abs(second.audio[:offset]).max() < 10 ** (-60 / 20)


def test_voice_has_no_dc_offset():
    """Every glottal pulse has a positive area; the line must still be centred on zero."""
    for name in ("rugged_baritone", "clear_soprano"):
        audio = sing(two_phrases(2.0), voice=load_voice(name), sample_rate=RATE, noise_floor_dbfs=None)[0]
        sounding = audio[np.abs(audio) > 1e-3]
        assert abs(sounding.mean()) < 0.01 * np.sqrt(np.mean(sounding**2)), name
