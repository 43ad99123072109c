"""Shared test helpers: synthetic audio and small songs (no fixtures from the network)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

from troubadour.pipeline import create_song


def pytest_configure(config):
    """One numba cache folder per pytest-xdist worker.

    librosa's numba functions are compiled once and cached on disk; two
    workers writing the same numba cache at once can segfault (numba issues
    #4807 and #10128; reproduced here with two fresh processes).
    """
    worker = getattr(config, "workerinput", {}).get("workerid", "main")
    folder = str(Path(__file__).resolve().parent.parent / ".cache" / "numba" / worker)
    os.environ["NUMBA_CACHE_DIR"] = folder
    numba_config = sys.modules.get("numba.core.config")
    if numba_config is not None:  # imported already: its settings were read at import
        numba_config.CACHE_DIR = folder


@pytest.fixture(scope="session", autouse=True)
def _private_folders(tmp_path_factory):
    """Keys, certificates and caches live in temporary folders, never in the real home."""
    for name in ("TROUBADOUR_CONFIG_DIR", "TROUBADOUR_CACHE_DIR"):
        os.environ.setdefault(name, str(tmp_path_factory.mktemp(name.lower())))
    yield


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


def sine(freq_hz: float, seconds: float, sample_rate: int = 44100, amplitude: float = 0.5) -> np.ndarray:
    """A mono sine as float32 of shape (1, samples)."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    return (amplitude * np.sin(2 * np.pi * freq_hz * t)).astype(np.float32)[None, :]


LYRICS = """[Verse]
I walked down to the river town
Where the water runs slow and brown

[Chorus]
Oh river, carry me home (carry me home)
Down the valley all alone
"""


@pytest.fixture(scope="session")
def lyric_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("lyrics") / "river.txt"
    path.write_text(LYRICS, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def short_song(lyric_file):
    """A ~20 s song from the user's lyrics (no instrumental padding)."""
    return create_song("a folk song about a river town", seed=3, lyrics_path=lyric_file, genre="country", min_seconds=0)


@pytest.fixture(scope="session")
def full_song():
    return create_song("a gritty country song about walking my own walk, rugged baritone, mid-tempo", seed=7)
