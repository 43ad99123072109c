"""The speech source: a phrase's words spoken as connected speech, with phone times.

The singer does not sing from nothing: it asks a speech synthesiser to *speak*
the phrase's syllables, then stretches and re-pitches that speech. This module
produces the spoken audio and a phone list aligned to the score's syllables,
each phone tagged as the onset, nucleus (vowel) or coda of its syllable.

Two backends:

``flite``  CMU Flite clustergen voices (``rms``, ``slt``, ``awb``) from plain
           text; clear consonants, natural durations. Flite also reports its
           F0 and band voicing strengths, which the analysis reuses.
``espeak`` espeak-ng from phoneme input (``[[...]]``): exactly our phonemes,
           but less natural and less intelligible to an ASR.

Flite may pronounce a word differently from our dictionary ("the" as DH AX);
its phones are aligned to ours by dynamic programming, and the syllable roles
follow the alignment. When that fails (a syllable without a vowel), the phrase
is re-spoken from our own phonemes.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace

import numpy as np

from troubadour.errors import DependencyError
from troubadour.words.phonemes import ARPA_TO_ESPEAK, VOWELS, espeak_to_arpabet

# Phones that carry voice when sung (the rest are unvoiced obstruents).
UNVOICED = frozenset("P T K F TH S SH CH HH".split())
SONORANTS = frozenset("L R M N NG W Y".split())
DIPHTHONGS = frozenset("AY AW OY EY OW".split())
_FLITE_TO_ARPA = {"ax": "AH", "axr": "ER", "pau": "PAU"}


@dataclass(frozen=True)
class SungSyllable:
    """What the source must speak for one sung syllable.

    phonemes : ARPAbet without stress digits (as in :class:`troubadour.song.Syllable`)
    stress : 0 unstressed, 1 primary, 2 secondary
    text : the spelling piece ("walk", "ing")
    word_end : True when this syllable ends its word
    """

    phonemes: tuple[str, ...]
    stress: int
    text: str
    word_end: bool = True


@dataclass(frozen=True)
class SourcePhone:
    """One spoken phone, in the source audio.

    symbol : ARPAbet (upper case, no stress)
    start_s, end_s : seconds in the source audio
    syllable : index of the sung syllable it belongs to
    role : "onset", "nucleus" or "coda"
    """

    symbol: str
    start_s: float
    end_s: float
    syllable: int
    role: str

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass
class SourceSpeech:
    """Spoken audio of a phrase with its phones.

    audio : float32 mono, shape (samples,)
    sample_rate : Hz of ``audio``
    phones : in time order, every one tagged with its syllable and role
    f0_hint_hz : shape (frames,), the source's own F0 every ``frame_period_s`` (None: estimate it)
    strengths : shape (frames, 5), band voicing strengths in [0, 1] (Flite), or None
    """

    audio: np.ndarray
    sample_rate: int
    phones: list[SourcePhone]
    backend: str
    voice: str
    f0_hint_hz: np.ndarray | None = None
    strengths: np.ndarray | None = None
    frame_period_s: float = 0.005
    notes: list[str] = field(default_factory=list)

    def syllable_phones(self, index: int) -> list[SourcePhone]:
        return [p for p in self.phones if p.syllable == index]


# ---------------------------------------------------------------- alignment


def _cost(a: str, b: str) -> float:
    if a == b:
        return 0.0
    if (a in VOWELS) != (b in VOWELS):
        return 2.0
    return 0.6 if a in VOWELS else 0.8


def align(ours: list[str], theirs: list[str]) -> tuple[list[int], float]:
    """For every phone of ``theirs``, the index of the phone of ``ours`` it aligns to, and the edit cost.

    Minimum edit cost (substitutions cheaper within vowels or within
    consonants). An inserted phone goes with its neighbour in ``ours``.
    """
    n, m = len(ours), len(theirs)
    cost = [[0.0] * (m + 1) for _ in range(n + 1)]
    back = [[0] * (m + 1) for _ in range(n + 1)]  # 0 diagonal, 1 skip ours, 2 insert theirs
    for j in range(1, m + 1):
        cost[0][j], back[0][j] = float(j), 2
    for i in range(1, n + 1):
        cost[i][0], back[i][0] = float(i), 1
        row, previous, a = cost[i], cost[i - 1], ours[i - 1]
        for j in range(1, m + 1):
            diagonal = previous[j - 1] + _cost(a, theirs[j - 1])
            skip, insert = previous[j] + 1.0, row[j - 1] + 1.0
            if diagonal <= skip and diagonal <= insert:
                row[j] = diagonal
            elif skip <= insert:
                row[j], back[i][j] = skip, 1
            else:
                row[j], back[i][j] = insert, 2
    out = [0] * m
    i, j = n, m
    while j > 0:
        step = back[i][j] if i > 0 else 2
        if step == 0:
            out[j - 1] = i - 1
            i, j = i - 1, j - 1
        elif step == 1:
            i -= 1
        else:
            out[j - 1] = max(i - 1, 0)  # an insertion joins the previous phone of ours
            j -= 1
    return out, cost[n][m]


MAX_ALIGN_COST = 0.4  # per phone of ours: worse than this, Flite said something else (spelled "hmm" out)


def _assign_roles(owners: list[int], symbols: list[str], times: list[tuple[float, float]],
                  count: int) -> list[SourcePhone] | None:
    """Phones with syllable owners -> tagged SourcePhones; None when a syllable has no phone."""
    phones: list[SourcePhone] = []
    for syllable in range(count):
        members = [k for k, o in enumerate(owners) if o == syllable]
        if not members:
            return None
        vowels = [k for k in members if symbols[k] in VOWELS]
        if not vowels:  # a vowel-less syllable ("hmm", "shh"): its most sonorous phone is the nucleus
            sonorant = [k for k in members if symbols[k] in SONORANTS] or [k for k in members if symbols[k] not in UNVOICED]
            vowels = sonorant[:1] or [max(members, key=lambda k: times[k][1] - times[k][0])]
        first, last = vowels[0], vowels[-1]
        for k in members:
            role = "onset" if k < first else "coda" if k > last else "nucleus"
            phones.append(SourcePhone(symbols[k], times[k][0], times[k][1], syllable, role))
    return phones


def _owners(syllables: list[SungSyllable], spoken: list[str]) -> tuple[list[int], float]:
    """Syllable index of every spoken phone, and the alignment cost per phone of ours."""
    ours = [p for s in syllables for p in s.phonemes]
    syllable_of = [i for i, s in enumerate(syllables) for _ in s.phonemes]
    owners, cost = align(ours, spoken)
    return [syllable_of[k] for k in owners], cost / max(len(ours), 1)


def words_of(syllables: list[SungSyllable]) -> list[str]:
    """The phrase's words, ASCII-folded, from syllable spellings and word ends."""
    words, current = [], ""
    for syllable in syllables:
        current += syllable.text
        if syllable.word_end:
            words.append(current)
            current = ""
    if current:
        words.append(current)
    out = []
    for word in words:
        folded = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()
        folded = "".join(ch for ch in folded if ch.isalnum() or ch == "'").strip("'")
        out.append(folded)
    return out


