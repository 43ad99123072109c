"""Melody that fits the words.

Each sung line gets a rhythm by dynamic programming over a metric grid:
stressed syllables seek strong beats, unstressed ones weak beats, spacing
stays even and the line ends with a held note and a breath. Pitches come from
a Viterbi search over scale tones: chord tones on strong beats, steps between
them, a contour per line (higher in the chorus), the whole line inside the
voice's range, cadences home at section ends. Lines with the same words and
chords get the same melody, so the chorus hook repeats.
"""

from __future__ import annotations

import zlib

import numpy as np

from troubadour.music.form import bars_per_line
from troubadour.music.harmony import ChordTrack
from troubadour.music.theory import Key, parse_key
from troubadour.song import Line, MelodyNote, Phrase, Song

# Words sung light even when the dictionary stresses them.
FUNCTION_WORDS = frozenset(
    "a an the and or but nor to of in on at for with by from as than that so if when then my your his her its our "
    "their i you he she it we they me him us them is am are was were be been do does did has have had can will "
    "would could should just oh".split()
)
_LONG_VOWELS = frozenset("AA AO AW AY EY IY OW OY UW ER".split())
_REST_BEATS = 1.0  # breath at the end of every line
_REGISTER = {"verse": 0.38, "prechorus": 0.5, "chorus": 0.62, "hook": 0.62, "bridge": 0.55, "intro": 0.4,
             "outro": 0.45, "solo": 0.5}


def compose_melody(song: Song, *, rng_seed: int, low: int, high: int) -> list[Phrase]:
    """Melody phrases for every sung line of the form, in order."""
    key = parse_key(song.key)
    track = ChordTrack(song.chords)
    per_line_beats = bars_per_line(song.beats_per_bar) * song.beats_per_bar
    phrases: list[Phrase] = []
    memo: dict[tuple, list[MelodyNote]] = {}
    for section, start in zip(song.form, song.section_start_beats()):
        if section.lyrics is None:
            continue
        lyric_section = song.lyrics.sections[section.lyrics]
        for j, line in enumerate(lyric_section.lines):
            if not line.words:
                continue
            line_start = start + j * per_line_beats
            last_in_section = j == len(lyric_section.lines) - 1
            chords_here = tuple(c.symbol for c in song.chords[track.index_at(line_start): track.index_at(line_start + per_line_beats - 0.01) + 1])
            memo_key = (section.kind, j, line.text, chords_here, last_in_section)
            if memo_key in memo:
                notes = [n.model_copy(update={"start_beat": round(n.start_beat + line_start, 6)}) for n in memo[memo_key]]
            else:
                relative = compose_line(
                    line, kind=section.kind, line_index=j, last_in_section=last_in_section, key=key, track=track,
                    line_start=line_start, beats=per_line_beats, beats_per_bar=song.beats_per_bar,
                    low=low, high=high, seed=rng_seed,
                )
                memo[memo_key] = relative
                notes = [n.model_copy(update={"start_beat": round(n.start_beat + line_start, 6)}) for n in relative]
            backing = "third" if any(w.backing for w in line.words) else "none"
            phrases.append(Phrase(section=section.lyrics, line=j, notes=notes, backing=backing))
    return phrases


