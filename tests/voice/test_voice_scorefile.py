"""Score readers: MusicXML and MIDI vocal lines become the notes, times and syllables the singer sings."""

from __future__ import annotations

import mido
import music21
import pytest

from troubadour.errors import InputError
from troubadour.export.midi import song_to_midi_bytes
from troubadour.export.musicxml import song_to_musicxml
from troubadour.voice.score import song_vocal_score
from troubadour.voice.scorefile import read_score


def _same_line(reference, got) -> list:
    """Notes that differ in pitch, onset (1 ms), length (20 ms), or syllable."""
    bad = []
    for a, b in zip(reference, got):
        same_syllable = (a.syllable is None) == (b.syllable is None) and (
            a.syllable is None or a.syllable.text.lower() == b.syllable.text.lower())
        if a.pitch != b.pitch or abs(a.start_s - b.start_s) > 1e-3 or abs(a.duration_s - b.duration_s) > 0.02 \
                or not same_syllable:
            bad.append((a, b))
    return bad


@pytest.mark.parametrize("kind", ["mid", "musicxml"])
def test_a_songs_own_exports_read_back_as_its_vocal_line(short_song, tmp_path, kind):
    """song.mid and lead_sheet.musicxml sing exactly the song's melody: pitches, times, syllables, melismas."""
    path = tmp_path / f"song.{kind}"
    path.write_bytes(song_to_midi_bytes(short_song) if kind == "mid" else song_to_musicxml(short_song))
    reference = song_vocal_score(short_song).notes()
    read = read_score(path)
    got = read.score.notes()
    assert len(got) == len(reference)
    assert _same_line(reference, got) == []
    assert read.time_signature == tuple(short_song.time_signature)
    assert abs(read.tempo_bpm - short_song.tempo_bpm) < 0.01
    first_line = short_song.lyrics.sections[short_song.melody[0].section].lines[short_song.melody[0].line]
    assert read.lyrics.splitlines()[0].lower().split() == [w.text.lower() for w in first_line.words if not w.backing]


def _musicxml(tmp_path, parts) -> str:
    score = music21.stream.Score()
    for part in parts:
        score.insert(0, part)
    path = tmp_path / "score.musicxml"
    score.write("musicxml", fp=str(path))
    return path


def _note(name: str, quarters: float, lyric: str | None = None, syllabic: str | None = None):
    n = music21.note.Note(name, quarterLength=quarters)
    if lyric is not None:
        n.lyrics.append(music21.note.Lyric(text=lyric, syllabic=syllabic or "single"))
    return n


def test_musicxml_ties_melisma_pickup_and_tempo_change(tmp_path):
    """A pickup, a tie (one note), a melisma (no lyric: continues), 3/4, and a tempo change from 60 to 120."""
    part = music21.stream.Part()
    part.partName = "Voice"
    pickup = music21.stream.Measure(number=0)
    pickup.append(music21.meter.TimeSignature("3/4"))
    pickup.append(music21.tempo.MetronomeMark(number=60))
    pickup.append(_note("C4", 1, "to", "begin"))
    pickup.padAsAnacrusis()
    m1 = music21.stream.Measure(number=1)
    tied = _note("D4", 3, "mor", "middle")
    tied.tie = music21.tie.Tie("start")
    m1.append(tied)
    m2 = music21.stream.Measure(number=2)
    end = _note("D4", 1)
    end.tie = music21.tie.Tie("stop")
    m2.append(end)
    m2.append(_note("E4", 1, "row", "end"))
    m2.append(_note("F4", 1))  # melisma on "row"
    m3 = music21.stream.Measure(number=3)
    m3.append(music21.tempo.MetronomeMark(number=120))
    m3.append(_note("G4", 1, "home"))
    m3.append(music21.note.Rest(quarterLength=2))
    for m in (pickup, m1, m2, m3):
        part.append(m)
    read = read_score(_musicxml(tmp_path, [part]))
    notes = read.score.notes()
    assert [n.pitch for n in notes] == [60, 62, 64, 65, 67]
    assert [round(n.start_s, 3) for n in notes] == [0.0, 1.0, 5.0, 6.0, 7.0]  # the tie holds D4 for 4 beats at 60 BPM
    assert [round(n.duration_s, 3) for n in notes] == [1.0, 4.0, 1.0, 1.0, 0.5]  # 120 BPM from bar 3
    assert [n.syllable.text if n.syllable else None for n in notes] == ["to", "mor", "row", None, "home"]
    assert [n.word_end for n in notes][:3] == [False, False, True]
    assert read.time_signature == (3, 4) and read.part == "Voice"


def test_musicxml_with_several_parts_sings_the_one_with_lyrics_or_the_named_one(tmp_path):
    piano = music21.stream.Part([_note("C3", 4), _note("G2", 4)])
    piano.partName = "Piano"
    voice = music21.stream.Part([_note("E4", 2, "hel", "begin"), _note("D4", 2, "lo", "end")])
    voice.partName = "Soprano"
    path = _musicxml(tmp_path, [piano, voice])
    assert read_score(path).part == "Soprano"
    assert read_score(path, part="piano", vowel="a").score.notes()[0].pitch == 48
    with pytest.raises(InputError, match="no part named 'Tenor'.*'Piano'.*'Soprano'"):
        read_score(path, part="Tenor")


