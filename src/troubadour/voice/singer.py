"""The embedded singer: a vocal score in, a dry sung vocal out.

For each phrase (one breath):

1. the source speaks the phrase's words (:mod:`troubadour.voice.source`);
2. WORLD-style analysis gives envelope, aperiodicity and voicing
   (:mod:`troubadour.voice.analysis`, cached per phrase text);
3. singer timing places every phone on the song timeline: onsets before the
   beat, vowels stretched through the note (:mod:`troubadour.voice.timing`);
4. the frames of the spoken analysis are read through that time map, their
   F0 replaced by the sung pitch curve (:mod:`troubadour.voice.pitch`), the
   envelope moved to the output rate with the voice's formant scale, the
   voice's breathiness, rasp and loudness contour applied
   (:mod:`troubadour.voice.render`);
5. the fast source-filter synthesiser renders 44.1 kHz audio
   (:mod:`troubadour.voice.synth`).

Public entry points: :func:`sing_phrase`, :func:`sing`, :func:`render_phrase`
(which also returns the phoneme timeline).
"""

from __future__ import annotations

import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass, replace

import numpy as np

from troubadour.errors import InputError
from troubadour.voice.analysis import Analysis, analyse
from troubadour.voice.profiles import VoiceProfile
from troubadour.voice.render import plan_frames
from troubadour.voice.score import ScoreNote, ScorePhrase, VocalScore, breathe
from troubadour.voice.source import SourceSpeech, SungSyllable, speak
from troubadour.voice.synth import SynthGrid, synthesize
from troubadour.voice.timing import Timeline, plan, syllable_spans

# Bump when the same inputs would sing differently (the song pipeline caches phrases by it).
SINGER_VERSION = "embedded-4"

HUM_SYLLABLE = SungSyllable(("AA",), 1, "ah")


@dataclass
class PhraseRender:
    """A rendered phrase.

    start_s : song time of ``audio[0]``
    audio : float32 mono, shape (samples,)
    timeline : every phone on the song timeline (vowel onsets on the note starts)
    source : the spoken source it was made from
    """

    start_s: float
    audio: np.ndarray
    sample_rate: int
    timeline: Timeline
    source: SourceSpeech

    @property
    def phonemes(self) -> list[tuple[str, float, float]]:
        """(symbol, start_s, end_s) per phone, in time order."""
        return [(p.symbol, p.start_s, p.end_s) for p in self.timeline.phones]


# ---------------------------------------------------------------- source cache

_CACHE_SIZE = 64
_cache: OrderedDict[tuple, tuple[SourceSpeech, Analysis]] = OrderedDict()
_cache_lock = threading.Lock()


def spoken(syllables: tuple[SungSyllable, ...], *, backend: str, voice: str) -> tuple[SourceSpeech, Analysis]:
    """The phrase spoken and analysed, cached (choruses repeat their words)."""
    key = (backend, voice, syllables)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    source = speak(list(syllables), backend=backend, voice=voice)
    analysis = analyse(source)
    with _cache_lock:
        _cache[key] = (source, analysis)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return source, analysis


def phrase_syllables(notes: list[ScoreNote]) -> tuple[SungSyllable, ...]:
    """The sung syllables of a phrase, one per syllable span (a leading melisma hums 'ah')."""
    out = []
    for note in notes:
        if note.syllable is None:
            if not out:
                out.append(HUM_SYLLABLE)
            continue
        s = note.syllable
        out.append(SungSyllable(tuple(s.phonemes), int(s.stress), s.text, bool(note.word_end)))
    return tuple(out)


def _phrase_seed(phrase: ScorePhrase, seed: int) -> np.random.Generator:
    """A generator that depends on the seed and the phrase content only (pure, order-free)."""
    text = ";".join(f"{n.start_s:.4f},{n.duration_s:.4f},{n.pitch:.2f},{n.syllable.text if n.syllable else ''}"
                    for n in phrase.notes)
    return np.random.default_rng([seed & 0xFFFFFFFF, zlib.crc32(text.encode())])


# ---------------------------------------------------------------- phrases