def compose_line(line: Line, *, kind: str, line_index: int, last_in_section: bool, key: Key, track: ChordTrack,
                 line_start: float, beats: float, beats_per_bar: float, low: int, high: int, seed: int) -> list[MelodyNote]:
    """The notes of one line, with start beats relative to the line start."""
    # Lines in the same position of sections of the same kind share a random stream,
    # so verse 2 echoes verse 1's tune.
    rng = np.random.default_rng([seed, zlib.crc32(f"{kind}:{line_index}".encode())])
    weights = _syllable_weights(line)
    onsets, ends = place_rhythm(weights, beats=beats, beats_per_bar=beats_per_bar)
    strong = [_metric_weight(o, beats_per_bar) >= 0.5 for o in onsets]
    chords = [track.at(line_start + o) for o in onsets]
    center = low + _REGISTER.get(kind, 0.45) * (high - low)
    targets = _contour(len(onsets), center=center, line_index=line_index, rng=rng)
    final_pc = None
    if last_in_section:
        final_pc = chords[-1].root if kind in ("chorus", "hook", "outro") else None
    pitches = choose_pitches(targets, chords=chords, strong=strong, key=key, low=low + 1, high=high - 1, final_pc=final_pc)
    notes = []
    for i, (onset, end, pitch) in enumerate(zip(onsets, ends, pitches)):
        velocity = int(np.clip(78 + 16 * weights[i] + (6 if kind in ("chorus", "hook") else 0), 40, 120))
        notes.append(MelodyNote(pitch=int(pitch), start_beat=round(onset, 6), duration_beats=round(end - onset, 6),
                                syllable=i, velocity=velocity))
    return _melisma(notes, line, key=key, last_in_section=last_in_section, rng=rng, low=low, high=high)


def _syllable_weights(line: Line) -> list[float]:
    """How strongly each syllable wants a strong beat (0..1)."""
    out = []
    for word in line.words:
        light = word.text.lower().strip("'") in FUNCTION_WORDS and len(word.syllables) == 1
        for syllable in word.syllables:
            if light:
                out.append(0.15)
            else:
                out.append({1: 1.0, 2: 0.6, 0: 0.1}[syllable.stress])
    return out


def _metric_weight(beat: float, beats_per_bar: float) -> float:
    """1.0 downbeat, 0.75 mid-bar (4/4), 0.5 beats, 0.25 eighths, 0.1 sixteenths."""
    in_bar = beat % beats_per_bar
    if abs(in_bar) < 1e-6:
        return 1.0
    if beats_per_bar == 4 and abs(in_bar - 2) < 1e-6:
        return 0.75
    if abs(in_bar - round(in_bar)) < 1e-6:
        return 0.5
    if abs(in_bar * 2 - round(in_bar * 2)) < 1e-6:
        return 0.25
    return 0.1


def place_rhythm(weights: list[float], *, beats: float, beats_per_bar: float) -> tuple[list[float], list[float]]:
    """Onsets and ends (beats from the line start) for syllables with the given stress weights.

    A dynamic programme over grid slots minimises metric mismatch plus uneven
    spacing; the last syllable is held to the breath before the next line.
    """
    n = len(weights)
    sung_end = beats - _REST_BEATS
    grid = 0.5 if n <= int(sung_end / 0.5) else 0.25
    slots = np.arange(0.0, sung_end - grid / 2, grid)
    if n > len(slots):  # more syllables than sixteenths: squeeze evenly
        step = sung_end / n
        onsets = [i * step for i in range(n)]
        return onsets, onsets[1:] + [sung_end]
    m = len(slots)
    metric = np.array([_metric_weight(s, beats_per_bar) for s in slots])
    w = np.asarray(weights)[:, None]
    place = 2.0 * w * (1.0 - metric)[None, :] + 1.2 * (1.0 - w) * metric[None, :]
    ideal_gap = max(1.0, min(4.0, (m * 0.8) / max(n, 1)))
    inf = 1e9
    cost = np.full((n, m), inf)
    back = np.zeros((n, m), dtype=int)
    cost[0, :] = place[0] + 0.4 * slots / grid * (grid == 0.5)  # prefer to start early
    cost[0, int(2 / grid):] = inf  # the line starts in its first two beats
    gaps = np.arange(m)
    gap_cost = np.where(gaps == 0, inf, 0.35 * np.abs(gaps - ideal_gap))
    for i in range(1, n):
        # A light syllable should not be held: its length is the gap to the next one.
        hold = (1.0 - weights[i - 1]) * 0.45 * np.maximum(gaps - 1, 0)
        for k in range(i, m):
            previous = cost[i - 1, :k] + gap_cost[k - np.arange(k)] + hold[k - np.arange(k)]
            j = int(np.argmin(previous))
            cost[i, k] = previous[j] + place[i, k]
            back[i, k] = j
    # The last syllable should come late enough that the held note is not absurdly long.
    tail = np.maximum(0.0, (sung_end - slots) - 2.0) * 0.8
    k = int(np.argmin(cost[n - 1] + tail))
    chosen = [k]
    for i in range(n - 1, 0, -1):
        k = back[i, k]
        chosen.append(k)
    onsets = [float(slots[k]) for k in reversed(chosen)]
    return onsets, onsets[1:] + [sung_end]