def _midi(tmp_path, events_by_track: list[list[mido.Message]], name: str = "score.mid"):
    midi = mido.MidiFile(type=1, ticks_per_beat=480)
    for events in events_by_track:
        track = mido.MidiTrack()
        track.extend(events)
        midi.tracks.append(track)
    path = tmp_path / name
    midi.save(str(path))
    return path


def _sung(notes: list[tuple[str | None, int, int]], *, gap: int = 0) -> list[mido.Message]:
    """(lyric, pitch, ticks) per note, back to back."""
    out: list = [mido.MetaMessage("track_name", name="Lead")]
    wait = 0
    for lyric, pitch, ticks in notes:
        if lyric is not None:
            # MIDI text is bytes; mido reads and writes it as Latin-1, files carry UTF-8
            out.append(mido.MetaMessage("lyrics", text=lyric.encode().decode("latin-1"), time=wait))
            wait = 0
        out.append(mido.Message("note_on", note=pitch, velocity=90, time=wait))
        out.append(mido.Message("note_off", note=pitch, velocity=0, time=ticks))
        wait = gap
    return out


def test_midi_karaoke_hyphens_melisma_and_tempo_map(tmp_path):
    """'to-' 'mor-' 'row' is one word; a note without lyric continues it; 120 -> 60 BPM at beat 2."""
    conductor = [mido.MetaMessage("set_tempo", tempo=500_000), mido.MetaMessage("time_signature", numerator=3, denominator=4),
                 mido.MetaMessage("set_tempo", tempo=1_000_000, time=960)]
    lead = _sung([("to-", 60, 480), ("mor-", 62, 480), ("row", 64, 480), (None, 65, 480), ("home", 67, 480)])
    read = read_score(_midi(tmp_path, [conductor, lead]))
    notes = read.score.notes()
    assert [round(n.start_s, 3) for n in notes] == [0.0, 0.5, 1.0, 2.0, 3.0]
    assert [round(n.duration_s, 3) for n in notes] == [0.5, 0.5, 1.0, 1.0, 1.0]
    assert [n.syllable.text if n.syllable else None for n in notes] == ["to", "mor", "row", None, "home"]
    assert [n.word_end for n in notes][:3] == [False, False, True]
    # "to-mor-row" is pronounced as one word: T AH M AA R OW, shared over its three notes
    assert [p for n in notes[:3] for p in n.syllable.phonemes] == ["T", "AH", "M", "AA", "R", "OW"]
    assert read.time_signature == (3, 4) and read.lyrics == "tomorrow home"


def test_overlapping_notes_sing_the_top_line_with_a_warning(tmp_path):
    lead = [mido.MetaMessage("lyrics", text="high"), mido.Message("note_on", note=64, velocity=90),
            mido.Message("note_on", note=60, velocity=90), mido.Message("note_off", note=64, velocity=0, time=480),
            mido.Message("note_off", note=60, velocity=0), mido.MetaMessage("lyrics", text="low"),
            mido.Message("note_on", note=62, velocity=90), mido.Message("note_off", note=62, velocity=0, time=480)]
    read = read_score(_midi(tmp_path, [lead]))
    assert [n.pitch for n in read.score.notes()] == [64, 62]
    assert any("overlapping" in w for w in read.warnings)


def test_scores_without_lyrics_need_a_vowel(tmp_path):
    path = _midi(tmp_path, [[mido.Message("note_on", note=60, velocity=90), mido.Message("note_off", note=60, time=960)]])
    with pytest.raises(InputError, match="no lyrics.*--vowel a"):
        read_score(path)
    hummed = read_score(path, vowel="o").score.notes()
    assert hummed[0].syllable.phonemes == ["OW"]
    with pytest.raises(InputError, match="unknown vowel 'y'"):
        read_score(path, vowel="y")


def test_words_no_dictionary_has_and_other_scripts(tmp_path):
    """An invented word is pronounced by espeak-ng; a script we cannot pronounce is hummed with a warning."""
    lead = _sung([("Zorbleflax", 60, 480), ("café", 62, 480), ("日本", 64, 480)], gap=0)
    read = read_score(_midi(tmp_path, [lead]))
    notes = read.score.notes()
    assert len(notes[0].syllable.phonemes) >= 4 and notes[1].syllable.phonemes[0] == "K"
    assert notes[2].syllable.phonemes == ["AA"]
    assert any("cannot pronounce" in w for w in read.warnings)


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"MThd\x00\x00\x00\x06\x00\x01", "cannot read"),
    (bytes(range(256)) * 4, "cannot read"),
])
def test_broken_midi_files_get_one_clear_error(tmp_path, content, message):
    path = tmp_path / "broken.mid"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_score(path)


def test_broken_musicxml_and_unknown_formats(tmp_path):
    path = tmp_path / "broken.musicxml"
    path.write_text("<score-partwise><part id='P1'><measure")
    with pytest.raises(InputError, match="cannot read 'broken.musicxml' as MusicXML"):
        read_score(path)
    other = tmp_path / "song.txt"
    other.write_text("la la la")
    with pytest.raises(InputError, match="MusicXML.*or MIDI"):
        read_score(other)
    with pytest.raises(InputError, match="not found"):
        read_score(tmp_path / "missing.mid")


def test_a_ten_minute_note_is_refused(tmp_path):
    conductor = [mido.MetaMessage("set_tempo", tempo=1_000_000)]
    lead = _sung([("oh", 60, 480 * 600)])
    with pytest.raises(InputError, match="lasts 600 s.*split it"):
        read_score(_midi(tmp_path, [conductor, lead]))
