"""Inaudible, keyed audio watermark: embed a 32-bit payload, detect it after abuse.

Design (details and the false-positive math are in ``docs/trust.md``):

* **Domain.** Log energies of 46 ms x 128 Hz tiles between 400 Hz and 4.5 kHz;
  cells of 2 x 2 tiles carry a mixed second difference, which is blind to any
  static EQ and any gain change (see :mod:`troubadour.trust.grid`).
* **Embedding.** Each cell's four tiles are scaled by ``exp(+-a/2)`` in a
  checkerboard whose sign is the key's chip (times the coded bit for payload
  cells), through one STFT of the channel mean and its inverse; the same mark
  goes into every channel. The depth ``a`` follows the SNR-optimal ``1/energy``
  rule: quiet cells (cheap, masked by the loud cells of the same moment) get
  the most, capped at +-1.3 dB (+-2.6 dB for cells >= 20 dB under their
  moment's mean). Payload cells are *informed*: where the music already leans
  the right way the mark is thinned, where it leans the wrong way it is pushed.
  A final scale guarantees the SNR (default 36 dB, never below 35).
* **Detection** (:mod:`troubadour.trust.detector`). Mono at 11.025 kHz, 20 s
  windows; for 101 speed hypotheses (+-5 % in 0.2 % steps, with and without
  pitch change) the keyed sync pattern is correlated at every offset (FFT);
  the best alignments are decoded (soft Viterbi) and accepted only if the
  CRC-32 checks.
"""

from __future__ import annotations

import numpy as np
import scipy.fft as sfft

from troubadour.errors import InputError
from troubadour.trust import ecc, grid
from troubadour.trust.grid import BLOCK_CELLS, CODED_BITS, N_BANDS, N_PAIRS, TILE_HOPS
from troubadour.trust.detector import (  # noqa: F401  (re-exported: the detection API lives here too)
    CANDIDATES_PER_WINDOW,
    WINDOW_FRAMES,
    Detection,
    Detector,
    detection_windows,
)
from troubadour.trust.sync import power_spectrogram

DEFAULT_SNR_DB = 36.0
MIN_SAMPLE_RATE = 8000
MAX_DEPTH = 0.3          # largest log-energy change of a tile (Np): +-1.3 dB ...
MASKED_DEPTH_RATIO = 2.0 # ... up to twice that for tiles >= 20 dB under their moment's mean
MASKED_DEPTH_POWER = 0.15
COST_CALIBRATION = 1.5   # measured: overlap-add loses ~1.8 dB of the predicted mark energy
MAX_STRENGTH = 1e4       # with SNR to spare, loud cells may reach the full depth too
PAYLOAD_TARGET = 1.5     # informed embedding aims each bit at z >= 1.5 per block
MIN_PAYLOAD_SHARE = 0.25
INFORMED_PARTS = 3
MAX_PAYLOAD_SHARE = 2.0
#: Measured fraction of a tile's log-energy change that reaches the detector, per band pair
#: (STFT leakage between the checkerboard's opposite-signed neighbours).
PAIR_GAIN = np.full(N_PAIRS, 0.55)
CHUNK_BLOCKS = 6         # embed one minute at a time (bounded memory)


# --------------------------------------------------------------------------- embedding


def _downmix(x: np.ndarray) -> np.ndarray:
    """Mean of the channels, shape (samples,) (a loop: numpy's axis-0 mean is several times slower)."""
    mono = x[0].copy()
    for ch in x[1:]:
        mono += ch
    if x.shape[0] > 1:
        mono *= np.float32(1.0 / x.shape[0])
    return mono


