"""From the spoken analysis and the singer's timeline to synthesis frames.

Everything here is per output frame (the synthesiser's grid, ~5.8 ms at
44.1 kHz): read the source frame the time map points at, move its envelope
to the output rate (formant scale, band extension above the source's Nyquist
frequency), shape aperiodicity (breathiness), replace F0 by the sung pitch
curve, and apply the loudness contour (accents, phrase-final decay, breath).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from troubadour.voice.analysis import BAND_CENTRES_HZ, Analysis
from troubadour.voice.pitch import PitchStyle, midi_to_hz, pitch_curve
from troubadour.voice.profiles import VoiceProfile
from troubadour.voice.score import BREATH_GAP_S, ScoreNote
from troubadour.voice.synth import SynthGrid
from troubadour.voice.timing import SyllableSpan, Timeline
from troubadour.voice.vowels import level, voice_level, vowel_templates

PRE_ROLL_S = 0.03  # silence before the first sound
TAIL_S = 0.08  # after the last phone
EDGE_S = 0.012  # fade at the edges of sounding regions (no clicks)
TARGET_LEVEL = np.log(2e-4)  # envelope level (ln power) of a sung vowel's 0.3-3 kHz band at velocity 90
EXTEND_FROM_HZ = 6500.0  # above this the source envelope is extrapolated (Flite rolls off near 8 kHz)
VOICED_NOISE = 0.08  # share of the source's aperiodicity kept in voiced frames
AIR = 0.3  # aperiodicity added above 7 kHz (to 12 kHz)
BREATHINESS = 0.5  # aperiodicity added at 4 kHz and above by a profile's breathiness 1.0
VOWEL_PULL = 0.0  # how far a held vowel moves towards its pure target (measured neutral on WER: off)
_DB = 10.0 / np.log(10.0)  # dB per neper of power


MAX_FOLLOW = 1.2  # formants rise at most this much with the pitch
ALPHA_STEP = 0.004  # formant scales are rounded to this relative step (7 cents of formant shift)


@lru_cache(maxsize=256)
def _bin_map(level: int, src_rate: int, src_bins: int, grid: SynthGrid
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For one formant scale ``(1 + ALPHA_STEP) ** level``, per output bin: lower source bin, its
    weight, octaves above EXTEND_FROM_HZ, source Hz, and the band-to-bin aperiodicity weights (5, bins)."""
    alpha = (1.0 + ALPHA_STEP) ** level
    f_src = grid.bin_hz / alpha
    src_bin_hz = src_rate / (2 * (src_bins - 1))
    position = np.minimum(f_src, EXTEND_FROM_HZ) / src_bin_hz
    lower = np.clip(np.floor(position).astype(np.int64), 0, src_bins - 2)
    weight = position - lower
    octaves = np.log2(np.maximum(f_src, EXTEND_FROM_HZ) / EXTEND_FROM_HZ)
    bands = np.stack([np.interp(f_src, BAND_CENTRES_HZ, unit) for unit in np.eye(len(BAND_CENTRES_HZ))])
    return lower, weight, octaves, f_src, bands


def _interp_frames(values: np.ndarray, position: np.ndarray) -> np.ndarray:
    """Rows of ``values`` at fractional row ``position`` (linear)."""
    lower = np.clip(np.floor(position).astype(np.int64), 0, len(values) - 2)
    w = np.clip(position - lower, 0.0, 1.0)[:, None]
    return values[lower] * (1 - w) + values[lower + 1] * w


