"""Rhyme and stress: what a word sounds like from its last stressed vowel on.

Two words rhyme *perfectly* when everything from the last stressed vowel to
the end sounds the same ("town" / "down") and *slant* when only that vowel is
the same ("road" / "home"). Words no dictionary has are pronounced by espeak-ng
first, so made-up names rhyme too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from troubadour.words.phonemes import VOWELS, cmu, pronounce, split_stress
from troubadour.words.syllables import syllabify

# Short words a singer does not lean on: they may fall on weak beats freely.
FUNCTION_WORDS = frozenset("""
a an the and or but nor so if as at by for from in into of off on onto out over to up upon with
i me my mine you your yours he him his she her hers it its we us our they them their this that these those
am is are was were be been being do does did have has had will would shall should can could may might must
i'm i've i'll i'd you're you've you'll you'd he's she's it's we're we've we'll they're they've that's there's
not no just than then there when where while what who whom which how 'cause 'til till til 'em gonna wanna
""".split())


@dataclass(frozen=True)
class WordSound:
    """The sung shape of one word: syllable count, stress per syllable, rhyme tail.

    stresses : 0/1/2 per syllable, as sung (first pronunciation)
    tail : phonemes from the last stressed vowel to the end, e.g. ('AW', 'N')
    vowel : that last stressed vowel ('AW')
    """

    word: str
    stresses: tuple[int, ...]
    tail: tuple[str, ...]
    vowel: str
    function: bool = False  # a short grammar word ("the", "my", "and"): weak in the meter

    @property
    def syllables(self) -> int:
        return len(self.stresses)

    @property
    def masculine(self) -> bool:
        """True when the word ends on its stressed syllable ("town", "tonight")."""
        return sum(p in VOWELS for p in self.tail) == 1


def rhyme_tail(pron: str) -> tuple[str, ...]:
    """Phonemes from the last stressed vowel (stress 1 or 2) to the end, stress digits removed.

    'T AH0 N AY1 T' -> ('AY', 'T');  'R IH1 V ER0' -> ('IH', 'V', 'ER').
    A word with no stressed vowel uses its last vowel.
    """
    phones = split_stress(pron)
    vowels = [i for i, (p, _) in enumerate(phones) if p in VOWELS]
    if not vowels:
        return tuple(p for p, _ in phones)
    stressed = [i for i in vowels if (phones[i][1] or 0) > 0]
    start = stressed[-1] if stressed else vowels[-1]
    return tuple(p for p, _ in phones[start:])


def primary_tail(pron: str) -> tuple[str, ...]:
    """Like :func:`rhyme_tail` but from the last *primary* stress ('heartbreak' -> AA R T B R EY K)."""
    phones = split_stress(pron)
    primary = [i for i, (p, s) in enumerate(phones) if p in VOWELS and s == 1]
    if not primary:
        return rhyme_tail(pron)
    return tuple(p for p, _ in phones[primary[-1]:])


def normalise(word: str) -> str:
    """Lower case, curly apostrophes straightened, surrounding punctuation removed."""
    return word.lower().replace("’", "'").strip(".,;:!?\"()[]-")


@lru_cache(maxsize=16384)
def sound(word: str) -> WordSound:
    """The :class:`WordSound` of a word, as the singer will sing it."""
    key = normalise(word)
    parts = [p for p in key.split("-") if p]
    if len(parts) > 1:  # a compound sings part by part and rhymes on its last part
        sounds = [sound(p) for p in parts]
        return WordSound(key, tuple(s for ws in sounds for s in ws.stresses), sounds[-1].tail, sounds[-1].vowel)
    pron = pronounce(key) if key else ""
    sylls = syllabify(pron)
    stresses = tuple(s for _, s in sylls) or (1,)
    if len(stresses) == 1 and key not in FUNCTION_WORDS:
        stresses = (1,)
    tail = rhyme_tail(pron) if pron else ("AH",)
    vowel = next((p for p in tail if p in VOWELS), tail[0])
    return WordSound(key, stresses, tail, vowel, key in FUNCTION_WORDS)


def pronunciations(word: str) -> list[str]:
    """Every dictionary pronunciation of a word (espeak-ng's for unknown words)."""
    key = normalise(word)
    return cmu().get(key) or [pronounce(key)]


def stable_rhyme(word: str) -> bool:
    """True when any reasonable rhyme checker hears the same last stressed vowel.

    That is: the sung pronunciation is CMUdict's first one, and reading "stressed"
    as primary-only or primary-or-secondary gives the same vowel ("heartbreak"
    fails: HEART or BREAK?). Line endings the writer picks are stable.
    """
    key = normalise(word).split("-")[-1]
    prons = cmu().get(key)
    if not prons or pronounce(key) != prons[0]:
        return False
    first = prons[0]
    return _vowel_of(rhyme_tail(first)) == _vowel_of(primary_tail(first))


def _vowel_of(tail: tuple[str, ...]) -> str:
    return next((p for p in tail if p in VOWELS), tail[0] if tail else "")


def is_perfect_rhyme(a: str, b: str) -> bool:
    """Same sounds from the last stressed vowel on (identical words count: a refrain)."""
    return sound(a).tail == sound(b).tail


def is_slant_rhyme(a: str, b: str) -> bool:
    """Same last stressed vowel ("road" / "home", "time" / "light")."""
    return sound(a).vowel == sound(b).vowel


def rhymes(a: str, b: str) -> bool:
    """Perfect or slant rhyme, by the first pronunciation of each word."""
    return is_slant_rhyme(a, b)


# Consonant classes for "near" rhymes: codas that differ only in voicing or place.
_CLASSES = {
    "P": "stop", "B": "stop", "T": "stop", "D": "stop", "K": "stop", "G": "stop", "CH": "stop", "JH": "stop",
    "F": "fric", "V": "fric", "TH": "fric", "DH": "fric", "S": "fric", "Z": "fric", "SH": "fric", "ZH": "fric",
    "HH": "fric", "M": "nasal", "N": "nasal", "NG": "nasal", "L": "liquid", "R": "liquid", "W": "glide", "Y": "glide",
}


def rhyme_score(a: str, b: str) -> float:
    """How well two line endings rhyme, for choosing among candidates.

    1.0 perfect, 0.8 same vowel and a coda of the same kind ("time" / "line"),
    0.6 same vowel only ("road" / "home"), 0.3 the same word twice, 0 no rhyme.
    """
    sa, sb = sound(a), sound(b)
    if sa.vowel != sb.vowel:
        return 0.0
    if sa.word == sb.word:
        return 0.3
    if sa.tail == sb.tail:
        return 1.0
    ca = tuple(_CLASSES.get(p, p) for p in sa.tail[1:])
    cb = tuple(_CLASSES.get(p, p) for p in sb.tail[1:])
    return 0.8 if ca == cb else 0.6


_FAMILY_CLASS = {"R": "r", "L": "l", "M": "n", "N": "n", "NG": "n"}


@lru_cache(maxsize=16384)
def rhyme_family(word: str) -> str:
    """A family of near rhymes: the last stressed vowel and the kind of sound after it.

    'town', 'down', 'ground' -> 'AW-n'; 'light', 'ride' -> 'AY-t'; 'more', 'door' -> 'AO-r';
    'me', 'free' -> 'IY-'. Lines in one family sound rhymed to the ear, not just on paper.
    """
    ws = sound(word)
    coda = ws.tail[1:]
    if not coda:
        kind = ""
    elif coda[0] in VOWELS:
        kind = "v"
    else:
        kind = _FAMILY_CLASS.get(coda[0], "t")
    return f"{ws.vowel}-{kind}"


@lru_cache(maxsize=1)
def _rhyme_index() -> dict[tuple[str, ...], list[str]]:
    index: dict[tuple[str, ...], list[str]] = {}
    for word, prons in cmu().items():
        if word.isalpha() and len(prons) == 1:
            index.setdefault(rhyme_tail(prons[0]), []).append(word)
    return index


def rhymes_for(word: str, *, limit: int = 12, common: set[str] | None = None) -> list[str]:
    """Perfect rhymes for a word from CMUdict (for repair hints), everyday words first.

    common : the words to prefer; default the embedded lyricist's own vocabulary, so
        "town" suggests "down", "around", "ground" before "towne".
    """
    if common is None:
        common = vocabulary()
    target = sound(word)
    found = [w for w in _rhyme_index().get(target.tail, []) if w != target.word]
    found.sort(key=lambda w: (w not in common, len(w), w))
    return found[:limit]


@lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """Every word in the embedded lyricist's phrase banks (``words/data/*.yaml``)."""
    import re
    from importlib import resources

    words: set[str] = set()
    for entry in resources.files("troubadour.words").joinpath("data").iterdir():
        if entry.name.endswith(".yaml"):
            words.update(re.findall(r"[a-z']+", entry.read_text(encoding="utf-8").lower()))
    return frozenset(w.strip("'") for w in words if len(w) > 1)
