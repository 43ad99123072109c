"""Reading and writing audio for trust marks through ffmpeg (any format it knows), streamed.

Decoding runs ``ffmpeg`` as a subprocess writing raw float32 PCM to a pipe; the
caller reads it block by block, so a two-hour file never needs gigabytes of RAM.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from troubadour.errors import DependencyError, InputError, OutputError


@dataclass(frozen=True)
class AudioInfo:
    """What ffprobe says about the first audio stream."""

    duration_s: float | None
    sample_rate: int
    channels: int
    codec: str
    container: str


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise DependencyError(f"{name} is not installed; install ffmpeg (e.g. 'sh scripts/system-deps.sh')")
    return path


def check_input_file(path: str | os.PathLike) -> Path:
    """A readable, non-empty regular file, or a clear InputError."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{str(p)!r} does not exist")
    if not p.is_file():
        raise InputError(f"{str(p)!r} is not a file")
    if p.stat().st_size == 0:
        raise InputError(f"{str(p)!r} is empty (0 bytes); it holds no audio")
    if not os.access(p, os.R_OK):
        raise InputError(f"{str(p)!r} is not readable (permissions)")
    return p


def probe(path: str | os.PathLike) -> AudioInfo:
    """Stream facts of the first audio stream; InputError if there is none."""
    p = check_input_file(path)
    cmd = [_tool("ffprobe"), "-v", "error", "-select_streams", "a:0", "-show_entries",
           "stream=codec_name,sample_rate,channels,duration:format=duration,format_name", "-of", "json", str(p)]
    try:
        run = subprocess.run(cmd, capture_output=True, timeout=60, check=False)
    except subprocess.TimeoutExpired:
        raise InputError(f"ffprobe timed out reading {str(p)!r}") from None
    try:
        meta = json.loads(run.stdout or b"{}")
    except json.JSONDecodeError:
        meta = {}
    streams = meta.get("streams") or []
    if run.returncode != 0 or not streams:
        reason = (run.stderr.decode("utf-8", "replace").strip().splitlines() or ["no audio stream"])[-1]
        raise InputError(f"{str(p)!r} is not audio ffmpeg can read ({reason})")
    s, fmt = streams[0], meta.get("format") or {}

    def number(value: object) -> float | None:
        try:
            v = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        return v if np.isfinite(v) and v >= 0 else None

    rate, channels = int(number(s.get("sample_rate")) or 0), int(number(s.get("channels")) or 0)
    if rate <= 0 or channels <= 0:
        raise InputError(f"{str(p)!r} has an audio stream without a sample rate or channels")
    duration = number(s.get("duration")) or number(fmt.get("duration"))
    return AudioInfo(duration, rate, channels, str(s.get("codec_name")), str(fmt.get("format_name")))


class Decoder:
    """Iterate float32 blocks of a file decoded (and optionally downmixed/resampled) by ffmpeg.

    Parameters
    ----------
    path : path-like
        Any file ffmpeg reads.
    sample_rate, channels : int or None
        Output format (None keeps the file's).
    start_s, duration_s : float or None
        Decode only this span (input seeking: fast).
    """

    def __init__(self, path: str | os.PathLike, *, sample_rate: int | None = None, channels: int | None = None,
                 start_s: float | None = None, duration_s: float | None = None) -> None:
        self.path = Path(path)
        info = probe(self.path) if sample_rate is None or channels is None else None
        self.sample_rate = int(sample_rate or info.sample_rate)  # type: ignore[union-attr]
        self.channels = int(channels or info.channels)  # type: ignore[union-attr]
        cmd = [_tool("ffmpeg"), "-nostdin", "-v", "error"]
        if start_s:
            cmd += ["-ss", f"{start_s:.3f}"]
        if duration_s:
            cmd += ["-t", f"{duration_s:.3f}"]
        cmd += ["-i", str(self.path), "-map", "0:a:0", "-vn", "-ac", str(self.channels), "-ar", str(self.sample_rate),
                "-f", "f32le", "-acodec", "pcm_f32le", "-"]
        self._errors = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._errors, stdin=subprocess.DEVNULL)
        self.samples_read = 0

    def blocks(self, block_samples: int) -> Iterator[np.ndarray]:
        """Blocks of shape (channels, <= block_samples); the last may be shorter."""
        frame_bytes = 4 * self.channels
        assert self._proc.stdout is not None
        while True:
            data = self._proc.stdout.read(block_samples * frame_bytes)
            if not data:
                return
            usable = len(data) - len(data) % frame_bytes
            block = np.frombuffer(data[:usable], dtype="<f4").reshape(-1, self.channels).T
            self.samples_read += block.shape[1]
            yield np.ascontiguousarray(block, dtype=np.float32)

    def errors(self) -> str:
        """ffmpeg's complaints so far (e.g. about a truncated file)."""
        self._errors.seek(0)
        return self._errors.read().decode("utf-8", "replace").strip()

    def close(self) -> int:
        """Stop ffmpeg (if still running) and return its exit code."""
        if self._proc.poll() is None:
            self._proc.kill()
        if self._proc.stdout:
            self._proc.stdout.close()
        code = self._proc.wait()
        return code

    def __enter__(self) -> Decoder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
        self._errors.close()


