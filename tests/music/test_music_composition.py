"""Form, harmony and melody properties over many seeds."""

import numpy as np
import pytest

from troubadour.brief import read_brief
from troubadour.music.compose import choose_key, choose_tempo, compose
from troubadour.pipeline import create_song
from troubadour.music.harmony import ChordTrack
from troubadour.music.melody import FUNCTION_WORDS, place_rhythm
from troubadour.music.theory import parse_chord, parse_key
from troubadour.song import Song
from troubadour.styles.style import load_style
from troubadour.voice.profiles import load_voice
from troubadour.words.lyricist import get_lyricist

BRIEFS = [
    "a gritty country song about walking my own walk, rugged baritone, mid-tempo",
    "a sad country song about a truck that won't start",
    "a fast country song about a Friday night",
]


def _song(brief: str, seed: int) -> Song:
    parsed = read_brief(brief)
    style = load_style("country")
    rng = np.random.default_rng(seed)
    lyrics = get_lyricist().write(parsed, genre="country", rng=rng)
    key = choose_key(parsed, style, rng)
    song = Song(brief=brief, seed=seed, genre="country", voice="rugged_baritone", tempo_bpm=choose_tempo(parsed, style, rng),
                key=key, composed_key=key, lyrics=lyrics, title=lyrics.title)
    return compose(song, style=style, seed=seed)


@pytest.fixture(scope="module")
def songs() -> list[Song]:
    return [_song(brief, seed) for brief in BRIEFS for seed in range(4)]


def test_songs_last_two_to_four_minutes_with_a_full_form(songs):
    for song in songs:
        assert 135 <= song.duration_s <= 300, song.duration_s
        kinds = [s.kind for s in song.form]
        assert kinds[0] == "intro" and kinds[-1] == "outro"
        assert "verse" in kinds and kinds.count("chorus") >= 2


def test_every_sung_line_has_a_phrase_in_order(songs):
    for song in songs:
        expected = [(f.lyrics, j) for f in song.form if f.lyrics is not None
                    for j in range(len(song.lyrics.sections[f.lyrics].lines))]
        assert [(p.section, p.line) for p in song.melody] == expected
        for phrase in song.melody:
            line = song.lyrics.sections[phrase.section].lines[phrase.line]
            assert sorted({n.syllable for n in phrase.notes}) == list(range(len(line.syllables)))


def test_melody_stays_in_the_voice_range(songs):
    voice = load_voice("rugged_baritone")
    for song in songs:
        pitches = [n.pitch for p in song.melody for n in p.notes]
        assert voice.low <= min(pitches) and max(pitches) <= voice.high


def test_melody_is_in_key_and_chord_tones_fall_on_downbeats(songs):
    on_downbeat = chord_tone = in_key = total = 0
    for song in songs:
        key = parse_key(song.key)
        track = ChordTrack(song.chords)
        for phrase in song.melody:
            for note in phrase.notes:
                total += 1
                in_key += note.pitch % 12 in key.pitch_classes
                if abs(note.start_beat % song.beats_per_bar) < 1e-6:
                    on_downbeat += 1
                    chord_tone += note.pitch % 12 in track.at(note.start_beat).pitch_classes
    assert in_key / total >= 0.97
    assert chord_tone / on_downbeat >= 0.9, chord_tone / on_downbeat


def test_stressed_syllables_land_on_strong_beats(songs):
    strong = stressed = 0
    for song in songs:
        for phrase in song.melody:
            line = song.lyrics.sections[phrase.section].lines[phrase.line]
            owners = line.syllable_words()
            seen = set()
            for note in phrase.notes:
                if note.syllable in seen:
                    continue
                seen.add(note.syllable)
                word, index = owners[note.syllable]
                syllable = word.syllables[index]
                if syllable.stress == 1 and len(word.syllables) > 1:
                    stressed += 1
                    strong += abs(note.start_beat * 2 - round(note.start_beat * 2)) < 1e-6 and \
                        abs(note.start_beat - round(note.start_beat)) < 1e-6
    assert strong / stressed >= 0.9, strong / stressed


def test_chorus_sits_higher_than_verse(songs):
    for song in songs:
        by_kind: dict[str, list[int]] = {}
        for phrase in song.melody:
            kind = song.lyrics.sections[phrase.section].kind
            by_kind.setdefault(kind, []).extend(n.pitch for n in phrase.notes)
        assert np.mean(by_kind["chorus"]) > np.mean(by_kind["verse"])


def test_repeated_chorus_lines_repeat_their_tune(songs):
    for song in songs:
        tunes: dict[str, set] = {}
        for phrase in song.melody:
            line = song.lyrics.sections[phrase.section].lines[phrase.line]
            if song.lyrics.sections[phrase.section].kind == "chorus":
                start = phrase.notes[0].start_beat
                tunes.setdefault(line.text, set()).add(tuple((n.pitch, round(n.start_beat - start, 3)) for n in phrase.notes))
        assert any(len(v) == 1 for v in tunes.values())


def test_choruses_close_on_the_tonic_and_chords_parse(songs):
    for song in songs:
        key = parse_key(song.key)
        for chord in song.chords:
            parse_chord(chord.symbol)
        assert parse_chord(song.chords[-1].symbol).root == key.tonic


def test_same_seed_same_song_and_seeds_differ():
    a, b, c = _song(BRIEFS[0], 3), _song(BRIEFS[0], 3), _song(BRIEFS[0], 4)
    assert a == b
    assert [n.pitch for p in a.melody for n in p.notes] != [n.pitch for p in c.melody for n in p.notes]


def test_rhythm_puts_stress_on_strong_beats_and_breathes():
    weights = [0.1, 1.0, 0.1, 1.0, 0.1, 0.1, 1.0, 0.1]  # da-DUM da-DUM da da-DUM da
    onsets, ends = place_rhythm(weights, beats=8, beats_per_bar=4)
    assert onsets == sorted(onsets) and len(set(onsets)) == len(onsets)
    assert ends[-1] <= 7.0  # a breath before the next line
    for w, o in zip(weights, onsets):
        if w == 1.0:
            assert o == int(o), (w, o)  # stressed syllables on a beat


def test_function_words_are_light():
    assert {"the", "and", "a", "my"} <= FUNCTION_WORDS


def test_chosen_tempos_are_ones_beat_trackers_can_name():
    """Frame-based trackers (librosa's 512-sample hops at 22.05 kHz) read chosen tempos within 1.5 %,
    and slow songs at double time too."""
    from troubadour.music.compose import choose_tempo, trackable
    from troubadour.styles.style import style_names

    assert not trackable(63) and trackable(64)  # 126 BPM falls between 123.0 and 129.2
    for name in style_names():
        style = load_style(name)
        for pace in ("slow", "mid", "fast"):
            brief = read_brief(f"a {pace} song about a road")
            brief.tempo = pace
            for seed in range(5):
                bpm = choose_tempo(brief, style, np.random.default_rng(seed))
                frames = 22050 / 512
                for heard in [bpm] + ([2 * bpm] if bpm < 90 else []):
                    grid = 60 * frames / np.round(60 * frames / heard)
                    assert abs(grid - heard) <= 0.015 * heard, (name, pace, bpm)


def test_the_brief_names_the_key_tempo_and_meter():
    song = create_song("a slow country waltz in Bb minor at 84 bpm about the last dance", seed=4)
    assert (song.key, song.tempo_bpm, tuple(song.time_signature)) == ("Bbm", 84.0, (3, 4))
