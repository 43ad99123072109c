"""Error correction for the watermark payload: CRC-32 check + K=7 convolutional code.

The 32-bit payload is followed by its CRC-32 (XORed with a key-derived mask),
giving a 64-bit message, encoded with the classic rate-1/2, constraint-length-7
convolutional code (generators 133 and 171 octal) and terminated with 6 zero
bits: 140 coded bits. Decoding is soft-decision Viterbi (maximum likelihood),
vectorised over a batch of received words.

Soft values follow the antipodal convention: a coded bit ``c`` is sent as
``1 - 2c``; a positive soft value votes for 0.
"""

from __future__ import annotations

import zlib

import numpy as np

CONSTRAINT = 7
GENERATORS = (0o133, 0o171)
N_STATES = 1 << (CONSTRAINT - 1)
_MASK = N_STATES - 1


def _parity(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.int64)
    out = np.zeros_like(x)
    for shift in range(CONSTRAINT):
        out ^= (x >> shift) & 1
    return out


def _branch_symbols(states: np.ndarray, bit: np.ndarray) -> np.ndarray:
    """Antipodal symbols (+-1) emitted from ``states`` on input ``bit``, shape (..., 2)."""
    reg = (states << 1) | bit
    return np.stack([1 - 2 * _parity(reg & g) for g in GENERATORS], axis=-1).astype(np.float64)


# Trellis, seen from the arriving state: its two predecessors and the symbols on each branch.
_NEW = np.arange(N_STATES)
_PRED0 = _NEW >> 1
_PRED1 = (_NEW >> 1) | (1 << (CONSTRAINT - 2))
_SYM0 = _branch_symbols(_PRED0, _NEW & 1)  # (64, 2)
_SYM1 = _branch_symbols(_PRED1, _NEW & 1)


_PAIRS = np.array([[1, 1, -1, -1], [1, -1, 1, -1]], np.float32)   # columns: symbol pairs (++, +-, -+, --)
_IDX0 = (_SYM0[:, 0] < 0) * 2 + (_SYM0[:, 1] < 0)
_IDX1 = (_SYM1[:, 0] < 0) * 2 + (_SYM1[:, 1] < 0)


def encode(bits: np.ndarray) -> np.ndarray:
    """Encode message bits, shape (n,), into coded bits, shape (2 * (n + 6),), int8 0/1."""
    bits = np.concatenate([np.asarray(bits, dtype=np.int64), np.zeros(CONSTRAINT - 1, np.int64)])
    state = 0
    out = np.empty((len(bits), len(GENERATORS)), dtype=np.int8)
    for i, b in enumerate(bits):
        reg = (state << 1) | int(b)
        out[i] = [bin(reg & g).count("1") & 1 for g in GENERATORS]
        state = reg & _MASK
    return out.reshape(-1)


def viterbi(soft: np.ndarray, n_bits: int) -> np.ndarray:
    """Maximum-likelihood decoding of a terminated code.

    Parameters
    ----------
    soft : np.ndarray
        Soft values, shape (batch, 2 * (n_bits + 6)) or (2 * (n_bits + 6),);
        positive means coded bit 0.
    n_bits : int
        Number of message bits.

    Returns
    -------
    np.ndarray
        Decoded message bits, int8 0/1, shape (batch, n_bits) or (n_bits,).
    """
    soft = np.asarray(soft, dtype=np.float32)
    single = soft.ndim == 1
    y = soft.reshape(-1, n_bits + CONSTRAINT - 1, 2)
    batch, steps, _ = y.shape
    metric = np.full((batch, N_STATES), -1e30, np.float32)
    metric[:, 0] = 0.0
    choice = np.empty((steps, batch, N_STATES), dtype=bool)
    for t in range(steps):
        # the four possible branch metrics (+-y0 +-y1), gathered per arriving state
        bm = y[:, t] @ _PAIRS
        m0 = metric[:, _PRED0] + bm[:, _IDX0]
        m1 = metric[:, _PRED1] + bm[:, _IDX1]
        np.greater(m1, m0, out=choice[t])
        metric = np.maximum(m0, m1)
    state = np.zeros(batch, dtype=np.int64)  # terminated: the trellis ends in state 0
    out = np.empty((batch, steps), dtype=np.int8)
    rows = np.arange(batch)
    for t in range(steps - 1, -1, -1):
        out[:, t] = state & 1
        state = (state >> 1) | (choice[t, rows, state].astype(np.int64) << (CONSTRAINT - 2))
    out = out[:, :n_bits]
    return out[0] if single else out


def _crc(payload: int, mask: int) -> int:
    return (zlib.crc32(int(payload).to_bytes(4, "big")) ^ mask) & 0xFFFFFFFF


def pack_message(payload: int, mask: int) -> np.ndarray:
    """The 64 message bits (MSB first): 32-bit payload then its masked CRC-32."""
    word = (int(payload) << 32) | _crc(payload, mask)
    return np.array([(word >> (63 - i)) & 1 for i in range(64)], dtype=np.int8)


def unpack_message(bits: np.ndarray, mask: int) -> tuple[np.ndarray, np.ndarray]:
    """Payloads and CRC verdicts of decoded messages.

    Parameters
    ----------
    bits : np.ndarray
        Shape (batch, 64) or (64,), 0/1.
    mask : int
        The key's CRC mask.

    Returns
    -------
    payload : np.ndarray
        uint64 payloads, shape (batch,) (or a 0-d array).
    ok : np.ndarray
        bool, shape (batch,): the CRC checks.
    """
    b = np.asarray(bits, dtype=np.uint64).reshape(-1, 64)
    weights = np.uint64(1) << np.arange(31, -1, -1, dtype=np.uint64)
    payload = (b[:, :32] * weights).sum(axis=1)
    crc = (b[:, 32:] * weights).sum(axis=1)
    ok = np.array([_crc(int(p), mask) == int(c) for p, c in zip(payload, crc)], dtype=bool)
    if np.asarray(bits).ndim == 1:
        return payload[0], ok[0]
    return payload, ok
