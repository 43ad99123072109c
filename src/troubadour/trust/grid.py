"""The watermark's time-frequency grid and its keyed layout.

The mark lives in *tiles*: 46.4 ms x one band, 32 bands of 128 Hz between 400 Hz
and 4.5 kHz (kept below the 5 kHz low-pass every codec and attack leaves alone).
Four tiles form a *cell* (2 tiles in time x 2 adjacent bands); the statistic of
a cell is the mixed second difference of the tiles' log energies,

    D = L[t, b] - L[t, b+1] - L[t+1, b] + L[t+1, b+1],

which cancels any static equaliser (a low-pass, a codec's band limit) and any
time-varying gain (volume, fades, compressors). A *block* is 108 cells in time
x 16 band pairs = 1728 cells (10.03 s). A key decides, for every cell of the
block, whether it carries the sync pattern or one of the 140 coded payload bits,
and its chip sign. The block repeats for the whole file.

Everything here is defined in seconds and hertz at the 44.1 kHz reference
rate; the embedder and the detector each map it onto their own STFT.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

#: Reference sample rate the grid is defined at (Hz).
REFERENCE_RATE = 44100
#: Embedding STFT hop at the reference rate (samples); the window is twice this.
EMBED_HOP = 512
#: Embedding hops per tile (4 x 512 samples = 46.4 ms).
TILE_HOPS = 4
#: Number of mel bands and their range (Hz).
N_BANDS = 32
LOW_HZ = 400.0
HIGH_HZ = 4500.0
N_PAIRS = N_BANDS // 2

#: Cells per block in time (108 x 92.9 ms = 10.03 s).
BLOCK_CELLS = 108
N_CELLS = BLOCK_CELLS * N_PAIRS
#: Payload: 32 bits + CRC-32 = 64 message bits, K=7 rate-1/2 code -> 140 coded bits.
PAYLOAD_BITS = 32
MESSAGE_BITS = 64
CODED_BITS = 140
CELLS_PER_BIT = 9
N_PAYLOAD_CELLS = CODED_BITS * CELLS_PER_BIT
N_SYNC_CELLS = N_CELLS - N_PAYLOAD_CELLS

#: Detection works on mono audio at a quarter of the reference rate.
DETECT_RATE = REFERENCE_RATE // 4
DETECT_HOP = EMBED_HOP // 4          # 128 samples = 11.6 ms, the same duration as an embedding hop
DETECT_FFT = 2 * DETECT_HOP          # 256 samples = 23.2 ms, same as the embedding window
FRAMES_PER_TILE = TILE_HOPS          # detection frames per tile
FRAMES_PER_CELL = 2 * FRAMES_PER_TILE
FRAMES_PER_BLOCK = FRAMES_PER_CELL * BLOCK_CELLS
BLOCK_SECONDS = FRAMES_PER_BLOCK * DETECT_HOP / DETECT_RATE


#: Band edges in Hz, shape (N_BANDS + 1,). Linear, 128 Hz (3 bins of the 23 ms STFT) each:
#: narrower bands (mel spacing puts 50 Hz bands at 400 Hz) lose most of the checkerboard to leakage.
BAND_EDGES_HZ = np.linspace(LOW_HZ, HIGH_HZ, N_BANDS + 1)


def bin_bands(n_fft: int, sample_rate: float) -> np.ndarray:
    """Band index of every rfft bin (-1 outside the marked range), shape (n_fft//2+1,)."""
    f_hz = np.arange(n_fft // 2 + 1) * sample_rate / n_fft
    band = np.searchsorted(BAND_EDGES_HZ, f_hz, side="right") - 1
    top_hz = min(HIGH_HZ, 0.45 * sample_rate)
    band[(f_hz < LOW_HZ) | (f_hz >= top_hz)] = -1
    return band


@dataclass(frozen=True)
class Layout:
    """What a key puts where in one block.

    Attributes
    ----------
    bit_of_cell : np.ndarray
        Shape (BLOCK_CELLS, N_PAIRS), int: coded-bit index of the cell, -1 for sync.
    chip : np.ndarray
        Shape (BLOCK_CELLS, N_PAIRS), float +-1: the cell's pseudo-random sign.
    payload_cells : np.ndarray
        Shape (CODED_BITS, CELLS_PER_BIT): flat cell indices of each coded bit.
    sync_cells : np.ndarray
        Shape (N_SYNC_CELLS,): flat cell indices of the sync pattern.
    scrambler : np.ndarray
        Shape (CODED_BITS,), 0/1: XORed onto the coded bits (makes decoded words
        uniformly random under the null, which the false-positive bound needs).
    crc_mask : int
        32-bit mask XORed onto the CRC, so a mark made with another key never checks.
    """

    bit_of_cell: np.ndarray
    chip: np.ndarray
    payload_cells: np.ndarray
    sync_cells: np.ndarray
    scrambler: np.ndarray
    crc_mask: int


def key_rng(key: bytes, label: str) -> np.random.Generator:
    """A generator seeded from ``blake2b(key, label)``: same key, same stream, on every platform."""
    digest = hashlib.blake2b(bytes(key), digest_size=32, person=b"troubadour-wm").digest()
    digest = hashlib.blake2b(label.encode(), key=digest, digest_size=16).digest()
    return np.random.default_rng(int.from_bytes(digest, "little"))


@lru_cache(maxsize=16)
def layout(key: bytes) -> Layout:
    """The keyed layout of a block (cached; the key is any bytes)."""
    rng = key_rng(key, "layout-v1")
    perm = rng.permutation(N_CELLS)
    payload_cells = perm[:N_PAYLOAD_CELLS].reshape(CODED_BITS, CELLS_PER_BIT)
    bit = np.full(N_CELLS, -1, dtype=np.int64)
    bit[payload_cells.reshape(-1)] = np.repeat(np.arange(CODED_BITS), CELLS_PER_BIT)
    chip = rng.choice(np.array([-1.0, 1.0]), N_CELLS)
    scrambler = rng.integers(0, 2, CODED_BITS).astype(np.int8)
    crc_mask = int(rng.integers(0, 2**32, dtype=np.uint64))
    for arr in (bit, chip, payload_cells, scrambler):
        arr.setflags(write=False)
    return Layout(
        bit_of_cell=bit.reshape(BLOCK_CELLS, N_PAIRS),
        chip=chip.reshape(BLOCK_CELLS, N_PAIRS),
        payload_cells=payload_cells,
        sync_cells=np.sort(perm[N_PAYLOAD_CELLS:]),
        scrambler=scrambler,
        crc_mask=crc_mask,
    )


def analysis_window(n_fft: int) -> np.ndarray:
    """Periodic sine (square-root Hann) window, float32: analysis and synthesis, both sides."""
    return np.sqrt(np.hanning(n_fft + 1)[:-1]).astype(np.float32)


def band_matrix(n_bins: int, bin_hz: float, freq_scale: float = 1.0) -> np.ndarray:
    """Weights summing bin powers into band energies, shape (n_bins, N_BANDS).

    Bin ``k`` covers ``[(k - 1/2), (k + 1/2)) * bin_hz``; a band takes the part of
    each bin that falls inside its edges (scaled by ``freq_scale``), so embedder
    and detector integrate exactly the same spectrum region.
    """
    edges = BAND_EDGES_HZ * freq_scale / bin_hz + 0.5             # in "bin + 1/2" units
    lo = np.arange(n_bins, dtype=np.float64)[:, None]
    overlap = np.clip(np.minimum(lo + 1, edges[None, 1:]) - np.maximum(lo, edges[None, :-1]), 0.0, 1.0)
    return overlap.astype(np.float32)


#: Cell statistics are clipped at this many robust standard deviations (transients).
CLIP = 3.0
#: Cells louder than this quantile of their window count less: the embedder gives them
#: a depth ~ 1/energy, so they carry little mark and a full share of music.
WEIGHT_QUANTILE = 0.5
#: Cells this far under the mean of their moment (or under the window's peak) are not
#: marked (any noise would drown them) and not read (they would only add noise).
LOCAL_FLOOR = 1e-4
GLOBAL_FLOOR = 1e-9


def markable(energy: np.ndarray) -> np.ndarray:
    """Cells the embedder marks and the detector reads, bool, shape of ``energy`` (cells, N_PAIRS)."""
    local = energy.mean(axis=1, keepdims=True)
    peak = float(energy.max()) if energy.size else 0.0
    return (energy >= LOCAL_FLOOR * local) & (energy >= GLOBAL_FLOOR * peak) & (energy > 0)


def normalise_cells(d: np.ndarray, energy: np.ndarray) -> np.ndarray:
    """Cell statistics as both sides weigh them: per-pair unit scale, clipped, energy-weighted.

    Parameters
    ----------
    d : np.ndarray
        Raw mixed differences of log energies (Np), shape (cells, N_PAIRS).
    energy : np.ndarray
        The cells' energies, same shape.

    Returns
    -------
    np.ndarray
        Weighted statistics, same shape; 0 for cells that carry no mark.
        Depends on the audio only, never on a key.
    """
    if d.size == 0:
        return d
    ok = markable(energy)
    if not ok.any():
        return np.zeros_like(d)
    count = np.maximum(ok.sum(axis=0), 1)
    scale = 1.2533 * np.where(ok, np.abs(d), 0.0).sum(axis=0) / count + 1e-9     # robust per-pair std
    out = np.clip(d / scale, -CLIP, CLIP)
    ref = float(np.quantile(energy[ok][:: max(1, int(ok.sum()) // 4096)], WEIGHT_QUANTILE))
    return np.where(ok, out * np.minimum(1.0, ref / np.maximum(energy, 1e-30)), 0.0)
