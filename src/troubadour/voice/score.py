"""The singer's input: a vocal score in seconds, independent of where it came from.

A song's melody, a MusicXML lead sheet and a karaoke MIDI file all become a
:class:`VocalScore`: phrases (breath groups) of notes, each note carrying the
syllable it starts or ``None`` when it continues the previous one (melisma).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from troubadour.song import Song, Syllable
from troubadour.words.phonemes import VOWELS


@dataclass(frozen=True)
class ScoreNote:
    pitch: float  # MIDI note number (may be fractional)
    start_s: float
    duration_s: float
    syllable: Syllable | None  # None: continues the previous note's syllable (melisma)
    velocity: int = 90
    word_end: bool = True  # this syllable ends its word (coda consonants may be released)

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s


@dataclass
class ScorePhrase:
    """Notes sung in one breath, in time order, without overlaps.

    breath_s : the longest inhale that fits before the phrase (see :func:`breathe`);
        None leaves it to the voice profile
    """

    notes: list[ScoreNote]
    breath_s: float | None = None

    @property
    def start_s(self) -> float:
        return self.notes[0].start_s

    @property
    def end_s(self) -> float:
        return self.notes[-1].end_s


@dataclass
class VocalScore:
    phrases: list[ScorePhrase] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        return max((p.end_s for p in self.phrases), default=0.0)

    def notes(self) -> list[ScoreNote]:
        return [n for p in self.phrases for n in p.notes]


def song_vocal_score(song: Song, *, transpose: int = 0, backing: bool = False) -> VocalScore:
    """The lead vocal of a song as a VocalScore (one phrase per sung line).

    With ``backing=True``, only the echo words (written in parentheses) of
    phrases marked for backing are returned, for the backing vocal.
    """
    spb = song.seconds_per_beat
    phrases = []
    for phrase in song.melody:
        line = song.lyrics.sections[phrase.section].lines[phrase.line]
        syllables = line.syllables
        owners = line.syllable_words()
        notes = []
        previous = -1
        for note in phrase.notes:
            index = min(note.syllable, len(syllables) - 1)
            word, position = owners[index]
            if backing and not (word.backing and phrase.backing != "none"):
                previous = note.syllable
                continue
            starts = note.syllable != previous
            notes.append(ScoreNote(
                pitch=float(note.pitch + transpose),
                start_s=note.start_beat * spb,
                duration_s=note.duration_beats * spb,
                syllable=syllables[index] if starts else None,
                velocity=note.velocity,
                word_end=position == len(word.syllables) - 1,
            ))
            previous = note.syllable
        if notes:
            phrases.append(ScorePhrase(notes))
    return VocalScore(phrases)


def transpose(score: VocalScore, semitones: float) -> VocalScore:
    return VocalScore([replace(p, notes=[replace(n, pitch=n.pitch + semitones) for n in p.notes]) for p in score.phrases])


def fit_to_voice(score: VocalScore, voice) -> tuple[VocalScore, int]:
    """Shift a score by whole octaves so it sits best in the voice's range; returns (score, semitones)."""
    pitches = [n.pitch for n in score.notes()]
    if not pitches:
        return score, 0
    best, best_cost = 0, None
    for octave in (-2, -1, 0, 1, 2):
        shift = 12 * octave
        outside = sum(max(0, voice.low - (p + shift)) + max(0, (p + shift) - voice.high) for p in pitches)
        cost = outside * 10 + abs(octave)
        if best_cost is None or cost < best_cost:
            best, best_cost = shift, cost
    return (transpose(score, best), best) if best else (score, 0)


ONSET_CONSONANT_S = 0.075  # a spoken onset consonant's typical length, for planning breaths
BREATH_GAP_S = 0.02  # between the end of the inhale and the first consonant
MIN_BREATH_S = 0.1  # a shorter inhale would sound like a click: none instead
MAX_RELEASE_SHARE = 0.15  # a phrase's last note gives at most this share to the next phrase's consonants


def _onset_lead_s(phrase: ScorePhrase) -> float:
    """How long before its first note a phrase starts sounding: its first syllable's onset consonants."""
    syllable = phrase.notes[0].syllable
    phonemes = [p.rstrip("012") for p in (syllable.phonemes if syllable else [])]
    onset = next((i for i, p in enumerate(phonemes) if p in VOWELS), len(phonemes))
    return onset * ONSET_CONSONANT_S


def breathe(score: VocalScore, breath_s: float) -> VocalScore:
    """Fit the breaths between phrases: a singer cannot inhale while a note still sounds.

    Each phrase gets the inhale that fits in the rest before it (up to
    ``breath_s``; none when under MIN_BREATH_S). Where the next phrase's onset
    consonants would start before the previous phrase's last note ends, that
    note ends earlier (by at most MAX_RELEASE_SHARE of it), as within a phrase.
    Returns a new score; phrase and note times are otherwise unchanged.
    """
    phrases = [ScorePhrase(list(p.notes), p.breath_s) for p in score.phrases if p.notes]
    for i, phrase in enumerate(phrases):
        room = breath_s
        if i > 0:
            before = phrases[i - 1]
            room = phrase.start_s - _onset_lead_s(phrase) - BREATH_GAP_S - before.end_s
            if room < 0:
                last = before.notes[-1]
                cut = min(-room, MAX_RELEASE_SHARE * last.duration_s)
                before.notes[-1] = replace(last, duration_s=last.duration_s - cut)
                room += cut
        room = min(room, breath_s if phrase.breath_s is None else min(breath_s, phrase.breath_s))
        phrase.breath_s = room if room >= MIN_BREATH_S else 0.0
    return VocalScore(phrases)


def fold_into_range(score: VocalScore, low: int, high: int) -> tuple[VocalScore, int]:
    """Move each note still outside [low, high] by octaves into it; returns (score, notes moved)."""
    moved = 0

    def fold(pitch: float) -> float:
        nonlocal moved
        if low <= pitch <= high:
            return pitch
        moved += 1
        while pitch < low:
            pitch += 12
        while pitch > high:
            pitch -= 12
        return pitch if pitch >= low else pitch + 12  # a range under an octave cannot happen (profiles span >= 12)

    phrases = [replace(p, notes=[replace(n, pitch=fold(n.pitch)) for n in p.notes]) for p in score.phrases]
    return VocalScore(phrases), moved
