"""Loudness and true peak (ITU-R BS.1770-4).

`integrated_lufs` is a vectorised BS.1770 meter with the standard's exact
K-weighting filters (it runs several times per song, so it must be fast);
`true_peak_dbtp` estimates true peak by 4x windowed-sinc interpolation.
Tests and benchmarks hold both to independent meters (pyloudnorm, scipy
polyphase oversampling).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

_SHELF = dict(f0=1681.974450955533, gain_db=3.999843853973347, q=0.7071752369554196)
_HIGHPASS = dict(f0=38.13547087602444, q=0.5003270373238773)


_BLOCK = 1 << 18  # samples per block where a whole-signal temporary would be large


@lru_cache(maxsize=8)
def k_weighting(sample_rate: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The two K-weighting biquads (high shelf, then high pass) at any sample rate."""
    k = np.tan(np.pi * _SHELF["f0"] / sample_rate)
    vh = 10 ** (_SHELF["gain_db"] / 20.0)
    vb = vh ** 0.4996667741545416
    q = _SHELF["q"]
    a0 = 1.0 + k / q + k * k
    b_shelf = np.array([(vh + vb * k / q + k * k) / a0, 2.0 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0])
    a_shelf = np.array([1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0])
    k = np.tan(np.pi * _HIGHPASS["f0"] / sample_rate)
    q = _HIGHPASS["q"]
    a0 = 1.0 + k / q + k * k
    b_hp = np.array([1.0, -2.0, 1.0])
    a_hp = np.array([1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0])
    return b_shelf, a_shelf, b_hp, a_hp


@lru_cache(maxsize=8)
def _k_impulse_response(sample_rate: int) -> np.ndarray:
    """The K-weighting filter's impulse response, long enough to be exact in float32.

    Both biquads are heavily damped (a 38 Hz Q 0.5 high pass decays by e every
    ~4 ms), so after 0.37 s the response is far below float32 resolution.
    """
    length = 1 << int(np.ceil(np.log2(0.37 * sample_rate)))
    b1, a1, b2, a2 = k_weighting(sample_rate)
    response = np.zeros(length)
    response[0] = 1.0
    for b, a in ((b1, a1), (b2, a2)):  # direct form I, from rest; a loop over one IR is cheap
        x, y = response.tolist(), [0.0] * length
        x1 = x2 = y1 = y2 = 0.0
        for k in range(length):
            y[k] = b[0] * x[k] + b[1] * x1 + b[2] * x2 - a[1] * y1 - a[2] * y2
            x2, x1, y2, y1 = x1, x[k], y1, y[k]
        response = np.array(y)
    return response


