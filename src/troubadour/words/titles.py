"""Titles: find one in the brief (or make one), and build the chorus lines that carry it.

A title is sung where a listener remembers it: first and last in the chorus,
either opening a line ("River Town, where the cottonwoods grow") or closing it
("Take me back to River Town"). Its casing is kept as written, so the chorus
contains the title exactly.
"""

from __future__ import annotations

import re

from troubadour.words.rhyme import normalise
from troubadour.words.writer import analyse, good_ending

MAX_TITLE_WORDS = 6

_STOP_LEADS = ("a", "an", "the", "some", "this", "that", "these", "those", "our", "their")
# Where a topic stops being a title ("a summer love that ended at the beach" -> "summer love").
_CLAUSE_BREAK = re.compile(
    r"\b(that|who|whose|which|when|where|while|because|after|before|since|until|though|although|but|so|and how|"
    r"with a|with an|with the|in a|in the|on a|on the|at a|at the|from a|from the|for a|for the|to a|to the|"
    r"during|like)\b", re.IGNORECASE)
_PRONOUNS = ("i", "i'm", "i'll", "i've", "i'd", "you", "you're", "we", "we're", "she", "she's", "he", "he's",
             "they", "it", "it's", "nobody", "everybody", "there's", "don't", "can't", "won't", "ain't")
_VERBS = frozenset("""walk walking run running drive driving dance dancing hold holding keep keeping take taking
turn turning kick kicking let letting leave leaving come coming go going bring bringing ride riding fly flying
burn burning stand standing raise raising find finding make making love loving lose losing chase chasing
rock rocking roll rolling sing singing break breaking carry carrying follow following wait waiting""".split())


def title_from_topic(topic: str) -> str | None:
    """A short title from the "about ..." part of a brief, or None.

    "walking my own way" -> "Walking My Own Way"; "a summer love that ended at the
    beach" -> "Summer Love"; "my grandmother's garden" -> "Grandmother's Garden".
    """
    # The pieces between clause breaks, first one that makes a title wins:
    # "a girl in a yellow sundress" -> "girl" (too short) -> "yellow sundress".
    for chunk in _CLAUSE_BREAK.split(topic)[::2][:3]:
        words = re.findall(r"[A-Za-z][A-Za-z'\-]*", chunk)
        while words and words[0].lower() in _STOP_LEADS:
            words = words[1:]
        if len(words) >= 2 and words[0].lower() == "my" and words[1].lower() not in ("own",):
            words = words[1:]  # "my grandmother's garden" -> "grandmother's garden"
        if not words or len(words) > MAX_TITLE_WORDS:
            continue
        syllables = len(analyse(" ".join(words))[0])
        if not 2 <= syllables <= 8:
            continue
        if len(words) == 1 and words[0].lower() in ("love", "life", "home", "me", "you", "it", "things", "stuff"):
            continue  # too plain to carry a chorus
        return " ".join(_cap(w) for w in words)
    return None


def _cap(word: str) -> str:
    small = {"a", "an", "the", "of", "in", "on", "and", "to", "for", "at", "by", "or"}
    return word.lower() if word.lower() in small else word[:1].upper() + word[1:]


def title_kind(title: str) -> str:
    """'sentence' ("I Won't Back Down"), 'verb' ("Walk My Own Way"), 'gerund' ("Walking ...")
    or 'noun' ("River Town")."""
    first = normalise(title.split()[0]) if title.split() else ""
    if first in _PRONOUNS:
        return "sentence"
    if first.endswith("ing") and (first in _VERBS or len(first) > 5):
        return "gerund"
    if first in _VERBS:
        return "verb"
    return "noun"


# Lead-ins that put the title last in a line, by the kind of title.
_LEADS = {
    "noun": ["Oh, {T}", "Here's to {T}", "Take me back to {T}", "Nothing like {T}", "I still dream of {T}",
             "Singing {T}", "All I need is {T}", "Oh, my {T}", "Give me {T}"],
    "verb": ["I'm gonna {T}", "I'm gonna {T}", "Let me {T}", "I just wanna {T}", "I'll {T}", "Gonna {T}"],
    "gerund": ["I'm {T}", "I keep on {T}", "Just {T}", "I'm still {T}", "Oh, I'm {T}"],
    "sentence": ["{T}", "Oh, {T}", "And {T}", "'Cause {T}", "Yeah, {T}"],
}
_LEADS_BY_MOOD = {"noun": {"nostalgic": ["Take me back to {T}", "I still dream of {T}"],
                           "happy": ["Here's to {T}", "Singing {T}"], "romantic": ["All I need is {T}", "Oh, my {T}"]}}


def title_endings(title: str, mood: str) -> list[str]:
    """Lines that end with the title, most fitting first (they close a chorus)."""
    kind = title_kind(title)
    leads = list(dict.fromkeys(_LEADS_BY_MOOD.get(kind, {}).get(mood, []) + _LEADS[kind]))
    lines = [lead.replace("{T}", title) for lead in leads]
    if len(analyse(title)[0]) <= 4:
        lines.append(f"{title}, {title}")
    return lines


def title_rhymes(title: str) -> bool:
    """Whether the title's last word can carry a rhyme (stable, stressed last syllable)."""
    words = analyse(title)[1]
    return bool(words) and good_ending(words[-1])
