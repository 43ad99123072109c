"""Watermark detection: search a window for the keyed sync, decode the payload, pool windows.

A :class:`Detector` is fed 20 s windows of detection-grid power spectrogram (see
:mod:`troubadour.trust.sync`), one after another or sampled from a long file.
Every window is searched on its own (101 speed hypotheses x 864 block offsets,
then up to 3 decodes); the windows also add up into one whole-file sync whose
pooled payload is decoded once per window. A detection needs a CRC-32 that
checks, so each decode attempt is a false positive with probability 2**-32
whatever the audio (``docs/trust.md``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from troubadour.errors import InputError
from troubadour.trust import ecc, grid
from troubadour.trust.sync import SyncPattern, Warp, WindowAnalysis, warps

WINDOW_FRAMES = 2 * grid.FRAMES_PER_BLOCK     # 20.06 s
MIN_WINDOW_FRAMES = grid.FRAMES_PER_BLOCK // 4
ATTEMPT_Z = 3.5          # decode only alignments whose sync z reaches this
CANDIDATES_PER_WINDOW = 3
REFINE_SHIFTS = (0.25, 0.5, 0.75)


@dataclass
class Detection:
    """What :func:`detect` found.

    Attributes
    ----------
    detected : bool
        A payload with a valid CRC was decoded.
    payload : int | None
        The 32-bit payload, or None.
    confidence : float
        ``1 - false_positive_bound`` when detected, else 0.
    false_positive_bound : float
        Upper bound on the probability that an unmarked file produces a
        detection this way: decode attempts x 2**-32.
    sync_z : float
        Best sync score seen (unmarked audio stays under ~5.5; marks score 8-15).
    speed : float | None
        Playback speed the mark was found at (1.03 = 3 % faster).
    pitch_shifted : bool | None
        False when the speed change kept the pitch (a time-stretch).
    offset_s : float | None
        Time in the input where a watermark block starts.
    windows : int
        20 s windows analysed.
    attempts : int
        Payload decodes tried.
    coded_bit_errors : int | None
        Raw coded bits that disagreed with the decoded message (of 140): the
        margin left (the code corrects about 20).
    key_name : str | None
        Which of the searched keys matched.
    extra : dict
        Notes from the caller (e.g. how a long file was sampled).
    """

    detected: bool = False
    payload: int | None = None
    confidence: float = 0.0
    false_positive_bound: float = 0.0
    sync_z: float = 0.0
    speed: float | None = None
    pitch_shifted: bool | None = None
    offset_s: float | None = None
    windows: int = 0
    attempts: int = 0
    coded_bit_errors: int | None = None
    key_name: str | None = None
    extra: dict = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("extra")
        return d


class Detector:
    """Incremental detector: feed it detection-grid power windows, ask for the verdict.

    Each window is searched on its own (speed, offset, decode). Windows also
    vote together: their sync correlations, aligned on the file's timeline for
    each speed hypothesis, add up to one whole-file sync (``z`` grows like the
    square root of the duration), and the payload is decoded from all windows
    pooled at the best whole-file alignment. That is what finds marks in quiet
    or sparse stems where no single 20 s window is sure.

    Parameters
    ----------
    keys : dict[str, bytes]
        Named keys to look for (e.g. ``{"public": ..., "mine": ...}``).
    search_speed : bool
        Search +-5 % speed and tempo changes (else only the nominal speed).
    """

    def __init__(self, keys: dict[str, bytes], *, search_speed: bool = True) -> None:
        if not keys:
            raise InputError("at least one watermark key is needed")
        self.patterns = {name: SyncPattern(grid.layout(bytes(k))) for name, k in keys.items()}
        self.warps = warps(search_speed)
        self.windows = 0
        self.attempts = 0
        self.best_z = 0.0
        self.found: Detection | None = None
        self._records: list[tuple[float, WindowAnalysis]] = []
        # running whole-file sync numerators/denominators, aligned on the file's nominal timeline
        self._totals = {name: np.zeros((len(self.warps), 2, grid.FRAMES_PER_BLOCK)) for name in keys}
        self._pooled_at = 0                               # windows in the last pooled decode
        self._frames_seen = 0.0

    def add_window(self, power: np.ndarray, first_frame: float | None = None) -> Detection | None:
        """Analyse one window (shape (frames, bins)); returns the detection once one is found.

        ``first_frame`` is the window's position in the file (detection frames);
        by default windows are taken to follow each other without gaps.
        """
        first = self._frames_seen if first_frame is None else float(first_frame)
        self._frames_seen = first + len(power)
        if self.found is not None or len(power) < MIN_WINDOW_FRAMES:
            return self.found
        analysis = WindowAnalysis(power)
        if not analysis.active:
            return None
        self.windows += 1
        parts = {name: np.empty((len(self.warps), 2, grid.FRAMES_PER_BLOCK)) for name in self.patterns}
        for w, warp in enumerate(self.warps):
            folded = analysis.folded(warp)
            for name, pattern in self.patterns.items():
                parts[name][w] = pattern.parts(folded)
                # local block offset r sits at file-nominal frame first / time_scale + r
                phase = int(round(first / warp.time_scale)) % grid.FRAMES_PER_BLOCK
                self._totals[name][w] += np.roll(parts[name][w], phase, axis=1)
        analysis.release()                               # keep only the small cell statistics
        self._records.append((first, analysis))
        for name, pattern in self.patterns.items():
            z = parts[name][:, 0] / np.sqrt(np.maximum(parts[name][:, 1], 1e-9))
            best = np.argmax(z, axis=1)
            ranked = _distinct(sorted(((float(z[w, r]), self.warps[w], int(r)) for w, r in enumerate(best)), key=lambda c: -c[0]))
            self.best_z = max(self.best_z, ranked[0][0] if ranked else 0.0)
            for z0, warp, r0 in ranked[:CANDIDATES_PER_WINDOW]:
                if z0 < ATTEMPT_Z:
                    break
                z0, shift, r0 = _refine(analysis, pattern, warp, r0, z0)
                hit = self._decode(pattern.payload_soft(analysis.folded(warp, shift), r0), pattern.layout)
                if hit is not None:
                    self.found = self._verdict(hit, z0, warp, first + shift + r0 * warp.time_scale, name)
                    return self.found
        # Pooled decodes after 2, 3, 4, 6, 8, 12, 16 ... windows (and at the end): bounded work and attempts.
        n = len(self._records)
        if n >= 2 and (n & (n - 1) == 0 or n % 3 == 0 and (n // 3) & (n // 3 - 1) == 0):
            self._pool_all()
        return self.found

    def _pool_all(self) -> None:
        self._pooled_at = len(self._records)
        for name, pattern in self.patterns.items():
            if self.found is None and self._whole_file(name, pattern):
                return

    def _whole_file(self, name: str, pattern: SyncPattern) -> bool:
        """Sync over all windows so far, per speed, then one decode of the pooled payload."""
        period = grid.FRAMES_PER_BLOCK
        total = self._totals[name]
        z = total[:, 0] / np.sqrt(np.maximum(total[:, 1], 1e-9))
        w, big_r = np.unravel_index(int(np.argmax(z)), z.shape)
        z_all, warp = float(z[w, big_r]), self.warps[w]
        self.best_z = max(self.best_z, z_all)
        if z_all < ATTEMPT_Z:
            return False
        soft = np.zeros(grid.CODED_BITS)
        for first, analysis in self._records:
            local = (big_r - first / warp.time_scale) % period
            r = int(np.floor(local))
            shift = round((local - r) * 4) / 4                  # quarter frames: cached resampling maps
            if shift >= 1.0:
                r, shift = (r + 1) % period, 0.0
            soft += pattern.payload_soft(analysis.folded(warp, shift * warp.time_scale), r)
        hit = self._decode(soft, pattern.layout)
        if hit is None:
            return False
        first = self._records[0][0]
        offset = first + ((big_r - first / warp.time_scale) % period) * warp.time_scale
        self.found = self._verdict(hit, z_all, warp, offset, name)
        return True

    def _decode(self, soft: np.ndarray, lay: grid.Layout) -> tuple[int, int] | None:
        self.attempts += 1
        bits = ecc.viterbi(soft, grid.MESSAGE_BITS)
        payload, ok = ecc.unpack_message(bits, lay.crc_mask)
        if not ok:
            return None
        recoded = ecc.encode(bits)
        errors = int(np.sum((soft < 0) != (recoded == 1)))
        return int(payload), errors

    def _verdict(self, hit: tuple[int, int], z: float, warp: Warp, offset_frames: float | None, name: str) -> Detection:
        bound = self.fp_bound()
        return Detection(
            detected=True,
            payload=hit[0],
            confidence=1.0 - bound,
            false_positive_bound=bound,
            sync_z=round(max(z, self.best_z), 3),
            speed=round(warp.speed, 4),
            pitch_shifted=warp.pitch_shifted if warp.speed != 1.0 else None,
            offset_s=None if offset_frames is None else round(offset_frames * grid.DETECT_HOP / grid.DETECT_RATE, 3),
            windows=self.windows,
            attempts=self.attempts,
            coded_bit_errors=hit[1],
            key_name=name,
        )

    def fp_bound(self) -> float:
        """Union bound on a false detection so far: each decode passes the CRC with probability 2**-32."""
        return float(min(1.0, max(self.attempts, 1) * 2.0**-32))

    def result(self) -> Detection:
        """The detection, or a negative verdict with the search statistics (pools all windows once more)."""
        if self.found is None and len(self._records) >= 2 and self._pooled_at < len(self._records):
            self._pool_all()
        if self.found is not None:
            return self.found
        return Detection(
            detected=False,
            sync_z=round(self.best_z, 3),
            windows=self.windows,
            attempts=self.attempts,
            false_positive_bound=self.fp_bound(),
        )


def _refine(analysis: WindowAnalysis, pattern: SyncPattern, warp: Warp, r0: int, z: float) -> tuple[float, float, int]:
    """Sub-frame alignment: a crop rarely starts on the 11.6 ms frame grid."""
    best = (z, 0.0, r0)
    for shift in REFINE_SHIFTS:
        scores = pattern.scores(analysis.folded(warp, shift))
        for r in (r0 - 1, r0):
            r %= grid.FRAMES_PER_BLOCK
            if scores[r] > best[0]:
                best = (float(scores[r]), shift, r)
    return best


def _distinct(ranked: list[tuple[float, Warp, int]]) -> list[tuple[float, Warp, int]]:
    """Drop candidates that are the same alignment as a better one (near offset and speed)."""
    out: list[tuple[float, Warp, int]] = []
    for cand in ranked:
        _, warp, r0 = cand
        near = any(
            abs(warp.speed - w.speed) < 0.007
            and warp.pitch_shifted == w.pitch_shifted
            and min(abs(r0 - r), grid.FRAMES_PER_BLOCK - abs(r0 - r)) <= 4
            for _, w, r in out
        )
        if not near:
            out.append(cand)
        if len(out) >= CANDIDATES_PER_WINDOW:
            break
    return out


def detection_windows(n_frames: int) -> list[tuple[int, int]]:
    """Split a spectrogram of ``n_frames`` into ~20 s windows, the last absorbing a short tail."""
    if n_frames <= WINDOW_FRAMES + WINDOW_FRAMES // 2:
        return [(0, n_frames)]
    bounds = list(range(0, n_frames, WINDOW_FRAMES))
    if n_frames - bounds[-1] < WINDOW_FRAMES // 2:
        bounds.pop()
    return [(b, bounds[i + 1] if i + 1 < len(bounds) else n_frames) for i, b in enumerate(bounds)]
