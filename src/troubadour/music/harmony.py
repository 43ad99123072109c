"""Harmony: chord progressions from the style's vocabulary, with cadences at phrase ends."""

from __future__ import annotations

import bisect

import numpy as np

from troubadour.music.theory import Key, parse_chord, roman_to_symbol
from troubadour.song import Chord, FormSection
from troubadour.styles.style import Style

# Which progression table a section kind borrows from when the style has none of its own.
_FALLBACK = {"hook": "chorus", "prechorus": "verse", "solo": "verse", "intro": "verse", "outro": "verse", "bridge": "chorus"}


def build_harmony(form: list[FormSection], *, key: Key, style: Style, beats_per_bar: float,
                  rng: np.random.Generator) -> list[Chord]:
    """One chord (or two, for 'A|B' tokens) per bar, the same progression for every section of a kind.

    Cadences: verses and bridges end on the dominant (a half cadence into what
    follows), choruses and the outro close dominant -> tonic. Into a chorus
    the song either lifts through the subdominant (IV) or the submediant (vi)
    before the dominant, chosen once per song.
    """
    table = style.progressions[key.mode]
    lift = ("IV" if key.mode == "major" else "iv") if rng.random() < 0.5 else ("vi" if key.mode == "major" else "VI")
    chosen: dict[str, list[str]] = {}
    chords: list[Chord] = []
    beat = 0.0
    for index, section in enumerate(form):
        kind = section.kind if section.kind in table else _FALLBACK.get(section.kind, "verse")
        if kind not in table:
            kind = next(iter(table))
        if kind not in chosen:
            options = table[kind]
            chosen[kind] = options[int(rng.integers(len(options)))]
        bars = _tile(chosen[kind], section.bars)
        next_kind = form[index + 1].kind if index + 1 < len(form) else None
        _cadence(bars, section.kind, next_kind, key, lift=lift)
        for tokens in bars:
            # The dominant as a seventh chord: its seventh is the key's fourth degree, the note that
            # tells the key from its dominant's key (to a listener and to a chroma key estimate).
            parts = ["V7" if token == "V" else token for token in tokens.split("|")]
            length = beats_per_bar / len(parts)
            for token in parts:
                chords.append(Chord(symbol=roman_to_symbol(token, key), start_beat=beat, duration_beats=length))
                beat += length
    return merge_repeats(chords)


def _tile(progression: list[str], bars: int) -> list[str]:
    return [progression[i % len(progression)] for i in range(bars)]


def _cadence(bars: list[str], kind: str, next_kind: str | None, key: Key, *, lift: str) -> None:
    tonic = "I" if key.mode == "major" else "i"
    dominant = "V"  # major V in minor too: the leading tone makes the cadence (harmonic minor)
    if len(bars) < 2:
        return
    closes = kind == "outro" or (kind in ("chorus", "hook") and next_kind not in ("chorus", "hook"))
    if closes:
        bars[-2], bars[-1] = dominant, tonic
    elif next_kind is not None and kind != "chorus":
        if next_kind in ("chorus", "hook") and kind in ("verse", "prechorus") and len(bars) >= 4:
            bars[-2] = lift
        bars[-1] = dominant


def merge_repeats(chords: list[Chord]) -> list[Chord]:
    """Join neighbouring identical chords into one longer chord."""
    merged: list[Chord] = []
    for chord in chords:
        if merged and merged[-1].symbol == chord.symbol:
            last = merged[-1]
            merged[-1] = last.model_copy(update={"duration_beats": last.duration_beats + chord.duration_beats})
        else:
            merged.append(chord)
    return merged


class ChordTrack:
    """Fast lookup of the chord sounding at a beat."""

    def __init__(self, chords: list[Chord]) -> None:
        self.chords = chords
        self.starts = [c.start_beat for c in chords]
        self.infos = [parse_chord(c.symbol) for c in chords]

    def index_at(self, beat: float) -> int:
        return max(0, bisect.bisect_right(self.starts, beat + 1e-9) - 1)

    def at(self, beat: float):
        return self.infos[self.index_at(beat)]

    def next_change(self, beat: float) -> float | None:
        i = self.index_at(beat) + 1
        return self.starts[i] if i < len(self.starts) else None
