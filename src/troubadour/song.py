"""The song document: everything a song is, in one typed, versioned file.

``song.json`` is the user's project file. Every stage reads a :class:`Song` and
returns a new one; the renderer turns it into audio. Times are in beats
(quarter notes) from the start of the song; the tempo turns beats into seconds.
The document round-trips through JSON exactly.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from troubadour.errors import DocumentError

SCHEMA_VERSION = 1

SectionKind = Literal["intro", "verse", "prechorus", "chorus", "bridge", "hook", "solo", "outro"]
SECTION_KINDS: tuple[str, ...] = ("intro", "verse", "prechorus", "chorus", "bridge", "hook", "solo", "outro")


class Model(BaseModel):
    """Strict base: unknown fields are errors, so typos in song.json are caught."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False)


# ---------------------------------------------------------------- words


class Syllable(Model):
    """One sung syllable: its spelling, its sounds (ARPAbet, no stress digits) and stress."""

    text: str = Field(min_length=1)
    phonemes: list[str] = Field(min_length=1)
    stress: int = Field(ge=0, le=2)

    @property
    def vowel(self) -> str:
        from troubadour.words.phonemes import VOWELS

        return next((p for p in self.phonemes if p in VOWELS), self.phonemes[0])


class Word(Model):
    text: str = Field(min_length=1)
    syllables: list[Syllable] = Field(min_length=1)
    backing: bool = False  # written in parentheses: an echo for the backing vocal


class Line(Model):
    """A lyric line. ``text`` is what the user edits; ``words`` are derived from it."""

    text: str
    words: list[Word] = Field(default_factory=list)

    @property
    def syllables(self) -> list[Syllable]:
        return [s for w in self.words for s in w.syllables]

    def syllable_words(self) -> list[tuple[Word, int]]:
        """(word, index of the syllable within the word) for every syllable, in order."""
        return [(w, i) for w in self.words for i in range(len(w.syllables))]


class LyricSection(Model):
    kind: SectionKind
    label: str
    lines: list[Line] = Field(default_factory=list)


class Lyrics(Model):
    title: str = ""
    sections: list[LyricSection] = Field(default_factory=list)

    def line_count(self) -> int:
        return sum(len(s.lines) for s in self.sections)


# ---------------------------------------------------------------- music


class FormSection(Model):
    """A stretch of the song: its kind, length in bars, and which lyric section is sung."""

    kind: SectionKind
    label: str
    bars: int = Field(ge=1, le=256)
    lyrics: int | None = None  # index into lyrics.sections, None for instrumental
    energy: float = Field(default=0.6, ge=0.0, le=1.0)


class Chord(Model):
    symbol: str = Field(min_length=1)  # "G", "Em7", "D/F#"; parsed by music.theory
    start_beat: float = Field(ge=0)
    duration_beats: float = Field(gt=0)

    @field_validator("symbol")
    @classmethod
    def _parse(cls, value: str) -> str:
        from troubadour.music.theory import parse_chord

        parse_chord(value)  # raises InputError with the reason
        return value


class MelodyNote(Model):
    pitch: int = Field(ge=0, le=127)
    start_beat: float = Field(ge=0)
    duration_beats: float = Field(gt=0)
    syllable: int = Field(ge=0)  # index into the line's syllables; same as previous note = melisma
    velocity: int = Field(default=90, ge=1, le=127)


class Phrase(Model):
    """The melody of one sung line occurrence."""

    section: int = Field(ge=0)  # index into lyrics.sections
    line: int = Field(ge=0)  # index into that section's lines
    notes: list[MelodyNote] = Field(min_length=1)
    backing: Literal["none", "third", "sixth", "double"] = "none"

    @model_validator(mode="after")
    def _ordered(self) -> "Phrase":
        last = -1
        for note in self.notes:
            if note.syllable < last or note.syllable > last + 1:
                raise ValueError(
                    f"notes must walk the line's syllables in order (one step at a time); got syllable {note.syllable} after {last}"
                )
            last = note.syllable
        return self


class PartNote(Model):
    pitch: int = Field(ge=0, le=127)
    start_beat: float = Field(ge=0)
    duration_beats: float = Field(gt=0)
    velocity: int = Field(default=90, ge=1, le=127)


