"""Lyric exports: the sheet with section tags and LRC synced lyrics."""

from __future__ import annotations

from troubadour.song import Song
from troubadour.words.sheet import lyrics_to_text


def lyrics_txt(song: Song) -> str:
    return lyrics_to_text(song.lyrics)


def _stamp(seconds: float) -> str:
    minutes, rest = divmod(max(0.0, seconds), 60.0)
    return f"[{int(minutes):02d}:{rest:05.2f}]"


def lyrics_lrc(song: Song) -> str:
    """LRC: each sung line stamped at its first sung syllable."""
    spb = song.seconds_per_beat
    lines = [f"[ti:{song.title}]", f"[ar:{song.artist}]", "[by:troubadour (AI-generated)]",
             f"[length:{int(song.duration_s // 60):02d}:{int(song.duration_s % 60):02d}]"]
    for phrase in song.melody:
        text = song.lyrics.sections[phrase.section].lines[phrase.line].text
        lines.append(f"{_stamp(phrase.notes[0].start_beat * spb)}{text}")
    return "\n".join(lines) + "\n"
