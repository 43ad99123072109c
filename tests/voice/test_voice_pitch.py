"""The sung pitch curve: vibrato rate and depth, late onset, portamento, scoops, bounded bumps."""

from __future__ import annotations

import numpy as np
import pytest

from troubadour.voice.pitch import PitchStyle, base_curve, pitch_curve, transition_window, vibrato
from troubadour.voice.score import ScoreNote

FRAME_S = 0.005


def _note(pitch: float, start: float, length: float) -> ScoreNote:
    return ScoreNote(pitch, start, length, None)


def _times(end: float) -> np.ndarray:
    return np.arange(0.0, end, FRAME_S)


@pytest.mark.parametrize("rate_hz, depth_cents", [(5.2, 35.0), (5.8, 25.0)])
def test_voice_vibrato_rate_and_depth(rate_hz, depth_cents):
    style = PitchStyle(vibrato_rate_hz=rate_hz, vibrato_depth_cents=depth_cents, vibrato_delay_s=0.3,
                       vibrato_fade_s=0.3)
    note = _note(55.0, 0.0, 3.0)
    times = _times(3.0)
    v = vibrato(note, times, style, np.random.default_rng(3))
    steady = (times > 0.3 + 0.3 + 0.05) & (times < 2.9)
    segment = v[steady] * 100  # cents
    # Rate: the spectral peak of the steady part.
    spectrum = np.abs(np.fft.rfft(segment * np.hanning(len(segment)), 8192))
    freqs = np.fft.rfftfreq(8192, FRAME_S)
    peak = freqs[np.argmax(spectrum)]
    assert abs(peak - rate_hz) < 0.06 * rate_hz + 0.1
    # Depth: amplitude of the swing (the profile's +/- cents), within 20 %.
    amplitude = np.sqrt(2) * segment.std()
    assert abs(amplitude - depth_cents) < 0.2 * depth_cents


def test_voice_vibrato_starts_late_and_fades_in():
    style = PitchStyle(vibrato_depth_cents=40.0, vibrato_delay_s=0.35, vibrato_fade_s=0.3)
    note = _note(60.0, 1.0, 2.0)
    times = _times(3.0)
    v = vibrato(note, times, style, np.random.default_rng(0)) * 100
    assert np.all(v[times < 1.35] == 0.0)
    early = np.abs(v[(times >= 1.35) & (times < 1.45)]).max()
    late = np.abs(v[(times >= 2.0) & (times < 2.8)]).max()
    assert early < 0.5 * late
    short = vibrato(_note(60.0, 0.0, 0.4), _times(1.0), style, np.random.default_rng(0))
    assert np.all(short == 0.0)  # short notes sing straight


def test_voice_portamento_glides_around_the_boundary():
    style = PitchStyle(portamento_s=0.08, overshoot=0.0, preparation=0.0)
    a, b = _note(55.0, 0.0, 1.0), _note(62.0, 1.0, 1.0)
    times = _times(2.0)
    curve = base_curve([a, b], times, style)
    t0, t1 = transition_window(a, b, style.portamento_s)
    assert t1 - t0 == pytest.approx(0.08, abs=1e-9)
    assert t0 < b.start_s < t1
    # 10 %..90 % of the interval is crossed in 0.4..0.8 of the glide time.
    u = (curve - 55.0) / 7.0
    rise = times[np.argmax(u >= 0.9)] - times[np.argmax(u >= 0.1)]
    assert 0.4 * 0.08 <= rise <= 0.8 * 0.08
    assert np.all(np.diff(curve) >= -1e-9)  # monotonic without bumps
    assert curve[times < t0].max() == 55.0 and curve[times > t1].min() == 62.0


def test_voice_portamento_shortens_for_short_notes():
    style = PitchStyle(portamento_s=0.08)
    t0, t1 = transition_window(_note(55.0, 0.0, 0.1), _note(57.0, 0.1, 0.1), style.portamento_s)
    assert t1 - t0 <= 0.05 + 1e-9


def test_voice_overshoot_and_preparation_are_bounded():
    style = PitchStyle(portamento_s=0.07, overshoot=0.1, preparation=0.06, max_bump_cents=30.0)
    a, b = _note(50.0, 0.0, 1.0), _note(62.0, 1.0, 1.0)  # an octave leap
    times = _times(2.0)
    curve = base_curve([a, b], times, style)
    assert curve.max() > 62.0  # overshoot exists ...
    assert (curve.max() - 62.0) * 100 <= 30.0 + 1e-6  # ... within its cap
    assert (50.0 - curve.min()) * 100 <= 30.0 + 1e-6
    assert abs(curve[(times > 1.5) & (times < 1.9)] - 62.0).max() < 0.01  # settled on the note


def test_voice_scoop_into_a_phrase_and_fall_at_its_end():
    style = PitchStyle(scoop_cents=60.0, fall_cents=80.0, drift_cents=0.0, jitter_cents=0.0, vibrato_depth_cents=0.0)
    notes = [_note(57.0, 0.5, 1.0), _note(59.0, 1.5, 1.0)]
    times = _times(3.0)
    curve = pitch_curve(notes, times, style, np.random.default_rng(1))
    at_onset = curve[np.argmin(abs(times - 0.5))]
    assert at_onset == pytest.approx(57.0 - 0.6, abs=0.05)
    assert abs(curve[np.argmin(abs(times - 0.9))] - 57.0) < 0.05  # arrived
    assert curve[np.argmin(abs(times - 2.49))] < 59.0 - 0.5  # falling off the last note
    assert abs(curve[np.argmin(abs(times - 2.0))] - 59.0) < 0.05


def test_voice_fine_fluctuation_is_small_and_seeded():
    style = PitchStyle(vibrato_depth_cents=0.0, drift_cents=5.0, jitter_cents=2.0)
    notes = [_note(60.0, 0.0, 4.0)]
    times = _times(4.0)
    a = pitch_curve(notes, times, style, np.random.default_rng(7))
    b = pitch_curve(notes, times, style, np.random.default_rng(7))
    c = pitch_curve(notes, times, style, np.random.default_rng(8))
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    deviation = (a - 60.0) * 100
    assert 1.0 < deviation.std() < 12.0
    assert np.abs(deviation).max() < 40.0
