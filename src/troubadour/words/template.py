"""Line templates of the phrase banks: a tiny syntax, expanded into singable variants.

Syntax of one template string::

    (And |)the {light} <burns|burned> (late|low) @country @solo

- ``(a|b|)`` choose one (an empty choice makes the piece optional),
- ``<present|past>`` the tense of the line decides,
- ``{slot}`` a prop of the song ("old Ford", "porch light"), chosen once per song,
- ``@tag`` at the end: ``@past`` / ``@pres`` (fixed tense), ``@solo`` (not for "we"),
  ``@x`` (explicit songs only), a genre (``@country``) or a mood (``@sad``) to restrict it.

Variants differ in length, which is how a line is fitted to a syllable count.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

GENRES = ("country", "pop", "rock", "folk", "ballad")
MOODS = ("sad", "defiant", "nostalgic", "romantic", "happy")
TENSES = ("present", "past")

_PIECE = re.compile(r"\(([^)]*)\)|<([^>]*)>|([^(<]+)")
_SLOT = re.compile(r"\{([a-z_]+)\}")
_SLOT_PLURAL = re.compile(r"\{([a-z_]+)\}(s\b)?")
_MAX_VARIANTS = 24


@dataclass(frozen=True)
class Template:
    """One parsed template: pieces (each a tuple of choices) and tags."""

    source: str
    pieces: tuple[tuple[str, ...], ...]
    tense_pieces: frozenset[int]  # indices of <present|past> pieces
    tags: frozenset[str]
    slots: frozenset[str]

    @property
    def tense(self) -> str | None:
        """'present', 'past' or None (either works)."""
        if "past" in self.tags:
            return "past"
        if "pres" in self.tags:
            return "present"
        return None

    def allows(self, *, genre: str, mood: str, tense: str, perspective: str, explicit: bool) -> bool:
        """Whether this template may be used in a song with these properties."""
        tags = self.tags
        if "x" in tags and not explicit:
            return False
        if "solo" in tags and perspective == "we":
            return False
        if "we" in tags and perspective != "we":
            return False
        if self.tense and self.tense != tense:
            return False
        genres = tags.intersection(GENRES)
        if genres and genre not in genres:
            return False
        moods = tags.intersection(MOODS)
        return not moods or mood in moods

    def variants(self, *, tense: str, props: dict[str, str]) -> list[str]:
        """Every spelling of this template for a tense and a song's props (at most 24)."""
        if not self.slots <= props.keys():
            return []
        choices: list[tuple[str, ...]] = []
        for i, piece in enumerate(self.pieces):
            if i in self.tense_pieces:
                choices.append((piece[0] if tense == "present" or len(piece) == 1 else piece[1],))
            else:
                choices.append(piece)
        out = []
        for combo in itertools.islice(itertools.product(*choices), _MAX_VARIANTS):
            text = _SLOT_PLURAL.sub(lambda m: plural(props[m.group(1)]) if m.group(2) else props[m.group(1)],
                                    "".join(combo))
            out.append(tidy(text))
        return list(dict.fromkeys(t for t in out if t))


def parse_template(source: str) -> Template:
    """Parse a template string (see the module docstring); ValueError on bad syntax."""
    text, _, tag_text = source.partition(" @")
    tags = frozenset(t.strip() for t in ("@" + tag_text).split("@") if t.strip()) if tag_text else frozenset()
    if text.count("(") != text.count(")") or text.count("<") != text.count(">"):
        raise ValueError(f"unbalanced brackets in template {source!r}")
    pieces: list[tuple[str, ...]] = []
    tense_pieces = set()
    for match in _PIECE.finditer(text):
        options, tense, plain = match.groups()
        if options is not None:
            pieces.append(tuple(options.split("|")))
        elif tense is not None:
            parts = tense.split("|")
            if len(parts) != 2:
                raise ValueError(f"<present|past> needs exactly two forms in {source!r}")
            tense_pieces.add(len(pieces))
            pieces.append(tuple(parts))
        else:
            pieces.append((plain,))
    slots = frozenset(_SLOT.findall(text))
    return Template(source, tuple(pieces), frozenset(tense_pieces), tags, slots)


def plural(noun: str) -> str:
    """'birch' -> 'birches', 'cherry' -> 'cherries', 'oak' -> 'oaks' (for ``{tree}s``)."""
    if noun.endswith(("s", "sh", "ch", "x", "z")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "i", "o", "u"):
        return noun[:-1] + "ies"
    return noun + "s"


_AN = re.compile(r"\b([Aa])\s+([A-Za-z']+)")


def tidy(text: str) -> str:
    """Collapse spaces, fix "a old" -> "an old", no space before punctuation."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r",+", ",", text).strip(" ,")
    return _AN.sub(_article, text)


def _article(match: re.Match) -> str:
    article, word = match.groups()
    lower = word.lower()
    vowel_sound = lower[0] in "aeio" or (lower[0] == "u" and not lower.startswith(("uni", "use", "usu")))
    if lower.startswith(("hour", "honest", "heir")):
        vowel_sound = True
    return f"{article}{'n' if vowel_sound else ''} {word}"
