"""Test scores for the singer benchmark (ours; the held-out checks use others).

Each score is lyrics lines with a melody written as ``pitch:beats`` tokens:
``~pitch:beats`` continues the previous syllable (melisma), ``r:beats`` rests.
Syllabic and melismatic, 3/4 and 4/4, 72-120 BPM, baritone and tenor ranges.
"""

from __future__ import annotations

from dataclasses import dataclass

from troubadour.music.theory import name_to_midi
from troubadour.voice.score import ScoreNote, ScorePhrase, VocalScore
from troubadour.words.text import make_line


@dataclass(frozen=True)
class BenchScore:
    name: str
    voice: str
    tempo_bpm: float
    time_signature: tuple[int, int]
    lines: tuple[tuple[str, str], ...]  # (lyrics, melody tokens); each line starts on a new bar

    @property
    def lyrics(self) -> str:
        return " ".join(text for text, _ in self.lines)


def build_phrase(text: str, melody: str, *, tempo_bpm: float, start_beat: float) -> tuple[ScorePhrase, float]:
    """A phrase from lyrics and melody tokens; returns it and the beat after its last token."""
    line = make_line(text)
    syllables = [(s, i == len(w.syllables) - 1) for w in line.words for i, s in enumerate(w.syllables)]
    seconds_per_beat = 60.0 / tempo_bpm
    beat, k, notes = start_beat, 0, []
    for token in melody.split():
        name, _, beats_text = token.partition(":")
        beats = float(beats_text)
        if name == "r":
            beat += beats
            continue
        melisma = name.startswith("~")
        pitch = float(name_to_midi(name.lstrip("~")))
        if melisma:
            notes.append(ScoreNote(pitch, beat * seconds_per_beat, beats * seconds_per_beat, None))
        else:
            if k >= len(syllables):
                raise ValueError(f"{text!r}: more notes than syllables ({len(syllables)})")
            syllable, word_end = syllables[k]
            notes.append(ScoreNote(pitch, beat * seconds_per_beat, beats * seconds_per_beat, syllable, word_end=word_end))
            k += 1
        beat += beats
    if k != len(syllables):
        raise ValueError(f"{text!r}: {len(syllables)} syllables but {k} sung notes")
    return ScorePhrase(notes), beat


def build_score(score: BenchScore) -> VocalScore:
    """The VocalScore: one bar of count-in, each line starting on a new bar."""
    bar = score.time_signature[0] * 4.0 / score.time_signature[1]
    beat = bar
    phrases = []
    for text, melody in score.lines:
        phrase, end = build_phrase(text, melody, tempo_bpm=score.tempo_bpm, start_beat=beat)
        phrases.append(phrase)
        beat = bar * (int((end - 1e-6) // bar) + 1)
    return VocalScore(phrases)


SCORES: tuple[BenchScore, ...] = (
    BenchScore("dusty_road", "rugged_baritone", 96, (4, 4), (
        ("Walking down the dusty road tonight",
         "G3:1 A3:0.5 B3:0.5 D4:1 B3:0.5 A3:0.5 G3:1 A3:1 B3:2"),
        ("I hear the river calling out my name",
         "B3:0.5 D4:0.5 D4:1 B3:0.5 A3:0.5 G3:1 A3:0.5 B3:0.5 A3:1 G3:2"),
    )),
    BenchScore("river_waltz", "bright_tenor", 72, (3, 4), (
        ("Hold me close and sing to me",
         "D4:1 ~E4:0.5 ~F#4:0.5 A4:1 F#4:1 E4:1 ~D4:1 B3:1 A3:1 D4:3"),
        ("the morning light is coming home",
         "A3:1 D4:1 ~E4:1 F#4:1 E4:1 D4:1 ~C#4:1 B3:1 E4:1 D4:3"),
    )),
    BenchScore("kitchen_light", "rugged_baritone", 108, (3, 4), (
        ("She left the light on in the kitchen",
         "D3:1 G3:1 A3:1 B3:2 A3:1 G3:1 E3:1 G3:1 D3:3"),
        ("when the summer rain came down",
         "D3:1 E3:1 G3:1 A3:1 B3:2 A3:1 G3:2"),
    )),
    BenchScore("highway_song", "bright_tenor", 120, (4, 4), (
        ("We were young and we were wild and free",
         "E4:0.5 E4:0.5 G4:1 E4:0.5 D4:0.5 C4:1 D4:0.5 D4:0.5 E4:2"),
        ("driving all night long on an open road",
         "G4:0.5 E4:0.5 G4:1 A4:1 G4:1 E4:0.5 D4:0.5 C4:0.5 D4:0.5 C4:2"),
    )),
    BenchScore("slow_prayer", "rugged_baritone", 80, (4, 4), (
        ("Carry me home to the valley",
         "C3:1 ~D3:0.5 E3:0.5 G3:1 A3:2 G3:1 E3:1 D3:0.5 ~E3:0.5 C3:2"),
        ("where the sweet water flows",
         "E3:1 G3:1 A3:1 ~C4:1 A3:1 G3:1 E3:2 ~D3:1 ~C3:3"),
    )),
)
