"""Standard MIDI file export: type 1, one track per part, karaoke lyrics on the vocal track.

The file is written directly as bytes (the format is small and fixed); mido
reads it back in the tests. Building tens of thousands of validated message
objects would cost more than the rest of the export.
"""

from __future__ import annotations

import struct
import unicodedata

from troubadour.music.theory import parse_key
from troubadour.song import Song

TICKS_PER_BEAT = 480
VOCAL_CHANNEL = 0
VOCAL_PROGRAM = 53  # GM "Voice Oohs": what a user hears when playing the MIDI

# Event sort order at equal ticks: note-offs, then meta (lyrics, markers), then note-ons.
_OFF, _META, _ON = 0, 1, 2


def _ticks(beats: float) -> int:
    return int(round(beats * TICKS_PER_BEAT))


def _vlq(value: int) -> bytes:
    """MIDI variable-length quantity."""
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def _latin1(text: str) -> bytes:
    """MIDI text is Latin-1 by convention: keep what it holds, fold accents off the rest."""
    out = []
    for ch in text:
        try:
            out.append(ch.encode("latin-1"))
        except UnicodeEncodeError:
            out.append(unicodedata.normalize("NFKD", ch).encode("ascii", "ignore") or b"?")
    return b"".join(out)


def _meta(kind: int, data: bytes) -> bytes:
    return bytes([0xFF, kind]) + _vlq(len(data)) + data


def _track(name: str, events: list[tuple[int, int, bytes]]) -> bytes:
    body = bytearray(_vlq(0) + _meta(0x03, _latin1(name)))
    now = 0
    for tick, _, data in sorted(events, key=lambda e: (e[0], e[1])):
        body += _vlq(tick - now) + data
        now = tick
    body += _vlq(0) + _meta(0x2F, b"")
    return b"MTrk" + struct.pack(">I", len(body)) + bytes(body)


def _note(channel: int, pitch: int, velocity: int, start_beat: float, duration_beats: float) -> list[tuple[int, int, bytes]]:
    start = _ticks(start_beat)
    end = max(start + 1, _ticks(start_beat + duration_beats))
    return [(start, _ON, bytes([0x90 | channel, pitch, velocity])), (end, _OFF, bytes([0x80 | channel, pitch, 0]))]


def vocal_events(song: Song) -> list[tuple[int, int, bytes]]:
    """Notes of the sung melody with one lyric meta event per syllable, at its first note."""
    events: list[tuple[int, int, bytes]] = []
    for phrase in song.melody:
        line = song.lyrics.sections[phrase.section].lines[phrase.line]
        owners = line.syllable_words()
        syllables = line.syllables
        previous = -1
        for note in phrase.notes:
            if note.syllable != previous:
                word, position = owners[note.syllable]
                text = syllables[note.syllable].text
                if position < len(word.syllables) - 1:
                    text += "-"  # karaoke convention: the word continues
                events.append((_ticks(note.start_beat), _META, _meta(0x05, _latin1(text))))
            previous = note.syllable
            events += _note(VOCAL_CHANNEL, note.pitch, note.velocity, note.start_beat, note.duration_beats)
    return events


def _key_signature(song: Song) -> bytes:
    key = parse_key(song.key)
    return _meta(0x59, struct.pack(">bB", key.fifths, 1 if key.mode == "minor" else 0))


def song_to_midi_bytes(song: Song) -> bytes:
    beats, unit = song.time_signature
    tempo_us = int(round(60_000_000 / song.tempo_bpm))
    conductor = [
        (0, _META, _meta(0x51, tempo_us.to_bytes(3, "big"))),
        (0, _META, _meta(0x58, bytes([beats, unit.bit_length() - 1, 24, 8]))),
        (0, _META, _key_signature(song)),
    ]
    for section, start in zip(song.form, song.section_start_beats()):
        conductor.append((_ticks(start), _META, _meta(0x06, _latin1(section.label))))
    tracks = [_track(song.title or "troubadour", conductor)]
    vocal = [(0, _META, bytes([0xC0 | VOCAL_CHANNEL, VOCAL_PROGRAM]))]
    tracks.append(_track("Vocals", vocal + vocal_events(song)))
    for part in song.parts:
        events: list[tuple[int, int, bytes]] = []
        if not part.is_drums:
            events.append((0, _META, bytes([0xC0 | part.channel, part.program])))
        for note in part.notes:
            events += _note(part.channel, note.pitch, note.velocity, note.start_beat, note.duration_beats)
        tracks.append(_track("Drums" if part.is_drums else part.instrument, events))
    header = b"MThd" + struct.pack(">IHHH", 6, 1, len(tracks), TICKS_PER_BEAT)
    return header + b"".join(tracks)
