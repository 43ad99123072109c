"""The vocal line of a MusicXML score (read with music21).

Ties are merged into one note, chords give their top note, grace notes are
skipped, the first verse's lyrics are sung. Times come from the score's
metronome marks (120 quarter notes a minute when it has none).
"""

from __future__ import annotations

import warnings as _warnings
from pathlib import Path

from troubadour.errors import InputError
from troubadour.voice.scorefile import SYLLABIC, LyricNote, TempoMap

DEFAULT_BPM = 120.0


def read_musicxml(path: Path, *, part: str | None = None
                  ) -> tuple[list[LyricNote], str, float, tuple[int, int], list[str]]:
    """(notes, part name, first tempo, time signature, warnings) of the vocal part."""
    import music21

    warnings: list[str] = []
    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            parsed = music21.converter.parse(str(path), format="musicxml", forceSource=True)
    except Exception as exc:  # music21 raises many kinds for a broken file
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise InputError(f"cannot read {path.name!r} as MusicXML ({reason}); is it a valid .musicxml or .mxl file?") from None
    parts = list(getattr(parsed, "parts", [])) or [parsed]
    chosen = _choose_part(parts, part, path.name)
    name = _part_name(chosen, parts.index(chosen))

    marks = [(float(m.getOffsetBySite(parsed.flatten())), m.getQuarterBPM())
             for m in parsed.flatten().getElementsByClass(music21.tempo.MetronomeMark) if m.getQuarterBPM()]
    if not marks:
        warnings.append(f"{path.name!r} has no tempo mark; singing at {DEFAULT_BPM:.0f} BPM")
    tempo = TempoMap([(offset, 60.0 / bpm) for offset, bpm in marks], default=60.0 / DEFAULT_BPM)
    first_bpm = min(marks)[1] if marks else DEFAULT_BPM

    flat = chosen.stripTies().flatten()
    meters = list(flat.getElementsByClass(music21.meter.TimeSignature))
    meter = (int(meters[0].numerator), int(meters[0].denominator)) if meters else (4, 4)
    notes: list[LyricNote] = []
    for element in flat.notes:
        quarters = float(element.quarterLength)
        if quarters <= 0:  # grace notes take no time
            continue
        if element.isChord:
            pitch = max(p.midi for p in element.pitches)
        else:
            pitch = element.pitch.midi
        start = float(element.offset)
        t0, t1 = tempo.seconds(start), tempo.seconds(start + quarters)
        text, syllabic = _lyric(element)
        velocity = int(element.volume.velocity) if element.volume.velocity else 90
        notes.append(LyricNote(float(pitch), t0, t1 - t0, text, syllabic, velocity))
    return notes, name, float(first_bpm), meter, warnings


def _lyric(element) -> tuple[str | None, str]:
    """The first verse's lyric syllable of a note and its syllabic role."""
    lyrics = [ly for ly in element.lyrics if ly.text and ly.text.strip()]
    if not lyrics:
        return None, "single"
    lyric = next((ly for ly in lyrics if ly.number == 1), lyrics[0])
    text = lyric.text.strip()
    syllabic = lyric.syllabic if lyric.syllabic in SYLLABIC else "single"
    if syllabic in ("single", "end") and text.endswith("-"):  # a hyphen typed into the text
        text, syllabic = text.rstrip("-"), "begin" if syllabic == "single" else "middle"
    if text in ("_", "~", "+"):  # extender marks: a melisma
        return None, "single"
    return text or None, syllabic


def _part_name(part, index: int) -> str:
    return (getattr(part, "partName", None) or getattr(part, "id", None) or f"part {index + 1}").strip()


def _lyric_count(part) -> int:
    return sum(1 for n in part.flatten().notes if any(ly.text for ly in n.lyrics))


def _choose_part(parts: list, wanted: str | None, filename: str):
    names = [_part_name(p, i) for i, p in enumerate(parts)]
    if wanted is not None:
        for p, name in zip(parts, names):
            if wanted.lower() in (name.lower(), str(getattr(p, "id", "")).lower()):
                return p
        raise InputError(f"{filename!r} has no part named {wanted!r}; its parts: {', '.join(repr(n) for n in names)}")
    counts = [_lyric_count(p) for p in parts]
    if max(counts) > 0:
        return parts[counts.index(max(counts))]
    with_notes = [p for p in parts if len(p.flatten().notes)]
    return with_notes[0] if with_notes else parts[0]
