"""Shared test helpers: synthetic audio and small songs (no fixtures from the network)."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


def sine(freq_hz: float, seconds: float, sample_rate: int = 44100, amplitude: float = 0.5) -> np.ndarray:
    """A mono sine as float32 of shape (1, samples)."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    return (amplitude * np.sin(2 * np.pi * freq_hz * t)).astype(np.float32)[None, :]
