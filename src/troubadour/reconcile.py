"""Bringing an edited song document back into agreement with itself before rendering.

Users edit `song.json` by hand: a lyric line's text, a chord symbol, the
tempo, the voice, the key. Whatever was derived from an edited value and not
itself edited by hand is derived again, deterministically from the seed; what
the user edited is kept. Each thing re-derived is reported as a note.
"""

from __future__ import annotations

import numpy as np

from troubadour.errors import DocumentError
from troubadour.music.compose import compose
from troubadour.music.form import bars_per_line
from troubadour.music.harmony import ChordTrack
from troubadour.music.melody import compose_line
from troubadour.music.theory import chord_symbol, parse_chord, parse_key
from troubadour.song import Chord, LyricSection, Lyrics, Part, Phrase, Song, content_hash
from troubadour.styles.arranger import arrange, part_inputs_hash, style_mix
from troubadour.styles.style import load_style
from troubadour.voice.profiles import load_voice
from troubadour.words.text import line_is_current, make_line


def reconcile(song: Song) -> tuple[Song, list[str]]:
    """Return a consistent song and human-readable notes on what was re-derived."""
    notes: list[str] = []
    style = load_style(song.genre)
    voice = load_voice(song.voice)
    song, changed = _refresh_lyrics(song, notes)
    if song.composed_key and song.composed_key != song.key:
        song = transpose_song(song, song.key)
        notes.append(f"transposed the music from {song.composed_key} to {song.key}")
    song = song.model_copy(update={"composed_key": song.key})
    if not _structure_matches(song):
        song = compose(song, style=style, seed=song.seed)
        notes.append("the lyrics' sections or lines changed: form, chords and melody were composed again")
    elif changed:
        song = _refit_lines(song, changed, low=voice.low, high=voice.high, notes=notes)
    song = _refresh_parts(song, style, notes)
    mix = dict(style_mix(style))
    mix.update(song.mix)
    song = song.model_copy(update={"mix": {name: mix[name] for name in mix if name in song.stem_names()}})
    return song, notes


def _refresh_lyrics(song: Song, notes: list[str]) -> tuple[Song, set[tuple[int, int]]]:
    changed: set[tuple[int, int]] = set()
    sections = []
    for si, section in enumerate(song.lyrics.sections):
        lines = []
        for li, line in enumerate(section.lines):
            if not line_is_current(line):
                fresh = make_line(line.text)
                if not fresh.words:
                    raise DocumentError(f"lyrics.sections.{si}.lines.{li}.text {line.text!r} has no singable words; "
                                        "write the line or remove it")
                notes.append(f"re-read {section.label} line {li + 1}: {line.text!r}")
                line = fresh
                changed.add((si, li))
            lines.append(line)
        sections.append(LyricSection(kind=section.kind, label=section.label, lines=lines))
    return song.model_copy(update={"lyrics": Lyrics(title=song.lyrics.title, sections=sections)}), changed


def _structure_matches(song: Song) -> bool:
    """Do the form's sung sections and the melody's phrases still match the lyrics, line for line?"""
    if not song.form or not song.chords:
        return False
    per_line = bars_per_line(song.beats_per_bar)
    expected = []
    for section in song.form:
        if section.lyrics is None:
            continue
        lines = song.lyrics.sections[section.lyrics].lines
        if section.bars != len(lines) * per_line:
            return False
        expected += [(section.lyrics, j) for j in range(len(lines))]
    return expected == [(p.section, p.line) for p in song.melody]


