"""Fixtures for trust-mark tests: a short rendered song, its watermarked version, and a
private config folder so no test touches the real home."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from trust_helpers import SAMPLE_RATE, TEST_KEY, TEST_PAYLOAD, render_song


@pytest.fixture(autouse=True)
def trust_config(tmp_path, monkeypatch) -> Path:
    """Every test gets its own config folder (keys, certificates) and no inherited keys."""
    folder = tmp_path / "config"
    monkeypatch.setenv("TROUBADOUR_CONFIG_DIR", str(folder))
    for name in ("TROUBADOUR_WATERMARK_KEY", "TROUBADOUR_C2PA_CERT", "TROUBADOUR_C2PA_KEY",
                 "TROUBADOUR_C2PA_ALG", "TROUBADOUR_C2PA_TRUST_ANCHORS"):
        monkeypatch.delenv(name, raising=False)
    return folder


@pytest.fixture(scope="session")
def song() -> np.ndarray:
    """A 45 s unmarked song, shape (2, samples), 44.1 kHz."""
    return render_song(45.0, seed=3)


@pytest.fixture(scope="session")
def marked_song(song) -> np.ndarray:
    from troubadour.trust import watermark

    return watermark.embed(song, SAMPLE_RATE, payload=TEST_PAYLOAD, key=TEST_KEY)


@pytest.fixture(scope="session")
def marked_wav(marked_song, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("marked") / "master.wav"
    sf.write(path, marked_song.T, SAMPLE_RATE, subtype="PCM_16")
    return path


@pytest.fixture(scope="session")
def unmarked_wav(song, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("unmarked") / "song.wav"
    sf.write(path, song.T, SAMPLE_RATE, subtype="PCM_16")
    return path
