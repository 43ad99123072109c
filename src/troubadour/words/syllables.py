"""Syllables: split a pronunciation into syllables and a spelling to match.

Phonemes are split by the maximal-onset principle over legal English onsets;
the spelling is split into the same number of pieces at vowel-letter groups,
so "walking" sings as "walk" + "ing" and its lyric events read "walk-", "ing".
"""

from __future__ import annotations

from troubadour.song import Syllable, Word
from troubadour.words.phonemes import VOWELS, pronounce, split_stress

# Legal English onsets (beyond any single consonant except NG).
_ONSETS = {tuple(o.split()) for o in (
    "P L", "P R", "P Y", "B L", "B R", "B Y", "T R", "T W", "T Y", "D R", "D W", "D Y", "K L", "K R", "K W", "K Y",
    "G L", "G R", "G W", "G Y", "F L", "F R", "F Y", "TH R", "TH W", "SH R", "S P", "S T", "S K", "S M", "S N",
    "S W", "S L", "S F", "S P L", "S P R", "S T R", "S K R", "S K W", "S K Y", "S P Y", "S T Y", "M Y", "N Y",
    "HH Y", "V Y", "HH W", "L Y",
)}


def _legal_onset(cluster: tuple[str, ...]) -> bool:
    if not cluster:
        return True
    if len(cluster) == 1:
        return cluster[0] != "NG"
    return cluster in _ONSETS


def syllabify(pron: str) -> list[tuple[list[str], int]]:
    """'W AO1 K IH0 NG' -> [(['W','AO','K'], 1), (['IH','NG'], 0)].

    A pronunciation with no vowel becomes one syllable (sung on its sonorant).
    """
    phones = split_stress(pron)
    nuclei = [i for i, (p, _) in enumerate(phones) if p in VOWELS]
    if not nuclei:
        return [([p for p, _ in phones], 1)] if phones else []
    bounds = [0]
    for a, b in zip(nuclei, nuclei[1:]):
        cluster = [p for p, _ in phones[a + 1 : b]]
        # The longest legal onset goes to the next syllable; at least one consonant
        # stays behind after a stressed lax vowel ("riv-er", not "ri-ver").
        split = len(cluster)
        for k in range(len(cluster) + 1):
            if _legal_onset(tuple(cluster[k:])):
                split = k
                break
        lax = phones[a][0] in ("AE", "EH", "IH", "UH", "AH") and (phones[a][1] or 0) > 0
        if lax and split == 0 and cluster and len(cluster) == 1 and phones[b][1] == 0:
            split = 1
        bounds.append(a + 1 + split)
    bounds.append(len(phones))
    out = []
    for start, end, nucleus in zip(bounds, bounds[1:], nuclei):
        out.append(([p for p, _ in phones[start:end]], phones[nucleus][1] or 0))
    return out


_VOWEL_LETTERS = set("aeiouy")
_DIGRAPHS = ("th", "sh", "ch", "ph", "wh", "ck", "ng", "gh", "qu")


def split_spelling(word: str, onsets: list[int]) -> list[str]:
    """Split a spelling into ``len(onsets) + 1`` pieces at vowel-letter groups.

    onsets : for each syllable after the first, how many consonant phonemes its
        onset has; they decide where a consonant cluster is cut ("walk-ing",
        "heart-break", "riv-er").
    """
    count = len(onsets) + 1
    if count <= 1 or len(word) < count:
        return [word] if count <= 1 else _even_split(word, count)
    lower = _fold(word.lower())
    groups: list[tuple[int, int]] = []  # [start, end) of vowel-letter runs
    i = 0
    while i < len(lower):
        if lower[i] in _VOWEL_LETTERS and not (lower[i] == "y" and i == 0):
            j = i
            while j < len(lower) and lower[j] in _VOWEL_LETTERS:
                j += 1
            groups.append((i, j))
            i = j
        else:
            i += 1
    # A final silent 'e' ("make", "stone", "stones") is not a syllable of its own.
    if len(groups) > count and lower.endswith("e") and groups[-1] == (len(lower) - 1, len(lower)):
        groups.pop()
    if len(groups) > count and lower.endswith("es") and groups[-1] == (len(lower) - 2, len(lower) - 1):
        groups.pop()
    while len(groups) > count:  # merge the closest pair of groups
        gap = min(range(len(groups) - 1), key=lambda k: groups[k + 1][0] - groups[k][1])
        groups[gap : gap + 2] = [(groups[gap][0], groups[gap + 1][1])]
    while len(groups) < count:  # split the longest group ("be-ing")
        longest = max(range(len(groups)), key=lambda k: groups[k][1] - groups[k][0]) if groups else None
        if longest is None or groups[longest][1] - groups[longest][0] < 2:
            return _even_split(word, count)
        s, e = groups[longest]
        mid = s + (e - s) // 2
        groups[longest : longest + 1] = [(s, mid), (mid, e)]
    cuts = []
    for k, ((_, end), (start, _)) in enumerate(zip(groups, groups[1:])):
        units = _letter_units(lower[end:start])
        if len(units) == 2 and units[0] == units[1]:  # doubled letter: "hal-le", "sum-mer"
            take = 1
        elif len(units) <= 1:
            take = min(len(units), max(onsets[k], 0) if onsets[k] == 0 else 1)
        else:
            take = max(0, min(onsets[k], len(units) - 1))
        cuts.append(start - sum(len(u) for u in units[len(units) - take :]))
    _suffix_cut(lower, cuts)
    pieces, prev = [], 0
    for cut in cuts:
        pieces.append(word[prev:cut])
        prev = cut
    pieces.append(word[prev:])
    if any(not p.strip("-'") for p in pieces):
        return _even_split(word, count)
    return pieces


