"""Exports for other singing engines: OpenUtau .ustx and DiffSinger .ds read back as those engines would."""

from __future__ import annotations

import json
import os

import librosa
import numpy as np
import pytest
import yaml

from troubadour.errors import InputError, OutputError
from troubadour.voice.interop import write_ds, write_ustx
from troubadour.voice.profiles import load_voice
from troubadour.voice.score import VocalScore
from troubadour.voice.singer import render_score
from troubadour.words.phonemes import VOWELS

from voice_testing import phrase_from

TEMPO = 100.0
VOWEL_SYMBOLS = {v.lower() for v in VOWELS}


@pytest.fixture(scope="module")
def sung():
    """Two short phrases: melismas (one inside a word), a rest inside a phrase, an off-beat start."""
    score = VocalScore([
        phrase_from("walking home tonight", "G3:1 A3:0.5 ~B3:0.5 D4:1 r:1 B3:1 A3:2", tempo_bpm=TEMPO),
        phrase_from("sing it", "C4:1 ~D4:1 E4:1.5", tempo_bpm=TEMPO, start_s=6.3),
    ])
    return score, render_score(score, voice=load_voice("rugged_baritone"), sample_rate=16000)


# ---------------------------------------------------------------- OpenUtau


def test_ustx_notes_read_back_at_the_score_times_pitches_and_syllables(sung, tmp_path):
    score, renders = sung
    path = tmp_path / "line.ustx"
    write_ustx(path, score, renders, tempo_bpm=TEMPO, time_signature=(3, 4))
    project = yaml.safe_load(path.read_text(encoding="utf-8"))

    assert project["ustx_version"] == "0.7" and project["resolution"] == 480
    assert project["tempos"] == [{"position": 0, "bpm": TEMPO}]
    assert project["time_signatures"][0]["beat_per_bar"] == 3 and project["beat_unit"] == 4
    assert project["tracks"][0]["phonemizer"] == "OpenUtau.Plugin.Builtin.ArpasingPhonemizer"
    [part] = project["voice_parts"]
    notes, expected = part["notes"], score.notes()
    assert len(notes) == len(expected)
    ticks_per_s = TEMPO / 60 * 480
    for got, want in zip(notes, expected):
        assert abs(got["position"] - want.start_s * ticks_per_s) <= 1
        assert abs(got["duration"] - want.duration_s * ticks_per_s) <= 1
        assert got["tone"] == round(want.pitch)
    sung_lyrics = [n["lyric"] for n in notes if n["lyric"] != "+"]
    assert [lyric.split("[")[0] for lyric in sung_lyrics] == [n.syllable.text for n in expected if n.syllable]
    # The hint carries the sounds (OpenUtau's "lyric[sym sym]"), in lower-case ARPAbet.
    assert sung_lyrics[1] == "ing[k ih ng]" and sung_lyrics[2] == "home[hh ow m]"


def test_ustx_melisma_notes_continue_the_note_before(sung, tmp_path):
    score, renders = sung
    path = tmp_path / "line.ustx"
    write_ustx(path, score, renders, tempo_bpm=TEMPO)
    notes = yaml.safe_load(path.read_text(encoding="utf-8"))["voice_parts"][0]["notes"]
    melisma = [i for i, n in enumerate(score.notes()) if n.syllable is None]
    assert melisma and [i for i, n in enumerate(notes) if n["lyric"] == "+"] == melisma
    for i in melisma:  # OpenUtau joins a "+" note only to a note ending exactly where it starts
        assert notes[i - 1]["position"] + notes[i - 1]["duration"] == notes[i]["position"]


# ---------------------------------------------------------------- DiffSinger


def _segments(sung, tmp_path):
    score, renders = sung
    path = tmp_path / "line.ds"
    write_ds(path, score, renders)
    return json.loads(path.read_text(encoding="utf-8"))