def envelope(analysis: Analysis, position: np.ndarray, voiced: np.ndarray, voice: VoiceProfile,
             grid: SynthGrid, alpha: np.ndarray | None = None, targets: np.ndarray | None = None,
             pull: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Envelope and aperiodicity on the output bins for source frames at ``position``.

    alpha : shape (frames,), formant scale per frame (default: the voice's ``formant_scale``)
    targets, pull : optional pure-vowel envelopes (frames, source bins) and how far
        (0..1, per frame) to move each frame's envelope towards them, at its own level
    Returns log_sp (frames, grid.bins), ln power, level-normalised; ap (frames, grid.bins) in [0, 1].
    """
    if alpha is None:
        alpha = np.full(len(position), float(voice.formant_scale))
    rows = _interp_frames(analysis.log_sp, position)
    if targets is not None and pull is not None and pull.any():
        shift = level(rows, analysis.bin_hz) - level(targets, analysis.bin_hz)
        rows = rows + pull[:, None] * (targets + shift[:, None] - rows)
    bands = _interp_frames(analysis.ap_bands, position) * VOICED_NOISE
    n = len(position)
    log_sp, ap = np.empty((n, grid.bins)), np.ones((n, grid.bins))
    # Above the source band the envelope continues downward, steeper for voiced frames (fricatives
    # stay brighter); the level is normalised to TARGET_LEVEL.
    slope = np.where(voiced, 14.0, 5.0) / _DB  # dB per octave -> nepers
    offset = TARGET_LEVEL - voice_level(voice.source, voice.source_voice)
    # Periodic share kept in voiced frames: less the air above the source band and the breathiness.
    tilt = np.clip(grid.bin_hz / 4000.0, 0.0, 1.0) ** 2
    breath_keep = 1.0 - BREATHINESS * voice.breathiness * tilt
    # Frames share a handful of formant scales: each group uses one cached bin map.
    levels = np.rint(np.log(alpha) / np.log1p(ALPHA_STEP)).astype(np.int64)
    for value in np.unique(levels):
        group = np.flatnonzero(levels == value)
        lower, weight, octaves, f_src, band_weights = _bin_map(int(value), analysis.sample_rate,
                                                               analysis.log_sp.shape[1], grid)
        block = rows[group]
        log_sp[group] = (block[:, lower] * (1 - weight) + block[:, lower + 1] * weight
                         - slope[group, None] * octaves[None, :] + offset)
        voiced_rows = group[voiced[group]]
        if len(voiced_rows):
            keep = (1.0 - AIR * np.clip((f_src - 7000.0) / 5000.0, 0.0, 1.0)) * breath_keep
            ap[voiced_rows] = 1.0 - (1.0 - bands[voiced_rows] @ band_weights) * keep[None, :]
    return log_sp, np.clip(ap, 0.0, 1.0, out=ap)


def loudness_db(notes: list[ScoreNote], spans: list[SyllableSpan], timeline: Timeline, times_s: np.ndarray) -> np.ndarray:
    """Gain in dB per frame: velocity, stress accents, phrase-final decay."""
    gain = np.zeros_like(times_s)
    # Velocity and stress by syllable, over all its phones.
    for span in spans:
        phones = [p for p in timeline.phones if p.syllable == span.index]
        if not phones:
            continue
        a, b = phones[0].start_s, phones[-1].end_s
        first = span.notes[0]
        stress = first.syllable.stress if first.syllable is not None else 1
        accent = {1: 1.0, 2: 0.0}.get(stress, -1.5)
        inside = (times_s >= a) & (times_s < b)
        gain[inside] += accent + 12.0 * np.log10(first.velocity / 90.0)
    last = notes[-1]
    u = np.clip((times_s - (last.start_s + 0.3 * last.duration_s)) / max(0.7 * last.duration_s, 1e-3), 0.0, 1.0)
    gain -= 4.0 * u
    return gain


def _edge_gain(sounding: np.ndarray, frame_period_s: float) -> np.ndarray:
    """Linear gain ramps (EDGE_S) into and out of sounding regions."""
    width = max(int(round(EDGE_S / frame_period_s)), 1)
    kernel = np.ones(width) / width
    smooth = np.convolve(sounding.astype(float), kernel, mode="same")
    return np.where(sounding, np.minimum(smooth * 2, 1.0), 0.0)


@dataclass
class FramePlan:
    """A phrase's synthesis frames: per-frame scalars up front, spectra on demand (by chunks).

    start_s : song time of frame 0 (sample aligned)
    times_s, f0_hz, position, voiced, alpha, gain_ln, pull : shape (frames,)
    """

    start_s: float
    times_s: np.ndarray
    f0_hz: np.ndarray
    position: np.ndarray
    voiced: np.ndarray
    alpha: np.ndarray
    gain_ln: np.ndarray
    pull: np.ndarray
    symbol_index: np.ndarray
    analysis: Analysis
    voice: VoiceProfile
    grid: SynthGrid
    timeline: Timeline
    breath: tuple[float, float] | None

    def params(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """Envelope and aperiodicity of frames [a, b): shapes (b - a, grid.bins)."""
        targets = None
        pull = self.pull[a:b]
        if pull.any():
            templates = vowel_templates(self.voice.source, self.voice.source_voice)
            symbols = np.array([p.symbol for p in self.timeline.phones] + [""])[self.symbol_index[a:b]]
            targets = np.zeros((b - a, self.analysis.log_sp.shape[1]))
            for vowel, template in templates.items():
                targets[symbols == vowel] = template
        log_sp, ap = envelope(self.analysis, self.position[a:b], self.voiced[a:b], self.voice, self.grid,
                              self.alpha[a:b], targets, pull)
        log_sp += self.gain_ln[a:b, None]
        if self.breath is not None:
            log_sp, ap = _add_breath(log_sp, ap, self.times_s[a:b], *self.breath, self.voice, self.grid)
        return log_sp, ap


def plan_frames(notes: list[ScoreNote], spans: list[SyllableSpan], timeline: Timeline, analysis: Analysis,
                voice: VoiceProfile, grid: SynthGrid, rng: np.random.Generator, *,
                breath_s: float | None = None) -> FramePlan:
    """Per-frame pitch, loudness, voicing and source position of a phrase; see :class:`FramePlan`.

    breath_s : the inhale before the phrase (None: the voice's own length)
    """
    rate = grid.sample_rate
    breath_s = voice.breath_s if breath_s is None else min(breath_s, voice.breath_s)
    breath_s = breath_s if voice.breath_db > -60 else 0.0
    start_s = np.floor((timeline.start_s - PRE_ROLL_S - breath_s) * rate) / rate
    end_s = timeline.end_s + TAIL_S
    n_frames = int(np.ceil((end_s - start_s) / grid.frame_period_s)) + 1
    times = start_s + np.arange(n_frames) * grid.frame_period_s
    src_s, sounding = timeline.source_time(times)
    index, nucleus = timeline.role_at(times)
    position = np.clip(src_s / analysis.frame_period_s, 0, analysis.frames - 1)
    nearest = np.clip(np.rint(position).astype(np.int64), 0, analysis.frames - 1)
    voiced = (analysis.voiced[nearest] | nucleus) & sounding
    midi = pitch_curve(notes, times, PitchStyle.from_profile(voice), rng)
    hz = midi_to_hz(midi)
    f0 = np.where(voiced, hz, 0.0)
    # Formants follow the pitch a little (a shorter tract, brighter, as singers do going up);
    # unchanged at the pitch the source spoke at.
    follow = np.clip((hz / analysis.speaking_f0_hz) ** voice.formant_follow, 0.85, MAX_FOLLOW)
    alpha = voice.formant_scale * follow
    gain = loudness_db(notes, spans, timeline, times) / _DB  # dB -> ln power
    gain += 2 * np.log(np.maximum(_edge_gain(sounding, grid.frame_period_s), 1e-4))
    pull = _vowel_pull(times, src_s, nucleus)
    breath = (timeline.start_s - breath_s - BREATH_GAP_S, breath_s) if breath_s > 0 else None
    return FramePlan(float(start_s), times, f0, position, voiced, alpha, gain, pull, index, analysis, voice, grid,
                     timeline, breath)


def _vowel_pull(times: np.ndarray, src_s: np.ndarray, nucleus: np.ndarray) -> np.ndarray:
    """How far each frame moves to its pure vowel: up to VOWEL_PULL where a vowel is held (the map nearly stops)."""
    if VOWEL_PULL <= 0 or len(times) < 2 or not nucleus.any():
        return np.zeros(len(times))
    held = nucleus & (np.gradient(src_s, times) < 0.5)
    width = max(int(round(0.08 / (times[1] - times[0]))), 1)
    ramp = np.convolve(held.astype(float), np.ones(width) / width, mode="same")
    return VOWEL_PULL * np.where(held, ramp, 0.0)


def _add_breath(log_sp: np.ndarray, ap: np.ndarray, times: np.ndarray, start_s: float, length_s: float,
                voice: VoiceProfile, grid: SynthGrid) -> tuple[np.ndarray, np.ndarray]:
    """An inhale before the phrase: band-limited noise, rising then falling."""
    u = (times - start_s) / length_s
    inside = (u >= 0) & (u < 1)
    if not inside.any():
        return log_sp, ap
    shape = np.sin(np.pi * np.clip(u[inside], 0, 1)) ** 1.5
    hz = grid.bin_hz * voice.formant_scale
    spectrum = -((np.log2(np.maximum(hz, 50) / 1800.0)) ** 2) * 1.2  # a broad hump around 1.8 kHz
    level = TARGET_LEVEL + voice.breath_db / _DB
    breath = level + spectrum[None, :] + 2 * np.log(np.maximum(shape, 1e-4))[:, None]
    log_sp[inside] = np.logaddexp(log_sp[inside], breath)
    ap[inside] = 1.0
    return log_sp, ap