def _contour(n: int, *, center: float, line_index: int, rng: np.random.Generator) -> np.ndarray:
    """Target pitches: an arch for odd lines, a fall for even ones, a little randomness."""
    t = np.linspace(0, 1, max(n, 2))[:n]
    shape = np.sin(np.pi * t) if line_index % 2 == 0 else 0.6 - 1.1 * t ** 1.3
    amplitude = rng.uniform(3.0, 5.0)
    offset = rng.uniform(-1.5, 1.5)
    return center + offset + amplitude * shape + rng.normal(0, 0.6, n)


def choose_pitches(targets: np.ndarray, *, chords, strong: list[bool], key: Key, low: int, high: int,
                   final_pc: int | None) -> list[int]:
    """Viterbi over scale tones (plus chord tones) in [low, high]."""
    candidates = [p for p in range(low, high + 1) if p % 12 in key.pitch_classes]
    cand = np.array(candidates)
    n = len(targets)
    emission = np.zeros((n, len(cand)))
    for i in range(n):
        chord_pcs = set(chords[i].triad)
        is_chord_tone = np.array([p % 12 in chord_pcs for p in cand])
        emission[i] = 0.25 * np.abs(cand - targets[i])
        emission[i] += np.where(is_chord_tone, 0.0, 4.0 if strong[i] else 0.6)
    if final_pc is not None:
        emission[-1] += np.where(cand % 12 == final_pc, 0.0, 8.0)
    interval = np.abs(cand[:, None] - cand[None, :])
    transition = np.select(
        [interval == 0, interval <= 2, interval <= 4, interval <= 7, interval <= 12],
        [0.5, 0.0, 0.6, 1.8, 4.0], default=20.0,
    )
    cost = emission[0].copy()
    back = np.zeros((n, len(cand)), dtype=int)
    for i in range(1, n):
        total = cost[:, None] + transition
        back[i] = np.argmin(total, axis=0)
        cost = total[back[i], np.arange(len(cand))] + emission[i]
    state = int(np.argmin(cost))
    path = [state]
    for i in range(n - 1, 0, -1):
        state = back[i, state]
        path.append(state)
    return [int(cand[s]) for s in reversed(path)]


def _melisma(notes: list[MelodyNote], line: Line, *, key: Key, last_in_section: bool, rng: np.random.Generator,
             low: int, high: int) -> list[MelodyNote]:
    """Decorate a held, long-vowel phrase end with a two-note melisma (upper neighbour, then home)."""
    last = notes[-1]
    vowel = line.syllables[last.syllable].vowel
    if last.duration_beats < 2.0 or vowel not in _LONG_VOWELS or rng.random() > (0.7 if last_in_section else 0.35):
        return notes
    upper = next(p for p in range(last.pitch + 1, last.pitch + 4) if p % 12 in key.pitch_classes)
    if upper > high:
        return notes
    first = last.model_copy(update={"pitch": upper, "duration_beats": 0.5})
    second = last.model_copy(update={"start_beat": round(last.start_beat + 0.5, 6),
                                     "duration_beats": round(last.duration_beats - 0.5, 6)})
    return notes[:-1] + [first, second]
