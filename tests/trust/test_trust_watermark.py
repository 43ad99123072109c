"""Embedding and detection on arrays: payload, SNR, shapes, peaks, stems, rates, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal as ss
from trust_helpers import SAMPLE_RATE, TEST_KEY, TEST_PAYLOAD, render_song, sung_line

from troubadour.errors import InputError
from troubadour.trust import watermark


def snr_db(clean: np.ndarray, marked: np.ndarray) -> float:
    c, m = clean.astype(np.float64), marked.astype(np.float64)
    return 10 * np.log10(np.sum(c**2) / np.sum((m - c) ** 2))


def true_peak_db(x: np.ndarray) -> float:
    return 20 * np.log10(np.max(np.abs(ss.resample_poly(x, 4, 1, axis=-1))))


def test_payload_round_trip(marked_song):
    det = watermark.detect(marked_song, SAMPLE_RATE, key=TEST_KEY)
    assert det.detected and det.payload == TEST_PAYLOAD
    assert det.confidence > 1 - 1e-6 and det.false_positive_bound <= 1e-6
    assert det.speed == pytest.approx(1.0, abs=0.003)


def test_snr_and_peak(song, marked_song):
    assert snr_db(song, marked_song) >= 35.0
    assert true_peak_db(marked_song) - true_peak_db(song) <= 0.25   # dB: the limiter's ceiling survives


def test_snr_on_other_material():
    rng = np.random.default_rng(0)
    t = np.arange(20 * SAMPLE_RATE) / SAMPLE_RATE
    cases = {
        "vocal stem": sung_line(20.0, seed=1)[None, :],
        "white noise": rng.normal(0, 0.1, (2, t.size)).astype(np.float32),
        "sine": (0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)[None, :],
        "8 channels": rng.normal(0, 0.05, (8, t.size)).astype(np.float32),
    }
    for name, x in cases.items():
        y = watermark.embed(x, SAMPLE_RATE, payload=1, key=TEST_KEY)
        assert y.shape == x.shape and y.dtype == np.float32, name
        assert snr_db(x, y) >= 35.0, name


def test_shapes_silence_and_short_input():
    mono = np.zeros(SAMPLE_RATE * 3, np.float32)
    assert np.array_equal(watermark.embed(mono, SAMPLE_RATE, payload=5, key=TEST_KEY), mono)   # silence: no mark
    short = np.full((2, 1000), 0.1, np.float32)
    out = watermark.embed(short, SAMPLE_RATE, payload=5, key=TEST_KEY)
    assert out.shape == short.shape and np.array_equal(out, short)                      # < one cell
    det = watermark.detect(mono, SAMPLE_RATE, key=TEST_KEY)
    assert not det.detected and det.payload is None


def test_streaming_equals_in_memory(song):
    x = song[:, : SAMPLE_RATE * 30]
    whole = watermark.embed(x, SAMPLE_RATE, payload=99, key=TEST_KEY)
    marker = watermark.StreamingEmbedder(SAMPLE_RATE, 2, payload=99, key=TEST_KEY)
    sizes = np.random.default_rng(4).integers(500, 200_000, 100)
    bounds = np.minimum(np.cumsum(np.concatenate([[0], sizes])), x.shape[1])
    parts = [marker.push(x[:, a:b]) for a, b in zip(bounds[:-1], bounds[1:]) if b > a] + [marker.finish()]
    streamed = np.concatenate(parts, axis=1)
    assert streamed.shape == x.shape
    assert np.max(np.abs(streamed - whole)) < 1e-6


def test_wrong_key_and_no_speed_search(marked_song):
    assert not watermark.detect(marked_song, SAMPLE_RATE, key=b"another key").detected
    det = watermark.detect(marked_song[:, : SAMPLE_RATE * 21], SAMPLE_RATE, key=TEST_KEY, search_speed=False)
    assert det.detected and det.payload == TEST_PAYLOAD


def test_sparse_vocal_stem():
    """A stem with rests and silences: marked -> found; unmarked -> never a false positive."""
    vocal = sung_line(30.0, seed=7)
    vocal[SAMPLE_RATE * 10 : SAMPLE_RATE * 14] = 0.0                    # a silent bar
    marked = watermark.embed(vocal, SAMPLE_RATE, payload=0xC0FFEE, key=TEST_KEY)
    det = watermark.detect(marked, SAMPLE_RATE, key=TEST_KEY)
    assert det.detected and det.payload == 0xC0FFEE
    assert not watermark.detect(vocal, SAMPLE_RATE, key=TEST_KEY).detected


@pytest.mark.parametrize("rate", [8000, 22050, 48000, 96000])
def test_other_sample_rates(rate):
    x = render_song(22.0, seed=11)
    x = ss.resample_poly(x, rate, SAMPLE_RATE, axis=-1).astype(np.float32)
    y = watermark.embed(x, rate, payload=0xABCD1234, key=TEST_KEY)
    assert snr_db(x, y) >= 35.0
    det = watermark.detect(y, rate, key=TEST_KEY)
    assert det.detected and det.payload == 0xABCD1234


@pytest.mark.parametrize(
    "kwargs",
    [
        {"payload": -1},
        {"payload": 2**32},
        {"key": b""},
        {"snr_db": 20.0},
    ],
)
def test_bad_arguments_raise_input_error(kwargs):
    args = {"payload": 1, "key": TEST_KEY, **kwargs}
    with pytest.raises(InputError):
        watermark.embed(np.zeros((1, 44100), np.float32), SAMPLE_RATE, **args)


def test_bad_audio_raises_input_error():
    with pytest.raises(InputError):
        watermark.embed(np.full((1, 44100), np.nan, np.float32), SAMPLE_RATE, payload=1, key=TEST_KEY)
    with pytest.raises(InputError):
        watermark.embed(np.zeros((1, 2, 3), np.float32), SAMPLE_RATE, payload=1, key=TEST_KEY)
    with pytest.raises(InputError):
        watermark.embed(np.zeros((1, 4000), np.float32), 4000, payload=1, key=TEST_KEY)
    with pytest.raises(InputError):
        watermark.detect([0.0, 1.0], SAMPLE_RATE, key=TEST_KEY)
