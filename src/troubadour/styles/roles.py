"""What each kind of player does, bar by bar: drums, bass, strum, comp, pad, lead, arpeggio.

Each role writes plain notes (pitch, start beat, length, velocity) from the
chord track, the section's energy level and the style's step patterns;
timing feel (swing, humanising) is applied afterwards by the arranger.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from troubadour.music.harmony import ChordTrack
from troubadour.music.theory import ChordInfo, Key, nearest_pitch_with_pc
from troubadour.styles.style import DRUM_NOTES, Style, StylePart

STEP = 0.25  # a sixteenth note, in beats
_DRUM_VELOCITY = {"x": 108, "o": 86, "g": 50}


@dataclass
class Note:
    pitch: int
    start: float
    length: float
    velocity: int


@dataclass
class Bar:
    """One bar of one section, with what a player needs to know about it."""

    start: float  # beat
    beats: float
    level: str  # "low" | "mid" | "high"
    energy: float
    kind: str  # section kind
    first: bool  # first bar of its section
    last: bool  # last bar of its section
    next_kind: str | None  # kind of the following section
    song_last: bool  # the very last bar of the song


def drums(bars: list[Bar], style: Style, rng: np.random.Generator) -> list[Note]:
    notes: list[Note] = []
    for bar in bars:
        if bar.song_last:  # the ending: one hit and ring
            notes += [Note(36, bar.start, 1.0, 112), Note(49, bar.start, 2.0, 110)]
            continue
        if bar.first and bar.kind not in ("intro",):
            notes.append(Note(DRUM_NOTES["crash"], bar.start, 1.0, 100 if bar.energy > 0.6 else 80))
        fill = bar.last and bar.next_kind in ("chorus", "hook", "solo", "bridge") and bar.kind != "intro"
        groove = style.grooves[bar.level]
        steps = len(next(iter(groove.values())))
        for piece, pattern in groove.items():
            for step, ch in enumerate(pattern):
                if ch == "." or (fill and step >= steps // 2 and piece != "kick"):
                    continue
                if piece == "hat" and bar.first and step == 0 and bar.kind != "intro":
                    continue  # the crash replaces the hat
                notes.append(Note(DRUM_NOTES[piece], bar.start + step * STEP, STEP, _DRUM_VELOCITY[ch]))
        if fill:
            notes += _fill(bar, steps, rng)
    return notes


def _fill(bar: Bar, steps: int, rng: np.random.Generator) -> list[Note]:
    """Second half of the bar: snare and toms in sixteenths, rising in force."""
    voices = [DRUM_NOTES["snare"], DRUM_NOTES["tom_high"], DRUM_NOTES["tom_mid"], DRUM_NOTES["tom_low"]]
    half = steps // 2
    notes = []
    for k, step in enumerate(range(half, steps)):
        if rng.random() < 0.2 and k % 2 == 1:
            continue
        drum = voices[min(len(voices) - 1, k * len(voices) // (steps - half))]
        notes.append(Note(drum, bar.start + step * STEP, STEP, int(70 + 40 * k / (steps - half))))
    return notes


def bass(bars: list[Bar], style: Style, track: ChordTrack, part: StylePart, key: Key, rng: np.random.Generator) -> list[Note]:
    notes: list[Note] = []
    center = 12 * (part.octave + 1) + 4  # E of the part's octave
    for bar in bars:
        if bar.song_last:
            chord = track.at(bar.start)
            notes.append(Note(nearest_pitch_with_pc(center, chord.bass), bar.start, 2.0, 100))
            continue
        pattern = style.bass[bar.level]
        hits = [(i, ch) for i, ch in enumerate(pattern) if ch != "."]
        next_change = track.next_change(bar.start)
        walk = (next_change is not None and abs(next_change - (bar.start + bar.beats)) < 1e-6
                and bar.level != "low" and rng.random() < 0.6)
        for n, (step, ch) in enumerate(hits):
            beat = bar.start + step * STEP
            end_step = hits[n + 1][0] if n + 1 < len(hits) else len(pattern)
            chord = track.at(beat)
            if walk and step * STEP >= bar.beats - 1.0:
                break
            pitch = nearest_pitch_with_pc(center, _bass_pc(chord, ch))
            notes.append(Note(pitch, beat, (end_step - step) * STEP * 0.9, 96 if step == 0 else 84))
        if walk:
            target_chord = track.at(bar.start + bar.beats)
            notes += _walk_up(bar, notes[-1].pitch if notes else center, target_chord, key, center)
    return notes


def _bass_pc(chord: ChordInfo, symbol: str) -> int:
    if symbol == "R":
        return chord.bass
    if symbol == "5":
        return chord.fifth
    if symbol == "3":
        return chord.pitch_classes[1]
    if symbol == "6":
        return (chord.root + 9) % 12
    return chord.root  # "8" and "W" start from the root


def _walk_up(bar: Bar, previous: int, target: ChordInfo, key: Key, center: int) -> list[Note]:
    """Two eighths then a quarter... here: three eighth-note scale steps leading into the next root."""
    goal = nearest_pitch_with_pc(center, target.bass)
    direction = 1 if goal >= previous else -1
    scale = [p for p in range(goal - 12, goal + 13) if p % 12 in key.pitch_classes or p == goal]
    steps = [p for p in scale if (p < goal if direction > 0 else p > goal)]
    approach = steps[-3:] if direction > 0 else list(reversed(steps[:3]))
    start = bar.start + bar.beats - 1.5
    return [Note(p, start + 0.5 * i, 0.45, 80) for i, p in enumerate(approach)]


def guitar_voicing(chord: ChordInfo, octave: int) -> list[int]:
    """A strummed, guitar-like voicing: bass note then chord tones stacked up to five or six strings."""
    low = nearest_pitch_with_pc(12 * (octave + 1) + 4, chord.bass)  # near E of the octave (low E string = 40)
    low = max(low, 40)
    pcs = chord.pitch_classes
    voicing = [low]
    pitch = low
    order = [pcs[(pcs.index(chord.bass) + k) % len(pcs)] if chord.bass in pcs else pcs[k % len(pcs)] for k in range(1, 8)]
    for pc in order:
        pitch = pitch + ((pc - pitch) % 12 or 12)
        if pitch - voicing[-1] < 3:  # avoid clusters no hand plays
            pitch += 12 if pitch + 12 <= low + 24 else 0
        voicing.append(pitch)
        if len(voicing) == 6 or pitch > low + 24:
            break
    return sorted(set(voicing))[:6]


def _hits(bar: Bar, pattern: str, last_hit: str):
    """(step, symbol, beat, end beat) of each hit of a bar's pattern; the song's last bar is one long hit."""
    if bar.song_last:
        yield 0, last_hit, bar.start, bar.start + bar.beats * 2
        return
    hits = [(i, ch) for i, ch in enumerate(pattern) if ch != "."]
    for n, (step, ch) in enumerate(hits):
        end_step = hits[n + 1][0] if n + 1 < len(hits) else len(pattern)
        yield step, ch, bar.start + step * STEP, bar.start + end_step * STEP


def strum(bars: list[Bar], style: Style, track: ChordTrack, part: StylePart, spb: float) -> list[Note]:
    notes: list[Note] = []
    spread = 0.012 / spb  # 12 ms between strings, in beats
    for bar in bars:
        for step, ch, beat, end in _hits(bar, style.strum[bar.level], "D"):
            voicing = guitar_voicing(track.at(beat), part.octave)
            if ch == "U":
                voicing = list(reversed(voicing[-4:]))
            velocity = (92 if step % 4 == 0 else 78) - (14 if ch == "U" else 0)
            for k, pitch in enumerate(voicing):
                onset = beat + k * spread
                notes.append(Note(pitch, onset, max(0.1, end - onset - 0.02), velocity - 2 * k))
    return notes


def close_voicing(chord: ChordInfo, center: float, previous: list[int] | None) -> list[int]:
    """Three or four chord tones near `center`, moving as little as possible from the previous voicing."""
    pcs = chord.pitch_classes[:4]
    best, best_cost = None, None
    for inversion in range(len(pcs)):
        ordered = pcs[inversion:] + pcs[:inversion]
        voicing = [nearest_pitch_with_pc(center - 4, ordered[0])]
        for pc in ordered[1:]:
            voicing.append(voicing[-1] + ((pc - voicing[-1]) % 12 or 12))
        cost = abs(np.mean(voicing) - center)
        if previous:
            cost += 0.5 * sum(min(abs(p - q) for q in previous) for p in voicing)
        if best_cost is None or cost < best_cost:
            best, best_cost = voicing, cost
    return best


def comp(bars: list[Bar], style: Style, track: ChordTrack, part: StylePart) -> list[Note]:
    notes: list[Note] = []
    previous: list[int] | None = None
    center = 12 * (part.octave + 1) + 5
    for bar in bars:
        for step, ch, beat, end in _hits(bar, style.comp[bar.level], "x"):
            chord = track.at(beat)
            voicing = close_voicing(chord, center, previous)
            previous = voicing
            velocity = 80 if ch == "x" else 66
            notes += [Note(p, beat, max(0.1, end - beat - 0.05), velocity) for p in voicing]
            if step == 0:  # the left hand's root
                notes.append(Note(nearest_pitch_with_pc(center - 14, chord.bass), beat, max(0.1, end - beat - 0.05), velocity - 8))
    return notes


def pad(bars: list[Bar], track: ChordTrack, part: StylePart) -> list[Note]:
    """Sustained upper chord tones (strings, organ, fiddle double-stops), one per chord per bar."""
    notes: list[Note] = []
    previous: list[int] | None = None
    center = 12 * (part.octave + 1) + 7
    for bar in bars:
        beat = bar.start
        while beat < bar.start + bar.beats - 1e-6:
            chord = track.at(beat)
            change = track.next_change(beat)
            end = min(bar.start + bar.beats, change if change is not None else bar.start + bar.beats)
            if bar.song_last:
                end = bar.start + bar.beats * 2
            voicing = close_voicing(chord, center, previous)[-2:]
            previous = voicing
            notes += [Note(p, beat, max(0.2, end - beat - 0.05), int(60 + 30 * bar.energy)) for p in voicing]
            if bar.song_last:
                break
            beat = end
    return notes


def lead(bars: list[Bar], track: ChordTrack, part: StylePart, key: Key, line_beats: float,
         rng: np.random.Generator) -> list[Note]:
    """Melodic lines in instrumental sections; short pentatonic fills in the breaths between sung lines."""
    penta = [key.degree_pc(d) for d in ((1, 2, 3, 5, 6) if key.mode == "major" else (1, 3, 4, 5, 7))]
    low, high = 12 * (part.octave + 1) - 2, 12 * (part.octave + 1) + 19
    scale = [p for p in range(low, high + 1) if p % 12 in penta]
    notes: list[Note] = []
    position = len(scale) // 2
    for bar in bars:
        if bar.song_last:
            chord = track.at(bar.start)
            notes.append(Note(nearest_pitch_with_pc((low + high) / 2, chord.root), bar.start, bar.beats * 2, 86))
            continue
        instrumental = bar.kind in ("intro", "solo", "outro")
        if instrumental:
            beat = bar.start
            while beat < bar.start + bar.beats - 1e-6:
                length = 1.0 if rng.random() < 0.35 else 0.5
                chord = track.at(beat)
                on_beat = abs(beat - round(beat)) < 1e-6
                position = int(np.clip(position + rng.choice([-2, -1, -1, 1, 1, 2]), 0, len(scale) - 1))
                pitch = scale[position]
                if on_beat and pitch % 12 not in chord.pitch_classes:
                    pitch = nearest_pitch_with_pc(pitch, chord.root if rng.random() < 0.5 else chord.pitch_classes[1])
                notes.append(Note(pitch, beat, length * 0.95, 88 if on_beat else 74))
                beat += length
        else:
            # Fill the breath at the end of each sung line (the last beat and a half of each line).
            line_end = bar.start + bar.beats
            relative = (line_end - bars[0].start) % line_beats
            if abs(relative) < 1e-6 and rng.random() < 0.7:
                start = line_end - 1.5
                chord = track.at(start)
                top = nearest_pitch_with_pc(high - 5, chord.pitch_classes[min(2, len(chord.pitch_classes) - 1)])
                run = [p for p in scale if p <= top][-4:][::-1]
                notes += [Note(p, start + 0.5 * i, 0.45, 80 - 4 * i) for i, p in enumerate(run[:3])]
    return notes


def arpeggio(bars: list[Bar], track: ChordTrack, part: StylePart) -> list[Note]:
    """Fingerpicked eighths through the chord: bass, then upper tones up and down."""
    notes: list[Note] = []
    for bar in bars:
        beat = bar.start
        k = 0
        while beat < bar.start + bar.beats - 1e-6:
            voicing = guitar_voicing(track.at(beat), part.octave)
            order = [voicing[0]] + voicing[2:] + voicing[-2:1:-1]
            pitch = order[k % len(order)]
            velocity = 84 if k % 4 == 0 else 68
            notes.append(Note(pitch, beat, 0.9 if not bar.song_last else bar.beats, velocity))
            if bar.song_last:
                break
            beat += 0.5
            k += 1
    return notes
