"""Pitches, keys, scales and chords: the small vocabulary every music stage shares."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from troubadour.errors import InputError

SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
FLAT_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}

MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
MINOR_SCALE = (0, 2, 3, 5, 7, 8, 10)  # natural minor

# Chord qualities: suffix -> intervals above the root (semitones).
CHORD_QUALITIES: dict[str, tuple[int, ...]] = {
    "": (0, 4, 7),
    "m": (0, 3, 7),
    "5": (0, 7),
    "7": (0, 4, 7, 10),
    "maj7": (0, 4, 7, 11),
    "m7": (0, 3, 7, 10),
    "6": (0, 4, 7, 9),
    "m6": (0, 3, 7, 9),
    "9": (0, 4, 7, 10, 14),
    "m9": (0, 3, 7, 10, 14),
    "add9": (0, 4, 7, 14),
    "madd9": (0, 3, 7, 14),
    "sus2": (0, 2, 7),
    "sus4": (0, 5, 7),
    "7sus4": (0, 5, 7, 10),
    "dim": (0, 3, 6),
    "dim7": (0, 3, 6, 9),
    "m7b5": (0, 3, 6, 10),
    "aug": (0, 4, 8),
}
_QUALITY_ALIASES = {"maj": "", "M": "", "min": "m", "-": "m", "mi": "m", "M7": "maj7", "Δ": "maj7",
                    "min7": "m7", "-7": "m7", "ø": "m7b5", "°": "dim", "+": "aug", "sus": "sus4"}


def note_name_to_pc(name: str) -> int:
    """'C' -> 0, 'F#' -> 6, 'Bb' -> 10; raises InputError for anything else."""
    match = re.fullmatch(r"([A-Ga-g])([#b♯♭]{0,2})", name.strip())
    if not match:
        raise InputError(f"{name!r} is not a note name; use a letter A-G with an optional # or b (e.g. 'F#', 'Bb')")
    pc = _LETTER_PC[match.group(1).upper()]
    for accidental in match.group(2):
        pc += 1 if accidental in "#♯" else -1
    return pc % 12


def midi_to_name(pitch: int, *, flats: bool = False) -> str:
    """60 -> 'C4' (scientific pitch notation)."""
    names = FLAT_NAMES if flats else SHARP_NAMES
    return f"{names[pitch % 12]}{pitch // 12 - 1}"


def name_to_midi(name: str) -> int:
    """'C4' -> 60, 'A2' -> 45."""
    match = re.fullmatch(r"([A-Ga-g][#b]{0,2})(-?\d)", name.strip())
    if not match:
        raise InputError(f"{name!r} is not a pitch; use a note name and octave like 'A2' or 'E4'")
    return note_name_to_pc(match.group(1)) + 12 * (int(match.group(2)) + 1)


def midi_to_hz(pitch: float) -> float:
    return 440.0 * 2.0 ** ((pitch - 69.0) / 12.0)


# ---------------------------------------------------------------- keys


@dataclass(frozen=True)
class Key:
    tonic: int  # pitch class
    mode: str  # "major" | "minor"

    @property
    def scale(self) -> tuple[int, ...]:
        return MAJOR_SCALE if self.mode == "major" else MINOR_SCALE

    @property
    def pitch_classes(self) -> tuple[int, ...]:
        return tuple((self.tonic + step) % 12 for step in self.scale)

    @property
    def uses_flats(self) -> bool:
        # Major keys F Bb Eb Ab Db Gb, and their relative minors, are written with flats.
        major_tonic = self.tonic if self.mode == "major" else (self.tonic + 3) % 12
        return major_tonic in (5, 10, 3, 8, 1, 6)

    @property
    def name(self) -> str:
        names = FLAT_NAMES if self.uses_flats else SHARP_NAMES
        return names[self.tonic] + ("m" if self.mode == "minor" else "")

    @property
    def fifths(self) -> int:
        """Position on the circle of fifths (sharps positive, flats negative), for key signatures."""
        major_tonic = self.tonic if self.mode == "major" else (self.tonic + 3) % 12
        fifths = (major_tonic * 7) % 12
        return fifths - 12 if fifths > 6 or (fifths == 6 and self.uses_flats) else fifths

    def relative(self) -> "Key":
        if self.mode == "major":
            return Key((self.tonic + 9) % 12, "minor")
        return Key((self.tonic + 3) % 12, "major")

    def spell(self, pc: int) -> str:
        return (FLAT_NAMES if self.uses_flats else SHARP_NAMES)[pc % 12]

    def degree_pc(self, degree: int) -> int:
        """Pitch class of scale degree 1..7 (wraps)."""
        return (self.tonic + self.scale[(degree - 1) % 7]) % 12


@lru_cache(maxsize=256)
def parse_key(text: str) -> Key:
    """'G' 'Em' 'Bb' 'F#m' 'C# minor' 'A major' -> Key."""
    cleaned = text.strip()
    match = re.fullmatch(r"([A-Ga-g][#b♯♭]?)\s*(m|min|minor|maj|major|M)?", cleaned)
    if not match:
        raise InputError(f"key {text!r} is not a key; use a note name with 'm' for minor, e.g. 'G', 'Em', 'Bb', 'F#m'")
    tonic = note_name_to_pc(match.group(1))
    mode = "minor" if match.group(2) in ("m", "min", "minor") else "major"
    return Key(tonic, mode)


# ---------------------------------------------------------------- chords


@dataclass(frozen=True)
class ChordInfo:
    root: int  # pitch class
    quality: str
    bass: int  # pitch class of the lowest note (slash chords)

    @property
    def intervals(self) -> tuple[int, ...]:
        return CHORD_QUALITIES[self.quality]

    @property
    def pitch_classes(self) -> tuple[int, ...]:
        return tuple((self.root + i) % 12 for i in self.intervals)

    @property
    def triad(self) -> tuple[int, ...]:
        return self.pitch_classes[:3] if len(self.intervals) >= 3 else self.pitch_classes

    @property
    def is_minor(self) -> bool:
        return 3 in self.intervals and 4 not in self.intervals

    @property
    def fifth(self) -> int:
        fifth = next((i for i in self.intervals if i in (6, 7, 8)), 7)
        return (self.root + fifth) % 12


_CHORD_RE = re.compile(r"([A-G][#b♯♭]?)([^/]*)(?:/([A-G][#b♯♭]?))?")


@lru_cache(maxsize=1024)
def parse_chord(symbol: str) -> ChordInfo:
    """'G' 'Em7' 'D/F#' 'Bbmaj7' 'F#m7b5' -> ChordInfo; raises InputError with the valid forms."""
    match = _CHORD_RE.fullmatch(symbol.strip())
    if not match:
        raise InputError(f"chord {symbol!r} is not a chord symbol; write a root A-G, an optional #/b, a quality and an optional /bass, e.g. 'G', 'Em7', 'D/F#'")
    root = note_name_to_pc(match.group(1))
    quality = _QUALITY_ALIASES.get(match.group(2), match.group(2))
    if quality not in CHORD_QUALITIES:
        qualities = ", ".join(repr(q) for q in CHORD_QUALITIES)
        raise InputError(f"chord {symbol!r} has an unknown quality {match.group(2)!r}; known qualities: {qualities}")
    bass = note_name_to_pc(match.group(3)) if match.group(3) else root
    return ChordInfo(root, quality, bass)


def chord_symbol(root: int, quality: str, key: Key, bass: int | None = None) -> str:
    symbol = key.spell(root) + quality
    if bass is not None and bass != root:
        symbol += "/" + key.spell(bass)
    return symbol


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7}
_ROMAN_RE = re.compile(r"(b|#)?([ivIV]+|[vV]?[iI]{0,3})(°|dim|\+|m7b5|maj7|7sus4|sus4|sus2|add9|7|6|9)?(?:/([ivIV]+))?")


def roman_to_symbol(roman: str, key: Key) -> str:
    """A roman numeral in a key -> chord symbol.

    Upper case is major, lower case minor; 'b'/'#' alter the root; a suffix adds
    a quality ('V7', 'IVmaj7', 'vii°'); '/x' is a secondary function ('V/V' is
    the dominant of the dominant). Scale degrees come from the major scale for
    upper-case-relative reckoning, so 'bVII' in G is F and 'iv' in G is Cm.
    """
    match = _ROMAN_RE.fullmatch(roman.strip())
    if not match or not match.group(2):
        raise InputError(f"roman numeral {roman!r} is not understood; use forms like 'I', 'vi', 'bVII', 'V7', 'V/V'")
    accidental, numeral, suffix, target = match.groups()
    degree = _ROMAN.get(numeral.lower())
    if degree is None:
        raise InputError(f"roman numeral {roman!r} is not understood; use forms like 'I', 'vi', 'bVII', 'V7', 'V/V'")
    reference = key
    if target:
        target_degree = _ROMAN.get(target.lower())
        if target_degree is None:
            raise InputError(f"secondary target in {roman!r} is not understood")
        # Secondary chords are reckoned in the major key of their target.
        reference = Key(_degree_in(key, target_degree), "major")
    root = _degree_in(reference, degree)
    if accidental == "b":
        root = (root - 1) % 12
    elif accidental == "#":
        root = (root + 1) % 12
    major = numeral.isupper()
    if suffix is None:
        quality = "" if major else "m"
    else:
        suffix = {"°": "dim"}.get(suffix, suffix)
        quality = _SUFFIX_QUALITY[suffix][0 if major else 1]
    return chord_symbol(root, quality, key)


_SUFFIX_QUALITY = {  # roman suffix -> (quality on an upper-case numeral, on a lower-case one)
    "7": ("7", "m7"), "maj7": ("maj7", "maj7"), "dim": ("dim", "dim"), "+": ("aug", "aug"),
    "m7b5": ("m7b5", "m7b5"), "sus4": ("sus4", "sus4"), "sus2": ("sus2", "sus2"),
    "7sus4": ("7sus4", "7sus4"), "add9": ("add9", "madd9"), "6": ("6", "m6"), "9": ("9", "m9"),
}


def _degree_in(key: Key, degree: int) -> int:
    # Degrees are counted on the major scale of the tonic for majors and on the
    # natural minor for minors, so 'III' in A minor is C and 'V' in A minor is E.
    return key.degree_pc(degree)


# ---------------------------------------------------------------- ranges


def fit_to_range(pitch: int, low: int, high: int) -> int:
    """Move a pitch by octaves into [low, high] (as close to the middle as possible if it doesn't fit)."""
    while pitch < low:
        pitch += 12
    while pitch > high:
        pitch -= 12
    return pitch


def nearest_pitch_with_pc(target: float, pc: int) -> int:
    """The MIDI pitch of pitch class `pc` nearest to `target`."""
    base = int(round(target))
    offset = (pc - base) % 12
    return base + offset if offset <= 6 else base + offset - 12