def render_phrase(phrase: ScorePhrase, *, voice: VoiceProfile, sample_rate: int = 44100, seed: int = 0) -> PhraseRender:
    """Sing one phrase; returns audio, its start time and the phoneme timeline."""
    if not phrase.notes:
        raise InputError("a phrase needs at least one note")
    notes = list(phrase.notes)
    if notes[0].syllable is None:
        # A phrase opening on a melisma continuation: hum it on "ah".
        from troubadour.song import Syllable

        notes[0] = replace(notes[0], syllable=Syllable(text="ah", phonemes=["AA"], stress=1))
    syllables = phrase_syllables(notes)
    source, analysis = spoken(syllables, backend=voice.source, voice=voice.source_voice)
    spans = syllable_spans(notes)
    timeline = plan(spans, source, consonant_scale=voice.consonant_scale)
    grid = SynthGrid.for_rate(sample_rate)
    rng = _phrase_seed(phrase, seed)
    frames = plan_frames(notes, spans, timeline, analysis, voice, grid, rng, breath_s=phrase.breath_s)
    rasp = voice.rasp
    audio = synthesize(frames.f0_hz, frames.params, grid, rng, shimmer=0.10 * rasp, subharmonic=0.2 * rasp,
                       jitter=0.015 * rasp)
    audio *= np.float32(10 ** (voice.gain_db / 20))
    return PhraseRender(frames.start_s, audio, sample_rate, timeline, source)


def sing_phrase(phrase: ScorePhrase, *, voice: VoiceProfile, sample_rate: int = 44100,
                seed: int = 0) -> tuple[float, np.ndarray]:
    """Sing one phrase.

    Returns
    -------
    start_s : song time (s) of the first sample; a little before the first
        note, for onset consonants and the breath
    audio : float32 mono, shape (samples,)
    """
    rendered = render_phrase(phrase, voice=voice, sample_rate=sample_rate, seed=seed)
    return rendered.start_s, rendered.audio


NOISE_FLOOR_DBFS = -90.0


def render_score(score: VocalScore, *, voice: VoiceProfile, sample_rate: int = 44100,
                 seed: int = 0) -> list[PhraseRender]:
    """Every phrase of a vocal line rendered (audio and phoneme timeline), in score order.

    Breaths are fitted between the phrases first (:func:`~troubadour.voice.score.breathe`).
    """
    score = breathe(score, voice.breath_s)
    return [render_phrase(p, voice=voice, sample_rate=sample_rate, seed=seed) for p in score.phrases]


def mix_phrases(renders: list[PhraseRender], *, sample_rate: int = 44100, seed: int = 0,
                noise_floor_dbfs: float | None = NOISE_FLOOR_DBFS) -> np.ndarray:
    """Rendered phrases placed on a timeline starting at t = 0; float32 of shape (1, samples).

    noise_floor_dbfs : RMS of a white noise floor under the line, like a quiet
        studio's (None: digital silence between phrases). Speech recognisers
        and voice-activity detectors misread exact digital silence.
    """
    end = max((int(round(r.start_s * sample_rate)) + len(r.audio) for r in renders), default=0)
    out = np.zeros(max(end, 0), np.float32)
    for r in renders:
        start = int(round(r.start_s * sample_rate))
        audio = r.audio
        if start < 0:  # a breath before t = 0 is cut
            audio, start = audio[-start:], 0
        out[start : start + len(audio)] += audio
    if noise_floor_dbfs is not None and len(out):
        floor = np.random.default_rng([seed & 0xFFFFFFFF, 0x5EED]).standard_normal(len(out))
        out += (10 ** (noise_floor_dbfs / 20) * floor).astype(np.float32)
    return out[None, :]


def sing(score: VocalScore, *, voice: VoiceProfile, sample_rate: int = 44100, seed: int = 0,
         noise_floor_dbfs: float | None = NOISE_FLOOR_DBFS) -> np.ndarray:
    """Sing a whole vocal line on a timeline starting at t = 0.

    Returns float32 audio of shape (1, samples), ending shortly after the last
    note (see :func:`mix_phrases` for the noise floor).
    """
    renders = render_score(score, voice=voice, sample_rate=sample_rate, seed=seed)
    return mix_phrases(renders, sample_rate=sample_rate, seed=seed, noise_floor_dbfs=noise_floor_dbfs)
