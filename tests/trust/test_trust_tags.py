"""Disclosure tags in WAV (RIFF INFO + ID3), MP3 (ID3 TXXX) and FLAC (Vorbis comments)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import soundfile as sf
from trust_helpers import needs_tools, run_tool

from troubadour.errors import InputError
from troubadour.trust import credentials, tags


@pytest.fixture
def files(tmp_path):
    t = np.arange(44100 * 2) / 44100
    wav = tmp_path / "s.wav"
    sf.write(wav, (0.2 * np.sin(2 * np.pi * 330 * t)).astype(np.float32), 44100, subtype="PCM_16")
    out = {"wav": wav}
    flac = tmp_path / "s.flac"
    sf.write(flac, (0.2 * np.sin(2 * np.pi * 330 * t)).astype(np.float32), 44100, format="FLAC")
    out["flac"] = flac
    if shutil.which("ffmpeg"):
        mp3 = tmp_path / "s.mp3"
        run_tool("ffmpeg", "-y", "-v", "error", "-i", str(wav), "-b:a", "128k", str(mp3))
        out["mp3"] = mp3
    return out


def test_write_and_read(files):
    for ext, path in files.items():
        tags.write_disclosure_tags(path, title="Own Walk", artist="The Troubadours", voice="warm_alto",
                                   software="troubadour", version="0.1.0", lyrics="I walk my own walk")
        got = tags.read_tags(path)
        assert got["ai_generated"] is True, ext
        assert (got["title"], got["artist"], got["voice"]) == ("Own Walk", "The Troubadours", "warm_alto"), ext
        assert got["software"] == "troubadour 0.1.0"
        assert "AI-generated" in got["disclosure"] and "warm_alto" in got["disclosure"]
        assert got["digital_source_type"].endswith("trainedAlgorithmicMedia")
        assert sf.info(path).frames == 88200                   # the audio is untouched
    assert set(tags.read_tags(files["wav"])["containers"]) == {"riff-info", "id3"}


@needs_tools("ffmpeg")
def test_players_see_the_riff_info(files):
    import subprocess

    tags.write_disclosure_tags(files["wav"], title="Own Walk", artist=None, voice=None, software="troubadour", version="0.1.0")
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_format", str(files["wav"])], capture_output=True, text=True).stdout
    assert "TAG:title=Own Walk" in probe and "AI-generated" in probe


def test_tags_then_credentials_both_hold(files):
    for path in files.values():
        tags.write_disclosure_tags(path, title="t", artist=None, voice="v", software="troubadour", version="0.1.0")
        credentials.sign_file(path, title="t", voice="v", version="0.1.0")
        assert tags.read_tags(path)["ai_generated"] is True
        assert credentials.read_credentials(path)["valid"]


def test_untagged_and_unsupported(tmp_path, files):
    assert tags.read_tags(files["wav"])["ai_generated"] is None
    with pytest.raises(InputError):
        tags.write_disclosure_tags(tmp_path / "x.aiff", title="t", artist=None, voice=None, software="s", version="1")
    broken = tmp_path / "broken.mp3"
    broken.write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x10garbage")
    assert tags.read_tags(broken)["ai_generated"] is None
