"""A printable lead sheet: melody, lyrics and chord names as LilyPond source, engraved to PDF.

Built from the same quantised events as the MusicXML lead sheet (notes split
at barlines and tied), so the two agree. Every bar ends in a bar check, so
LilyPond itself reports any bar whose durations do not add up. LilyPond
(Debian: ``lilypond``) is needed only for the PDF.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from troubadour.errors import DependencyError, OutputError
from troubadour.export.notation import DIVISIONS, Event, lead_sheet_events, notated
from troubadour.music.theory import Key, parse_chord, parse_key
from troubadour.song import Song

_DURATION = {16: "1", 12: "2.", 8: "2", 6: "4.", 4: "4", 3: "8.", 2: "8", 1: "16"}
_SHARP_NAMES = ["c", "cis", "d", "dis", "e", "f", "fis", "g", "gis", "a", "ais", "b"]
_FLAT_NAMES = ["c", "des", "d", "ees", "e", "f", "ges", "g", "aes", "a", "bes", "b"]
# Chord qualities (troubadour's symbols) in LilyPond chord mode; a plain triad has none
# (":5" is a power chord in LilyPond).
_QUALITY = {"": "", "m": ":m", "5": ":5", "7": ":7", "maj7": ":maj7", "m7": ":m7", "6": ":6", "m6": ":m6",
            "9": ":9", "m9": ":m9", "add9": ":5.9", "madd9": ":m5.9", "sus2": ":sus2", "sus4": ":sus4",
            "7sus4": ":7sus4", "dim": ":dim", "dim7": ":dim7", "m7b5": ":m7.5-", "aug": ":aug"}


def _name(pitch_class: int, key: Key) -> str:
    return (_FLAT_NAMES if key.uses_flats else _SHARP_NAMES)[pitch_class % 12]


def _note(pitch: int, key: Key) -> str:
    octave = pitch // 12 - 4  # c' is middle C (MIDI 60)
    return _name(pitch, key) + ("'" * octave if octave > 0 else "," * -octave)


def _skip(length: int) -> str:
    """A LilyPond duration for any length in divisions (chord names may last a bar and a half)."""
    if length in _DURATION:
        return _DURATION[length]
    return f"4*{length // DIVISIONS}" if length % DIVISIONS == 0 else f"16*{length}"


def _melody(events: list[Event], key: Key, measure_len: int) -> tuple[list[str], list[str]]:
    """Melody tokens (with bar checks) and lyric tokens ('--' joins a word, '_' holds a melisma)."""
    notes, words = [], []
    for event in events:
        pieces = notated(event.length)
        for k, length in enumerate(pieces):
            if event.pitch is None:
                notes.append("r" + _DURATION[length])
                continue
            tied = k < len(pieces) - 1 or event.tie_start
            notes.append(_note(event.pitch, key) + _DURATION[length] + ("~" if tied else ""))
        if event.pitch is not None and not event.tie_stop:  # a sung onset takes a syllable or holds one
            if event.lyric is None:
                words.append("_")
            else:
                syllabic, text = event.lyric
                words.append('"' + text.replace('"', "'") + '"' + (" --" if syllabic in ("begin", "middle") else ""))
        if (event.start + event.length) % measure_len == 0:
            notes.append("|\n")
    return notes, words


def _chords(song: Song, key: Key, total: int) -> list[str]:
    starts = sorted((int(round(c.start_beat * DIVISIONS)), c.symbol) for c in song.chords)
    tokens = []
    if not starts or starts[0][0] > 0:
        tokens.append("s" + _skip(starts[0][0] if starts else total))
    for k, (start, symbol) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else total
        if end <= start:
            continue
        info = parse_chord(symbol)
        bass = f"/{_name(info.bass, key)}" if info.bass != info.root else ""
        tokens.append(_name(info.root, key) + _skip(end - start) + _QUALITY.get(info.quality, "") + bass)
    return tokens


def song_to_lilypond(song: Song) -> str:
    """The lead sheet as LilyPond source (version 2.24 syntax)."""
    key = parse_key(song.key)
    beats, unit = song.time_signature
    measure_len, total, events = lead_sheet_events(song)
    notes, words = _melody(events, key, measure_len)
    low_voice = any(n.pitch < 57 for p in song.melody for n in p.notes)
    title = (song.title or "Untitled").replace('"', "'")
    composer = f"{song.artist} (AI-generated with troubadour)".replace('"', "'")
    return "\n".join([
        '\\version "2.24.0"',
        f'\\header {{ title = "{title}" composer = "{composer}" tagline = ##f }}',
        "chordNames = \\chordmode { " + " ".join(_chords(song, key, total)) + " }",
        "melody = {",
        f"  \\clef \"{'treble_8' if low_voice else 'treble'}\" \\key {_name(key.tonic, key)} \\{key.mode}",
        f"  \\time {beats}/{unit} \\tempo 4 = {round(song.tempo_bpm)}",
        "  " + " ".join(notes).replace("|\n ", "|\n  "),
        "}",
        "words = \\lyricmode { " + " ".join(words) + " }",
        "\\score {",
        "  <<",
        "    \\new ChordNames \\chordNames",
        "    \\new Staff { \\new Voice = \"melody\" \\melody }",
        "    \\new Lyrics \\lyricsto \"melody\" \\words",
        "  >>",
        "  \\layout { }",
        "}",
        "",
    ])


def require_lilypond() -> str:
    """The lilypond program, or a clear error saying how to get it."""
    program = shutil.which("lilypond")
    if program is None:
        raise DependencyError("--pdf needs LilyPond to engrave the lead sheet; install it "
                              "(Debian/Ubuntu: sudo apt-get install lilypond, or make setup) or leave out --pdf")
    return program


def engrave_pdf(source: str, pdf: Path, *, timeout_s: float = 300.0) -> list[str]:
    """Engrave LilyPond source into ``pdf``; returns LilyPond's warnings (empty when clean)."""
    program = require_lilypond()
    with tempfile.TemporaryDirectory(prefix="troubadour-engrave-") as folder:
        ly = Path(folder) / "lead_sheet.ly"
        ly.write_text(source, encoding="utf-8")
        try:
            result = subprocess.run([program, "-dno-point-and-click", "--pdf", "-o", str(ly.with_suffix("")), str(ly)],
                                    capture_output=True, text=True, timeout=timeout_s, cwd=folder)
        except subprocess.TimeoutExpired:
            raise OutputError(f"LilyPond took over {timeout_s:.0f} s to engrave the lead sheet; leave out --pdf") from None
        made = ly.with_suffix(".pdf")
        if result.returncode != 0 or not made.is_file():
            last = [line for line in result.stderr.splitlines() if line.strip()][-1:] or ["no output"]
            raise OutputError(f"LilyPond could not engrave the lead sheet ({last[0].strip()})")
        shutil.move(str(made), str(pdf))
    return [line.strip() for line in result.stderr.splitlines() if "warning" in line.lower() or "error" in line.lower()]