def _suffix_cut(lower: str, cuts: list[int]) -> None:
    """Readable endings: "walk-ing", "lit-tle" (the sounds are split elsewhere)."""
    n = len(lower)
    if lower.endswith("ing") and n >= 5 and lower[-4] not in _VOWEL_LETTERS:
        cut = n - 4 if lower[-4] == lower[-5] else n - 3  # "run-ning"
    elif lower.endswith("le") and n >= 4 and lower[-3] not in _VOWEL_LETTERS:
        cut = n - 3
    else:
        return
    if len(cuts) < 2 or cuts[-2] < cut:
        cuts[-1] = cut


def _letter_units(cluster: str) -> list[str]:
    """Consonant letters with digraphs kept together: 'rtbr' -> ['r','t','b','r'], 'ck' -> ['ck']."""
    units, i = [], 0
    while i < len(cluster):
        if cluster[i : i + 2] in _DIGRAPHS:
            units.append(cluster[i : i + 2])
            i += 2
        else:
            units.append(cluster[i])
            i += 1
    return units


def _even_split(word: str, count: int) -> list[str]:
    if len(word) < count:  # "I" sung over two syllables cannot happen, but be safe
        return [word] + [word[-1]] * (count - 1)
    step = len(word) / count
    return [word[round(k * step) : round((k + 1) * step)] for k in range(count)]


def make_word(text: str, *, spoken: str | None = None, backing: bool = False) -> Word:
    """A Word with syllables, phonemes and stress.

    text : the word as the user wrote it (what lyric events show)
    spoken : the word to pronounce, when it differs (e.g. "forty" for "40")
    """
    parts = [p for p in text.split("-") if p]
    spoken_parts = [p for p in (spoken or text).split("-") if p]
    if len(spoken_parts) != len(parts):
        parts, spoken_parts = [text], [spoken or text]
    syllables: list[Syllable] = []
    for part, spoken_part in zip(parts, spoken_parts):  # compounds ("sun-kissed") part by part
        sylls = syllabify(pronounce(spoken_part))
        if not sylls:
            raise ValueError(f"no pronunciation for {text!r}")
        onsets = [_onset_size(phones) for phones, _ in sylls[1:]]
        pieces = split_spelling(part, onsets)
        syllables += [Syllable(text=piece, phonemes=phones, stress=stress) for piece, (phones, stress) in zip(pieces, sylls)]
    if all(s.stress == 0 for s in syllables):
        syllables[0] = syllables[0].model_copy(update={"stress": 1})
    return Word(text=text, syllables=syllables, backing=backing)


def _onset_size(phones: list[str]) -> int:
    return next((i for i, p in enumerate(phones) if p in VOWELS), len(phones))


def _fold(text: str) -> str:
    """Accents off, same length when possible ('café' -> 'cafe'), for spotting vowel letters."""
    import unicodedata

    folded = "".join(unicodedata.normalize("NFKD", ch)[:1] for ch in text)
    return folded if len(folded) == len(text) else text


def syllable_count(word: str) -> int:
    return len(syllabify(pronounce(word)))
