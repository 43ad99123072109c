"""Audio files: 24-bit WAV and 320 kbps MP3 with ID3 tags."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf


def write_wav(path: Path, audio: np.ndarray, sample_rate: int, *, subtype: str = "PCM_24") -> None:
    """audio: float32 (channels, samples) in [-1, 1]; written as 24-bit PCM."""
    sf.write(str(path), np.clip(audio, -1.0, 1.0).T, sample_rate, subtype=subtype, format="WAV")


def encode_mp3(audio: np.ndarray, sample_rate: int, *, bitrate_kbps: int = 320, quality: int = 3) -> bytes:
    """LAME MP3 bytes (CBR). quality: 0 best/slowest .. 9 fastest."""
    import lameenc

    pcm = (np.clip(audio, -1.0, 1.0).T * 32767.0).round().astype("<i2")
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(bitrate_kbps)
    encoder.set_in_sample_rate(sample_rate)
    encoder.set_channels(audio.shape[0])
    encoder.set_quality(quality)
    return bytes(encoder.encode(pcm.tobytes()) + encoder.flush())


def tag_mp3(path: Path, *, title: str, artist: str, lyrics: str, album: str | None = None) -> None:
    """ID3v2.4: title, artist, unsynchronised lyrics."""
    from mutagen.id3 import ID3, TALB, TIT2, TPE1, USLT, ID3NoHeaderError

    try:
        tags = ID3(str(path))
    except ID3NoHeaderError:
        tags = ID3()
    tags.add(TIT2(encoding=3, text=title))
    tags.add(TPE1(encoding=3, text=artist))
    if album:
        tags.add(TALB(encoding=3, text=album))
    tags.add(USLT(encoding=3, lang="eng", desc="", text=lyrics))
    tags.save(str(path), v2_version=4)
