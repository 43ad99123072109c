"""Mastering to the streaming spec: bus glue, loudness to target, true-peak limiting.

The limiter looks ahead: its gain is the windowed minimum of the gain each
sample needs to stay under the ceiling (from 4x-oversampled peaks), smoothed
so it never rises above what any sample needs, held briefly and released. Gain
and limiting are solved together: loudness is re-measured after limiting and
the make-up gain adjusted until the master sits on target.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import minimum_filter1d, uniform_filter1d

from troubadour.mix.loudness import MAX_OVERSHOOT_DB, k_weighted, lufs_of_power, oversampled_peaks, weighted_power

CEILING_MARGIN_DB = 0.3  # the limiter aims this far under the ceiling: meters differ slightly
_DECIMATE = 32  # the gain envelope is computed on blocks of 32 samples (0.7 ms), then interpolated


@dataclass
class MasterResult:
    """The master (2, samples) float32, with the make-up gain and the deepest limiting applied.

    Measure it with :func:`troubadour.mix.loudness.measure` once it is final
    (after the watermark).
    """

    audio: np.ndarray
    gain_db: float
    max_reduction_db: float


def limiter_envelope(peaks: np.ndarray, ceiling: float, sample_rate: int, *, lookahead_s: float = 0.004,
                     hold_s: float = 0.05, release_s: float = 0.06) -> np.ndarray:
    """Gain (0..1] per sample such that gain * peaks <= ceiling everywhere, smooth in time.

    peaks : per-sample true-peak estimate, shape (samples,)
    """
    n = peaks.size
    blocks = -(-n // _DECIMATE)
    padded = np.ones(blocks * _DECIMATE, np.float32)
    padded[:n] = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    need = padded.reshape(blocks, _DECIMATE).min(axis=1)
    rate = sample_rate / _DECIMATE
    smooth = max(1, int(round(lookahead_s * rate)))  # half-width of each smoothing pass, in blocks
    release = max(1, int(round(release_s * rate)))
    hold = int(round(hold_s * rate))
    # Two smoothing passes (attack, then release) need the minimum taken over their reach,
    # plus one block either side for the interpolation back to samples.
    ahead = smooth + release + 1
    behind = smooth + release + hold + 1
    if (ahead + behind) % 2:
        behind += 1
    half = (ahead + behind) // 2
    centred = minimum_filter1d(need, size=2 * half + 1, mode="nearest")  # window [c - half, c + half]
    shift = (ahead - behind) // 2  # so that the window of block i is [i - behind, i + ahead]
    floor = centred[np.clip(np.arange(blocks) + shift, 0, blocks - 1)]
    gain = uniform_filter1d(floor, size=2 * smooth + 1, mode="nearest")
    gain = uniform_filter1d(gain, size=2 * release + 1, mode="nearest")
    return _upsample_linear(gain.astype(np.float32), _DECIMATE)[:n]


def _upsample_linear(values: np.ndarray, factor: int) -> np.ndarray:
    """Linear interpolation between block centres (same as np.interp on centres, much faster)."""
    padded = np.concatenate([values[:1], values, values[-1:]])
    ramp = np.arange(factor, dtype=np.float32) / factor
    # Sample j of block b lies between centre b-1/2 and centre b+1/2 of the padded sequence.
    first_half, second_half = ramp < 0.5, ramp >= 0.5
    out = np.empty((values.size, factor), np.float32)
    left, centre, right = padded[:-2, None], padded[1:-1, None], padded[2:, None]
    out[:, first_half] = left + (centre - left) * (ramp[first_half] + 0.5)
    out[:, second_half] = centre + (right - centre) * (ramp[second_half] - 0.5)
    return out.reshape(-1)


def glue(mix: np.ndarray, sample_rate: int) -> np.ndarray:
    """Bus compression and a gentle tilt: the mix as one piece before loudness."""
    from pedalboard import Compressor, HighpassFilter, LowShelfFilter, Pedalboard

    board = Pedalboard([
        HighpassFilter(cutoff_frequency_hz=25.0),
        LowShelfFilter(cutoff_frequency_hz=120.0, gain_db=0.5),
        Compressor(threshold_db=-16.0, ratio=1.8, attack_ms=25.0, release_ms=200.0),
    ])
    return board(mix.astype(np.float32), sample_rate)


def master(mix: np.ndarray, sample_rate: int, *, target_lufs: float = -14.0, ceiling_dbtp: float = -1.0,
           fade_out_s: float = 2.0) -> MasterResult:
    """Master a stereo mix to `target_lufs` integrated with true peaks under `ceiling_dbtp`."""
    audio = glue(mix, sample_rate)
    audio = _fade_tail(audio, sample_rate, fade_out_s)
    ceiling = 10 ** ((ceiling_dbtp - CEILING_MARGIN_DB) / 20.0)
    power = weighted_power(k_weighted(audio, sample_rate))
    loudness = lufs_of_power(power, sample_rate)
    if not np.isfinite(loudness):
        silent = np.zeros_like(audio)
        return MasterResult(silent, 0.0, 0.0)
    gain_db = target_lufs - loudness
    # Peaks only matter where, after make-up gain, they come near the ceiling.
    peaks = oversampled_peaks(audio, floor=ceiling * 10 ** (-(gain_db + MAX_OVERSHOOT_DB) / 20.0))
    envelope = np.ones(audio.shape[1], np.float32)
    for _ in range(6):
        g = np.float32(10 ** (gain_db / 20.0))
        envelope = limiter_envelope(peaks * g, ceiling, sample_rate)
        loudness = lufs_of_power(power, sample_rate, gain=envelope * g)
        error = target_lufs - loudness
        gain_db += error
        if abs(error) < 0.02:
            break
    g = np.float32(10 ** (gain_db / 20.0))
    envelope = limiter_envelope(peaks * g, ceiling, sample_rate)
    out = audio * (envelope * g)[None, :]
    return MasterResult(out, float(gain_db), float(-20 * np.log10(max(envelope.min(), 1e-9))))


def _fade_tail(audio: np.ndarray, sample_rate: int, fade_out_s: float) -> np.ndarray:
    """Cosine fade over the last `fade_out_s` seconds, so the song ends in silence, not a cut."""
    n = min(audio.shape[1], int(fade_out_s * sample_rate))
    if n <= 1:
        return audio
    audio = audio.copy()
    audio[:, -n:] *= (0.5 + 0.5 * np.cos(np.linspace(0, np.pi, n))).astype(np.float32)
    return audio
