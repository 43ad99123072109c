"""Helpers for the singer tests: short phrases from lyrics and note names, and a pYIN meter.

(Imported by the test modules of this folder; not a conftest, so its name cannot clash.)
"""

from __future__ import annotations

import numpy as np

from troubadour.music.theory import name_to_midi
from troubadour.voice.score import ScoreNote, ScorePhrase
from troubadour.words.text import make_line


def phrase_from(text: str, melody: str, *, tempo_bpm: float = 100.0, start_s: float = 0.5) -> ScorePhrase:
    """A phrase from lyrics and ``pitch:beats`` tokens (``~pitch:beats`` continues a syllable, ``r:beats`` rests)."""
    line = make_line(text)
    syllables = [(s, i == len(w.syllables) - 1) for w in line.words for i, s in enumerate(w.syllables)]
    spb = 60.0 / tempo_bpm
    t, k, notes = start_s, 0, []
    for token in melody.split():
        name, _, beats = token.partition(":")
        seconds = float(beats) * spb
        if name == "r":
            t += seconds
            continue
        pitch = float(name_to_midi(name.lstrip("~")))
        if name.startswith("~"):
            notes.append(ScoreNote(pitch, t, seconds, None))
        else:
            syllable, word_end = syllables[k]
            notes.append(ScoreNote(pitch, t, seconds, syllable, word_end=word_end))
            k += 1
        t += seconds
    assert k == len(syllables), f"{len(syllables)} syllables, {k} sung notes"
    return ScorePhrase(notes)


def pyin_note_errors(audio: np.ndarray, sample_rate: int, notes: list[ScoreNote], offset_s: float = 0.0
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Per note: cents error of the median pYIN pitch over 25-85 % of the note, and its voiced share."""
    import librosa
    from scipy.signal import resample_poly

    rate = 22050
    x = resample_poly(audio.astype(np.float64), rate, sample_rate) if sample_rate != rate else audio
    f0, voiced, _ = librosa.pyin(x, fmin=60.0, fmax=800.0, sr=rate, frame_length=2048, hop_length=256)
    times = librosa.frames_to_time(np.arange(len(f0)), sr=rate, hop_length=256) + offset_s
    errors, shares = [], []
    for note in notes:
        inside = (times >= note.start_s + 0.25 * note.duration_s) & (times < note.start_s + 0.85 * note.duration_s)
        shares.append(float(np.mean(voiced[inside])) if inside.any() else 0.0)
        sung = f0[inside & voiced]
        errors.append(100 * (12 * np.log2(np.median(sung) / 440.0) + 69 - note.pitch) if len(sung) else np.inf)
    return np.array(errors), np.array(shares)
