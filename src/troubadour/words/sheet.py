"""Lyric sheets: the user's words with [Section] tags, read faithfully and written back.

Every word the user wrote is sung, in order: a line is never dropped unless it
has no letters or digits at all, and nothing is reordered. What a sheet may hold:

- tags on their own line: ``[Verse]``, ``[verse 2]``, ``[Pre-Chorus]``, ``[CHORUS]``,
  ``[Chorus: Both]``, ``[Final Chorus]``, ``[Chorus x2]``, ``(Chorus)``, ``Chorus:``;
  a tag with no lines repeats the last section of that kind (``[Chorus]`` again);
- ``[Title: ...]`` names the song;
- a line ending in ``(x2)`` is sung twice; words in parentheses are backing echoes;
- untagged stanzas (blank-line separated) are verses, and one that repeats an
  earlier stanza word for word is a chorus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from troubadour.errors import InputError
from troubadour.song import LyricSection, Lyrics
from troubadour.words.text import check_text, make_line

MAX_LYRIC_LINES = 400  # about four times the longest song lyric; beyond it, it isn't a song
MAX_LYRIC_BYTES = 200_000
MAX_REPEAT = 8  # "(x9)" and beyond is a typo, not a song

_TAG_RE = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*$")
_KIND_WORDS = {
    "intro": "intro", "verse": "verse", "pre-chorus": "prechorus", "prechorus": "prechorus", "pre chorus": "prechorus",
    "pre-hook": "prechorus", "build": "prechorus", "lift": "prechorus", "chorus": "chorus", "refrain": "chorus",
    "bridge": "bridge", "middle 8": "bridge", "middle eight": "bridge", "breakdown": "bridge", "hook": "hook",
    "post-chorus": "hook", "post chorus": "hook", "outro": "outro", "coda": "outro", "tag": "outro", "solo": "solo",
    "instrumental": "solo", "instrumental break": "solo", "interlude": "solo", "guitar solo": "solo", "break": "solo",
}
_LABELS = {"intro": "Intro", "verse": "Verse", "prechorus": "Pre-Chorus", "chorus": "Chorus", "bridge": "Bridge",
           "hook": "Hook", "outro": "Outro", "solo": "Solo"}
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "first": "1",
                 "second": "2", "third": "3", "fourth": "4", "1st": "1", "2nd": "2", "3rd": "3", "4th": "4"}
_KIND_PATTERN = "|".join(sorted((re.escape(k) for k in _KIND_WORDS), key=len, reverse=True))
# "(Chorus)", "(Repeat Chorus x2)" and "Chorus:" on a line of their own are tags, not echoes.
_PAREN_TAG_RE = re.compile(rf"^\s*\(\s*((?:repeat\s+)?(?:{_KIND_PATTERN})(?:\s+\w+)?(?:\s*[x×]\s*\d)?)\s*\)\s*$", re.I)
_COLON_TAG_RE = re.compile(rf"^\s*((?:{_KIND_PATTERN})(?:\s+\w+)?)\s*:\s*$", re.I)
_TITLE_RE = re.compile(r"^\s*\[\s*title\s*:\s*(.+?)\s*\]\s*$", re.I)
_TIMES_RE = re.compile(r"\s*(?:[\(\[]\s*(?:[x×]\s*(\d+)|(\d+)\s*[x×])\s*[\)\]]|\b[x×](\d+))\s*$", re.I)


@dataclass
class _Block:
    kind: str | None
    number: str | None
    line_no: int
    times: int = 1
    lines: list[str] = field(default_factory=list)


def read_lyrics_file(path: str | Path) -> str:
    """The text of a lyric file, or an InputError that says what is wrong with it."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"lyrics file {str(path)!r} does not exist; check the path given to --lyrics") from None
    except IsADirectoryError:
        raise InputError(f"lyrics file {str(path)!r} is a folder; give a text file") from None
    except OSError as exc:
        raise InputError(f"cannot read lyrics file {str(path)!r}: {exc.strerror}") from None
    if not raw.strip():
        raise InputError(f"lyrics file {str(path)!r} is empty; write your lyrics in it, one line per sung line")
    if len(raw) > MAX_LYRIC_BYTES:
        raise InputError(f"lyrics file {str(path)!r} is {len(raw):,} bytes; a song's lyrics fit in {MAX_LYRIC_BYTES:,}")
    if b"\0" in raw:
        raise InputError(f"lyrics file {str(path)!r} is binary, not text; give a plain-text (UTF-8) lyric sheet")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"lyrics file {str(path)!r} is not UTF-8 (bad byte at offset {exc.start}); save it as UTF-8 text"
        ) from None