def _check_audio(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    if not isinstance(audio, np.ndarray):
        raise InputError(f"audio must be a numpy array of shape (channels, samples), got {type(audio).__name__}")
    if audio.ndim not in (1, 2) or audio.size == 0 and audio.ndim != 2:
        raise InputError(f"audio must have shape (channels, samples), got {audio.shape!r}")
    if not isinstance(sample_rate, (int, np.integer)) or sample_rate < MIN_SAMPLE_RATE:
        raise InputError(f"sample_rate must be an integer >= {MIN_SAMPLE_RATE} Hz, got {sample_rate!r}")
    x = np.atleast_2d(np.asarray(audio, dtype=np.float32))
    if not np.isfinite(sum(float(np.dot(ch, ch)) for ch in x)):   # NaN/inf propagate into the energy
        raise InputError("audio contains NaN or infinite samples; fix the signal before marking it")
    return x


def embed(
    audio: np.ndarray,
    sample_rate: int,
    *,
    payload: int,
    key: bytes,
    snr_db: float = DEFAULT_SNR_DB,
) -> np.ndarray:
    """Embed a 32-bit payload under ``key``.

    Parameters
    ----------
    audio : np.ndarray
        float32, shape (channels, samples) (a 1-D mono array is accepted).
    sample_rate : int
        Hz, at least 8000.
    payload : int
        0 <= payload < 2**32 (e.g. issuer and render id).
    key : bytes
        The watermark key; detection needs the same key.
    snr_db : float
        Guaranteed ratio of signal to mark energy over all channels (dB), >= 35.

    Returns
    -------
    np.ndarray
        Marked audio, same shape and dtype (float32). Audio shorter than one
        cell (93 ms) or silent comes back unchanged.
    """
    shape = np.shape(audio)
    x = _check_audio(audio, sample_rate)
    marker = StreamingEmbedder(sample_rate, x.shape[0], payload=payload, key=key, snr_db=snr_db)
    mark = marker.mark_of(x)
    # Exact SNR over the whole signal (chunks were checked one by one; this is the guarantee).
    signal_energy = sum(float(np.dot(ch, ch)) for ch in x)
    mark_energy = x.shape[0] * float(np.dot(mark, mark))
    if mark_energy > 0 and signal_energy < mark_energy * 10 ** (snr_db / 10):
        mark *= np.float32(np.sqrt(signal_energy / mark_energy / 10 ** (snr_db / 10)) * 0.999)
    return (x + mark).reshape(shape)


class StreamingEmbedder:
    """Embed block by block (bounded memory): ``push`` blocks, then ``finish``.

    Output lags input by up to one chunk (one minute); every pushed sample comes
    out exactly once, in order. Each chunk keeps its own SNR >= ``snr_db``, so the
    whole file does too.

    Parameters
    ----------
    sample_rate : int
        Hz, >= 8000.
    channels : int
        Channel count of the blocks.
    payload, key, snr_db
        As for :func:`embed`.
    """

    def __init__(self, sample_rate: int, channels: int, *, payload: int, key: bytes, snr_db: float = DEFAULT_SNR_DB) -> None:
        if not isinstance(sample_rate, (int, np.integer)) or sample_rate < MIN_SAMPLE_RATE:
            raise InputError(f"sample_rate must be an integer >= {MIN_SAMPLE_RATE} Hz, got {sample_rate!r}")
        if not isinstance(payload, (int, np.integer)) or not 0 <= int(payload) < 2**32:
            raise InputError(f"payload must be an integer in [0, 2**32), got {payload!r}")
        if not isinstance(key, (bytes, bytearray)) or not key:
            raise InputError("key must be non-empty bytes")
        if not snr_db >= 35.0:
            raise InputError(f"snr_db must be >= 35 dB (the mark must stay inaudible), got {snr_db!r}")
        self.sample_rate, self.channels, self.snr_db = int(sample_rate), int(channels), float(snr_db)
        self.layout = grid.layout(bytes(key))
        coded = ecc.encode(ecc.pack_message(int(payload), self.layout.crc_mask)) ^ self.layout.scrambler
        self.bit_sign = 1.0 - 2.0 * coded                                # coded 0 -> +1
        self.hop = max(8, int(round(grid.EMBED_HOP * sample_rate / grid.REFERENCE_RATE)))
        self.chunk_frames = CHUNK_BLOCKS * BLOCK_CELLS * 2 * TILE_HOPS
        self._x = np.zeros((channels, 0), np.float32)     # input from sample self._start on
        self._mark = np.zeros(0, np.float32)              # mark for the same samples
        self._start = 0
        self._f0 = 0                                      # first frame of the next chunk

    def mark_of(self, x: np.ndarray) -> np.ndarray:
        """The whole mark for a complete signal at once (shape (samples,)): no buffering copies.

        Only for a fresh embedder; equals what ``push(x)`` + ``finish()`` add.
        """
        if self._start or self._x.shape[1]:
            raise RuntimeError("mark_of() needs a fresh StreamingEmbedder")
        self._x = np.asarray(x, np.float32)
        self._mark = np.zeros(self._x.shape[1], np.float32)
        n_frames = self._x.shape[1] // self.hop + 1
        while self._f0 + 2 * TILE_HOPS <= n_frames:
            self._process(min(self._f0 + self.chunk_frames, n_frames))
        mark, self._mark = self._mark, np.zeros(0, np.float32)
        self._x, self._start = np.zeros((self.channels, 0), np.float32), x.shape[1]
        return mark

    def push(self, block: np.ndarray) -> np.ndarray:
        """Add input (shape (channels, n)); return the marked samples that are final."""
        block = np.atleast_2d(np.asarray(block, np.float32))
        if block.shape[0] != self.channels:
            raise InputError(f"block has {block.shape[0]} channels, expected {self.channels}")
        self._x = np.concatenate([self._x, block], axis=1)
        self._mark = np.concatenate([self._mark, np.zeros(block.shape[1], np.float32)])
        while (self._f0 + self.chunk_frames + 1) * self.hop <= self._start + self._x.shape[1]:
            self._process(self._f0 + self.chunk_frames)
        return self._emit((self._f0 - 1) * self.hop)

    def finish(self) -> np.ndarray:
        """Mark what is left and return it."""
        end = self._start + self._x.shape[1]
        n_frames = end // self.hop + 1
        if n_frames - self._f0 >= 2 * TILE_HOPS:
            self._process(n_frames)
        return self._emit(end)

    def _process(self, f1: int) -> None:
        f0, hop = self._f0, self.hop
        lo, hi = (f0 - 1) * hop, (f1 + 1) * hop              # samples the chunk's frames touch
        a, b = max(lo - self._start, 0), min(hi - self._start, self._x.shape[1])
        x = self._x[:, a:b]
        mid = np.zeros(hi - lo, np.float32)
        mid[a + self._start - lo : b + self._start - lo] = _downmix(x)
        energy = sum(float(np.dot(ch, ch)) for ch in x) / self.channels
        seg = _mark_chunk(mid, hop, self.sample_rate, f0, f1, self.layout, self.bit_sign, self.snr_db, energy)
        seg = seg[a + self._start - lo : b + self._start - lo]
        mark_energy = self.channels * float(np.dot(seg, seg))
        limit = self.channels * energy * 10 ** (-(self.snr_db + 0.05) / 10)
        if mark_energy > limit > 0:
            seg *= np.float32(np.sqrt(limit / mark_energy))
        self._mark[a:b] += seg
        self._f0 = f1

    def _emit(self, upto: int) -> np.ndarray:
        n = max(0, min(upto - self._start, self._x.shape[1]))
        out = self._x[:, :n] + self._mark[:n]
        self._x, self._mark, self._start = self._x[:, n:], self._mark[n:], self._start + n
        return out


def _mark_chunk(
    seg: np.ndarray, hop: int, sample_rate: int, f0: int, f1: int, lay: grid.Layout, bit_sign: np.ndarray,
    snr_db: float, channel_energy: float,
) -> np.ndarray:
    """Mark of frames [f0, f1) (frame t is centred on sample t * hop), computed from the downmix.

    ``seg`` is the downmix from sample ``(f0 - 1) * hop``, length ``(f1 - f0 + 2) * hop``
    (zeros beyond the signal); the mark returned covers the same samples. It is
    added to every channel, so the mono downmix carries exactly the mark of the
    downmix. ``channel_energy`` is the span's energy per channel (sum of squares).
    """
    n_fft = 2 * hop
    length = (f1 - f0 + 2) * hop
    window = grid.analysis_window(n_fft)
    frames = np.lib.stride_tricks.sliding_window_view(seg, n_fft)[::hop][: f1 - f0]
    band_of_bin = grid.bin_bands(n_fft, sample_rate)
    used = np.nonzero(band_of_bin >= 0)[0]
    if len(used) == 0:
        return np.zeros(length, np.float32)
    k0, k1 = int(used[0]), int(used[-1]) + 1
    spec = sfft.rfft(frames * window, axis=-1)[:, k0:k1]                # (T, bins)
    inband = band_of_bin[k0:k1] >= 0
    weights = grid.band_matrix(hop + 1, sample_rate / n_fft)[k0:k1]       # same integration as the detector
    band_power = (spec.real**2 + spec.imag**2) @ weights                # (T, N_BANDS)

    n_cells = (f1 - f0) // (2 * TILE_HOPS)
    n_tiles = 2 * n_cells
    tiles = band_power[: n_tiles * TILE_HOPS].reshape(n_tiles, TILE_HOPS, N_BANDS).sum(axis=1).astype(np.float64)
    depth = _allocate(tiles, f0 // (2 * TILE_HOPS), lay, bit_sign, 0.5 * n_fft * channel_energy, snr_db)

    gain = (np.exp(depth / 2.0) - 1.0).astype(np.float32)               # (tiles, N_BANDS)
    gain_frames = np.zeros((f1 - f0, N_BANDS), np.float32)
    gain_frames[: n_tiles * TILE_HOPS] = np.repeat(gain, TILE_HOPS, axis=0)
    full = np.zeros((f1 - f0, hop + 1), np.complex64)
    full[:, k0:k1][:, inband] = spec[:, inband] * gain_frames[:, band_of_bin[k0:k1][inband]]
    wave = sfft.irfft(full, n=n_fft, axis=-1, overwrite_x=True)
    wave *= window
    # 50 % overlap-add: hop-long piece t is frame t's first half plus frame t-1's second half
    ola = np.zeros((f1 - f0 + 2, hop), np.float32)
    ola[: f1 - f0] = wave[:, :hop]
    ola[1 : f1 - f0 + 1] += wave[:, hop:]
    return ola.reshape(-1)[:length]


def _allocate(
    tiles_mid: np.ndarray, first_cell: int, lay: grid.Layout, bit_sign: np.ndarray, signal_power: float, snr_db: float
) -> np.ndarray:
    """Signed log-energy change of every tile, shape (tiles, N_BANDS).

    ``tiles_mid`` holds the tiles' energies (STFT power units, shape (tiles,
    N_BANDS)) and ``signal_power`` the chunk's energy in the same units; the
    mark is kept ``snr_db`` below it.
    """
    n_cells = tiles_mid.shape[0] // 2
    cell_q = first_cell + np.arange(n_cells)
    pos = cell_q % BLOCK_CELLS
    # Informed groups: a bit's cells within the same part of a block, so that a crop that
    # cuts a block still sees pushed sums (whole-block groups fail on crops).
    block = cell_q * INFORMED_PARTS // BLOCK_CELLS
    bits = lay.bit_of_cell[pos]                                          # (cells, pairs)
    sign = lay.chip[pos] * np.where(bits >= 0, bit_sign[np.maximum(bits, 0)], 1.0)

    quad = tiles_mid.reshape(n_cells, 2, N_PAIRS, 2)
    energy = quad.sum(axis=(1, 3))
    peak = float(energy.max()) if energy.size else 0.0
    if peak <= 0.0:
        return np.zeros_like(tiles_mid)
    log_e = np.log(quad + 1e-7 * float(tiles_mid.mean()) + 1e-30)
    raw = log_e[:, 0, :, 0] - log_e[:, 0, :, 1] - log_e[:, 1, :, 0] + log_e[:, 1, :, 1]
    host = grid.normalise_cells(raw, energy)                          # what the detector will see
    # d(host)/d(depth) per cell: 4 tiles x the pair's measured gain, in the detector's units
    ok = grid.markable(energy)
    pair_scale = np.maximum(ok.sum(axis=0), 1) / (1.2533 * np.where(ok, np.abs(raw), 0.0).sum(axis=0) + 1e-9)
    ref = float(np.quantile(energy[ok], grid.WEIGHT_QUANTILE)) if ok.any() else 0.0
    slope = 4.0 * PAIR_GAIN * pair_scale * np.minimum(1.0, ref / np.maximum(energy, 1e-30)) * ok

    # Depth weights ~ 1/energy (the SNR-optimal allocation, capped): quiet cells are cheap and
    # masked by loud ones. Cells 40 dB under their moment (not markable) would drown in any noise.
    weight = np.where(ok, float(np.mean(energy)) / np.maximum(energy, 1e-30), 0.0)
    # Cells well under the loud cells of the same moment are masked by them: a deeper cap there.
    below = energy.mean(axis=1, keepdims=True) / np.maximum(energy, 1e-30)
    cap = MAX_DEPTH * np.clip(below, 1.0, None) ** MASKED_DEPTH_POWER
    cap = np.minimum(cap, MAX_DEPTH * MASKED_DEPTH_RATIO)

    is_pay = bits >= 0
    group = (block[:, None] * CODED_BITS + np.maximum(bits, 0))[is_pay]
    n_groups = (int(block.max()) + 1) * CODED_BITS
    host_push = np.bincount(group, weights=(sign * host)[is_pay], minlength=n_groups)
    n_in_group = np.bincount(group, minlength=n_groups)
    target = PAYLOAD_TARGET * np.sqrt(n_in_group)

    plus = quad[:, 0, :, 0] + quad[:, 1, :, 1]                          # tiles raised when sign > 0
    minus = quad[:, 0, :, 1] + quad[:, 1, :, 0]
    up = np.where(sign > 0, plus, minus)
    down = np.where(sign > 0, minus, plus)
    budget = COST_CALIBRATION * signal_power * 10 ** (-snr_db / 10)

    def depths(k: float) -> np.ndarray:
        base = cap * np.minimum(1.0, k * weight)
        push = np.bincount(group, weights=(slope * base)[is_pay], minlength=n_groups)
        share = np.clip((target - host_push) / np.maximum(push, 1e-12), MIN_PAYLOAD_SHARE, MAX_PAYLOAD_SHARE)
        a = base.copy()
        a[is_pay] = np.minimum(base[is_pay] * share[group], cap[is_pay])
        return a

    def cost(a: np.ndarray) -> float:
        return float(np.sum((np.exp(a / 2) - 1) ** 2 * up + (np.exp(-a / 2) - 1) ** 2 * down))

    k = MAX_STRENGTH
    if cost(depths(k)) > budget:                       # bisect the strength onto the SNR budget
        lo, hi = MAX_STRENGTH * 1e-10, MAX_STRENGTH
        for _ in range(30):                            # geometric bisection
            mid = np.sqrt(lo * hi)
            lo, hi = (mid, hi) if cost(depths(mid)) <= budget else (lo, mid)
        k = lo
    a = depths(k) * sign
    out = np.empty((n_cells, 2, N_PAIRS, 2))
    out[:, 0, :, 0] = a
    out[:, 0, :, 1] = -a
    out[:, 1, :, 0] = -a
    out[:, 1, :, 1] = a
    return out.reshape(2 * n_cells, N_BANDS)


def to_detection_rate(audio: np.ndarray, sample_rate: int) -> tuple[np.ndarray, int]:
    """Mono downmix, resampled (if needed) to a multiple of the detection rate."""
    from scipy.signal import resample_poly

    x = np.atleast_2d(np.asarray(audio, np.float32))
    mono = _downmix(x)
    if sample_rate % grid.DETECT_RATE == 0:
        return mono, int(sample_rate)
    g = np.gcd(int(sample_rate), grid.DETECT_RATE)
    return resample_poly(mono, grid.DETECT_RATE // g, int(sample_rate) // g).astype(np.float32), grid.DETECT_RATE


def detect(
    audio: np.ndarray,
    sample_rate: int,
    *,
    key: bytes | dict[str, bytes],
    search_speed: bool = True,
) -> Detection:
    """Look for a mark made with ``key``.

    Parameters
    ----------
    audio : np.ndarray
        float32, shape (channels, samples) or (samples,), any sample rate >= 8 kHz.
    sample_rate : int
        Hz.
    key : bytes or dict of name -> bytes
        The key (or several named keys) to look for.
    search_speed : bool
        Search speed changes of +-5 % (with or without pitch change).

    Returns
    -------
    Detection
        ``detected`` is True only when a payload with a valid CRC-32 was decoded.
    """
    x = _check_audio(audio, sample_rate)
    keys = {"key": bytes(key)} if isinstance(key, (bytes, bytearray)) else dict(key)
    mono, rate = to_detection_rate(x, sample_rate)
    detector = Detector(keys, search_speed=search_speed)
    power = power_spectrogram(mono, rate)
    for a, b in detection_windows(len(power)):
        if detector.add_window(power[a:b]) is not None:
            break
    return detector.result()