# ---------------------------------------------------------------- backends


FLITE_STRETCH = 1.0  # Flite's speaking rate (duration_stretch)


def _speak_flite(syllables: list[SungSyllable], voice: str) -> SourceSpeech:
    from troubadour.voice import flite

    words = words_of(syllables)
    speech = None
    phones = None
    notes: list[str] = []
    if all(words):
        speech = flite.speak(" ".join(words), voice=voice, duration_stretch=FLITE_STRETCH)
        phones = _flite_phones(speech, syllables)
    if phones is None:  # Flite's words could not be matched: speak our phonemes instead
        notes.append("flite text alignment failed; spoke phonemes")
        speech = flite.speak_phones(" ".join(p.lower() for s in syllables for p in s.phonemes), voice=voice,
                                    duration_stretch=FLITE_STRETCH)
        phones = _flite_phones(speech, syllables, strict=False)
        if phones is None:
            raise DependencyError(f"Flite could not speak the syllables {[s.text for s in syllables]!r}")
    return _trimmed(SourceSpeech(speech.audio, speech.sample_rate, phones, "flite", voice, speech.f0_hz,
                                 speech.strengths, speech.frame_period_s, notes))


def _trimmed(source: SourceSpeech, margin_s: float = 0.03) -> SourceSpeech:
    """The source without its leading and trailing pauses (nothing is sung from them; analysis costs time).

    The cut falls on the frame grid so the F0 and strength tracks stay aligned.
    """
    frame = source.frame_period_s
    start_s = max(0.0, np.floor((source.phones[0].start_s - margin_s) / frame) * frame)
    end_s = min(len(source.audio) / source.sample_rate, source.phones[-1].end_s + margin_s)
    first, last = int(round(start_s * source.sample_rate)), int(round(end_s * source.sample_rate))
    skip = int(round(start_s / frame))
    phones = [replace(p, start_s=p.start_s - start_s, end_s=p.end_s - start_s) for p in source.phones]
    return replace(source, audio=source.audio[first:last], phones=phones,
                   f0_hint_hz=None if source.f0_hint_hz is None else source.f0_hint_hz[skip:],
                   strengths=None if source.strengths is None else source.strengths[skip:])