class Part(Model):
    """An instrument part: General MIDI program, channel, notes."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    instrument: str
    program: int = Field(ge=0, le=127)
    bank: int = Field(default=0, ge=0, le=128)
    channel: int = Field(ge=0, le=15)  # 9 is GM drums
    notes: list[PartNote] = Field(default_factory=list)
    # Hashes recorded when the arranger wrote this part: if its inputs change and the
    # notes were not edited by hand, `render` re-arranges it.
    source_hash: str = ""
    notes_hash: str = ""

    @property
    def is_drums(self) -> bool:
        return self.channel == 9


class PartMix(Model):
    """Mix settings of one stem (parts and vocals)."""

    gain_db: float = Field(default=0.0, ge=-60, le=12)
    pan: float = Field(default=0.0, ge=-1, le=1)
    reverb: float = Field(default=0.15, ge=0, le=1)  # wet share
    highpass_hz: float = Field(default=40.0, ge=0, le=2000)
    compress: bool = True
    mute: bool = False


class Master(Model):
    target_lufs: float = Field(default=-14.0, ge=-30, le=-6)
    ceiling_dbtp: float = Field(default=-1.0, ge=-6, le=0)


class StageRecord(Model):
    backend: str
    version: str


# ---------------------------------------------------------------- the song


class Song(Model):
    schema_version: int = SCHEMA_VERSION
    title: str = ""
    artist: str = "troubadour"
    brief: str = ""
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    genre: str = "country"
    voice: str = "rugged_baritone"
    tempo_bpm: float = Field(default=96.0, ge=40, le=240)
    key: str = "G"
    composed_key: str = ""  # the key the chords and notes are in; edit `key` and render transposes
    time_signature: tuple[int, int] = (4, 4)
    sample_rate: int = Field(default=44100, ge=8000, le=192000)
    lyrics: Lyrics = Field(default_factory=Lyrics)
    form: list[FormSection] = Field(default_factory=list)
    chords: list[Chord] = Field(default_factory=list)
    melody: list[Phrase] = Field(default_factory=list)
    parts: list[Part] = Field(default_factory=list)
    mix: dict[str, PartMix] = Field(default_factory=dict)
    master: Master = Field(default_factory=Master)
    provenance: dict[str, StageRecord] = Field(default_factory=dict)

    @field_validator("schema_version")
    @classmethod
    def _version(cls, value: int) -> int:
        if value != SCHEMA_VERSION:
            raise ValueError(f"this troubadour reads schema_version {SCHEMA_VERSION}, the file has {value}")
        return value

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        from troubadour.music.theory import parse_key

        parse_key(value)
        return value

    @field_validator("time_signature")
    @classmethod
    def _meter(cls, value: tuple[int, int]) -> tuple[int, int]:
        beats, unit = value
        if unit not in (2, 4, 8) or not 2 <= beats <= 12:
            raise ValueError(f"time_signature {list(value)} is not supported; use e.g. [4, 4], [3, 4] or [6, 8]")
        return value

    @model_validator(mode="after")
    def _references(self) -> "Song":
        n_sections = len(self.lyrics.sections)
        for i, section in enumerate(self.form):
            if section.lyrics is not None and not 0 <= section.lyrics < n_sections:
                raise ValueError(f"form[{i}].lyrics = {section.lyrics} points at no lyric section (there are {n_sections})")
        for i, phrase in enumerate(self.melody):
            if phrase.section >= n_sections or phrase.line >= len(self.lyrics.sections[phrase.section].lines):
                raise ValueError(f"melody[{i}] points at lyric section {phrase.section} line {phrase.line}, which does not exist")
        names = [p.name for p in self.parts]
        if len(set(names)) != len(names):
            raise ValueError(f"part names must be unique, got {names}")
        return self

    # ------------------------------------------------------------ time

    @property
    def beats_per_bar(self) -> float:
        beats, unit = self.time_signature
        return beats * 4.0 / unit

    @property
    def seconds_per_beat(self) -> float:
        return 60.0 / self.tempo_bpm

    @property
    def total_beats(self) -> float:
        return sum(s.bars for s in self.form) * self.beats_per_bar

    @property
    def duration_s(self) -> float:
        return self.total_beats * self.seconds_per_beat

    def section_start_beats(self) -> list[float]:
        starts, beat = [], 0.0
        for section in self.form:
            starts.append(beat)
            beat += section.bars * self.beats_per_bar
        return starts

    def stem_names(self) -> list[str]:
        names = ["vocals"] + [p.name for p in self.parts]
        if any(p.backing != "none" for p in self.melody):
            names.insert(1, "backing_vocals")
        return names

    def mix_for(self, stem: str) -> PartMix:
        return self.mix.get(stem, PartMix())


# ---------------------------------------------------------------- (de)serialisation


def content_hash(*objects: object) -> str:
    """A stable short hash of JSON-able objects or models (for caches and edit detection)."""
    h = hashlib.blake2b(digest_size=12)
    for obj in objects:
        if isinstance(obj, BaseModel):
            data = obj.model_dump(mode="json")
        elif isinstance(obj, list) and obj and isinstance(obj[0], BaseModel):
            data = [o.model_dump(mode="json") for o in obj]
        else:
            data = obj
        h.update(json.dumps(data, sort_keys=True, separators=(",", ":")).encode())
    return h.hexdigest()


def song_to_json(song: Song) -> str:
    return song.model_dump_json(indent=1) + "\n"


def song_from_json(text: str, *, source: str = "song.json") -> Song:
    """Parse and validate a song document; errors name the field and the reason."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"{source} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    if not isinstance(data, dict):
        raise DocumentError(f"{source} must hold a JSON object (a song), not {type(data).__name__}")
    try:
        return Song.model_validate(data)
    except ValidationError as exc:
        raise DocumentError(f"{source}: {_first_error(exc)}") from None


def load_song(path: str | Path) -> Song:
    path = Path(path)
    if path.is_dir():
        path = path / "song.json"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DocumentError(f"no song document at {str(path)!r}; give the song.json a `troubadour make` wrote") from None
    except OSError as exc:
        raise DocumentError(f"cannot read {str(path)!r}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DocumentError(f"{str(path)!r} is not UTF-8 text; is it really a song.json?") from None
    return song_from_json(text, source=str(path))


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    message = err["msg"].removeprefix("Value error, ")
    if not where:  # a check across fields: its message names them
        return message + (f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else "")
    extra = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
    if err["type"] == "extra_forbidden":
        return f"field {where!r} is not part of a song document; remove it or check its spelling{extra}"
    if err["type"] == "missing":
        return f"field {where!r} is missing{extra}"
    got = err.get("input")
    got_text = "" if isinstance(got, (dict, list)) else f" (got {got!r})"
    return f"field {where!r}: {message}{got_text}{extra}"
