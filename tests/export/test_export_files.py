"""Exports read back by independent readers: mido for MIDI, music21 for MusicXML."""

import io

import mido
import pytest

from troubadour.export.lyrics import lyrics_lrc
from troubadour.export.midi import song_to_midi_bytes
from troubadour.export.musicxml import song_to_musicxml
from troubadour.music.theory import parse_key


def _words(song):
    return [w.text.lower() for p in song.melody for w in song.lyrics.sections[p.section].lines[p.line].words]


def _midi(song) -> mido.MidiFile:
    return mido.MidiFile(file=io.BytesIO(song_to_midi_bytes(song)))


def test_midi_is_type_1_with_tempo_meter_and_key(full_song):
    midi = _midi(full_song)
    assert midi.type == 1
    metas = {m.type: m for m in midi.tracks[0] if m.is_meta}
    assert abs(mido.tempo2bpm(metas["set_tempo"].tempo) - full_song.tempo_bpm) < 0.01
    assert (metas["time_signature"].numerator, metas["time_signature"].denominator) == tuple(full_song.time_signature)
    assert parse_key(metas["key_signature"].key) == parse_key(full_song.key)


def test_one_track_per_part_and_drums_on_channel_ten(full_song):
    midi = _midi(full_song)
    names = [t.name for t in midi.tracks]
    assert "Vocals" in names and len(midi.tracks) == 2 + len(full_song.parts)
    with_notes = [t for t in midi.tracks if any(m.type == "note_on" for m in t)]
    assert len(with_notes) >= 5
    drums = next(t for t in midi.tracks if t.name == "Drums")
    assert {m.channel for m in drums if m.type == "note_on"} == {9}


def test_vocal_track_has_one_lyric_per_syllable_at_its_note(full_song):
    midi = _midi(full_song)
    vocals = next(t for t in midi.tracks if t.name == "Vocals")
    now, lyric_ticks, note_ticks, lyrics = 0, [], set(), []
    for message in vocals:
        now += message.time
        if message.type == "lyrics":
            lyric_ticks.append(now)
            lyrics.append(message.text)
        elif message.type == "note_on":
            note_ticks.add(now)
    syllables = sum(len(full_song.lyrics.sections[p.section].lines[p.line].syllables) for p in full_song.melody)
    assert len(lyrics) == syllables
    assert all(t in note_ticks for t in lyric_ticks)
    # Karaoke convention: rebuilding words from syllables gives the lyrics, in order.
    words, current = [], ""
    for text in lyrics:
        current += text.rstrip("-")
        if not text.endswith("-"):
            words.append(current.lower())
            current = ""
    assert words == _words(full_song)


def test_lead_sheet_opens_in_music21_with_chords_and_lyrics(full_song, tmp_path):
    music21 = pytest.importorskip("music21")
    path = tmp_path / "lead_sheet.musicxml"
    path.write_bytes(song_to_musicxml(full_song))
    score = music21.converter.parse(str(path))
    chords = list(score.recurse().getElementsByClass("ChordSymbol"))
    assert len(chords) >= 8
    syllables = sum(len(full_song.lyrics.sections[p.section].lines[p.line].syllables) for p in full_song.melody)
    sung = [n for n in score.recurse().notes if n.lyric]
    assert len(sung) >= 0.9 * syllables
    syllabic = {lyric.syllabic for n in sung for lyric in n.lyrics}
    assert {"begin", "end", "single"} <= syllabic
    measure_length = score.parts[0].getElementsByClass("Measure")[0].barDuration.quarterLength
    assert measure_length == full_song.beats_per_bar
    assert abs(score.parts[0].highestTime - full_song.total_beats) < 1e-6


def test_lrc_stamps_every_sung_line(full_song):
    lrc = lyrics_lrc(full_song).splitlines()
    stamped = [line for line in lrc if line[1:3].isdigit()]
    assert len(stamped) == len(full_song.melody)
    first = full_song.melody[0].notes[0].start_beat * full_song.seconds_per_beat
    minutes, seconds = stamped[0][1:9].split(":")
    assert abs(int(minutes) * 60 + float(seconds) - first) < 0.01
