"""Vocal scores from files: MusicXML with lyrics, and MIDI with lyric events.

Both readers produce the same :class:`LyricNote` list (pitch, time in
seconds through the file's tempo map, the lyric syllable as written and its
syllabic role). One assembly then makes a :class:`VocalScore` of it:

- the top line where vocal notes overlap (with a warning);
- words rebuilt from their syllables and pronounced (CMUdict, then espeak-ng
  for words no dictionary has), the pronunciation shared out over the notes
  the score gives the word; a note without a lyric after a syllable continues
  it (melisma);
- phrases (breaths) split at rests.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from troubadour.errors import InputError
from troubadour.song import Syllable
from troubadour.voice.score import ScoreNote, ScorePhrase, VocalScore

MAX_NOTE_S = 30.0  # longer than any singer holds a note
MAX_SCORE_S = 20 * 60.0
PHRASE_GAP_S = 0.25  # a rest at least this long is a breath between phrases
MAX_PHRASE_SYLLABLES = 32  # a phrase with no rests is cut at a word boundary after this many syllables
VOWELS = {"a": ("AA", "ah"), "e": ("EH", "eh"), "i": ("IY", "ee"), "o": ("OW", "oh"), "u": ("UW", "oo")}
SYLLABIC = ("single", "begin", "middle", "end")


@dataclass
class LyricNote:
    """A note of the vocal line as the file has it."""

    pitch: float  # MIDI note number
    start_s: float
    duration_s: float
    text: str | None = None  # the lyric syllable as written; None: no lyric
    syllabic: str = "single"  # single | begin | middle | end (as MusicXML names them)
    velocity: int = 90

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s


@dataclass
class ReadScore:
    """A vocal line read from a file, ready to sing."""

    score: VocalScore
    part: str  # the part or track that was read
    tempo_bpm: float  # the first tempo (quarter notes per minute)
    time_signature: tuple[int, int]
    lyrics: str  # the sung words, one phrase per line
    warnings: list[str] = field(default_factory=list)


class TempoMap:
    """Score position (in quarter notes or ticks) to seconds, through tempo changes.

    changes : (position, seconds per position unit) pairs; the first applies from 0.
    """

    def __init__(self, changes: list[tuple[float, float]], default: float) -> None:
        changes = sorted(changes)
        if not changes or changes[0][0] > 0:
            changes.insert(0, (0.0, changes[0][1] if changes else default))
        self._positions = [p for p, _ in changes]
        self._rates = [r for _, r in changes]
        self._seconds = [0.0]
        for k in range(1, len(changes)):
            self._seconds.append(self._seconds[-1] + (self._positions[k] - self._positions[k - 1]) * self._rates[k - 1])

    def seconds(self, position: float) -> float:
        k = max(i for i, p in enumerate(self._positions) if p <= position) if position > 0 else 0
        return self._seconds[k] + (position - self._positions[k]) * self._rates[k]


def read_score(path: str | Path, *, part: str | None = None, vowel: str | None = None) -> ReadScore:
    """Read a MusicXML (.musicxml, .xml, .mxl) or MIDI (.mid, .midi, .kar) file's vocal line.

    part : the part (MusicXML) or track (MIDI) name to sing; default: the one with lyrics
    vowel : sing every note on this vowel (a, e, i, o, u) instead of the lyrics;
        a score without lyrics needs it
    """
    path = Path(path)
    if vowel is not None and vowel.lower() not in VOWELS:
        raise InputError(f"unknown vowel {vowel!r}; choose one of {', '.join(VOWELS)}")
    if not path.is_file():
        raise InputError(f"score file {str(path)!r} not found")
    if path.stat().st_size == 0:
        raise InputError(f"score file {str(path)!r} is empty")
    suffix = path.suffix.lower()
    if suffix in (".mid", ".midi", ".kar"):
        from troubadour.voice.scorefile_midi import read_midi

        notes, name, tempo, meter, warnings = read_midi(path, part=part)
    elif suffix in (".musicxml", ".xml", ".mxl"):
        from troubadour.voice.scorefile_musicxml import read_musicxml

        notes, name, tempo, meter, warnings = read_musicxml(path, part=part)
    else:
        raise InputError(f"{path.name!r}: give a MusicXML (.musicxml, .xml, .mxl) or MIDI (.mid, .midi, .kar) score")
    if not notes:
        raise InputError(f"{path.name!r} has no notes to sing in {name!r}")
    score, lyrics = assemble(notes, vowel=vowel.lower() if vowel else None, warnings=warnings, source=path.name)
    return ReadScore(score, name, tempo, meter, lyrics, warnings)


# ---------------------------------------------------------------- assembly


def assemble(notes: list[LyricNote], *, vowel: str | None, warnings: list[str],
             source: str = "the score") -> tuple[VocalScore, str]:
    """The vocal line as a VocalScore, and its words one phrase per line."""
    notes = top_line(notes, warnings)
    for n in notes:
        if n.duration_s > MAX_NOTE_S:
            raise InputError(f"the note at {n.start_s:.1f} s in {source} lasts {n.duration_s:.0f} s; the singer holds a "
                             f"note for at most {MAX_NOTE_S:.0f} s: split it into shorter notes")
    if notes[-1].end_s > MAX_SCORE_S:
        raise InputError(f"{source} lasts {notes[-1].end_s / 60:.0f} minutes; the singer sings up to "
                         f"{MAX_SCORE_S / 60:.0f} minutes at a time: split the score")
    if vowel is not None:
        phonemes, text = VOWELS[vowel]
        notes = [replace(n, text=text, syllabic="single") for n in notes]
        syllables: list[Syllable | None] = [Syllable(text=text, phonemes=[phonemes], stress=1)] * len(notes)
        word_ends = [True] * len(notes)
    else:
        if not any(n.text for n in notes):
            raise InputError(f"{source} has no lyrics in its vocal line; add lyrics, or pass --vowel a to sing it on a vowel")
        syllables, word_ends = pronounce_notes(notes, warnings)
    return _phrases(notes, syllables, word_ends)


def top_line(notes: list[LyricNote], warnings: list[str]) -> list[LyricNote]:
    """One note at a time: where notes overlap, the highest sounds (a lyric moves to the kept note)."""
    ordered = sorted((n for n in notes if n.duration_s > 0), key=lambda n: (n.start_s, -n.pitch))
    out: list[LyricNote] = []
    overlaps = 0
    for note in ordered:
        if not out or note.start_s >= out[-1].end_s - 1e-6:
            out.append(note)
            continue
        overlaps += 1
        prev = out[-1]
        if note.start_s <= prev.start_s + 1e-6 or (note.pitch <= prev.pitch and note.end_s <= prev.end_s + 0.05):
            if prev.text is None and note.text:  # a chord's lyric may sit on a lower note
                out[-1] = replace(prev, text=note.text, syllabic=note.syllabic)
            continue
        if note.pitch > prev.pitch:  # a higher note enters: the lower one stops
            out[-1] = replace(prev, duration_s=note.start_s - prev.start_s)
            out.append(note)
        else:  # a lower note outlasts the one above: sing its tail
            out.append(replace(note, start_s=prev.end_s, duration_s=note.end_s - prev.end_s, text=None))
    if overlaps:
        warnings.append(f"{overlaps} overlapping note{'s' if overlaps > 1 else ''} in the vocal line; singing the top line")
    return out


def _word_groups(notes: list[LyricNote]) -> list[list[int]]:
    """Indices of the lyric notes of each word, from the syllabic roles."""
    groups: list[list[int]] = []
    open_word = False
    for i, n in enumerate(notes):
        if not n.text:
            continue
        if n.syllabic in ("middle", "end") and open_word:
            groups[-1].append(i)
        else:
            groups.append([i])
        open_word = n.syllabic in ("begin", "middle")
    return groups


def pronounce_notes(notes: list[LyricNote], warnings: list[str]) -> tuple[list[Syllable | None], list[bool]]:
    """A syllable (or None: melisma) per note, and whether it ends its word."""
    from troubadour.words.text import check_text, tokenize, word_of

    syllables: list[Syllable | None] = [None] * len(notes)
    word_ends = [True] * len(notes)
    unpronounced: list[str] = []
    for group in _word_groups(notes):
        texts = [notes[i].text.strip() for i in group]
        written = "".join(texts)
        check_text(written, what="a lyric")
        pronounced: list[Syllable] = []
        for token, _echo in tokenize(written):
            try:
                word = word_of(token)
            except ValueError:  # nothing to pronounce
                continue
            pronounced += word.syllables if word is not None else []
        if not pronounced and any(ch.isalnum() for ch in written):
            unpronounced.append(written)
            pronounced = [Syllable(text="ah", phonemes=["AA"], stress=1)]
        if not pronounced:  # punctuation only: the notes continue what came before
            continue
        shares = _share(len(pronounced), len(group))
        at = 0
        for k, (i, count) in enumerate(zip(group, shares)):
            if count == 0:
                continue  # more notes than syllables: this note continues the previous vowel
            parts = pronounced[at : at + count]
            at += count
            phonemes = [p for s in parts for p in s.phonemes]
            syllables[i] = Syllable(text=texts[k] or parts[0].text, phonemes=phonemes,
                                    stress=max(s.stress for s in parts))
            word_ends[i] = False
        last = max(i for i, count in zip(group, shares) if count)
        word_ends[last] = True
    if unpronounced:
        shown = ", ".join(repr(w) for w in unpronounced[:3]) + (" ..." if len(unpronounced) > 3 else "")
        warnings.append(f"cannot pronounce {shown} (English lyrics are supported); sung on 'ah'")
    return syllables, word_ends


def _share(syllables: int, notes: int) -> list[int]:
    """How many spoken syllables each of a word's notes sings (sums to ``syllables``)."""
    if syllables <= notes:
        return [1] * syllables + [0] * (notes - syllables)
    base, extra = divmod(syllables, notes)
    return [base + (1 if k < extra else 0) for k in range(notes)]


def _phrases(notes: list[LyricNote], syllables: list[Syllable | None],
             word_ends: list[bool]) -> tuple[VocalScore, str]:
    phrases: list[list[ScoreNote]] = []
    lines: list[list[str]] = []
    count = 0
    previous_end = None
    for note, syllable, word_end in zip(notes, syllables, word_ends):
        rest = previous_end is None or note.start_s - previous_end >= PHRASE_GAP_S
        word_start = syllable is not None and (note.syllabic in ("single", "begin"))
        if rest or (count >= MAX_PHRASE_SYLLABLES and word_start):
            phrases.append([])
            lines.append([])
            count = 0
        velocity = max(1, min(127, int(note.velocity)))
        phrases[-1].append(ScoreNote(pitch=float(note.pitch), start_s=note.start_s, duration_s=note.duration_s,
                                     syllable=syllable, velocity=velocity, word_end=word_end))
        if syllable is not None:
            count += 1
            joiner = "" if note.syllabic in ("middle", "end") else " "
            lines[-1].append(joiner + (note.text or syllable.text).strip())
        previous_end = note.end_s
    words = "\n".join("".join(line).strip() for line in lines if line)
    return VocalScore([ScorePhrase(p) for p in phrases if p]), words