def section_kind(tag: str) -> tuple[str, str | None]:
    """'Verse 2' -> ('verse', '2'); 'pre chorus' -> ('prechorus', None); unknown -> InputError."""
    kind, number, _ = _parse_tag(tag)
    return kind, number


def _parse_tag(tag: str) -> tuple[str, str | None, int]:
    """(kind, number, times) of a tag: 'Chorus x2' -> ('chorus', None, 2); 'Verse 1 - Ana' -> ('verse', '1', 1)."""
    text = tag.strip().lower().replace("–", "-").replace("—", "-").replace("_", " ")
    times = 1
    repeat = _TIMES_RE.search(text)
    if repeat:
        times = int(next(g for g in repeat.groups() if g))
        text = text[: repeat.start()].strip()
    text = re.split(r"\s*[:|/]\s*|\s+-\s+|\s*\(", text)[0].strip()  # "[Chorus: Both]", "[Verse 1 - Ana]"
    text = re.sub(r"^(repeat|final|last|first|double|main|extended|short)\s+", "", text).rstrip(":")
    match = re.fullmatch(r"(.+?)\s*(\d+|one|two|three|four|five|six|first|second|third|fourth|1st|2nd|3rd|4th)?", text)
    name, number = (match.group(1), match.group(2)) if match else (text, None)
    if name in _KIND_WORDS:
        return _KIND_WORDS[name], _NUMBER_WORDS.get(number or "", number), min(max(times, 1), MAX_REPEAT)
    raise InputError(
        f"unknown section tag [{tag}]; use one of [Intro] [Verse] [Pre-Chorus] [Chorus] [Bridge] [Hook] [Solo] [Outro]"
    )


def _line_times(text: str) -> tuple[str, int]:
    """'Run to me (x2)' -> ('Run to me', 2): a repeat mark is an instruction, not words."""
    match = _TIMES_RE.search(text)
    if not match or not text[: match.start()].strip():
        return text, 1
    times = int(next(g for g in match.groups() if g))
    return text[: match.start()].rstrip(), min(max(times, 1), MAX_REPEAT)


