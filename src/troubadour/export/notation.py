"""The melody as notation: quantised events shared by the lead-sheet writers (MusicXML, LilyPond).

Times are in divisions of a quarter note (sixteenth-note resolution); notes
are split at barlines (and wherever a writer needs, e.g. chord changes) and
tied across the splits; lyrics carry their syllabic role.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from troubadour.song import Song

DIVISIONS = 4  # per quarter note: sixteenth-note resolution
NOTE_LENGTHS = (16, 12, 8, 6, 4, 3, 2, 1)  # lengths with a note type (dotted ones included), in divisions


@dataclass
class Event:
    start: int  # in divisions from the song start
    length: int
    pitch: int | None  # None: rest
    lyric: tuple[str, str] | None = None  # (syllabic, text)
    tie_start: bool = False
    tie_stop: bool = False


def melody_events(song: Song) -> list[Event]:
    notes: list[Event] = []
    for phrase in song.melody:
        line = song.lyrics.sections[phrase.section].lines[phrase.line]
        owners = line.syllable_words()
        previous = -1
        for note in phrase.notes:
            start = int(round(note.start_beat * DIVISIONS))
            end = int(round((note.start_beat + note.duration_beats) * DIVISIONS))
            if notes and start < notes[-1].start + notes[-1].length:  # quantisation collision
                start = notes[-1].start + notes[-1].length
            end = max(end, start + 1)
            lyric = None
            if note.syllable != previous:
                word, position = owners[note.syllable]
                count = len(word.syllables)
                syllabic = "single" if count == 1 else "begin" if position == 0 else "end" if position == count - 1 else "middle"
                lyric = (syllabic, word.syllables[position].text)
            previous = note.syllable
            notes.append(Event(start, end - start, note.pitch, lyric))
    return notes


def fill_rests(notes: list[Event], total: int) -> list[Event]:
    out, cursor = [], 0
    for note in notes:
        if note.start > cursor:
            out.append(Event(cursor, note.start - cursor, None))
        out.append(note)
        cursor = note.start + note.length
    if cursor < total:
        out.append(Event(cursor, total - cursor, None))
    return out


def split_events(events: list[Event], cuts: list[int]) -> list[Event]:
    """Split events at the given positions (barlines, chord changes); split notes are tied."""
    cut_set = sorted(set(cuts))
    out = []

    for event in events:
        pieces = [event.start] + [c for c in cut_set[bisect.bisect_right(cut_set, event.start):] if c < event.start + event.length]
        pieces.append(event.start + event.length)
        for k, (a, b) in enumerate(zip(pieces, pieces[1:])):
            out.append(Event(a, b - a, event.pitch, event.lyric if k == 0 else None,
                              tie_start=event.pitch is not None and (k < len(pieces) - 2 or event.tie_start),
                              tie_stop=event.pitch is not None and (k > 0 or event.tie_stop)))
    return out


def notated(length: int) -> list[int]:
    """Lengths that have a note type, largest first, summing to `length`."""
    out = []
    while length > 0:
        piece = max(d for d in NOTE_LENGTHS if d <= length)
        out.append(piece)
        length -= piece
    return out


def lead_sheet_events(song: Song, *, cuts: list[int] = ()) -> tuple[int, int, list[Event]]:
    """(divisions per bar, total divisions, events with rests) split at barlines and ``cuts``."""
    measure_len = int(round(song.beats_per_bar * DIVISIONS))
    total = int(round(song.total_beats * DIVISIONS))
    barlines = list(range(0, total + 1, measure_len))
    return measure_len, total, split_events(fill_rests(melody_events(song), total), barlines + list(cuts))