def test_ds_segments_are_self_consistent_as_diffsinger_requires(sung, tmp_path):
    segments = _segments(sung, tmp_path)
    assert len(segments) == len(sung[0].phrases)
    for seg in segments:
        ph_seq, ph_dur = seg["ph_seq"].split(), [float(x) for x in seg["ph_dur"].split()]
        ph_num = [int(x) for x in seg["ph_num"].split()]
        note_dur, slur = [float(x) for x in seg["note_dur"].split()], [int(x) for x in seg["note_slur"].split()]
        assert len(ph_seq) == len(ph_dur) and min(ph_dur) > 0
        assert ph_seq[0] in ("SP", "AP") and ph_seq[-1] == "SP"
        assert abs(sum(ph_dur) - sum(note_dur)) < 1e-3
        assert sum(ph_num) == len(ph_seq) and min(ph_num) >= 1
        # One word per note that is not a slur (DiffSinger: note2word = cumsum(~is_slur)).
        assert len(ph_num) == len(slur) - sum(slur) and len(seg["note_seq"].split()) == len(note_dur) == len(slur)
        # A word starts on its vowel (or SP/AP) and lasts as long as its notes.
        word_first = np.concatenate([[0], np.cumsum(ph_num)[:-1]])
        assert all(ph_seq[k] in VOWEL_SYMBOLS | {"SP", "AP"} for k in word_first), (ph_seq, ph_num)
        word_dur = [sum(ph_dur[k : k + n]) for k, n in zip(word_first, ph_num)]
        note_word = np.cumsum([1 - s for s in slur]) - 1
        assert np.allclose(word_dur, np.bincount(note_word, weights=note_dur), atol=1e-3)
        assert all(p == p.lower() or p in ("SP", "AP") for p in ph_seq)  # lower-case ARPAbet, no stress digits
        assert not any(ch.isdigit() for p in ph_seq for ch in p)
        f0 = np.array(seg["f0_seq"].split(), float)
        assert abs(len(f0) * float(seg["f0_timestep"]) - sum(ph_dur)) < 0.02 and f0.min() > 50


def test_ds_notes_and_vowels_land_on_the_score(sung, tmp_path):
    score, _ = sung
    for seg, phrase in zip(_segments(sung, tmp_path), score.phrases):
        note_dur = np.array(seg["note_dur"].split(), float)
        note_start = seg["offset"] + np.concatenate([[0], np.cumsum(note_dur)[:-1]])
        names = seg["note_seq"].split()
        slur = [int(x) for x in seg["note_slur"].split()]
        sung_notes = [(t, n, s) for t, n, s in zip(note_start, names, slur) if n != "rest"]
        assert [round(librosa.note_to_midi(n)) for _, n, _ in sung_notes] == [round(n.pitch) for n in phrase.notes]
        assert [s for _, _, s in sung_notes] == [int(n.syllable is None) for n in phrase.notes]
        assert np.allclose([t for t, _, _ in sung_notes], [n.start_s for n in phrase.notes], atol=0.02)

        ph_dur = np.array(seg["ph_dur"].split(), float)
        ph_start = seg["offset"] + np.concatenate([[0], np.cumsum(ph_dur)[:-1]])
        vowel_starts = [t for t, p in zip(ph_start, seg["ph_seq"].split()) if p in VOWEL_SYMBOLS]
        for note in phrase.notes:
            if note.syllable is not None:
                assert min(abs(t - note.start_s) for t in vowel_starts) <= 0.02, note


def test_ds_rest_inside_a_phrase_is_a_silent_word(sung, tmp_path):
    seg = _segments(sung, tmp_path)[0]
    ph_seq = seg["ph_seq"].split()
    assert ph_seq.count("SP") >= 2 + (ph_seq[0] == "SP")  # the rest after "home", the tail
    assert seg["note_seq"].split().count("rest") == 3  # head, the rest, tail


# ---------------------------------------------------------------- writing


def test_failed_write_leaves_the_old_file_and_no_temporary(sung, tmp_path, monkeypatch):
    score, renders = sung
    target = tmp_path / "line.ds"
    target.write_text("old")

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    monkeypatch.setattr(type(target), "replace", lambda self, dst: refuse(self, dst))
    with pytest.raises(OutputError, match="cannot write"):
        write_ds(target, score, renders)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["line.ds"]


def test_writing_into_a_missing_or_unwritable_folder_creates_nothing(sung, tmp_path):
    score, renders = sung
    with pytest.raises(OutputError):
        write_ustx(tmp_path / "missing" / "line.ustx", score, renders, tempo_bpm=TEMPO)
    assert not (tmp_path / "missing").exists()
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(OutputError):
            write_ds(locked / "line.ds", score, renders)
        assert list(locked.iterdir()) == []


def test_renders_must_match_the_score(sung, tmp_path):
    score, renders = sung
    with pytest.raises(InputError, match="render_score"):
        write_ds(tmp_path / "line.ds", score, renders[:1])
    with pytest.raises(InputError, match="tempo_bpm"):
        write_ustx(tmp_path / "line.ustx", score, renders, tempo_bpm=0)
    assert list(tmp_path.iterdir()) == []