def parse_lyrics(text: str, *, title: str = "", source: str = "lyrics") -> Lyrics:
    """Parse a lyric sheet. Every word written is kept, in order.

    Untagged stanzas (blank-line separated) become verses, and a stanza that
    repeats an earlier one word for word becomes a chorus. A tag with no lines
    repeats the last section of that kind.
    """
    if not isinstance(text, str):
        raise InputError(f"{source} must be text, not {type(text).__name__}")
    check_text(text, what=source)
    raw_lines = text.splitlines()
    if len(raw_lines) > MAX_LYRIC_LINES:
        raise InputError(f"{source} has {len(raw_lines):,} lines; the limit is {MAX_LYRIC_LINES} lines for one song")
    blocks: list[_Block] = []
    current: _Block | None = None
    tagged = False
    for number, raw in enumerate(raw_lines, start=1):
        named = _TITLE_RE.match(raw)
        if named:
            title = title or named.group(1).strip()
            continue
        tag = _TAG_RE.match(raw) or _PAREN_TAG_RE.match(raw) or _COLON_TAG_RE.match(raw)
        if tag:
            kind, label_number, times = _parse_tag(tag.group(1))
            current = _Block(kind, label_number, number, times)
            blocks.append(current)
            tagged = True
        elif not raw.strip():
            if current is not None and current.lines and not tagged:
                current = None  # a blank line ends an untagged stanza
        else:
            only_mark = _TIMES_RE.fullmatch(raw.strip()) or re.fullmatch(r"[\(\[]?\s*repeat\s*[\)\]]?", raw.strip(), re.I)
            if only_mark and current is not None and current.lines:  # "(x2)" under a line: sing it again
                times = int(next((g for g in only_mark.groups() if g), "2")) if only_mark.groups() else 2
                current.lines.extend([current.lines[-1]] * (min(max(times, 1), MAX_REPEAT) - 1))
                continue
            if current is None:
                current = _Block(None, None, number)
                blocks.append(current)
            line, times = _line_times(raw.strip())
            current.lines.extend([line] * times)
    sections = _sections_from_blocks(blocks, source)
    if not any(w for s in sections for line in s.lines for w in line.words):
        raise InputError(f"{source} has no singable English words; troubadour sings English lyrics")
    return Lyrics(title=title or guess_title(sections), sections=sections)


def _sections_from_blocks(blocks: list[_Block], source: str) -> list[LyricSection]:
    sections: list[LyricSection] = []
    seen_stanzas: set[tuple[str, ...]] = set()
    counts: dict[str, int] = {}
    last_of_kind: dict[str, LyricSection] = {}
    for block in blocks:
        kind = block.kind
        if kind is None:  # untagged stanza
            key = tuple(block.lines)
            kind = "chorus" if key in seen_stanzas else "verse"
            if kind == "chorus":
                _relabel_as_chorus(sections, key)
                last_of_kind["chorus"] = next(s for s in sections if s.kind == "chorus")
            seen_stanzas.add(key)
        if not block.lines:
            if kind not in last_of_kind:
                raise InputError(f"{source}: section [{_LABELS[kind]}] at line {block.line_no} has no lines; "
                                 "write its lyrics under the tag")
            sections += [last_of_kind[kind].model_copy(deep=True) for _ in range(block.times)]
            continue
        counts[kind] = counts.get(kind, 0) + 1
        label = _LABELS[kind]
        if kind == "verse":
            label = f"Verse {block.number or counts[kind]}"
        parsed = [make_line(text) for text in block.lines]
        section = LyricSection(kind=kind, label=label, lines=[line for line in parsed if line.words])
        if not section.lines:
            continue
        sections += [section] + [section.model_copy(deep=True) for _ in range(block.times - 1)]
        last_of_kind[kind] = section
    return sections


def _relabel_as_chorus(sections: list[LyricSection], stanza: tuple[str, ...]) -> None:
    for i, section in enumerate(sections):
        if tuple(line.text for line in section.lines) == stanza and section.kind == "verse":
            sections[i] = section.model_copy(update={"kind": "chorus", "label": "Chorus"})


def guess_title(sections: list[LyricSection]) -> str:
    """The first line of the first chorus (or of the song), trimmed, as a title."""
    chorus = next((s for s in sections if s.kind == "chorus"), None)
    source = chorus or (sections[0] if sections else None)
    if source is None or not source.lines:
        return "Untitled"
    words = [w.text for w in source.lines[0].words if not w.backing][:6]
    return " ".join(words).strip().title() or "Untitled"


def lyrics_to_text(lyrics: Lyrics, *, with_title: bool = False) -> str:
    """A lyric sheet with section tags (the format parse_lyrics reads).

    with_title : begin with a ``[Title: ...]`` line, so the sheet names its song.
    """
    chunks = [f"[Title: {lyrics.title}]"] if with_title and lyrics.title else []
    for section in lyrics.sections:
        chunks.append(f"[{section.label}]\n" + "\n".join(line.text for line in section.lines))
    return "\n\n".join(chunks) + "\n"
