"""Loudness, true peak, the limiter, the master chain and the stem mix, against independent meters."""

import numpy as np
import pytest
from scipy.signal import resample_poly

from troubadour.mix.loudness import integrated_lufs, measure_pyloudnorm, true_peak_dbtp
from troubadour.mix.master import limiter_envelope, master
from troubadour.mix.mixer import active_rms_db, pan_gains, process_stem
from troubadour.render.session import MixBus
from troubadour.song import PartMix

SR = 44100


def _music_like(seconds: float, seed: int, level: float = 0.1) -> np.ndarray:
    """Pink-ish noise bed with drum-like transients and a bass sine: hard for a limiter."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    white = rng.standard_normal((2, n))
    pink = np.cumsum(white, axis=1)
    pink -= np.convolve(pink[0], np.ones(64) / 64, mode="same")[None, :]
    pink = pink / np.abs(pink).max() * level
    t = np.arange(n) / SR
    bass = 0.3 * level * np.sin(2 * np.pi * 55 * t)
    hits = np.zeros(n)
    for k in range(0, n - 2000, int(0.5 * SR)):
        hits[k: k + 2000] += np.exp(-np.arange(2000) / 300) * rng.uniform(0.5, 1.0)
    return (pink + bass + hits * level * 6).astype(np.float32)


@pytest.mark.parametrize("sample_rate", [44100, 48000])
def test_our_meter_agrees_with_pyloudnorm(sample_rate):
    audio = _music_like(20, 1)
    ours = integrated_lufs(audio, sample_rate)
    theirs = measure_pyloudnorm(audio, sample_rate)
    assert abs(ours - theirs) < 0.1, (ours, theirs)


def test_silence_has_no_loudness():
    assert integrated_lufs(np.zeros((2, SR * 3), np.float32), SR) == float("-inf")


def test_true_peak_matches_polyphase_oversampling():
    t = np.arange(SR) / SR
    # A sine at fs/4 sampled off its peaks: sample peak 3 dB under the true peak.
    sine = (0.5 * np.sin(2 * np.pi * (SR / 4) * t + np.pi / 4))[None, :].astype(np.float32)
    assert abs(true_peak_dbtp(sine) - 20 * np.log10(0.5)) < 0.2
    audio = _music_like(10, 2)
    reference = 20 * np.log10(np.abs(resample_poly(audio, 4, 1, axis=-1)).max())
    assert abs(true_peak_dbtp(audio) - reference) < 0.15


@pytest.mark.parametrize("cycles_per_sample", [1 / 4, 3 / 8, 7 / 16])
def test_true_peak_reads_high_frequencies_in_full(cycles_per_sample):
    # Cymbals put energy near 20 kHz, where a short interpolator reads peaks low and the
    # limiter lets them through (a master read -1.25 dBTP that was -0.66). Crests fall half
    # way between samples, so only the interpolation can find them.
    n = np.arange(SR)
    sine = 0.5 * np.cos(2 * np.pi * cycles_per_sample * (n - 0.5))
    ramp = np.minimum(1.0, np.minimum(n, n[::-1]) / 2000)  # no edge ringing
    audio = (sine * ramp)[None, :].astype(np.float32)
    assert abs(true_peak_dbtp(audio) - 20 * np.log10(0.5)) < 0.1


def test_limiter_gain_keeps_every_peak_under_the_ceiling():
    rng = np.random.default_rng(3)
    peaks = np.abs(rng.standard_normal(SR * 5)).astype(np.float32) * 0.3
    peaks[rng.integers(0, peaks.size, 50)] = 3.0
    gain = limiter_envelope(peaks, 0.8, SR)
    assert np.all(gain * peaks <= 0.8 * (1 + 1e-5))
    assert np.all(gain <= 1.0) and np.all(gain > 0)
    # Smooth: no step larger than 1 dB between neighbouring samples.
    assert np.abs(np.diff(20 * np.log10(gain))).max() < 1.0


@pytest.mark.parametrize("level,seed", [(0.01, 4), (0.1, 5), (0.6, 6)])
def test_master_meets_the_streaming_spec(level, seed):
    """-14 LUFS ±0.5 by pyloudnorm and true peak <= -1 dBTP by 4x polyphase oversampling, from quiet or hot mixes."""
    result = master(_music_like(30, seed, level), SR)
    lufs = measure_pyloudnorm(result.audio, SR)
    peak = 20 * np.log10(np.abs(resample_poly(result.audio, 4, 1, axis=-1)).max())
    assert abs(lufs + 14.0) <= 0.5, lufs
    assert peak <= -1.0, peak
    assert result.audio.dtype == np.float32 and result.audio.shape == (2, 30 * SR)


def test_master_of_silence_is_silence():
    result = master(np.zeros((2, SR * 5), np.float32), SR)
    assert np.all(result.audio == 0)


def test_pan_law_is_constant_power():
    for pan in np.linspace(-1, 1, 9):
        left, right = pan_gains(pan)
        assert abs(left ** 2 + right ** 2 - 1.0) < 1e-9
    assert pan_gains(-1)[1] < 1e-9 and pan_gains(1)[0] < 1e-9


def test_stems_are_levelled_then_faded_and_sum_to_the_mix():
    t = np.arange(SR * 4) / SR
    quiet = (0.01 * np.sin(2 * np.pi * 220 * t))[None, :].astype(np.float32)
    loud = np.vstack([0.5 * np.sin(2 * np.pi * 330 * t)] * 2).astype(np.float32)
    a = process_stem(quiet, SR, PartMix(gain_db=0.0, reverb=0.0, compress=False), kind="vocal")
    b = process_stem(loud, SR, PartMix(gain_db=-6.0, reverb=0.0, compress=False, pan=0.5), kind="instrument")
    # Levelled to the same reference before the fader: 6 dB apart after it (within EQ colouring).
    assert abs((active_rms_db(a, SR) - active_rms_db(b, SR)) - 6.0) < 1.5
    assert active_rms_db(b[1:], SR) > active_rms_db(b[:1], SR) + 3  # panned right
    import threading

    bus = MixBus(a.shape[1])
    late = threading.Thread(target=bus.add, args=(1, "b", b))
    late.start()  # finishes first, waits for its turn: the sum is in index order, so repeatable
    bus.add(0, "a", a)
    late.join()
    assert np.array_equal(bus.mix(), (np.zeros_like(a) + a) + b)


def test_muted_and_silent_stems_are_silent():
    noise = np.random.default_rng(0).standard_normal((2, SR)).astype(np.float32)
    assert not process_stem(noise, SR, PartMix(mute=True), kind="instrument").any()
    assert not process_stem(np.zeros((1, SR), np.float32), SR, PartMix(), kind="vocal").any()
