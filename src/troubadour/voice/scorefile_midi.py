"""The vocal line of a MIDI file with lyric events (read with mido).

Karaoke convention: one lyric event per sung syllable at its note; a syllable
that continues its word ends with ``-``; ``/`` and ``\\`` at the start of an
event mark new lines and paragraphs; a note without a lyric after a syllable
continues it (melisma). Times follow the file's tempo map.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from troubadour.errors import InputError
from troubadour.voice.scorefile import LyricNote, TempoMap

DRUM_CHANNEL = 9
DEFAULT_TEMPO_US = 500_000  # 120 BPM, the MIDI default
_MELISMA_MARKS = ("+", "~", "_")


class _Track:
    def __init__(self, index: int, name: str) -> None:
        self.index, self.name = index, name
        self.notes: list[tuple[int, int, int, int]] = []  # (start tick, end tick, pitch, velocity)
        self.lyrics: list[tuple[int, str]] = []  # (tick, text)


def read_midi(path: Path, *, part: str | None = None
              ) -> tuple[list[LyricNote], str, float, tuple[int, int], list[str]]:
    """(notes, track name, first tempo, time signature, warnings) of the vocal track."""
    import mido

    try:
        midi = mido.MidiFile(str(path))
    except Exception as exc:  # mido raises OSError, EOFError, ValueError, KeyError... for broken files
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise InputError(f"cannot read {path.name!r} as a MIDI file ({reason})") from None
    if midi.type == 2:
        raise InputError(f"{path.name!r} is a type-2 MIDI file (independent patterns); save it as type 0 or 1")
    tempos, meters, tracks = _scan(midi)
    warnings: list[str] = []
    vocal = _choose_track(tracks, part, path.name)
    notes_track = vocal if vocal.notes else _notes_for_lyrics(vocal, tracks)
    tpq = float(midi.ticks_per_beat)
    tempo = TempoMap([(tick, us / 1e6 / tpq) for tick, us in tempos], default=DEFAULT_TEMPO_US / 1e6 / tpq)
    first_bpm = round(60e6 / (min(tempos)[1] if tempos else DEFAULT_TEMPO_US), 3)
    meter = min(meters)[1] if meters else (4, 4)

    lyric_at = _attach_lyrics(vocal.lyrics, [n[0] for n in notes_track.notes], tolerance=max(1, int(tpq / 8)))
    if vocal.lyrics and len(lyric_at) < len(vocal.lyrics):
        lost = len(vocal.lyrics) - len(lyric_at)
        warnings.append(f"{lost} lyric event{'s' if lost > 1 else ''} in {vocal.name!r} fall on no note and are not sung")
    notes: list[LyricNote] = []
    continues = False  # the previous syllable ended with '-'
    for k, (start, end, pitch, velocity) in enumerate(notes_track.notes):
        text, syllabic = lyric_at.get(k), "single"
        if text is not None:
            ends_word = not text.endswith("-")
            text = text.rstrip("-").strip() or None
            if text is not None:
                syllabic = ("end" if ends_word else "middle") if continues else ("single" if ends_word else "begin")
                continues = not ends_word
        t0, t1 = tempo.seconds(start), tempo.seconds(end)
        notes.append(LyricNote(float(pitch), t0, t1 - t0, text, syllabic, velocity))
    return notes, notes_track.name if notes_track is not vocal else vocal.name, float(first_bpm), meter, warnings


def _scan(midi) -> tuple[list[tuple[int, int]], list[tuple[int, tuple[int, int]]], list[_Track]]:
    """Tempo changes, time signatures and per-track notes and lyrics, in absolute ticks."""
    tempos: list[tuple[int, int]] = []
    meters: list[tuple[int, tuple[int, int]]] = []
    tracks: list[_Track] = []
    for index, events in enumerate(midi.tracks):
        track = _Track(index, events.name.strip() or f"track {index + 1}")
        sounding: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
        texts: list[tuple[int, str]] = []  # .kar files carry the words in text events ('@' lines are headers)
        tick = 0
        for msg in events:
            tick += msg.time
            if msg.type == "set_tempo":
                tempos.append((tick, msg.tempo))
            elif msg.type == "time_signature":
                meters.append((tick, (msg.numerator, msg.denominator)))
            elif msg.type == "lyrics":
                track.lyrics.append((tick, _decode(msg.text)))
            elif msg.type == "text" and not msg.text.startswith("@"):
                texts.append((tick, _decode(msg.text)))
            elif msg.type == "note_on" and msg.velocity > 0 and msg.channel != DRUM_CHANNEL:
                sounding[(msg.channel, msg.note)].append((tick, msg.velocity))
            elif msg.type in ("note_off", "note_on") and sounding.get((msg.channel, msg.note)):
                start, velocity = sounding[(msg.channel, msg.note)].pop(0)
                if tick > start:
                    track.notes.append((start, tick, msg.note, velocity))
        track.notes.sort()
        track.lyrics = track.lyrics or (texts if len(texts) >= 4 else [])
        tracks.append(track)
    return tempos, meters, tracks


def _decode(text: str) -> str:
    """mido reads meta text as Latin-1; many files hold UTF-8 bytes ("cafÃ©" -> "café")."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return text


def _choose_track(tracks: list[_Track], wanted: str | None, filename: str) -> _Track:
    if wanted is not None:
        for track in tracks:
            if track.name.lower() == wanted.lower():
                return track
        names = ", ".join(repr(t.name) for t in tracks)
        raise InputError(f"{filename!r} has no track named {wanted!r}; its tracks: {names}")
    with_lyrics = [t for t in tracks if t.lyrics]
    if with_lyrics:  # the most lyrics; among equals, the one that also has notes
        return max(with_lyrics, key=lambda t: (len(t.lyrics), bool(t.notes)))
    named = [t for t in tracks if t.notes and any(w in t.name.lower() for w in ("vocal", "voice", "melody", "lead", "sing"))]
    with_notes = named or [t for t in tracks if t.notes]
    if not with_notes:
        raise InputError(f"{filename!r} has no notes (outside the drum channel)")
    return with_notes[0]


def _notes_for_lyrics(lyrics_track: _Track, tracks: list[_Track]) -> _Track:
    """Karaoke files may keep the words in their own track: the track whose notes start where the words do."""
    ticks = {t for t, _ in lyrics_track.lyrics}
    candidates = [t for t in tracks if t.notes]
    if not candidates:
        raise InputError("the file has lyrics but no notes (outside the drum channel)")
    return max(candidates, key=lambda t: sum(1 for n in t.notes if n[0] in ticks))


def _attach_lyrics(lyrics: list[tuple[int, str]], note_starts: list[int], *, tolerance: int) -> dict[int, str]:
    """Each lyric event to the note starting nearest it (within ``tolerance`` ticks); several join."""
    import bisect

    attached: dict[int, str] = {}
    for tick, raw in lyrics:
        text = raw.lstrip("/\\").replace("\r", "").replace("\n", "").strip()
        if not text or text in _MELISMA_MARKS:
            continue
        k = bisect.bisect_left(note_starts, tick)
        best = min((i for i in (k - 1, k) if 0 <= i < len(note_starts)),
                   key=lambda i: abs(note_starts[i] - tick), default=None)
        if best is None or abs(note_starts[best] - tick) > tolerance:
            continue
        attached[best] = attached.get(best, "") + text
    return attached