def read_audio(path: str | os.PathLike, *, max_seconds: float | None = None) -> tuple[np.ndarray, int]:
    """Decode a whole file at its own rate and channel count: (audio (channels, samples), rate)."""
    info = probe(path)
    if max_seconds is not None and info.duration_s and info.duration_s > max_seconds:
        raise InputError(f"{str(path)!r} is {info.duration_s / 60:.0f} min long; at most {max_seconds / 60:.0f} min can be loaded at once")
    with Decoder(path, sample_rate=info.sample_rate, channels=info.channels) as dec:
        blocks = list(dec.blocks(1 << 20))
        code = dec.close()
        errors = dec.errors()
    if not blocks:
        detail = f" ({errors.splitlines()[-1]})" if errors else ""
        raise InputError(f"{str(path)!r} holds no decodable audio samples{detail}")
    if code != 0 and not blocks:
        raise InputError(f"ffmpeg could not decode {str(path)!r}: {errors.splitlines()[-1] if errors else code}")
    return np.concatenate(blocks, axis=1), info.sample_rate


def write_audio(path: str | os.PathLike, audio: np.ndarray, sample_rate: int, *, bitrate_kbps: int = 192) -> None:
    """Write audio by extension (wav/flac via soundfile, anything else via ffmpeg), atomically."""
    target = Path(path)
    suffix = target.suffix.lower()
    x = np.atleast_2d(np.asarray(audio, np.float32))
    if not target.parent.is_dir():
        raise OutputError(f"cannot write {str(target)!r}: folder {str(target.parent)!r} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=suffix, dir=target.parent)
    os.close(fd)
    try:
        if suffix in (".wav", ".wave", ".flac"):
            import soundfile as sf

            sf.write(tmp, np.clip(x, -1.0, 1.0).T, sample_rate, subtype="PCM_24", format="FLAC" if suffix == ".flac" else "WAV")
        else:
            cmd = [_tool("ffmpeg"), "-nostdin", "-v", "error", "-y", "-f", "f32le", "-ar", str(sample_rate),
                   "-ac", str(x.shape[0]), "-i", "-"]
            if suffix == ".mp3":
                cmd += ["-c:a", "libmp3lame", "-b:a", f"{bitrate_kbps}k"]
            elif suffix in (".m4a", ".aac"):
                cmd += ["-c:a", "aac", "-b:a", f"{bitrate_kbps}k"]
            elif suffix in (".ogg", ".oga"):
                cmd += ["-c:a", "libvorbis", "-q:a", "6"]
            elif suffix == ".opus":
                cmd += ["-c:a", "libopus", "-b:a", f"{bitrate_kbps}k"]
            cmd.append(tmp)
            run = subprocess.run(cmd, input=np.ascontiguousarray(x.T).astype("<f4").tobytes(), capture_output=True, check=False)
            if run.returncode != 0:
                reason = (run.stderr.decode("utf-8", "replace").strip().splitlines() or ["unknown error"])[-1]
                raise OutputError(f"ffmpeg could not write {str(target)!r} ({reason})")
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        raise OutputError(f"cannot write {str(target)!r} ({exc.strerror or exc})") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
