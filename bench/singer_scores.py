"""Test scores for the singer benchmark (ours; the held-out checks use others).

Each score is lyrics lines with a melody written as ``pitch:beats`` tokens:
``~pitch:beats`` continues the previous syllable (melisma), ``r:beats`` rests.
Syllabic and melismatic, 3/4 and 4/4, 72-120 BPM, baritone and tenor ranges.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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


# ---------------------------------------------------------------- random scores (dev and held-out sets)

# Lines nobody generated: the held-out set sings these (the dev set sings the embedded lyricist's).
HELD_OUT_LINES = (
    "The old dog sleeps beside the kitchen door",
    "My father built this fence with his own hands",
    "We drove all night to see the ocean shine",
    "There is a candle burning in the hall",
    "She wore a silver ring and a cotton dress",
    "The wind came howling down the empty street",
    "I never told you how I felt that day",
    "Your letters still are waiting by my bed",
    "The train goes rolling through the sleeping town",
    "Give me one more song before you go",
    "The corn is tall and the creek is running high",
    "Hold on to the ones who love you best",
    "A little rain will never hurt the rose",
    "We laughed until the morning came around",
    "Tomorrow we will build a brand new home",
    "The preacher sang a hymn about the sea",
    "Nobody knows the trouble in my heart",
    "Bring the lantern down to the river bank",
    "Every summer evening we would dance",
    "The bells are ringing out across the hill",
    "Sweet honey on the table and bread upon the plate",
    "My brother and my sister went to school",
    "Our mother kept a garden full of beans",
    "A cold moon rising over frozen fields",
    "Open the window and let the morning in",
    "I remember when the water was so clear",
    "Lay your weary head upon my shoulder",
    "The highway never ends for a traveling man",
    "Look at the stars above the canyon wall",
    "Dancing in the kitchen with the radio on",
)

_BRIEFS = (
    "a country song about a river town", "a sad ballad about an empty house", "an upbeat pop song about summer",
    "a folk song about an old fisherman", "a rock song about a steel town", "a country waltz about a county fair",
    "a folk song about my grandmother's garden", "a ballad about letters I never sent",
)

_VOICE_TESSITURA = {"rugged_baritone": ("D3", "D4"), "bright_tenor": ("G3", "G4")}
_MAJOR = (0, 2, 4, 5, 7, 9, 11)


def lyricist_lines(count: int, *, seed: int) -> list[str]:
    """Lines written by the embedded lyricist (echo words dropped), in song order."""
    import numpy as np

    from troubadour.brief import read_brief
    from troubadour.words.lyricist import get_lyricist

    writer = get_lyricist("embedded")
    lines: list[str] = []
    k = 0
    while len(lines) < count:
        brief = read_brief(_BRIEFS[k % len(_BRIEFS)])
        lyrics = writer.write(brief, genre=brief.genre or "country", rng=np.random.default_rng([seed, k]))
        for section in lyrics.sections:
            for line in section.lines:
                text = " ".join(w.text for w in line.words if not w.backing)
                if text and text not in lines and 5 <= sum(len(w.syllables) for w in line.words if not w.backing) <= 12:
                    lines.append(text)
        k += 1
    return lines[:count]


def random_melody(syllables: int, *, rng, low: int, high: int, tonic: int, melismatic: bool,
                  beats_per_bar: int) -> str:
    """Melody tokens for a line of ``syllables``: stepwise in a major key, 1/2-2 beat notes, a long last note."""
    from troubadour.music.theory import midi_to_name

    scale = sorted(p for p in range(low, high + 1) if (p - tonic) % 12 in _MAJOR)
    k = int(rng.integers(len(scale) // 3, 2 * len(scale) // 3 + 1))
    tokens = []
    for i in range(syllables):
        last = i == syllables - 1
        beats = float(rng.choice([2.0, 3.0])) if last else float(rng.choice([0.5, 1.0, 1.0, 1.5, 2.0], p=[0.3, 0.35, 0.15, 0.1, 0.1]))
        parts = [beats]
        if melismatic and beats >= 1.0 and rng.random() < 0.4:
            n = 2 if beats < 2 or rng.random() < 0.6 else 3
            parts = [beats / n] * n
        for j, part in enumerate(parts):
            k = int(np.clip(k + rng.choice([-2, -1, -1, 0, 1, 1, 2, 3, -3], p=[.1, .2, .2, .1, .2, .1, .05, .025, .025]),
                            0, len(scale) - 1))
            tokens.append(("~" if j else "") + f"{midi_to_name(scale[k])}:{part:g}")
    return " ".join(tokens)


def random_scores(count: int, *, seed: int, held_out: bool = False, lines_per_score: int = 3) -> list[BenchScore]:
    """Scores with random melodies (72-120 BPM, 3/4 and 4/4, syllabic and melismatic, baritone and tenor).

    The dev set (``held_out=False``) sings lines by the embedded lyricist; the held-out set sings
    ``HELD_OUT_LINES``, with melodies from another seed. Evaluate on the held-out set only at the end.
    """
    import numpy as np

    from troubadour.music.theory import name_to_midi

    rng = np.random.default_rng([seed, 1 if held_out else 0])
    pool = list(HELD_OUT_LINES) if held_out else lyricist_lines(count * lines_per_score, seed=seed)
    order = rng.permutation(len(pool))
    out = []
    for n in range(count):
        voice = ("rugged_baritone", "bright_tenor")[n % 2]
        low, high = (name_to_midi(x) for x in _VOICE_TESSITURA[voice])
        tempo = float(rng.integers(72, 121))
        signature = (3, 4) if rng.random() < 0.4 else (4, 4)
        melismatic = bool(rng.random() < 0.5)
        tonic = int(rng.integers(0, 12))
        lines = []
        for j in range(lines_per_score):
            text = pool[order[(n * lines_per_score + j) % len(pool)]]
            count_syllables = sum(len(w.syllables) for w in make_line(text).words)
            lines.append((text, random_melody(count_syllables, rng=rng, low=low, high=high, tonic=tonic,
                                              melismatic=melismatic, beats_per_bar=signature[0])))
        name = f"{'held' if held_out else 'dev'}{n:02d}"
        out.append(BenchScore(name, voice, tempo, signature, tuple(lines)))
    return out
