"""Every attack of issue 6, made with the real tools (ffmpeg, sox) or numpy, on a marked song.

Each attacked file is read the way ``troubadour verify`` reads files (ffmpeg decode, streamed),
and the decoded payload must equal the embedded one bit for bit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from trust_helpers import TEST_KEY, TEST_PAYLOAD, needs_tools, run_tool

from troubadour.trust.verify import detect_file

pytestmark = needs_tools("ffmpeg", "sox")


def _noise(src: Path, dst: Path) -> None:
    x, rate = sf.read(src, dtype="float32")
    power = float(np.mean(x.astype(np.float64) ** 2))
    noisy = x + np.random.default_rng(20).normal(0, np.sqrt(power / 10**2), x.shape)   # 20 dB SNR
    sf.write(dst, noisy.astype(np.float32), rate, subtype="FLOAT")


ATTACKS = {
    "master_wav": None,
    "mp3_128k": lambda s, d: run_tool("ffmpeg", "-y", "-v", "error", "-i", s, "-c:a", "libmp3lame", "-b:a", "128k", d),
    "aac_128k": lambda s, d: run_tool("ffmpeg", "-y", "-v", "error", "-i", s, "-c:a", "aac", "-b:a", "128k", d),
    "resample_22k_and_back": lambda s, d: (run_tool("sox", s, "-r", "22050", d + ".22k.wav"),
                                           run_tool("sox", d + ".22k.wav", "-r", "44100", d)),
    "white_noise_20db": lambda s, d: _noise(Path(s), Path(d)),
    "crop_20s": lambda s, d: run_tool("ffmpeg", "-y", "-v", "error", "-ss", "13.37", "-t", "20", "-i", s, d),
    "speed_plus_3pct": lambda s, d: run_tool("sox", s, d, "speed", "1.03"),
    "speed_plus_3pct_ffmpeg": lambda s, d: run_tool("ffmpeg", "-y", "-v", "error", "-i", s, "-af", "asetrate=45423,aresample=44100", d),
    "tempo_minus_5pct_sox": lambda s, d: run_tool("sox", s, d, "tempo", "0.95"),
    "tempo_minus_5pct_ffmpeg": lambda s, d: run_tool("ffmpeg", "-y", "-v", "error", "-i", s, "-af", "atempo=0.95", d),
    "lowpass_5k_ffmpeg": lambda s, d: run_tool("ffmpeg", "-y", "-v", "error", "-i", s, "-af", "lowpass=f=5000", d),
    "lowpass_5k_sox_brickwall": lambda s, d: run_tool("sox", s, d, "sinc", "-5000"),
    "minus_10db_mono": lambda s, d: run_tool("sox", s, d, "remix", "-", "vol", "-10dB"),
}
SUFFIX = {"mp3_128k": ".mp3", "aac_128k": ".m4a"}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_mark_survives(attack, marked_wav, tmp_path):
    path = marked_wav
    if ATTACKS[attack] is not None:
        path = tmp_path / f"attacked{SUFFIX.get(attack, '.wav')}"
        ATTACKS[attack](str(marked_wav), str(path))
    det = detect_file(path, keys_by_name={"test": TEST_KEY})
    assert det.detected, f"{attack}: sync z {det.sync_z}"
    assert det.payload == TEST_PAYLOAD                     # all 32 payload bits equal
    assert det.false_positive_bound <= 1e-6
    if attack.startswith("speed"):
        assert det.speed == pytest.approx(1.03, abs=0.004) and det.pitch_shifted
    if attack.startswith("tempo"):
        assert det.speed == pytest.approx(0.95, abs=0.004) and det.pitch_shifted is False


def test_master_mp3_as_the_pipeline_writes_it(marked_song, tmp_path):
    """The pipeline encodes master.mp3 (320 kbps LAME through ffmpeg); the mark must be in it too."""
    from troubadour.export.audio import Mp3Job

    path = tmp_path / "master.mp3"
    Mp3Job(np.ascontiguousarray(marked_song, dtype=np.float32), 44100, path).wait()
    det = detect_file(path, keys_by_name={"test": TEST_KEY})
    assert det.detected and det.payload == TEST_PAYLOAD
