"""Singer timing: where each spoken phone goes on the song's timeline.

Rules (what a singer does with the words):

- the vowel lands on the beat: a syllable's onset consonants end exactly at
  its note's start, so they are sung *before* the note;
- the vowel is sustained through the note and any melisma;
- between two legato notes, the coda of the first and the onset of the next
  form one consonant cluster sung just before the second note;
- before a rest (or at the end of a phrase) the coda is released at the end
  of the note;
- consonants keep their spoken length (squeezed only when the notes are too
  short for them); vowels take the rest. Inside a vowel the first and last
  few tens of milliseconds (the formant transitions) keep their spoken rate,
  and the middle (for a diphthong, its first part) is stretched.

The result is a :class:`Timeline` (one :class:`TimedPhone` per phone, for
tests and exports) and a piecewise-linear time map from song time to source
time; song times not covered by any phone are silent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from troubadour.voice.score import ScoreNote
from troubadour.voice.source import DIPHTHONGS, UNVOICED, SourcePhone, SourceSpeech

LEGATO_GAP_S = 0.03  # a gap shorter than this between notes is not a rest
MIN_VOWEL_S = 0.06  # a vowel keeps at least this much (or half its note) before consonants
TRANSITION_S = 0.035  # spoken-rate head and tail of a stretched vowel
HOLD_S = 0.02  # the part of a spoken vowel that is stretched
UNIFORM_STRETCH = False  # experiment: stretch whole vowels instead of their middles
RELEASE_S = 0.0  # codas end this long after the note end before a rest
CONSONANT_SHARE = 0.15  # unvoiced consonants take at most this share of the note they end ...
CONSONANT_MIN_S = 0.06  # ... or this long, whichever is more
SQUEEZE_FLOOR = 0.5  # consonants are never squeezed below this share of their spoken length


@dataclass(frozen=True)
class SyllableSpan:
    """One sung syllable: its index and the notes it spans (several for a melisma)."""

    index: int
    notes: tuple[ScoreNote, ...]

    @property
    def start_s(self) -> float:
        return self.notes[0].start_s

    @property
    def end_s(self) -> float:
        return self.notes[-1].end_s


@dataclass(frozen=True)
class TimedPhone:
    """A phone placed on the song's timeline.

    symbol : ARPAbet
    start_s, end_s : seconds on the song timeline
    src_start_s, src_end_s : the spoken span it comes from
    syllable : sung syllable index; role : "onset", "nucleus" or "coda"
    """

    symbol: str
    start_s: float
    end_s: float
    src_start_s: float
    src_end_s: float
    syllable: int
    role: str


@dataclass
class Timeline:
    """All phones of a phrase on the song's timeline, plus the time map.

    map_song_s, map_src_s : knots of the piecewise-linear map song time -> source time,
        shape (knots,), song times non-decreasing; only valid inside phones
    """

    phones: list[TimedPhone]
    map_song_s: np.ndarray
    map_src_s: np.ndarray

    @property
    def start_s(self) -> float:
        return self.phones[0].start_s

    @property
    def end_s(self) -> float:
        return self.phones[-1].end_s

    def source_time(self, times_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Source time for each song time, and whether a phone sounds there.

        Returns
        -------
        src_s : shape like ``times_s``
        sounding : bool, shape like ``times_s``
        """
        sounding = np.zeros(times_s.shape, bool)
        for phone in self.phones:
            sounding |= (times_s >= phone.start_s) & (times_s < phone.end_s)
        return np.interp(times_s, self.map_song_s, self.map_src_s), sounding

    def role_at(self, times_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per time: index of the sounding phone (-1 if none) and whether it is a sung (voiceable) nucleus."""
        index = np.full(times_s.shape, -1)
        for k, phone in enumerate(self.phones):
            index[(times_s >= phone.start_s) & (times_s < phone.end_s)] = k
        nucleus = np.array([p.role == "nucleus" and p.symbol not in UNVOICED for p in self.phones] + [False])[index]
        return index, nucleus


def syllable_spans(notes: list[ScoreNote]) -> list[SyllableSpan]:
    """Group a phrase's notes by syllable (a note without a syllable continues the previous one)."""
    spans: list[list[ScoreNote]] = []
    for note in notes:
        if note.syllable is None and spans:
            spans[-1].append(note)
        else:
            spans.append([note])
    return [SyllableSpan(i, tuple(group)) for i, group in enumerate(spans)]


def _duration(phones: list[SourcePhone]) -> float:
    return sum(p.duration_s for p in phones)


def _place(phones: list[SourcePhone], end_s: float, scale: float) -> list[tuple[SourcePhone, float, float]]:
    """Consecutive consonants ending at ``end_s``, each its spoken length times ``scale``."""
    out = []
    t = end_s - scale * _duration(phones)
    for phone in phones:
        d = scale * phone.duration_s
        out.append((phone, t, t + d))
        t += d
    return out


def _vowel_knots(src0: float, src1: float, t0: float, t1: float, hold: float) -> list[tuple[float, float]]:
    """Time-map knots (song, source) for a nucleus spoken over [src0, src1] sung over [t0, t1].

    Longer than spoken: keep head and tail transitions at spoken rate, stretch
    a short stretch around ``hold`` (fraction of the spoken vowel). Shorter:
    compress uniformly.
    """
    spoken, sung = src1 - src0, t1 - t0
    if sung <= spoken or spoken <= 0 or UNIFORM_STRETCH:
        return [(t0, src0), (t1, src1)]
    head = min(TRANSITION_S, 0.4 * spoken)
    tail = min(TRANSITION_S, 0.4 * spoken)
    centre = src0 + hold * spoken
    centre = min(max(centre, src0 + head), src1 - tail)
    a, b = centre - HOLD_S / 2, centre + HOLD_S / 2  # the held part of the spoken vowel
    a, b = max(a, src0 + 0.3 * head), min(b, src1 - 0.3 * tail)
    if b <= a:
        a = b = centre
    pre, post = a - src0, src1 - b
    return [(t0, src0), (t0 + pre, a), (t1 - post, b), (t1, src1)]


def plan(spans: list[SyllableSpan], source: SourceSpeech, *, consonant_scale: float = 1.0) -> Timeline:
    """Place every phone of ``source`` on the song timeline; see the module docstring.

    spans : the phrase's syllables with their notes (``syllable_spans``)
    consonant_scale : spoken consonant lengths are multiplied by this (before squeezing)
    """
    onset = [[p for p in source.syllable_phones(s.index) if p.role == "onset"] for s in spans]
    nucleus = [[p for p in source.syllable_phones(s.index) if p.role == "nucleus"] for s in spans]
    coda = [[p for p in source.syllable_phones(s.index) if p.role == "coda"] for s in spans]
    placed: list[tuple[SourcePhone, float, float]] = []
    vowel_end = [s.end_s for s in spans]
    for i, span in enumerate(spans):
        # Onsets of the first syllable (later ones are placed with the cluster before them).
        if i == 0:
            placed += _place(onset[0], span.start_s, consonant_scale)
        length = span.end_s - span.start_s
        shortest = max(min(MIN_VOWEL_S, 0.5 * length), 0.02)  # of the vowel
        if i + 1 < len(spans) and spans[i + 1].start_s - span.end_s <= LEGATO_GAP_S:
            # One cluster (coda + next onset) just before the next note.
            nxt = spans[i + 1]
            cluster = coda[i] + onset[i + 1]
            scale = _fit(cluster, nxt.start_s - span.start_s, consonant_scale, last_note_s=span.notes[-1].duration_s)
            # Too long even squeezed: squeeze harder, the next vowel still lands on its beat.
            scale = min(scale, _hard_fit(cluster, nxt.start_s - span.start_s - 0.02, consonant_scale))
            both = _place(cluster, nxt.start_s, scale)
            cod, ons = both[: len(coda[i])], both[len(coda[i]) :]
            vowel_end[i] = both[0][1] if both else nxt.start_s
        else:
            # Before a rest or at the phrase end: the coda is released at the note end ...
            cod = _place(coda[i], span.end_s + RELEASE_S,
                         _fit(coda[i], length, consonant_scale, last_note_s=span.notes[-1].duration_s))
            if cod and cod[0][1] < span.start_s + shortest:  # ... or later, if it cannot fit in the note
                late = span.start_s + shortest - cod[0][1]
                cod = [(p, a + late, b + late) for p, a, b in cod]
            vowel_end[i] = cod[0][1] if cod else span.end_s
            ons = []
            if i + 1 < len(spans):  # ... and the next onset ends on the next note, in the rest.
                nxt = spans[i + 1]
                gap = nxt.start_s - (cod[-1][2] if cod else span.end_s)
                scale = min(_fit(onset[i + 1], gap, consonant_scale, rest=True),
                            _hard_fit(onset[i + 1], gap, consonant_scale))
                ons = _place(onset[i + 1], nxt.start_s, scale)
        placed += cod + ons
    # Nuclei fill the time between the note start and their vowel end.
    timed: list[TimedPhone] = []
    knots: list[tuple[float, float]] = []
    for i, span in enumerate(spans):
        if not nucleus[i]:
            continue
        t0 = span.start_s
        t1 = max(vowel_end[i], t0 + 0.02)
        src0, src1 = nucleus[i][0].start_s, nucleus[i][-1].end_s
        hold = 0.25 if nucleus[i][0].symbol in DIPHTHONGS else 0.5
        vk = _vowel_knots(src0, src1, t0, t1, hold)
        knots += vk
        # Multi-phone nuclei: split the sung span at the mapped boundaries.
        song_knots = np.array([k[0] for k in vk])
        src_knots = np.array([k[1] for k in vk])
        for phone in nucleus[i]:
            a = float(np.interp(phone.start_s, src_knots, song_knots))
            b = float(np.interp(phone.end_s, src_knots, song_knots))
            timed.append(TimedPhone(phone.symbol, a, b, phone.start_s, phone.end_s, phone.syllable, "nucleus"))
    for phone, a, b in placed:
        timed.append(TimedPhone(phone.symbol, a, b, phone.start_s, phone.end_s, phone.syllable, phone.role))
        knots += [(a, phone.start_s), (b, phone.end_s)]
    timed.sort(key=lambda p: (p.start_s, p.end_s))
    knots.sort()
    song = np.array([k[0] for k in knots])
    src = np.array([k[1] for k in knots])
    return Timeline(timed, song, src)


def _hard_fit(phones: list[SourcePhone], room_s: float, scale: float) -> float:
    """Scale that makes the phones fit in ``room_s`` whatever it costs (at least 10 % of spoken)."""
    total = _duration(phones) * scale
    if total <= 0 or total <= room_s:
        return scale
    return scale * max(room_s / total, 0.1)


def _fit(phones: list[SourcePhone], note_s: float, scale: float, *, rest: bool = False,
         last_note_s: float | None = None) -> float:
    """Scale for consonants taken from the end of a syllable sung for ``note_s`` seconds.

    The vowel keeps MIN_VOWEL_S (or half the syllable), and unvoiced consonants take
    at most CONSONANT_SHARE of the note they end (``last_note_s``, the last of a
    melisma; the rest of it stays voiced), squeezing them no further than
    SQUEEZE_FLOOR of their spoken length. With ``rest``, ``note_s`` is the rest
    they sit in and only has to hold them.
    """
    total = _duration(phones) * scale
    if total <= 0:
        return scale
    if rest:
        return scale if total <= note_s else max(scale * note_s / total, SQUEEZE_FLOOR * scale)
    unvoiced = sum(p.duration_s for p in phones if p.symbol in UNVOICED) * scale
    room = note_s - max(min(MIN_VOWEL_S, 0.5 * note_s), 0.02)
    factor = min(1.0, room / total)
    if unvoiced > 0:
        last = note_s if last_note_s is None else last_note_s
        factor = min(factor, max(CONSONANT_SHARE * last, CONSONANT_MIN_S) / unvoiced)
    return scale * max(factor, SQUEEZE_FLOOR)
