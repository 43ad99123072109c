"""Detection-side analysis: cell statistics, the speed search and the sync correlation.

A detection window (20 s of mono audio at :data:`grid.DETECT_RATE`) becomes a
power spectrogram once; everything after works on the small band-energy
matrix. For every candidate frequency scale the cell statistic ``D`` is
computed at *every* frame offset; every candidate time scale then only
resamples ``D`` along time, folds it modulo the block period and correlates it
with the keyed sync pattern for all block offsets at once (one FFT per band
pair). The sync score at an alignment is the self-normalised sum

    z = sum_j c_j v_j / sqrt(sum_j v_j^2)

over the sync cells, with ``c_j`` the key's +-1 chips and ``v_j`` the folded,
normalised cell statistics. For content that does not carry this key's mark,
the chips are independent of ``v``, so by Hoeffding's inequality
``P(z >= t) <= exp(-t^2 / 2)`` whatever the audio is.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.fft as sfft
from scipy import sparse

from troubadour.trust import grid
from troubadour.trust.grid import FRAMES_PER_BLOCK, FRAMES_PER_CELL, FRAMES_PER_TILE, N_BANDS, N_PAIRS

#: Frequency scales are computed in 1 % steps and speeds snap to the nearest: bands are
#: 128 Hz wide and a 0.5 % error moves even the 4.5 kHz edge by only 22 Hz.
FREQ_STEP = 0.01
#: Time-scale step: over a 20 s window a 0.1 % error drifts 20 ms, under half a tile.
SPEED_STEP = 0.002
SPEED_RANGE = 0.05


@dataclass(frozen=True)
class Warp:
    """A candidate distortion: ``speed`` as a player would name it (1.03 = 3 % faster).

    ``time_scale`` is seconds of input per nominal second; ``freq_scale`` is how
    much the pitch moved (1 for a tempo-only change).
    """

    speed: float
    time_scale: float
    freq_scale: float
    pitch_shifted: bool


def warps(search_speed: bool = True) -> list[Warp]:
    """The candidate distortions: speed changes (pitch and tempo) and tempo-only changes."""
    if not search_speed:
        return [Warp(1.0, 1.0, 1.0, True)]
    n = int(round(SPEED_RANGE / SPEED_STEP))
    speeds = 1.0 + SPEED_STEP * np.arange(-n, n + 1)
    out = [Warp(float(s), float(1.0 / s), float(s), True) for s in speeds]
    out += [Warp(float(s), float(1.0 / s), 1.0, False) for s in speeds if abs(s - 1.0) > 1e-9]
    return out


def _snap(freq_scale: float) -> float:
    return round(round(freq_scale / FREQ_STEP) * FREQ_STEP, 6)


def power_spectrogram(mono: np.ndarray, sample_rate: int) -> np.ndarray:
    """Hann power spectrogram on the detection grid.

    Parameters
    ----------
    mono : np.ndarray
        Shape (samples,), float32. ``sample_rate`` must be an integer multiple
        of :data:`grid.DETECT_RATE` (the window then spans the same 23.2 ms).

    Returns
    -------
    np.ndarray
        Shape (frames, DETECT_FFT // 2 + 1), float32: power of the bins up to
        ``DETECT_RATE / 2``; frame ``n`` is centred at ``(n + 1) * hop``.
    """
    factor = sample_rate // grid.DETECT_RATE
    n_fft, hop = grid.DETECT_FFT * factor, grid.DETECT_HOP * factor
    n_bins = grid.DETECT_FFT // 2 + 1
    if len(mono) < n_fft:
        return np.zeros((0, n_bins), np.float32)
    window = grid.analysis_window(n_fft)
    frames = np.lib.stride_tricks.sliding_window_view(np.asarray(mono, np.float32), n_fft)[::hop]
    spec = sfft.rfft(frames * window, axis=-1)[:, :n_bins]
    power = spec.real**2 + spec.imag**2
    return power / np.float32(factor * factor)


class WindowAnalysis:
    """Cell statistics of one detection window for every candidate warp.

    Parameters
    ----------
    power : np.ndarray
        Shape (frames, bins): the window's power spectrogram (detection grid).
    """

    def __init__(self, power: np.ndarray) -> None:
        self.power = np.asarray(power, np.float64)
        self.active = float(self.power.sum()) > 0.0
        self._cells: dict[float, np.ndarray] = {}

    def release(self) -> None:
        """Drop the spectrogram; only the cell statistics computed so far remain usable."""
        self.power = None  # type: ignore[assignment]

    def cells(self, freq_scale: float) -> np.ndarray:
        """Cell statistic (see :func:`grid.normalise_cells`) at every frame offset, shape (frames - 8, N_PAIRS)."""
        key = _snap(freq_scale)
        if key not in self._cells:
            if self.power is None:
                raise RuntimeError(f"cells at frequency scale {key} were not computed before release()")
            self._cells[key] = self._compute_cells(key).astype(np.float32)
        return self._cells[key]

    def _compute_cells(self, freq_scale: float) -> np.ndarray:
        matrix = grid.band_matrix(self.power.shape[1], grid.DETECT_RATE / grid.DETECT_FFT, freq_scale)
        band = self.power @ matrix                                          # (frames, N_BANDS)
        cum_t = np.concatenate([np.zeros((1, N_BANDS)), np.cumsum(band, axis=0)])
        tiles = cum_t[FRAMES_PER_TILE:] - cum_t[:-FRAMES_PER_TILE]         # tile starting at each frame
        if len(tiles) <= FRAMES_PER_TILE:
            return np.zeros((0, N_PAIRS))
        floor = 1e-7 * float(tiles.mean()) + 1e-30                          # silence gives D = 0
        log_e = np.log(tiles + floor)
        pair_diff = log_e[:, 0::2] - log_e[:, 1::2]
        d = pair_diff[:-FRAMES_PER_TILE] - pair_diff[FRAMES_PER_TILE:]
        pair_e = tiles[:, 0::2] + tiles[:, 1::2]
        return grid.normalise_cells(d, pair_e[:-FRAMES_PER_TILE] + pair_e[FRAMES_PER_TILE:])

    def folded(self, warp: Warp, shift: float = 0.0) -> np.ndarray:
        """Cell statistics resampled to ``warp`` and summed modulo the block.

        ``shift`` (frames, 0 <= shift < 1) moves the grid by a fraction of a frame.
        Returns shape (FRAMES_PER_BLOCK, N_PAIRS).
        """
        d = self.cells(warp.freq_scale)
        if len(d) < 2:
            return np.zeros((FRAMES_PER_BLOCK, N_PAIRS))
        return _fold_matrix(len(d), warp.time_scale, shift) @ d


@lru_cache(maxsize=512)
def _fold_matrix(n: int, time_scale: float, shift: float) -> sparse.csr_matrix:
    """Sparse (FRAMES_PER_BLOCK, n) map: linear resampling at ``shift + k * time_scale``, folded mod the block."""
    m = int((n - 1 - shift) / time_scale)
    t = shift + np.arange(m) * time_scale
    i = t.astype(np.int64)
    frac = t - i
    rows = np.tile(np.arange(m) % FRAMES_PER_BLOCK, 2)
    cols = np.concatenate([i, np.minimum(i + 1, n - 1)])
    vals = np.concatenate([1.0 - frac, frac])
    return sparse.csr_matrix((vals, (rows, cols)), shape=(FRAMES_PER_BLOCK, n))


class SyncPattern:
    """The key's sync cells as correlation templates over one block period."""

    def __init__(self, layout: grid.Layout) -> None:
        q, p = np.divmod(layout.sync_cells, N_PAIRS)
        chips = np.zeros((FRAMES_PER_BLOCK, N_PAIRS))
        chips[q * FRAMES_PER_CELL, p] = layout.chip[q, p]
        ones = np.zeros_like(chips)
        ones[q * FRAMES_PER_CELL, p] = 1.0
        self.chips_f = np.conj(sfft.rfft(chips, axis=0))
        self.ones_f = np.conj(sfft.rfft(ones, axis=0))
        self.layout = layout

    def parts(self, folded: np.ndarray) -> np.ndarray:
        """Numerator and denominator of the sync z for every block offset, shape (2, FRAMES_PER_BLOCK).

        ``num[r] = sum_j c_j v_j`` and ``den[r] = sum_j v_j^2`` over the sync cells
        of a block starting at offset ``r``; sums over windows stay a valid z.
        """
        spec = sfft.rfft(np.concatenate([folded, folded * folded], axis=1), axis=0)
        both = np.stack([(self.chips_f * spec[:, :N_PAIRS]).sum(axis=1), (self.ones_f * spec[:, N_PAIRS:]).sum(axis=1)])
        return sfft.irfft(both, n=FRAMES_PER_BLOCK, axis=1)

    def scores(self, folded: np.ndarray) -> np.ndarray:
        """Sync z for every block offset, shape (FRAMES_PER_BLOCK,)."""
        num, den = self.parts(folded)
        return num / np.sqrt(np.maximum(den, 1e-9))

    def payload_soft(self, folded: np.ndarray, offset: int) -> np.ndarray:
        """Soft coded bits (descrambled; positive means 0) at a block offset, shape (CODED_BITS,)."""
        return self.payload_soft_for(self.layout, folded, offset)

    @staticmethod
    def payload_soft_for(lay: grid.Layout, folded: np.ndarray, offset: int) -> np.ndarray:
        """:meth:`payload_soft` for any layout."""
        rows = (offset + FRAMES_PER_CELL * np.arange(grid.BLOCK_CELLS)) % FRAMES_PER_BLOCK
        v = (folded[rows] * lay.chip).reshape(-1)
        soft = v[lay.payload_cells].sum(axis=1)
        return soft * (1.0 - 2.0 * lay.scrambler)
