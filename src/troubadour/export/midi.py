"""Standard MIDI file export: type 1, one track per part, karaoke lyrics on the vocal track."""

from __future__ import annotations

import mido

from troubadour.music.theory import parse_key
from troubadour.song import Song

TICKS_PER_BEAT = 480
VOCAL_CHANNEL = 0
VOCAL_PROGRAM = 53  # GM "Voice Oohs": a stand-in the user hears when playing the MIDI


def _ticks(beats: float) -> int:
    return int(round(beats * TICKS_PER_BEAT))


def _midi_text(text: str) -> str:
    """MIDI text is Latin-1: keep what it can hold, fold the rest."""
    import unicodedata

    out = []
    for ch in text:
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            out.append(unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode() or "?")
    return "".join(out)


def _track(name: str, events: list[tuple[int, int, mido.Message | mido.MetaMessage]]) -> mido.MidiTrack:
    """A track from (tick, order, message) events: order breaks ties (offs, then lyrics, then ons)."""
    track = mido.MidiTrack([mido.MetaMessage("track_name", name=_midi_text(name), time=0)])
    now = 0
    for tick, _, message in sorted(events, key=lambda e: (e[0], e[1])):
        track.append(message.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=0))
    return track


def vocal_events(song: Song) -> list[tuple[int, int, object]]:
    """Note and lyric events of the sung melody: one lyric per syllable at its first note."""
    events: list[tuple[int, int, object]] = []
    for phrase in song.melody:
        line = song.lyrics.sections[phrase.section].lines[phrase.line]
        owners = line.syllable_words()
        syllables = line.syllables
        previous = -1
        for note in phrase.notes:
            start, end = _ticks(note.start_beat), _ticks(note.start_beat + note.duration_beats)
            if note.syllable != previous:
                word, position = owners[note.syllable]
                text = syllables[note.syllable].text
                if position < len(word.syllables) - 1:
                    text += "-"  # karaoke convention: the word continues
                events.append((start, 1, mido.MetaMessage("lyrics", text=_midi_text(text))))
            previous = note.syllable
            events.append((start, 2, mido.Message("note_on", channel=VOCAL_CHANNEL, note=note.pitch, velocity=note.velocity)))
            events.append((max(start + 1, end), 0, mido.Message("note_off", channel=VOCAL_CHANNEL, note=note.pitch, velocity=0)))
    return events


def song_to_midi(song: Song) -> mido.MidiFile:
    key = parse_key(song.key)
    midi = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_BEAT)
    beats, unit = song.time_signature
    conductor = [
        (0, 0, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(song.tempo_bpm))),
        (0, 0, mido.MetaMessage("time_signature", numerator=beats, denominator=unit)),
        (0, 0, mido.MetaMessage("key_signature", key=key.name)),
    ]
    for section, start in zip(song.form, song.section_start_beats()):
        conductor.append((_ticks(start), 1, mido.MetaMessage("marker", text=_midi_text(section.label))))
    midi.tracks.append(_track(song.title or "troubadour", conductor))
    vocal = [(0, 0, mido.Message("program_change", channel=VOCAL_CHANNEL, program=VOCAL_PROGRAM))]
    midi.tracks.append(_track("Vocals", vocal + vocal_events(song)))
    for part in song.parts:
        events: list[tuple[int, int, object]] = []
        if not part.is_drums:
            events.append((0, 0, mido.Message("program_change", channel=part.channel, program=part.program)))
        for note in part.notes:
            start, end = _ticks(note.start_beat), _ticks(note.start_beat + note.duration_beats)
            events.append((start, 2, mido.Message("note_on", channel=part.channel, note=note.pitch, velocity=note.velocity)))
            events.append((max(start + 1, end), 0, mido.Message("note_off", channel=part.channel, note=note.pitch, velocity=0)))
        midi.tracks.append(_track(part.instrument if part.name != "drums" else "Drums", events))
    return midi
