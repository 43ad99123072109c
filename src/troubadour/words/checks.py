"""Checks a lyric must pass to sing well: rhyme, form, title, fresh verses, steady meter.

Used by the LLM lyricist's repair loop (each problem names its section and line,
so only failing lines are sent back), by the tests and by the benchmark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from troubadour.song import Line, LyricSection, Lyrics
from troubadour.words.rhyme import rhymes

MIN_RHYME_SHARE = 0.8
SYLLABLE_RANGE = (6, 11)  # per verse/chorus line: each is sung over two bars, a note a syllable
SUNG_KINDS = ("verse", "prechorus", "chorus", "bridge", "hook")


@dataclass
class Problem:
    """One thing wrong, and where: ``section`` indexes ``lyrics.sections``; ``line`` that
    section's lines (None when the problem is the section or the song)."""

    kind: str  # rhyme | syllables | meter | form | title | repeat | explicit
    message: str
    section: int | None = None
    line: int | None = None


@dataclass
class Report:
    """The result of :func:`check_lyrics`."""

    rhyme_share: float
    meter_consistency: float
    chorus_count: int
    title_in_chorus: bool
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.ok:
            return "all checks pass"
        return "; ".join(p.message for p in self.problems[:5]) + (" …" if len(self.problems) > 5 else "")


def line_ending(line: Line) -> str | None:
    """The last sung (not echoed) word of a line, or None for a line of echoes only."""
    words = [w.text for w in line.words if not w.backing]
    return words[-1] if words else None


def _normal(text: str) -> str:
    return re.sub(r"[^a-z0-9' ]+", "", text.lower().replace("’", "'")).strip()


def rhyming_lines(section: LyricSection) -> list[bool]:
    """For each line: does its ending rhyme (perfect or slant) with another line's in the section?"""
    ends = [line_ending(line) for line in section.lines]
    out = []
    for i, end in enumerate(ends):
        out.append(end is not None and any(j != i and other is not None and rhymes(end, other)
                                           for j, other in enumerate(ends)))
    return out


def rhyme_share(lyrics: Lyrics) -> float:
    """Share of line endings (every section occurrence) that rhyme with another in their section."""
    flags = [flag for section in lyrics.sections for flag in rhyming_lines(section)]
    return sum(flags) / len(flags) if flags else 0.0


def chorus_count(lyrics: Lyrics) -> int:
    """How often the most repeated chorus (same words) is sung."""
    counts: dict[tuple[str, ...], int] = {}
    for section in lyrics.sections:
        if section.kind == "chorus":
            key = tuple(_normal(line.text) for line in section.lines)
            counts[key] = counts.get(key, 0) + 1
    return max(counts.values(), default=0)


def title_in_chorus(lyrics: Lyrics) -> bool:
    """Whether every chorus sings the title (case and punctuation aside)."""
    title = _normal(lyrics.title)
    choruses = [s for s in lyrics.sections if s.kind == "chorus"]
    return bool(title and choruses) and all(title in _normal(" ".join(l.text for l in s.lines)) for s in choruses)


def verse_lines(lyrics: Lyrics) -> list[str]:
    return [_normal(line.text) for s in lyrics.sections if s.kind == "verse" for line in s.lines]


def repeated_verse_lines(lyrics: Lyrics) -> list[str]:
    """Verse lines sung twice in the song (a verse should always say something new)."""
    seen, repeats = set(), []
    for text in verse_lines(lyrics):
        if text in seen and text not in repeats:
            repeats.append(text)
        seen.add(text)
    return repeats


def verse_overlap(a: Lyrics, b: Lyrics) -> float:
    """Share of verse lines two songs have in common (of the smaller song's verse lines)."""
    lines_a, lines_b = set(verse_lines(a)), set(verse_lines(b))
    if not lines_a or not lines_b:
        return 0.0
    return len(lines_a & lines_b) / min(len(lines_a), len(lines_b))


def syllable_count(line: Line) -> int:
    return sum(len(w.syllables) for w in line.words if not w.backing)


def meter_consistency(lyrics: Lyrics) -> float:
    """Share of line places (kind, line number) where every occurrence has the same syllable count.

    Verse 2 is sung to verse 1's tune, so line 3 of each verse should be the same length.
    """
    places: dict[tuple[str, int], set[int]] = {}
    for section in lyrics.sections:
        for i, line in enumerate(section.lines):
            places.setdefault((section.kind, i), set()).add(syllable_count(line))
    return sum(len(v) == 1 for v in places.values()) / len(places) if places else 1.0


@lru_cache(maxsize=1)
def explicit_words() -> frozenset[str]:
    """Words a family-friendly song leaves out (``words/data/explicit.txt``)."""
    text = resources.files("troubadour.words").joinpath("data", "explicit.txt").read_text(encoding="utf-8")
    lines = (line.split("#")[0].strip().lower() for line in text.splitlines())
    return frozenset(line for line in lines if line)


def explicit_in(text: str) -> list[str]:
    words = re.findall(r"[a-z']+", text.lower())
    banned = explicit_words()
    return [w for w in words if w in banned or w.rstrip("s") in banned]


def check_lyrics(lyrics: Lyrics, *, min_rhyme: float = MIN_RHYME_SHARE,
                 syllables: tuple[int, int] = SYLLABLE_RANGE, explicit: bool = False) -> Report:
    """Every check at once; problems name the section and line to fix."""
    problems: list[Problem] = []
    kinds = [s.kind for s in lyrics.sections]
    if "verse" not in kinds:
        problems.append(Problem("form", "the song has no verse; write at least one [Verse]"))
    choruses = chorus_count(lyrics)
    if choruses < 2:
        problems.append(Problem("form", "the chorus must be sung at least twice (same words each time)"))
    has_title = title_in_chorus(lyrics)
    if "chorus" in kinds and not has_title:
        problems.append(Problem("title", f"the chorus does not sing the title {lyrics.title!r}",
                                section=kinds.index("chorus")))
    share = rhyme_share(lyrics)
    seen_sections: set[tuple[str, ...]] = set()
    for s, section in enumerate(lyrics.sections):
        key = (section.kind, *(line.text for line in section.lines))
        if key in seen_sections:
            continue  # a repeated chorus is checked once
        seen_sections.add(key)
        low, high = syllables
        for i, (line, rhymed) in enumerate(zip(section.lines, rhyming_lines(section))):
            if share < min_rhyme and not rhymed:
                problems.append(Problem("rhyme", f"[{section.label}] line {i + 1} {line.text!r} rhymes with no "
                                                 "other line of its section", s, i))
            count = syllable_count(line)
            if section.kind in SUNG_KINDS and not low <= count <= high:
                problems.append(Problem("syllables", f"[{section.label}] line {i + 1} {line.text!r} has {count} "
                                                     f"syllables; keep lines to {low}-{high}", s, i))
            if not explicit and explicit_in(line.text):
                problems.append(Problem("explicit", f"[{section.label}] line {i + 1} is not family-friendly", s, i))
    sung: set[str] = set()
    for s, section in enumerate(lyrics.sections):
        for i, line in enumerate(section.lines if section.kind == "verse" else []):
            text = _normal(line.text)
            if text in sung:  # the second singing is the one to rewrite
                problems.append(Problem("repeat", f"[{section.label}] line {i + 1} {line.text!r} repeats "
                                                  "an earlier verse line", s, i))
            sung.add(text)
    return Report(share, meter_consistency(lyrics), choruses, has_title, problems)
