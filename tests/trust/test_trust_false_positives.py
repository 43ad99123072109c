"""False positives: zero on unmarked material, and a 10,000-trial wrong-key experiment.

Why the rate is tiny (docs/trust.md has the full argument): a detection needs a
64-bit decoded word whose last 32 bits are the key-masked CRC-32 of the first 32.
Without the key's mark, the key's scrambler makes the decoded word uniformly
random, so each decode attempt passes with probability 2**-32; a file gets at
most 3 attempts per 20 s window plus one pooled attempt per window.
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
import scipy.fft as sfft
from trust_helpers import SAMPLE_RATE, TEST_KEY, TEST_PAYLOAD, sung_line

from troubadour.trust import ecc, grid, watermark
from troubadour.trust.sync import SyncPattern, Warp, WindowAnalysis, power_spectrogram

N_TRIALS = 10_000


def _speech(seconds: float) -> np.ndarray:
    """Real synthetic speech from flite when installed, else the sung line."""
    if shutil.which("flite"):
        text = "The committee will meet again on Tuesday to review the budget and the new schedule. " * 3
        out = subprocess.run(["flite", "-voice", "slt", "-t", text, "-o", "/dev/stdout"], capture_output=True, check=False)
        if out.returncode == 0 and len(out.stdout) > 44:
            import io

            import soundfile as sf

            x, rate = sf.read(io.BytesIO(out.stdout), dtype="float32")
            import scipy.signal as ss

            x = ss.resample_poly(x, SAMPLE_RATE, rate).astype(np.float32)
            return np.tile(x, int(np.ceil(seconds * SAMPLE_RATE / len(x))))[: int(seconds * SAMPLE_RATE)]
    return sung_line(seconds, seed=5)


def _unmarked_material(song: np.ndarray) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    n = 25 * SAMPLE_RATE
    t = np.arange(n) / SAMPLE_RATE
    white = rng.normal(0, 0.1, n)
    pink = np.cumsum(rng.normal(0, 0.01, n))
    pink -= np.convolve(pink, np.ones(64) / 64, mode="same")
    return {
        "music": song,
        "speech": _speech(25.0),
        "white noise": white.astype(np.float32),
        "pink noise": pink.astype(np.float32),
        "sine 440 Hz": (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32),
        "chirp": (0.5 * np.sin(2 * np.pi * (100 * t + 80 * t**2))).astype(np.float32),
        "silence": np.zeros(n, np.float32),
    }


def test_unmarked_material_is_never_detected(song):
    keys = {"test": TEST_KEY, "public": b"troubadour/watermark/public/v1"}
    for name, audio in _unmarked_material(song).items():
        det = watermark.detect(audio, SAMPLE_RATE, key=keys)
        assert not det.detected, name
        assert det.payload is None and det.confidence == 0.0
        assert det.false_positive_bound <= 1e-6, name


def _templates(layouts: list[grid.Layout]) -> tuple[np.ndarray, np.ndarray]:
    """Conjugate spectra of the sync chips and sync positions of many keys, shape (keys, bins, N_PAIRS)."""
    chips = np.zeros((len(layouts), grid.FRAMES_PER_BLOCK, grid.N_PAIRS))
    ones = np.zeros_like(chips)
    for i, lay in enumerate(layouts):
        q, p = np.divmod(lay.sync_cells, grid.N_PAIRS)
        chips[i, q * grid.FRAMES_PER_CELL, p] = lay.chip[q, p]
        ones[i, q * grid.FRAMES_PER_CELL, p] = 1.0
    return np.conj(sfft.rfft(chips, axis=1)), np.conj(sfft.rfft(ones, axis=1))


def test_ten_thousand_wrong_keys(song, marked_song):
    """10,000 (window, key) trials at three speed hypotheses each: no CRC ever checks.

    Also checks Hoeffding's bound on the sync score over all ~26 million alignments tried:
    P(z >= t) <= exp(-t^2 / 2) for audio that does not carry the key's mark. (Batched over
    keys -- the same arithmetic as :meth:`SyncPattern.scores`, vectorised.)
    """
    material = _unmarked_material(song)
    sources = [marked_song, song, material["speech"], material["white noise"], material["sine 440 Hz"]]
    warps = [Warp(1.0, 1.0, 1.0, True), Warp(1.03, 1 / 1.03, 1.03, True), Warp(0.95, 1 / 0.95, 1.0, False)]
    folded = []
    for audio in sources:
        analysis = WindowAnalysis(power_spectrogram(np.atleast_2d(audio).mean(axis=0)[: 20 * SAMPLE_RATE], SAMPLE_RATE))
        folded += [analysis.folded(w) for w in warps]
    spectra = [(sfft.rfft(f, axis=0), sfft.rfft(f * f, axis=0)) for f in folded]
    n_keys = N_TRIALS // len(sources)
    soft, masks, exceed, z_max = [], [], {3.0: 0, 4.0: 0, 5.0: 0}, 0.0
    for start in range(0, n_keys, 250):
        layouts = [grid.layout(b"wrong key %d" % k) for k in range(start, min(start + 250, n_keys))]
        chips_f, ones_f = _templates(layouts)
        for f, (spec, spec2) in zip(folded, spectra):
            num = sfft.irfft((chips_f * spec).sum(axis=2), n=grid.FRAMES_PER_BLOCK, axis=1)
            den = sfft.irfft((ones_f * spec2).sum(axis=2), n=grid.FRAMES_PER_BLOCK, axis=1)
            z = num / np.sqrt(np.maximum(den, 1e-9))                     # (keys, offsets)
            for t in exceed:
                exceed[t] += int(np.sum(z >= t))
            z_max = max(z_max, float(z.max()))
            for lay, r0 in zip(layouts, np.argmax(z, axis=1)):
                soft.append(SyncPattern.payload_soft_for(lay, f, int(r0)))
                masks.append(lay.crc_mask)
    bits = ecc.viterbi(np.array(soft), grid.MESSAGE_BITS)
    passed = sum(bool(ecc.unpack_message(b, m)[1]) for b, m in zip(bits, masks))
    alignments = n_keys * len(folded) * grid.FRAMES_PER_BLOCK
    assert n_keys * len(sources) >= N_TRIALS
    assert passed == 0, f"{passed} false detections in {len(soft)} decodes"
    assert np.mean(bits) == pytest.approx(0.5, abs=0.01)          # decoded words look uniform
    for t, count in exceed.items():
        assert count / alignments <= np.exp(-t * t / 2), t
    assert z_max < 7.0
    # The same machinery finds the right key in the marked window (the test can fail).
    pattern = SyncPattern(grid.layout(TEST_KEY))
    z = pattern.scores(folded[0])
    payload, ok = ecc.unpack_message(ecc.viterbi(pattern.payload_soft(folded[0], int(np.argmax(z))), 64), pattern.layout.crc_mask)
    assert ok and payload == TEST_PAYLOAD and z.max() > 7.0


def test_false_positive_bound_per_file():
    """The reported bound is attempts x 2**-32 and stays <= 1e-6 even for a 2-hour file's 24 windows."""
    detector = watermark.Detector({"a": b"k1"})
    rng = np.random.default_rng(3)
    for _ in range(4):
        detector.add_window(rng.random((watermark.WINDOW_FRAMES, grid.DETECT_FFT // 2 + 1)) + 1.0)
    res = detector.result()
    assert not res.detected and res.attempts <= 4 * (watermark.CANDIDATES_PER_WINDOW + 1)
    assert res.false_positive_bound == pytest.approx(max(res.attempts, 1) * 2.0**-32)
    worst_case_2h = 24 * (watermark.CANDIDATES_PER_WINDOW + 1) * 2.0**-32
    assert worst_case_2h <= 1e-6
