"""Point of view: the phrase banks are written in the first person; this moves them.

``shift("I keep my boots on", "she")`` -> "she keeps her boots on". Present-tense
verbs after the subject are conjugated; past tense, modals and contractions
keep their form. Good enough for the banks, which avoid the hard cases.
"""

from __future__ import annotations

import re

PERSPECTIVES = ("first", "we", "he", "she")

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*")

# Words that may stand between the subject and its verb ("I still keep").
_ADVERBS = frozenset("still never always just only really sometimes even all almost also ever often finally".split())
_MODALS = frozenset("""can could will would shall should may might must can't couldn't won't wouldn't shouldn't
mustn't used was wasn't had hadn't did didn't""".split())
_IRREGULAR_PAST = frozenset("""were went drove ran came saw knew told took gave found left kept felt held made
said sang stood thought bought brought caught taught fought wrote rode broke spoke woke chose froze fell
began swam drank grew threw flew blew drew wore tore swore lost paid laid met sat led fed read heard
built sent spent lent bent burnt learnt dreamt meant slept swept wept crept got forgot hid slid shook
struck hung rang sank stuck spun won let put set cut hit shut quit""".split())
_NOT_VERBS = frozenset("""a an the my your his her our their this that these those i you he she we they it me him us
them not never now then so all no some every one two""".split())
_THIRD = {"have": "has", "do": "does", "don't": "doesn't", "go": "goes", "am": "is", "be": "is", "'m": "'s"}

_WE = {"i": "we", "me": "us", "my": "our", "mine": "ours", "myself": "ourselves", "i'm": "we're", "i've": "we've",
       "i'll": "we'll", "i'd": "we'd", "am": "are", "was": "were", "wasn't": "weren't"}
_HE = {"i": "he", "me": "him", "my": "his", "mine": "his", "myself": "himself", "i'm": "he's", "i've": "he's",
       "i'll": "he'll", "i'd": "he'd", "am": "is"}
_SHE = {"i": "she", "me": "her", "my": "her", "mine": "hers", "myself": "herself", "i'm": "she's", "i've": "she's",
        "i'll": "she'll", "i'd": "she'd", "am": "is"}


def third_person(verb: str) -> str:
    """'keep' -> 'keeps', 'try' -> 'tries', 'watch' -> 'watches', 'have' -> 'has'."""
    lower = verb.lower()
    if lower in _THIRD:
        return _match_case(_THIRD[lower], verb)
    if "'" in lower or lower in _MODALS or lower in _IRREGULAR_PAST or lower.endswith("ed"):
        return verb  # contractions, modals and past forms do not agree
    if lower.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def shift(text: str, person: str) -> str:
    """Rewrite a first-person line for another point of view ('first' returns it unchanged)."""
    if person in ("first", "", None):
        return text
    if person not in PERSPECTIVES:
        raise ValueError(f"unknown perspective {person!r}; choose one of {PERSPECTIVES}")
    table = {"we": _WE, "he": _HE, "she": _SHE}[person]
    tokens = re.split(r"([A-Za-z]+(?:'[A-Za-z]+)*)", text)
    after_subject = False  # inside "I (still) ___": the next non-adverb word is the verb
    for k in range(1, len(tokens), 2):
        word = tokens[k]
        lower = word.lower()
        if lower == "i":
            tokens[k] = _match_case(table["i"], word, first=_is_first(tokens, k))
            after_subject = True
            continue
        if after_subject:
            if lower in _ADVERBS:
                continue
            after_subject = False
            if person == "we":
                tokens[k] = _match_case(table.get(lower, word), word) if lower in ("am", "was", "wasn't") else word
            elif lower == "am":
                tokens[k] = _match_case("is", word)
            elif lower[0].isalpha() and lower not in table:
                tokens[k] = third_person(word)
                # "I live and learn" -> "she lives and learns": a second verb joined by "and".
                if k + 4 < len(tokens) and tokens[k + 2].lower() == "and" and tokens[k + 4].lower() not in _NOT_VERBS \
                        and tokens[k + 4] != third_person(tokens[k + 4]) and tokens[k + 4].lower() != "i":
                    tokens[k + 4] = third_person(tokens[k + 4])
            continue
        if lower in table and lower not in ("am", "was", "wasn't"):
            tokens[k] = _match_case(table[lower], word, first=_is_first(tokens, k))
    return "".join(tokens)


def _is_first(tokens: list[str], k: int) -> bool:
    return k == 1 and not tokens[0].strip()


def _match_case(new: str, old: str, *, first: bool = False) -> str:
    if first or (old[:1].isupper() and not re.match(r"i(\b|')", old.lower())):
        return new[:1].upper() + new[1:]
    return new