def _flite_phones(speech, syllables: list[SungSyllable], *, strict: bool = True) -> list[SourcePhone] | None:
    segments = [s for s in speech.segments if s.phone != "pau"]
    symbols = [_FLITE_TO_ARPA.get(s.phone, s.phone.upper()) for s in segments]
    owners, cost = _owners(syllables, symbols)
    if strict and cost > MAX_ALIGN_COST:
        return None
    return _assign_roles(owners, symbols, [(s.start_s, s.end_s) for s in segments], len(syllables))


def espeak_mnemonics(syllables: list[SungSyllable]) -> str:
    """espeak ``[[...]]`` phoneme text for the syllables: stress marks, words separated by spaces."""
    out, word = [], ""
    for syllable in syllables:
        piece = ""
        for phone in syllable.phonemes:
            stressed, unstressed = ARPA_TO_ESPEAK.get(phone, ("@", "@"))
            if phone in VOWELS:
                mark = {1: "'", 2: ","}.get(syllable.stress, "")
                piece += mark + (stressed if syllable.stress else unstressed)
            else:
                piece += stressed
        word += piece
        if syllable.word_end:
            out.append(word)
            word = ""
    if word:
        out.append(word)
    return " ".join(out)


def _speak_espeak(syllables: list[SungSyllable], voice: str, *, rate_wpm: int = 130, pitch: int = 40) -> SourceSpeech:
    from troubadour.words.espeak import speak_phonemes

    speech = speak_phonemes(espeak_mnemonics(syllables), voice=voice, rate_wpm=rate_wpm, pitch=pitch, pitch_range=0)
    rate = speech.sample_rate
    events = speech.phonemes + [("_", len(speech.audio))]
    symbols, times = [], []
    for (name, start), (_, end) in zip(events, events[1:]):
        arpa = espeak_to_arpabet(name.replace("'", "").replace(",", "")).split()
        if not arpa or end <= start:
            continue  # pauses and stress-only events
        # A mnemonic may map to two phones (aI@ -> AY ER): split its time evenly.
        step = (end - start) / len(arpa)
        for k, phone in enumerate(arpa):
            symbols.append(phone.rstrip("012"))
            times.append(((start + k * step) / rate, (start + (k + 1) * step) / rate))
    owners, _ = _owners(syllables, symbols)
    phones = _assign_roles(owners, symbols, times, len(syllables))
    if phones is None:
        raise DependencyError(f"espeak-ng could not speak the syllables {[s.text for s in syllables]!r}")
    return _trimmed(SourceSpeech(speech.audio, rate, phones, "espeak", voice))


BACKENDS = ("flite", "espeak")


def speak(syllables: list[SungSyllable], *, backend: str = "flite", voice: str = "rms") -> SourceSpeech:
    """Speak a phrase's syllables as connected speech; see :class:`SourceSpeech`."""
    if not syllables:
        raise ValueError("no syllables to speak")
    if backend == "flite":
        return _speak_flite(syllables, voice)
    if backend == "espeak":
        return _speak_espeak(syllables, voice)
    raise DependencyError(f"unknown speech source {backend!r}; choose one of: {', '.join(BACKENDS)}")
