"""The singer end to end on short renders: in tune (pYIN), voiced, pure, thread-safe, placed right."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from troubadour.voice.profiles import load_voice
from troubadour.voice.score import ScorePhrase, VocalScore
from troubadour.voice.singer import render_phrase, sing, sing_phrase

from voice_testing import phrase_from, pyin_note_errors

RATE = 44100

CASES = [
    ("rugged_baritone", "walking down the dusty road tonight", "G3:1 A3:0.5 B3:0.5 D4:1 B3:0.5 A3:0.5 G3:1 A3:1 B3:2", 96),
    ("bright_tenor", "hold me close and sing to me", "D4:1 ~E4:0.5 ~F#4:0.5 A4:1 F#4:1 E4:1 ~D4:1 B3:1 A3:1 D4:2", 84),
    ("rugged_baritone", "she left the light on", "D3:1 G3:1 A3:1 B3:1.5 A3:2", 108),
]


@pytest.mark.slow
@pytest.mark.parametrize("voice, text, melody, tempo", CASES)
def test_voice_short_render_is_in_tune_and_voiced(voice, text, melody, tempo):
    phrase = phrase_from(text, melody, tempo_bpm=tempo)
    start, audio = sing_phrase(phrase, voice=load_voice(voice), sample_rate=RATE)
    errors, voiced = pyin_note_errors(audio, RATE, phrase.notes, offset_s=start)
    assert np.mean(np.abs(errors) <= 50) >= 0.95, np.round(errors)
    assert np.mean(voiced) >= 0.9


def test_voice_sing_phrase_returns_float32_mono_starting_before_the_first_note():
    phrase = phrase_from("la la", "C4:1 D4:1")
    start, audio = sing_phrase(phrase, voice=load_voice("warm_alto"), sample_rate=RATE)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert start < phrase.notes[0].start_s
    end = start + len(audio) / RATE
    assert phrase.notes[-1].end_s <= end < phrase.notes[-1].end_s + 0.3
    assert 0.01 < np.abs(audio).max() < 1.0


def test_voice_same_seed_same_samples_other_seed_other_samples():
    phrase = phrase_from("under the stars", "E3:1 G3:0.5 A3:0.5 B3:2")
    voice = load_voice("rugged_baritone")
    a = sing_phrase(phrase, voice=voice, seed=3)[1]
    b = sing_phrase(phrase, voice=voice, seed=3)[1]
    c = sing_phrase(phrase, voice=voice, seed=4)[1]
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_voice_two_threads_sing_what_one_sings():
    voice = load_voice("bright_tenor")
    phrases = [phrase_from("bring me back home", "C4:1 D4:1 E4:1 G4:2"),
               phrase_from("the river runs", "G4:1 E4:1 D4:1 C4:2")]
    serial = [sing_phrase(p, voice=voice)[1] for p in phrases]
    with ThreadPoolExecutor(2) as pool:
        parallel = list(pool.map(lambda p: sing_phrase(p, voice=voice)[1], phrases * 2))
    for k, audio in enumerate(parallel):
        assert np.array_equal(audio, serial[k % 2])


def test_voice_sing_places_phrases_on_the_timeline():
    voice = load_voice("rugged_baritone")
    first = phrase_from("one more time", "G3:1 A3:1 B3:2", start_s=0.2)
    second = phrase_from("and again", "B3:1 A3:1 G3:2", start_s=4.0)
    audio = sing(VocalScore([first, second]), voice=voice, sample_rate=RATE)
    assert audio.shape[0] == 1 and audio.dtype == np.float32
    assert second.notes[-1].end_s <= audio.shape[1] / RATE < second.notes[-1].end_s + 0.3
    x = audio[0]
    rest = x[int(3.0 * RATE) : int(3.5 * RATE)]  # between the phrases: only the noise floor
    assert np.sqrt(np.mean(rest**2)) < 1e-3
    assert np.sqrt(np.mean(x[int(4.0 * RATE) : int(5.0 * RATE)] ** 2)) > 0.01


def test_voice_phoneme_timeline_is_exposed():
    phrase = phrase_from("hello", "C4:1 E4:1")
    rendered = render_phrase(phrase, voice=load_voice("bright_tenor"))
    symbols = [s for s, _, _ in rendered.phonemes]
    assert symbols[0] == "HH" and "L" in symbols
    starts = [a for _, a, _ in rendered.phonemes]
    assert starts == sorted(starts)


def test_voice_melisma_at_phrase_start_hums():
    from troubadour.voice.score import ScoreNote

    phrase = ScorePhrase([ScoreNote(60.0, 0.5, 0.5, None), ScoreNote(62.0, 1.0, 0.5, None)])
    start, audio = sing_phrase(phrase, voice=load_voice("clear_soprano"))
    assert np.abs(audio).max() > 0.01


def test_voice_a_very_long_note_renders_in_chunks():
    phrase = phrase_from("oh", "C3:40", tempo_bpm=60)  # 40 s on one vowel
    start, audio = sing_phrase(phrase, voice=load_voice("rugged_baritone"), sample_rate=16000)
    seconds = len(audio) / 16000
    assert 40.0 <= seconds < 41.0
    blocks = audio[: int(seconds) * 16000].reshape(-1, 16000)
    rms = np.sqrt(np.mean(blocks**2, axis=1))[2:-2]
    assert rms.min() > 0.3 * rms.max()  # sustained, no dropouts at chunk joins
