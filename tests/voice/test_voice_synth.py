"""The source-filter synthesiser: levels follow the envelope, pulses follow F0, chunks join."""

from __future__ import annotations

import numpy as np
import pytest

from troubadour.voice.synth import SynthGrid, pulse_times, remove_dc, synthesize


@pytest.mark.parametrize("ap", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("f0", [110.0, 330.0])
def test_voice_output_power_equals_the_envelope(ap, f0):
    grid = SynthGrid.for_rate(44100)
    frames = 400
    log_sp = np.full((frames, grid.bins), np.log(1e-4))
    audio = synthesize(np.full(frames, f0), (log_sp, np.full((frames, grid.bins), ap)), grid,
                       np.random.default_rng(0))
    assert audio.shape == (frames * grid.hop,) and audio.dtype == np.float32
    assert audio[4000:-4000].var() == pytest.approx(1e-4, rel=0.1)


def test_voice_pulses_follow_f0_and_stop_when_unvoiced():
    grid = SynthGrid.for_rate(44100)
    f0 = np.concatenate([np.full(172, 200.0), np.zeros(86), np.full(172, 100.0)])
    pulses = pulse_times(f0, grid) / grid.sample_rate
    first = pulses[pulses < 172 * grid.frame_period_s]
    assert len(first) == pytest.approx(200 * 172 * grid.frame_period_s, abs=2)
    gap = (pulses > 173 * grid.frame_period_s) & (pulses < 257 * grid.frame_period_s)
    assert not gap.any()
    assert np.median(np.diff(pulses[pulses > 260 * grid.frame_period_s])) == pytest.approx(0.01, rel=0.01)


def test_voice_chunks_join_without_level_jumps():
    grid = SynthGrid.for_rate(22050)
    frames = 1000
    log_sp = np.full((frames, grid.bins), np.log(1e-4))
    ap = np.full((frames, grid.bins), 0.1)
    audio = synthesize(np.full(frames, 150.0), (log_sp, ap), grid, np.random.default_rng(0), chunk_frames=97)
    blocks = audio[grid.n_fft : -grid.n_fft]
    blocks = blocks[: len(blocks) // 1024 * 1024].reshape(-1, 1024)
    rms = np.sqrt((blocks**2).mean(axis=1))
    assert rms.max() / rms.min() < 1.2


@pytest.mark.parametrize("f0", [82.4, 110.0, 440.0])
def test_voice_dc_removal_keeps_the_lowest_fundamentals(f0):
    """The DC remover takes the offset out and leaves a bass voice's fundamental (E2 and up) alone."""
    rate = 44100
    t = np.arange(2 * rate) / rate
    tone = (0.2 + 0.5 * np.sin(2 * np.pi * f0 * t)).astype(np.float32)
    out = remove_dc(tone, rate)[rate // 2 : -rate // 2]
    assert abs(out.mean()) < 0.01 * 0.2  # the offset is gone (the window holds a fraction of a period)
    assert 20 * np.log10(out.std() / (0.5 / np.sqrt(2))) == pytest.approx(0.0, abs=0.2)
