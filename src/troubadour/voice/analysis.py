"""WORLD-style analysis of the spoken source: F0, voicing, spectral envelope, aperiodicity.

The envelope is WORLD's CheapTrick (``pyworld.cheaptrick``), which needs a good
F0. F0 and voicing come cheaply: Flite reports the F0 it used, and a
normalised autocorrelation near that lag tells voiced from unvoiced frames.
Aperiodicity comes from Flite's own band voicing strengths when it has them
(D4C would cost more than the whole synthesis budget), else from the
autocorrelation peak.

Everything is on a 5 ms frame grid at the source's sample rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from troubadour.voice.source import UNVOICED, SourceSpeech

FRAME_PERIOD_S = 0.005
# Mixed-excitation bands of Flite (Hz): 0-1k, 1-2k, 2-4k, 4-6k, 6-8k, by their centres.
BAND_CENTRES_HZ = np.array([500.0, 1500.0, 3000.0, 5000.0, 7000.0])
_F0_FLOOR_HZ, _F0_CEIL_HZ = 60.0, 500.0


@dataclass(frozen=True)
class Analysis:
    """Source features on a frame grid.

    f0_hz : shape (frames,), Hz; meaningful where ``voiced``
    voiced : shape (frames,), bool
    periodicity : shape (frames,), normalised autocorrelation peak in [0, 1]
    log_sp : shape (frames, bins), natural log of the power spectral envelope
        (CheapTrick's scale: white noise of variance s has envelope s), bins up
        to the source Nyquist frequency
    ap_bands : shape (frames, 5), aperiodic share of the power in each band of
        ``BAND_CENTRES_HZ``, in [0, 1]
    """

    sample_rate: int
    frame_period_s: float
    f0_hz: np.ndarray
    voiced: np.ndarray
    periodicity: np.ndarray
    log_sp: np.ndarray
    ap_bands: np.ndarray

    @property
    def speaking_f0_hz(self) -> float:
        """Median F0 of the voiced frames: the pitch the source spoke at."""
        return float(np.median(self.f0_hz[self.voiced])) if self.voiced.any() else 120.0

    @property
    def frames(self) -> int:
        return len(self.f0_hz)

    @property
    def bin_hz(self) -> float:
        return self.sample_rate / (2 * (self.log_sp.shape[1] - 1))


def _frames(x: np.ndarray, centres: np.ndarray, width: int) -> np.ndarray:
    """Rows of ``width`` samples centred on ``centres`` (zero padded), shape (len(centres), width)."""
    padded = np.pad(x, (width, width))
    starts = centres - width // 2 + width
    index = starts[:, None] + np.arange(width)[None, :]
    return padded[index]


def periodicity(x: np.ndarray, sample_rate: int, f0_hint_hz: np.ndarray | None, n_frames: int,
                frame_period_s: float = FRAME_PERIOD_S) -> tuple[np.ndarray, np.ndarray]:
    """Per frame: the best F0 near the hint and its normalised autocorrelation.

    Returns
    -------
    f0_hz : shape (n_frames,)
    peak : shape (n_frames,), in [0, 1]; near 1 for a clean periodic frame
    """
    width = int(0.03 * sample_rate)  # two periods at the F0 floor
    centres = np.round(np.arange(n_frames) * frame_period_s * sample_rate).astype(int)
    frames = _frames(x, centres, width)
    frames = frames - frames.mean(axis=1, keepdims=True)
    window = np.hanning(width)
    n_fft = 1 << int(np.ceil(np.log2(2 * width)))
    spectrum = np.fft.rfft(frames * window, n_fft)
    acf = np.fft.irfft(np.abs(spectrum) ** 2, n_fft)[:, :width]
    window_acf = np.fft.irfft(np.abs(np.fft.rfft(window, n_fft)) ** 2, n_fft)[:width]
    acf = acf / np.maximum(window_acf[None, :], 1e-9)  # unbias the window's taper
    acf = acf / np.maximum(acf[:, :1], 1e-12)
    lag_lo = int(sample_rate / _F0_CEIL_HZ)
    lag_hi = min(int(sample_rate / _F0_FLOOR_HZ), width - 2)
    lags = np.arange(width)
    if f0_hint_hz is not None:
        hint = np.clip(f0_hint_hz, _F0_FLOOR_HZ, _F0_CEIL_HZ)
        lo = np.maximum(np.floor(sample_rate / (hint * 1.15)), lag_lo)
        hi = np.minimum(np.ceil(sample_rate / (hint / 1.15)), lag_hi)
    else:
        lo = np.full(n_frames, lag_lo)
        hi = np.full(n_frames, lag_hi)
    mask = (lags[None, :] >= lo[:, None]) & (lags[None, :] <= hi[:, None])
    masked = np.where(mask, acf, -np.inf)
    best = np.argmax(masked, axis=1)
    peak = np.clip(masked[np.arange(n_frames), best], 0.0, 1.0)
    # Parabolic refinement of the lag.
    b = np.clip(best, 1, width - 2)
    rows = np.arange(n_frames)
    y0, y1, y2 = acf[rows, b - 1], acf[rows, b], acf[rows, b + 1]
    denominator = y0 - 2 * y1 + y2
    shift = np.where(np.abs(denominator) > 1e-9, 0.5 * (y0 - y2) / np.where(denominator == 0, 1, denominator), 0.0)
    lag = b + np.clip(shift, -0.5, 0.5)
    return sample_rate / lag, peak


def _phone_mask(source: SourceSpeech, n_frames: int, frame_period_s: float) -> np.ndarray:
    """True for frames inside a phone that can be voiced (vowels, sonorants, voiced obstruents)."""
    times = np.arange(n_frames) * frame_period_s
    mask = np.zeros(n_frames, bool)
    for phone in source.phones:
        if phone.symbol not in UNVOICED:
            mask |= (times >= phone.start_s) & (times < phone.end_s)
    return mask


def analyse(source: SourceSpeech, *, frame_period_s: float = FRAME_PERIOD_S) -> Analysis:
    """Analyse a spoken source; see :class:`Analysis`."""
    import pyworld

    x = source.audio.astype(np.float64)
    rate = source.sample_rate
    n_frames = int(len(x) / (frame_period_s * rate)) + 1
    hint = None
    if source.f0_hint_hz is not None:
        hint = _fit_length(source.f0_hint_hz, n_frames)
        voiced_hint = hint > 0
        if voiced_hint.any():  # fill pauses with the nearest voiced value
            idx = np.flatnonzero(voiced_hint)
            hint = np.interp(np.arange(n_frames), idx, hint[idx])
        else:
            hint = None
    f0, peak = periodicity(x, rate, hint, n_frames, frame_period_s)
    energy = _frame_energy_db(x, rate, n_frames, frame_period_s)
    voiced = (peak > 0.45) & (energy > energy.max() - 45.0) & _phone_mask(source, n_frames, frame_period_s)
    f0 = np.where(voiced, f0, 0.0)
    f0 = _smooth_voiced(f0)
    times = np.arange(n_frames) * frame_period_s
    sp = pyworld.cheaptrick(x, f0, times, rate)
    log_sp = np.log(np.maximum(sp, 1e-12)).astype(np.float32)
    if source.strengths is not None:
        s = np.clip(_fit_length(source.strengths, n_frames), 0.0, 1.0)
        ap = (1.0 - s) ** 2  # noise amplitude share (1 - strength), squared: a power share
    else:
        base = np.clip(1.0 - peak, 0.0, 1.0)[:, None]
        ap = np.clip(base * np.array([0.5, 1.0, 1.5, 2.5, 3.5])[None, :], 0.003, 1.0)
    ap = np.where(voiced[:, None], np.clip(ap, 0.003, 1.0), 1.0).astype(np.float32)
    for array in (f0, voiced, peak, log_sp, ap):
        array.flags.writeable = False  # shared through the phrase cache, across threads
    return Analysis(rate, frame_period_s, f0, voiced, peak, log_sp, ap)


def _fit_length(track: np.ndarray, n_frames: int) -> np.ndarray:
    if len(track) >= n_frames:
        return np.asarray(track[:n_frames], dtype=np.float64)
    pad = [(0, n_frames - len(track))] + [(0, 0)] * (track.ndim - 1)
    return np.pad(np.asarray(track, dtype=np.float64), pad, mode="edge")


def _frame_energy_db(x: np.ndarray, rate: int, n_frames: int, frame_period_s: float) -> np.ndarray:
    width = int(0.025 * rate)
    centres = np.round(np.arange(n_frames) * frame_period_s * rate).astype(int)
    frames = _frames(x, centres, width)
    return 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)


def _smooth_voiced(f0: np.ndarray) -> np.ndarray:
    """Median-of-3 over voiced runs: removes single-frame octave slips."""
    out = f0.copy()
    if len(f0) < 3:
        return out
    trio = np.stack([f0[:-2], f0[1:-1], f0[2:]])
    out[1:-1] = np.where((trio > 0).all(axis=0), np.median(trio, axis=0), f0[1:-1])
    return out