def k_weighted(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """K-weighted copy of audio shaped (channels, samples), float32.

    Filtered by FFT overlap-add with the filter's impulse response (the same
    causal filter as running the biquads, without importing scipy.signal,
    which costs most of a second at start-up).
    """
    import scipy.fft as sfft

    audio = np.atleast_2d(audio)
    response = _k_impulse_response(sample_rate)
    taps = len(response)
    n_fft = 8 * taps
    step = n_fft - taps + 1
    spectrum = sfft.rfft(response, n_fft).astype(np.complex64)  # single precision: 2x faster, error ~1e-6
    out = np.empty(audio.shape, np.float32)
    tail = np.zeros((audio.shape[0], taps - 1))
    for start in range(0, audio.shape[1], step):
        block = audio[:, start:start + step]
        m = block.shape[1]
        y = sfft.irfft(sfft.rfft(block, n_fft, axis=-1) * spectrum, n_fft, axis=-1)
        y[:, :taps - 1] += tail
        out[:, start:start + m] = y[:, :m]
        tail = y[:, m:m + taps - 1]
    return out


def weighted_power(weighted: np.ndarray) -> np.ndarray:
    """Per-sample power of a K-weighted signal summed over channels (BS.1770 weights 1 for L and R)."""
    weighted = np.atleast_2d(weighted)
    return np.einsum("ij,ij->j", weighted, weighted)


def lufs_of_weighted(weighted: np.ndarray, sample_rate: int, gain: np.ndarray | float = 1.0) -> float:
    """Gated integrated loudness of an already K-weighted signal, optionally times a gain envelope."""
    return lufs_of_power(weighted_power(weighted), sample_rate, gain)


def lufs_of_power(power: np.ndarray, sample_rate: int, gain: np.ndarray | float = 1.0) -> float:
    """Gated integrated loudness from :func:`weighted_power`, optionally times a gain envelope.

    Blocks of 400 ms with 75 % overlap are built from 100 ms sums, so the
    cost is one pass over the samples (and no signal-sized temporary but g²).
    """
    hop = int(round(0.1 * sample_rate))
    n_hops = power.shape[-1] // hop
    if n_hops < 4:
        return float("-inf")
    hops = power[: n_hops * hop].reshape(n_hops, hop)
    if isinstance(gain, np.ndarray):
        g = gain[: n_hops * hop].reshape(n_hops, hop)
        hop_energy = np.einsum("ij,ij,ij->i", hops, g, g).astype(np.float64)
    else:
        hop_energy = hops.sum(axis=1, dtype=np.float64) * float(gain) ** 2
    block_power = (hop_energy[:-3] + hop_energy[1:-2] + hop_energy[2:-1] + hop_energy[3:]) / (4 * hop)
    with np.errstate(divide="ignore"):
        block_lufs = -0.691 + 10.0 * np.log10(block_power)
    gated = block_power[block_lufs > -70.0]
    if gated.size == 0:
        return float("-inf")
    relative = -0.691 + 10.0 * np.log10(gated.mean()) - 10.0
    final = block_power[(block_lufs > -70.0) & (block_lufs > relative)]
    return float(-0.691 + 10.0 * np.log10(final.mean()))


def integrated_lufs(audio: np.ndarray, sample_rate: int) -> float:
    """Integrated loudness (BS.1770-4) in LUFS of audio shaped (channels, samples); -inf for silence."""
    return lufs_of_weighted(k_weighted(audio, sample_rate), sample_rate)


# Inter-sample overshoot stays under this (a tone at 3/8 of the sample rate crests 8.3 dB
# above the two samples beside it): samples further under a level of interest need no interpolation.
MAX_OVERSHOOT_DB = 9.0


@lru_cache(maxsize=4)
def _interpolators(factor: int, half_taps: int = 24) -> np.ndarray:
    """Kaiser-windowed sinc taps to evaluate a signal at fractions k/factor between samples: (factor-1, 2*half_taps).

    48 taps (beta 8) are flat within 0.05 dB to 20 kHz at 44.1 kHz:
    16 taps with beta 8 read a cymbal-heavy master's true peak 0.6 dB low
    (-1.25 against -0.66 dBTP from 16x FFT upsampling; now -0.78).
    """
    offsets = np.arange(-half_taps + 1, half_taps + 1)
    taps = []
    for k in range(1, factor):
        t = offsets - k / factor
        h = np.sinc(t) * np.kaiser(2 * half_taps, 8.0)
        taps.append(h / h.sum())
    return np.array(taps)


def true_peaks_at(audio: np.ndarray, index: np.ndarray, factor: int = 4) -> np.ndarray:
    """True-peak estimate (max over channels and `factor` sub-sample points) after each sample in `index`.

    index : sorted sample positions
    """
    audio = np.atleast_2d(audio)
    taps = _interpolators(factor)
    width = taps.shape[1]
    half = width // 2
    peaks = np.abs(audio[:, index]).max(axis=0)
    for start in range(0, len(index), _BLOCK // width):  # in blocks: the tap windows are width x larger
        chunk = index[start:start + _BLOCK // width]
        lo, hi = int(chunk[0]) - half + 1, int(chunk[-1]) + half + 1  # samples the windows read
        segment = np.zeros((audio.shape[0], hi - lo), audio.dtype)  # zeros beyond the ends
        a, b = max(lo, 0), min(hi, audio.shape[1])
        segment[:, a - lo:b - lo] = audio[:, a:b]
        window = (chunk - chunk[0])[:, None] + np.arange(width)[None, :]
        for channel in segment:
            values = channel[window] @ taps.T  # (len(chunk), factor-1)
            peaks[start:start + len(chunk)] = np.maximum(peaks[start:start + len(chunk)], np.abs(values).max(axis=1))
    return peaks


def oversampled_peaks(audio: np.ndarray, *, floor: float = 0.0, factor: int = 4) -> np.ndarray:
    """Per-sample true-peak estimate (BS.1770 annex 2 style, 4x), computed only where |x| >= floor.

    Samples more than MAX_OVERSHOOT_DB under the level of interest need no
    interpolation.
    (Near local maxima only is not enough: a steep step rings several
    samples ahead of itself.)
    """
    audio = np.atleast_2d(audio)
    peaks = np.abs(audio).max(axis=0)
    index = np.nonzero(peaks >= floor)[0]
    if index.size:
        peaks[index] = true_peaks_at(audio, index, factor)
    return peaks


def true_peak_dbtp(audio: np.ndarray) -> float:
    """Maximum true peak in dBTP (4x oversampled)."""
    if not np.size(audio):
        return float("-inf")
    sample_peak = float(np.abs(audio).max())
    if sample_peak == 0:
        return float("-inf")
    peak = float(oversampled_peaks(audio, floor=sample_peak * 10 ** (-MAX_OVERSHOOT_DB / 20.0)).max())
    return 20.0 * np.log10(peak)


@dataclass
class LoudnessReport:
    integrated_lufs: float
    true_peak_dbtp: float
    sample_peak_dbfs: float

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 2) for k, v in self.__dict__.items()}


def measure(audio: np.ndarray, sample_rate: int) -> LoudnessReport:
    """Integrated loudness, 4x true peak and sample peak of audio shaped (channels, samples)."""
    sample_peak = float(np.abs(audio).max()) if np.size(audio) else 0.0
    return LoudnessReport(integrated_lufs(audio, sample_rate), true_peak_dbtp(audio),
                          20 * np.log10(sample_peak) if sample_peak > 0 else float("-inf"))


def measure_pyloudnorm(audio: np.ndarray, sample_rate: int) -> float:
    """Integrated loudness by pyloudnorm, an independent BS.1770 meter (for checks and benchmarks)."""
    import pyloudnorm

    return float(pyloudnorm.Meter(sample_rate).integrated_loudness(np.atleast_2d(audio).T.astype(np.float64)))
