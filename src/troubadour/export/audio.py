"""Audio files: 24-bit WAV and 320 kbps MP3 (LAME via ffmpeg); tags are written by the trust stage."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np


def wav_bytes(audio: np.ndarray, sample_rate: int, *, chunks: bytes = b"") -> bytearray:
    """A 24-bit PCM WAV file's bytes from float audio (channels, samples) in [-1, 1].

    chunks : extra RIFF chunks (e.g. LIST/INFO and id3 tags) placed before
        the audio data, so tagging needs no second pass over the file.
    """
    channels, frames = audio.shape
    data_bytes = frames * channels * 3
    if 4 + 24 + len(chunks) + 8 + data_bytes > 0xFFFFFFFF:
        from troubadour.errors import OutputError

        raise OutputError(f"{frames / sample_rate / 3600:.1f} hours of audio do not fit in a WAV file")
    header = struct.pack("<4sI4s", b"RIFF", 4 + 24 + len(chunks) + 8 + data_bytes + (data_bytes & 1), b"WAVE")
    header += struct.pack("<4sIHHIIHH", b"fmt ", 16, 1, channels, sample_rate, sample_rate * channels * 3, channels * 3, 24)
    header += chunks + struct.pack("<4sI", b"data", data_bytes)
    out = bytearray(len(header) + data_bytes + (data_bytes & 1))
    out[: len(header)] = header
    body = np.frombuffer(out, dtype=np.uint8, count=data_bytes, offset=len(header)).reshape(-1, 3)
    step = 1 << 18
    for start in range(0, frames, step):  # in blocks: no full-size integer copy of the song
        block = np.clip(audio[:, start:start + step].T, -1.0, 1.0) * np.float32(8388607.0)
        ints = np.rint(block).astype("<i4").reshape(-1)
        rows = slice(start * channels, start * channels + ints.size)
        body[rows] = ints.view(np.uint8).reshape(-1, 4)[:, :3]
    return out


def write_wav(path: Path, audio: np.ndarray, sample_rate: int, *, chunks: bytes = b"") -> None:
    """Write float audio (channels, samples) in [-1, 1] as a 24-bit PCM WAV file (see :func:`wav_bytes`)."""
    with open(path, "wb") as handle:
        handle.write(wav_bytes(audio, sample_rate, chunks=chunks))


class Mp3Job:
    """An MP3 encode running in an ffmpeg (LAME) process while Python does other work.

    LAME holds no Python lock in its own process, so encoding the master
    overlaps writing the stems. `wait()` raises OutputError or DependencyError.
    """

    def __init__(self, audio: np.ndarray, sample_rate: int, path: Path, *, bitrate_kbps: int = 320) -> None:
        import shutil
        import subprocess
        import threading

        from troubadour.errors import DependencyError

        ffmpeg = shutil.which("ffmpeg")
        if ffmpeg is None:
            raise DependencyError("ffmpeg is needed to write MP3; install it with `make setup` (Debian: apt-get install ffmpeg)")
        self.path = path
        self._process = subprocess.Popen(
            [ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "f32le", "-ar", str(sample_rate),
             "-ac", str(audio.shape[0]), "-i", "pipe:0", "-codec:a", "libmp3lame", "-b:a", f"{bitrate_kbps}k",
             "-compression_level", "5", "-write_xing", "1", str(path)],
            stdin=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        self._feeder = threading.Thread(target=self._feed, args=(audio,), daemon=True)
        self._feeder.start()

    def _feed(self, audio: np.ndarray) -> None:
        try:
            step = 1 << 18  # interleave and write in blocks: no second full copy of the song in memory
            for start in range(0, audio.shape[1], step):
                block = np.clip(audio[:, start:start + step], -1.0, 1.0).T
                self._process.stdin.write(np.ascontiguousarray(block, dtype="<f4").tobytes())
            self._process.stdin.close()
        except (BrokenPipeError, OSError):
            pass  # ffmpeg failed; wait() reports why

    def wait(self) -> None:
        from troubadour.errors import OutputError

        self._feeder.join()
        with self._process.stderr:
            error = self._process.stderr.read().decode("utf-8", "replace").strip()
        if self._process.wait() != 0:
            raise OutputError(f"MP3 encoding failed: {error.splitlines()[-1] if error else 'ffmpeg exited with an error'}")

    def cancel(self) -> None:
        self._process.kill()
        self._process.wait()
        self._process.stderr.close()
