"""The sung pitch curve: from a note list to a continuous F0 contour.

A sung F0 is not a step function. Following the F0 control model of Saitou et
al. (2005) in spirit, the curve is the note steps plus:

- portamento: a raised-cosine glide between connected notes, starting a
  little before the note boundary and arriving a little after;
- preparation (a small dip against the direction of the leap before it) and
  overshoot (a damped bump past the target after it);
- vibrato that starts late in long notes, fading in, with a slightly
  irregular rate and depth;
- a scoop from below into notes that start a phrase (after a rest);
- a fall at the end of the phrase's last note (style);
- fine fluctuation: slow drift and fast jitter, a few cents each.

All pitches are MIDI note numbers (semitones, fractional), times in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from troubadour.voice.score import ScoreNote

CONNECT_GAP_S = 0.25  # notes closer than this glide into each other


@dataclass(frozen=True)
class PitchStyle:
    """How a voice moves between and around notes (see the module docstring)."""

    vibrato_rate_hz: float = 5.5
    vibrato_depth_cents: float = 30.0  # amplitude: the curve swings +/- this much
    vibrato_delay_s: float = 0.3
    vibrato_fade_s: float = 0.15
    portamento_s: float = 0.07
    overshoot: float = 0.08  # share of the interval, capped by max_bump_cents
    preparation: float = 0.05
    max_bump_cents: float = 35.0
    scoop_cents: float = 0.0
    scoop_s: float = 0.1
    fall_cents: float = 0.0
    fall_s: float = 0.18
    drift_cents: float = 10.0
    jitter_cents: float = 5.0

    @classmethod
    def from_profile(cls, profile) -> "PitchStyle":
        return cls(
            vibrato_rate_hz=profile.vibrato_rate_hz,
            vibrato_depth_cents=profile.vibrato_depth_cents,
            vibrato_delay_s=profile.vibrato_delay_s,
            portamento_s=profile.portamento_s,
            scoop_cents=profile.scoop_cents,
            fall_cents=getattr(profile, "fall_cents", 0.0),
        )


def _bump(x: np.ndarray) -> np.ndarray:
    """x * e^(1-x) for x >= 0 (peak 1 at x = 1), 0 before."""
    xp = np.maximum(x, 0.0)
    return np.where(x > 0, xp * np.exp(1.0 - xp), 0.0)


def transition_window(previous: ScoreNote, note: ScoreNote, portamento_s: float) -> tuple[float, float]:
    """Start and end (s) of the glide from ``previous`` into ``note``."""
    duration = min(portamento_s, 0.5 * previous.duration_s, 0.5 * note.duration_s)
    duration = max(duration, 0.015)
    return note.start_s - 0.6 * duration, note.start_s + 0.4 * duration


def base_curve(notes: Sequence[ScoreNote], times_s: np.ndarray, style: PitchStyle) -> np.ndarray:
    """Note steps joined by glides, with preparation and overshoot; MIDI, shape like ``times_s``."""
    starts = np.array([n.start_s for n in notes])
    pitches = np.array([n.pitch for n in notes], dtype=np.float64)
    index = np.clip(np.searchsorted(starts, times_s, side="right") - 1, 0, len(notes) - 1)
    curve = pitches[index].astype(np.float64)
    cap = style.max_bump_cents / 100.0
    for a, b in zip(notes, notes[1:]):
        if b.start_s - a.end_s > CONNECT_GAP_S:
            continue
        interval = b.pitch - a.pitch
        t0, t1 = transition_window(a, b, style.portamento_s)
        inside = (times_s >= t0) & (times_s < t1)
        u = (times_s[inside] - t0) / (t1 - t0)
        curve[inside] = a.pitch + interval * 0.5 * (1.0 - np.cos(np.pi * u))
        if interval == 0:
            continue
        tau = 0.045
        over = np.clip(interval * style.overshoot, -cap, cap)
        window = (times_s >= t1) & (times_s < min(t1 + 6 * tau, b.end_s))
        curve[window] += over * _bump((times_s[window] - t1) / tau)
        prep = np.clip(interval * style.preparation, -cap, cap)
        window = (times_s < t0) & (times_s > max(t0 - 6 * tau, a.start_s))
        curve[window] -= prep * _bump((t0 - times_s[window]) / tau)
    return curve


def vibrato(note: ScoreNote, times_s: np.ndarray, style: PitchStyle, rng: np.random.Generator,
            end_s: float | None = None) -> np.ndarray:
    """Vibrato of one note in semitones (zero outside it), shape like ``times_s``.

    Starts ``vibrato_delay_s`` after the note onset, fades in over
    ``vibrato_fade_s``, fades out in the last 50 ms before ``end_s``.
    """
    end_s = note.end_s if end_s is None else end_s
    onset = note.start_s + style.vibrato_delay_s
    out = np.zeros_like(times_s, dtype=np.float64)
    if style.vibrato_depth_cents <= 0 or end_s - onset < 0.2:
        return out
    # Each note's vibrato differs a little from the last (rate +/-6 %, depth +/-12 % at most).
    rate = style.vibrato_rate_hz * (1.0 + np.clip(0.03 * rng.standard_normal(), -0.06, 0.06))
    depth = style.vibrato_depth_cents / 100.0 * (1.0 + np.clip(0.06 * rng.standard_normal(), -0.12, 0.12))
    wobble_phase = rng.uniform(0, 2 * np.pi)
    inside = (times_s >= onset) & (times_s < end_s)
    t = times_s[inside] - onset
    # Slightly irregular rate: integrate a slowly wandering frequency.
    freq = rate * (1.0 + 0.03 * np.sin(2 * np.pi * 0.7 * t + wobble_phase))
    phase = 2 * np.pi * np.cumsum(freq) * (t[1] - t[0] if len(t) > 1 else 0.0)
    fade_in = np.clip(t / max(style.vibrato_fade_s, 1e-3), 0.0, 1.0)
    fade_in = 0.5 - 0.5 * np.cos(np.pi * fade_in)
    fade_out = np.clip((end_s - times_s[inside]) / 0.05, 0.0, 1.0)
    out[inside] = depth * fade_in * fade_out * np.sin(phase)
    return out


def _smooth_noise(n: int, rng: np.random.Generator, frames_per_s: float, cutoff_hz: float) -> np.ndarray:
    """Unit-variance low-pass noise (two one-pole passes), shape (n,)."""
    if n == 0:
        return np.zeros(0)
    a = float(np.exp(-2 * np.pi * cutoff_hz / frames_per_s))
    x = rng.standard_normal(n + 200)
    y = _one_pole(_one_pole(x, a), a)[200:]
    std = y.std()
    return y / std if std > 0 else y


def _one_pole(x: np.ndarray, a: float) -> np.ndarray:
    """y[k] = (1 - a) x[k] + a y[k - 1] from rest. A plain loop: curves are a few thousand
    frames, and scipy.signal (for lfilter) costs each vocal worker most of a second to import."""
    out = np.empty(len(x))
    gain, state = 1.0 - a, 0.0
    for k, value in enumerate(x.tolist()):
        state = gain * value + a * state
        out[k] = state
    return out


def pitch_curve(notes: Sequence[ScoreNote], times_s: np.ndarray, style: PitchStyle,
                rng: np.random.Generator) -> np.ndarray:
    """The sung pitch (MIDI) at each time; shape like ``times_s`` (uniformly spaced)."""
    times_s = np.asarray(times_s, dtype=np.float64)
    curve = base_curve(notes, times_s, style)
    for k, note in enumerate(notes):
        nxt = notes[k + 1] if k + 1 < len(notes) else None
        end = note.end_s
        if nxt is not None and nxt.start_s - note.end_s <= CONNECT_GAP_S:
            end = transition_window(note, nxt, style.portamento_s)[0]
        curve += vibrato(note, times_s, style, rng, end_s=end)
        previous = notes[k - 1] if k else None
        if style.scoop_cents > 0 and (previous is None or note.start_s - previous.end_s > CONNECT_GAP_S):
            # From below into a phrase's first note: full depth on the onset consonants.
            x = np.clip((times_s - note.start_s) / (style.scoop_s / 3), 0.0, None)
            region = times_s < note.start_s + min(style.scoop_s * 2, 0.6 * note.duration_s)
            region &= times_s > note.start_s - 0.3
            curve[region] -= style.scoop_cents / 100.0 * np.exp(-x[region])
    if style.fall_cents > 0:
        last = notes[-1]
        length = min(style.fall_s, 0.3 * last.duration_s)
        u = np.clip((times_s - (last.end_s - length)) / max(length, 1e-3), 0.0, 1.0)
        curve -= style.fall_cents / 100.0 * u**2
    if len(times_s) > 1:
        rate = 1.0 / (times_s[1] - times_s[0])
        curve += style.drift_cents / 100.0 * _smooth_noise(len(times_s), rng, rate, 1.5)
        curve += style.jitter_cents / 100.0 * _smooth_noise(len(times_s), rng, rate, 12.0)
    return curve


def midi_to_hz(midi: np.ndarray) -> np.ndarray:
    return 440.0 * 2.0 ** ((np.asarray(midi) - 69.0) / 12.0)
