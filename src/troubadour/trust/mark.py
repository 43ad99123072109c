"""``troubadour mark``: put all three trust marks on audio made elsewhere.

Decode (ffmpeg) -> watermark -> encode to the output's format -> disclosure
tags -> C2PA manifest, all on a temporary file next to the output that is
renamed only when every step succeeded. Files longer than 15 minutes are
streamed through :class:`~troubadour.trust.watermark.StreamingEmbedder`.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from troubadour import __version__
from troubadour.errors import InputError, OutputError
from troubadour.trust import audio_io, credentials, keys, tags, watermark

WRITABLE = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".opus")
STREAM_LIMIT_S = 15 * 60.0
_BLOCK = 1 << 18


def _file_digest(path: Path) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.digest()


def mark_file(
    input_path: str | os.PathLike,
    output_path: str | os.PathLike,
    *,
    title: str | None = None,
    voice: str | None = None,
    artist: str | None = None,
    payload: int | None = None,
    force: bool = False,
    again: bool = False,
    snr_db: float = watermark.DEFAULT_SNR_DB,
) -> dict[str, Any]:
    """Watermark, tag and sign a copy of ``input_path`` at ``output_path``.

    Parameters
    ----------
    input_path, output_path : path-like
        Any audio ffmpeg reads; the output format follows its extension
        (wav, flac, mp3, m4a, ogg, opus; C2PA is embedded in wav/flac/mp3/m4a).
    title, voice, artist : str, optional
        What the tags and the manifest state (title defaults to the file name).
    payload : int, optional
        32-bit payload; default: this installation's issuer id + a hash of the input.
    force : bool
        Overwrite an existing output.
    again : bool
        Mark a file that already carries a troubadour watermark (refused
        otherwise: a second mark under the same key can mask the first).

    Returns
    -------
    dict
        ``payload`` (hex), ``key``, ``snr_db`` (measured, in-memory path only),
        ``c2pa`` (signed or why not), ``seconds``, ``output``.
    """
    src = audio_io.check_input_file(input_path)
    out = Path(output_path)
    suffix = out.suffix.lower()
    if suffix not in WRITABLE:
        raise InputError(f"output must end in one of {', '.join(WRITABLE)}, got {out.name!r}")
    if out.exists() and not force:
        raise OutputError(f"{str(out)!r} exists; pass --force to replace it")
    if out.exists() and out.resolve() == src.resolve():
        raise OutputError("the output must be a different file from the input")
    if not out.parent.is_dir():
        raise OutputError(f"folder {str(out.parent)!r} does not exist")
    info = audio_io.probe(src)
    if info.sample_rate < watermark.MIN_SAMPLE_RATE:
        raise InputError(f"{src.name!r} is sampled at {info.sample_rate} Hz; the watermark needs at least {watermark.MIN_SAMPLE_RATE} Hz")
    if payload is None:
        payload = keys.render_payload(_file_digest(src))
    if not 0 <= int(payload) < 2**32:
        raise InputError(f"payload must fit in 32 bits, got {payload!r}")
    if not again:
        from troubadour.trust.verify import detect_file

        existing = detect_file(src, info=info)
        if existing.detected:
            raise InputError(f"{src.name!r} already carries a troubadour watermark (payload {existing.payload:08x}); "
                             "a second mark can hide it. `troubadour verify` shows it; pass --again to mark it anyway")
    key_name, key = keys.embedding_key()
    title = title or src.stem

    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=suffix, dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    report: dict[str, Any] = {"output": str(out), "payload": f"{int(payload):08x}", "key": key_name}
    try:
        if info.duration_s is None or info.duration_s > STREAM_LIMIT_S:   # unknown length: stream too
            report.update(_mark_streaming(src, tmp, info, int(payload), key, snr_db))
        else:
            report.update(_mark_in_memory(src, tmp, int(payload), key, snr_db))
        tags.write_disclosure_tags(tmp, title=title, artist=artist, voice=voice, software="troubadour", version=__version__)
        if credentials.supported(tmp):
            credentials.sign_file(tmp, title=title, voice=voice, software="troubadour", version=__version__, author=artist,
                                  watermark={"payload": report["payload"], "key": key_name})
            report["c2pa"] = "signed"
        else:
            report["c2pa"] = f"not supported in {suffix} files (use wav, flac, mp3 or m4a)"
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return report


def _mark_in_memory(src: Path, tmp: Path, payload: int, key: bytes, snr_db: float) -> dict[str, Any]:
    audio, rate = audio_io.read_audio(src)
    marked = watermark.embed(audio, rate, payload=payload, key=key, snr_db=snr_db)
    signal = sum(float(np.dot(ch, ch)) for ch in audio)
    noise = sum(float(np.dot(ch, ch)) for ch in (marked - audio))
    peak = float(np.max(np.abs(marked))) if marked.size else 0.0
    if peak > 1.0:   # the mark lifted a full-scale input over 0 dBFS: lower the level a hair, never clip
        marked *= np.float32(0.999 / peak)
    audio_io.write_audio(tmp, marked, rate)
    check = watermark.detect(marked[:, : rate * 30], rate, key=key)
    return {
        "seconds": round(audio.shape[1] / rate, 3),
        "snr_db": None if noise == 0 else round(10 * np.log10(max(signal, 1e-30) / noise), 2),
        "self_check": bool(check.detected and check.payload == payload),
    }


def _mark_streaming(src: Path, tmp: Path, info: audio_io.AudioInfo, payload: int, key: bytes, snr_db: float) -> dict[str, Any]:
    import soundfile as sf

    marker = watermark.StreamingEmbedder(info.sample_rate, info.channels, payload=payload, key=key, snr_db=snr_db)
    suffix = tmp.suffix.lower()
    n = 0
    with audio_io.Decoder(src, sample_rate=info.sample_rate, channels=info.channels) as dec:
        if suffix in (".wav", ".flac"):
            with sf.SoundFile(tmp, "w", info.sample_rate, info.channels, subtype="PCM_24",
                              format="FLAC" if suffix == ".flac" else "WAV") as sink:
                for block in dec.blocks(_BLOCK):
                    out = marker.push(block)
                    sink.write(np.clip(out, -1, 1).T)
                    n += block.shape[1]
                sink.write(np.clip(marker.finish(), -1, 1).T)
        else:
            n = _stream_to_ffmpeg(dec, marker, tmp, info)
    if n == 0:
        raise InputError(f"{src.name!r} holds no decodable audio samples")
    return {"seconds": round(n / info.sample_rate, 3), "snr_db": f">= {snr_db}", "self_check": None}


def _stream_to_ffmpeg(dec: audio_io.Decoder, marker: watermark.StreamingEmbedder, tmp: Path, info: audio_io.AudioInfo) -> int:
    codec = {".mp3": ["-c:a", "libmp3lame", "-b:a", "192k"], ".m4a": ["-c:a", "aac", "-b:a", "192k"],
             ".ogg": ["-c:a", "libvorbis", "-q:a", "6"], ".opus": ["-c:a", "libopus", "-b:a", "192k"]}[tmp.suffix.lower()]
    cmd = [audio_io._tool("ffmpeg"), "-nostdin", "-v", "error", "-y", "-f", "f32le", "-ar", str(info.sample_rate),
           "-ac", str(info.channels), "-i", "-", *codec, str(tmp)]
    n = 0
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=errors)
        assert proc.stdin is not None
        try:
            for block in dec.blocks(_BLOCK):
                proc.stdin.write(np.ascontiguousarray(np.clip(marker.push(block), -1, 1).T).astype("<f4").tobytes())
                n += block.shape[1]
            proc.stdin.write(np.ascontiguousarray(np.clip(marker.finish(), -1, 1).T).astype("<f4").tobytes())
        except BrokenPipeError:
            pass
        finally:
            proc.stdin.close()
            code = proc.wait()
        if code != 0:
            errors.seek(0)
            reason = (errors.read().decode("utf-8", "replace").strip().splitlines() or ["unknown error"])[-1]
            raise OutputError(f"ffmpeg could not encode {tmp.suffix} output ({reason})")
    return n