def _refit_lines(song: Song, changed: set[tuple[int, int]], *, low: int, high: int, notes: list[str]) -> Song:
    """New notes for edited lines whose syllable count changed; same notes when it did not."""
    track = ChordTrack(song.chords)
    key = parse_key(song.key)
    per_line_beats = bars_per_line(song.beats_per_bar) * song.beats_per_bar
    starts = {}
    for section, start in zip(song.form, song.section_start_beats()):
        if section.lyrics is not None:
            starts.setdefault(section.lyrics, []).append((start, section.kind))
    occurrence: dict[int, int] = {}
    melody = []
    for phrase in song.melody:
        line = song.lyrics.sections[phrase.section].lines[phrase.line]
        if phrase.line == 0:
            occurrence[phrase.section] = occurrence.get(phrase.section, -1) + 1
        section_start, kind = starts[phrase.section][occurrence[phrase.section]]
        if (phrase.section, phrase.line) in changed and phrase.notes[-1].syllable + 1 != len(line.syllables):
            line_start = section_start + phrase.line * per_line_beats
            lines_in_section = len(song.lyrics.sections[phrase.section].lines)
            relative = compose_line(line, kind=kind, line_index=phrase.line, last_in_section=phrase.line == lines_in_section - 1,
                                    key=key, track=track, line_start=line_start, beats=per_line_beats,
                                    beats_per_bar=song.beats_per_bar, low=low, high=high, seed=song.seed)
            fresh = [n.model_copy(update={"start_beat": round(n.start_beat + line_start, 6)}) for n in relative]
            backing = "third" if any(w.backing for w in line.words) else "none"
            phrase = Phrase(section=phrase.section, line=phrase.line, notes=fresh, backing=backing)
            notes.append(f"new melody for the edited line {line.text!r} (its syllable count changed)")
        melody.append(phrase)
    return song.model_copy(update={"melody": melody})


def _refresh_parts(song: Song, style, notes: list[str]) -> Song:
    existing = {p.name: p for p in song.parts}
    stale = set()
    for spec in style.parts:
        part = existing.get(spec.name)
        if part is None:
            stale.add(spec.name)
            continue
        if part.source_hash != part_inputs_hash(song, spec):
            if content_hash(part.notes) == part.notes_hash:
                stale.add(spec.name)
            else:
                notes.append(f"kept your hand-edited {spec.name} part although the chords or form changed")
    if not stale:
        return song
    fresh = {p.name: p for p in arrange(song, style=style, only=stale)}
    if song.parts:
        notes.append(f"re-arranged {', '.join(sorted(stale))} for the changed chords or form")
    # Parts the arranger made for another style are dropped; parts the user added (no source hash) stay.
    own = {spec.name for spec in style.parts}
    order = [spec.name for spec in style.parts] + [n for n in existing if n not in own and not existing[n].source_hash]
    parts = [fresh.get(name) or existing[name] for name in order if name in fresh or name in existing]
    return song.model_copy(update={"parts": parts})


def transpose_song(song: Song, new_key: str) -> Song:
    """Move chords, melody and pitched parts from `composed_key` to `new_key` by the smallest interval."""
    old, new = parse_key(song.composed_key), parse_key(new_key)
    shift = (new.tonic - old.tonic) % 12
    if shift > 6:
        shift -= 12
    chords = []
    for chord in song.chords:
        info = parse_chord(chord.symbol)
        symbol = chord_symbol((info.root + shift) % 12, info.quality, new, (info.bass + shift) % 12)
        chords.append(Chord(symbol=symbol, start_beat=chord.start_beat, duration_beats=chord.duration_beats))
    melody = [p.model_copy(update={"notes": [n.model_copy(update={"pitch": int(np.clip(n.pitch + shift, 0, 127))})
                                             for n in p.notes]}) for p in song.melody]
    parts: list[Part] = []
    for part in song.parts:
        if part.is_drums:
            parts.append(part)
            continue
        moved = [n.model_copy(update={"pitch": int(np.clip(n.pitch + shift, 0, 127))}) for n in part.notes]
        parts.append(part.model_copy(update={"notes": moved, "notes_hash": content_hash(moved)}))
    song = song.model_copy(update={"chords": chords, "melody": melody, "parts": parts})
    # The parts were moved deliberately: record them as arranged from the transposed chords.
    style = load_style(song.genre)
    specs = {s.name: s for s in style.parts}
    parts = [p.model_copy(update={"source_hash": part_inputs_hash(song, specs[p.name])}) if p.name in specs else p
             for p in song.parts]
    return song.model_copy(update={"parts": parts})
