"""Vowel references of a source voice: pure vowel targets and the typical vowel loudness.

Connected speech reduces and colours its vowels ("the" is a schwa, a vowel
between two nasals is nasal). Holding such a frame for a second freezes an
ambiguous sound. Singers sing pure vowels, so for each vowel the voice's
source speaks a clear, stressed example (the classic hVd words of vowel
studies: "hod", "heed", "hood"...) and the middle of that vowel (the first
element of a diphthong) becomes the target the sustained part of a sung
vowel moves towards.
"""

from __future__ import annotations

import threading

import numpy as np

from troubadour.voice.analysis import analyse
from troubadour.voice.source import DIPHTHONGS, SungSyllable, speak

# One clear word per ARPAbet vowel: (phonemes of the word, which phone is the vowel).
_CARRIERS: dict[str, tuple[str, ...]] = {
    "AA": ("HH", "AA", "D"), "AE": ("HH", "AE", "D"), "AH": ("HH", "AH", "D"), "AO": ("HH", "AO", "D"),
    "AW": ("HH", "AW", "D"), "AY": ("HH", "AY", "D"), "EH": ("HH", "EH", "D"), "ER": ("HH", "ER", "D"),
    "EY": ("HH", "EY", "D"), "IH": ("HH", "IH", "D"), "IY": ("HH", "IY", "D"), "OW": ("HH", "OW", "D"),
    "OY": ("V", "OY", "D"), "UH": ("HH", "UH", "D"), "UW": ("HH", "UW", "D"),
}
_SPELLING = {"AA": "hod", "AE": "had", "AH": "hud", "AO": "hawed", "AW": "howd", "AY": "hide", "EH": "head",
             "ER": "heard", "EY": "hayed", "IH": "hid", "IY": "heed", "OW": "hoed", "OY": "void", "UH": "hood",
             "UW": "whod"}

_templates: dict[tuple[str, str], dict[str, np.ndarray]] = {}
_lock = threading.Lock()


def vowel_templates(backend: str, voice: str) -> dict[str, np.ndarray]:
    """ARPAbet vowel -> log power envelope (source bins) of its pure target, for one source voice.

    Computed once per voice (one short utterance, ~50 ms) and kept.
    """
    key = (backend, voice)
    with _lock:
        if key in _templates:
            return _templates[key]
    vowels = list(_CARRIERS)
    syllables = [SungSyllable(_CARRIERS[v], 1, _SPELLING[v], True) for v in vowels]
    source = speak(syllables, backend=backend, voice=voice)
    analysis = analyse(source)
    out: dict[str, np.ndarray] = {}
    for index, vowel in enumerate(vowels):
        nucleus = [p for p in source.syllable_phones(index) if p.role == "nucleus"]
        if not nucleus:
            continue
        a, b = nucleus[0].start_s, nucleus[-1].end_s
        lo, hi = (0.15, 0.35) if vowel in DIPHTHONGS else (0.3, 0.7)
        frames = np.arange(int((a + lo * (b - a)) / analysis.frame_period_s),
                           int((a + hi * (b - a)) / analysis.frame_period_s) + 1)
        frames = frames[(frames >= 0) & (frames < analysis.frames)]
        if len(frames):
            out[vowel] = analysis.log_sp[frames].mean(axis=0)
    with _lock:
        _templates[key] = out
    return out


_levels: dict[tuple[str, str], float] = {}
_CALIBRATION = "the quick brown fox jumps over the lazy dog"


def voice_level(backend: str, voice: str) -> float:
    """The typical vowel loudness of a source voice: median ln power over 0.3-3 kHz in the vowels of
    a fixed sentence. Every phrase is scaled by the same amount, so phrases keep their natural
    relative loudness whatever their words (a per-phrase reference would boost "hmm" like "ah")."""
    key = (backend, voice)
    with _lock:
        if key in _levels:
            return _levels[key]
    from troubadour.words.text import make_line

    line = make_line(_CALIBRATION)
    syllables = [SungSyllable(tuple(x.phonemes), x.stress, x.text, i == len(w.syllables) - 1)
                 for w in line.words for i, x in enumerate(w.syllables)]
    source = speak(syllables, backend=backend, voice=voice)
    analysis = analyse(source)
    times = np.arange(analysis.frames) * analysis.frame_period_s
    inside = np.zeros(analysis.frames, bool)
    for phone in source.phones:
        if phone.role == "nucleus":
            inside |= (times >= phone.start_s) & (times < phone.end_s)
    inside &= analysis.voiced
    value = float(np.median(level(analysis.log_sp[inside], analysis.bin_hz)))
    with _lock:
        _levels[key] = value
    return value


def level(log_sp: np.ndarray, bin_hz: float) -> np.ndarray:
    """Mean ln power over 0.3-3 kHz (the loudness of a vowel frame); shape (...,)."""
    hz = np.arange(log_sp.shape[-1]) * bin_hz
    band = (hz >= 300) & (hz <= 3000)
    return log_sp[..., band].mean(axis=-1)
