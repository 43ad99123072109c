"""Lyric sheets: the user's words with [Section] tags, read faithfully and written back."""

from __future__ import annotations

import re
from pathlib import Path

from troubadour.errors import InputError
from troubadour.song import LyricSection, Lyrics
from troubadour.words.text import check_text, make_line

MAX_LYRIC_LINES = 400  # about four times the longest song lyric; beyond it, it isn't a song
MAX_LYRIC_BYTES = 200_000

_TAG_RE = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*$")
_KIND_WORDS = {
    "intro": "intro", "verse": "verse", "pre-chorus": "prechorus", "prechorus": "prechorus", "pre chorus": "prechorus",
    "chorus": "chorus", "refrain": "chorus", "bridge": "bridge", "middle 8": "bridge", "breakdown": "bridge",
    "hook": "hook", "post-chorus": "hook", "outro": "outro", "coda": "outro", "solo": "solo",
    "instrumental": "solo", "interlude": "solo", "guitar solo": "solo",
}
_LABELS = {"intro": "Intro", "verse": "Verse", "prechorus": "Pre-Chorus", "chorus": "Chorus", "bridge": "Bridge",
           "hook": "Hook", "outro": "Outro", "solo": "Solo"}


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
    text = tag.strip().lower().rstrip(":")
    match = re.fullmatch(r"(.+?)\s*(\d+)?", text)
    name, number = (match.group(1), match.group(2)) if match else (text, None)
    name = name.replace("–", "-").replace("_", " ")
    if name in _KIND_WORDS:
        return _KIND_WORDS[name], number
    raise InputError(
        f"unknown section tag [{tag}]; use one of [Intro] [Verse] [Pre-Chorus] [Chorus] [Bridge] [Hook] [Solo] [Outro]"
    )


def parse_lyrics(text: str, *, title: str = "", source: str = "lyrics") -> Lyrics:
    """Parse a lyric sheet. Every word written is kept, in order.

    Untagged stanzas (blank-line separated) become verses, and a stanza that
    repeats an earlier one word for word becomes a chorus. A tag with no lines
    repeats the last section of that kind.
    """
    check_text(text, what=source)
    raw_lines = text.splitlines()
    if len(raw_lines) > MAX_LYRIC_LINES:
        raise InputError(f"{source} has {len(raw_lines):,} lines; the limit is {MAX_LYRIC_LINES} lines for one song")
    blocks: list[tuple[str | None, str | None, int, list[str]]] = []  # (kind, number, line no, lines)
    current: tuple[str | None, str | None, int, list[str]] | None = None
    tagged = False
    for number, raw in enumerate(raw_lines, start=1):
        tag = _TAG_RE.match(raw)
        if tag:
            kind, label_number = section_kind(tag.group(1))
            current = (kind, label_number, number, [])
            blocks.append(current)
            tagged = True
        elif not raw.strip():
            if current is not None and current[3] and not tagged:
                current = None  # a blank line ends an untagged stanza
        else:
            if current is None:
                current = (None, None, number, [])
                blocks.append(current)
            current[3].append(raw.strip())
    sections = _sections_from_blocks(blocks, source)
    if not any(w for s in sections for line in s.lines for w in line.words):
        raise InputError(f"{source} has no singable English words; troubadour sings English lyrics")
    return Lyrics(title=title or guess_title(sections), sections=sections)


def _sections_from_blocks(blocks, source: str) -> list[LyricSection]:
    sections: list[LyricSection] = []
    seen_stanzas: dict[tuple[str, ...], str] = {}
    counts: dict[str, int] = {}
    last_of_kind: dict[str, LyricSection] = {}
    for kind, label_number, line_no, lines in blocks:
        if kind is None:  # untagged stanza
            key = tuple(lines)
            kind = "chorus" if key in seen_stanzas else "verse"
            if kind == "chorus":
                _relabel_as_chorus(sections, key)
            seen_stanzas[key] = kind
        if not lines:
            if kind not in last_of_kind:
                raise InputError(f"{source}: section [{_LABELS[kind]}] at line {line_no} has no lines; write its lyrics under the tag")
            sections.append(last_of_kind[kind].model_copy(deep=True))
            continue
        counts[kind] = counts.get(kind, 0) + 1
        label = _LABELS[kind]
        if kind == "verse":
            label = f"Verse {label_number or counts[kind]}"
        parsed = [make_line(text) for text in lines]
        section = LyricSection(kind=kind, label=label, lines=[line for line in parsed if line.words])
        if not section.lines:
            continue
        sections.append(section)
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


def lyrics_to_text(lyrics: Lyrics) -> str:
    """A lyric sheet with section tags (the format parse_lyrics reads)."""
    chunks = []
    for section in lyrics.sections:
        chunks.append(f"[{section.label}]\n" + "\n".join(line.text for line in section.lines))
    return "\n\n".join(chunks) + "\n"
