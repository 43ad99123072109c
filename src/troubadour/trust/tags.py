"""Disclosure tags: plain metadata saying the recording is AI-generated, with voice and software.

Written with mutagen: ID3v2.4 ``TXXX`` frames in MP3 and in WAV (``id3 `` chunk),
a RIFF ``LIST/INFO`` chunk in WAV as well (many players only read that), Vorbis
comments in FLAC/Ogg/Opus and freeform atoms in M4A. Write tags *before*
signing content credentials: the C2PA manifest hashes the whole file.
"""

from __future__ import annotations

import os
import shutil
import struct
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from troubadour.errors import InputError, OutputError

TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
#: Custom keys, identical in every container (TXXX descriptions, Vorbis names, MP4 freeform names).
AI_GENERATED = "AI_GENERATED"
AI_VOICE = "AI_VOICE"
AI_SOFTWARE = "AI_SOFTWARE"
AI_DISCLOSURE = "AI_DISCLOSURE"
SOURCE_TYPE = "DIGITAL_SOURCE_TYPE"
_MP4_PREFIX = "----:org.troubadour:"


def disclosure_text(*, voice: str | None, software: str, version: str) -> str:
    """One sentence a person can read."""
    who = f" with the synthetic voice {voice!r}" if voice else ""
    return f"AI-generated recording: made by {software} {version}{who}. No human performer was recorded."


def _fields(*, title: str, artist: str | None, voice: str | None, software: str, version: str) -> dict[str, str]:
    return {
        AI_GENERATED: "true",
        AI_VOICE: voice or "none",
        AI_SOFTWARE: f"{software} {version}",
        AI_DISCLOSURE: disclosure_text(voice=voice, software=software, version=version),
        SOURCE_TYPE: TRAINED_ALGORITHMIC_MEDIA,
    }


def write_disclosure_tags(
    path: str | os.PathLike,
    *,
    title: str,
    artist: str | None,
    voice: str | None,
    software: str,
    version: str,
    lyrics: str | None = None,
) -> None:
    """Write disclosure tags into a WAV, MP3, FLAC, Ogg/Opus or M4A file (atomically).

    Raises
    ------
    InputError
        Unsupported or unreadable file.
    OutputError
        The file cannot be replaced.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    writers = {".wav": _write_wav, ".wave": _write_wav, ".mp3": _write_mp3, ".flac": _write_vorbis,
               ".ogg": _write_vorbis, ".oga": _write_vorbis, ".opus": _write_vorbis, ".m4a": _write_mp4}
    if suffix not in writers:
        raise InputError(f"cannot write disclosure tags into {suffix or 'extensionless'!r} files; use wav, mp3, flac, ogg, opus or m4a")
    if not target.is_file():
        raise InputError(f"cannot tag {str(target)!r}: no such file")
    fields = _fields(title=title, artist=artist, voice=voice, software=software, version=version)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        if suffix in (".wav", ".wave") and _copy_with_riff_info(target, Path(tmp), _riff_info(title, artist, fields)):
            pass                                         # one streamed pass wrote audio + INFO chunk
        else:
            shutil.copyfile(target, tmp)
        writers[suffix](Path(tmp), title=title, artist=artist, fields=fields, lyrics=lyrics)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except (OutputError, InputError):
        raise
    except OSError as exc:
        raise OutputError(f"cannot write tags into {str(target)!r} ({exc.strerror or exc})") from exc
    except Exception as exc:  # mutagen raises its own error types for broken files
        raise InputError(f"cannot write tags into {str(target)!r}: {exc}") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def wav_tag_chunks(*, title: str, artist: str | None, voice: str | None, software: str, version: str,
                   lyrics: str | None = None) -> bytes:
    """The LIST/INFO and ``id3 `` chunks of a tagged WAV, for writers that tag while writing.

    Same content as :func:`write_disclosure_tags` puts in a WAV, without
    rewriting the file afterwards.
    """
    import io

    from mutagen.id3 import ID3

    fields = _fields(title=title, artist=artist, voice=voice, software=software, version=version)
    body = b"INFO"
    for key, value in _riff_info(title, artist, fields).items():
        if value:
            data = value.encode("utf-8", "replace") + b"\0"
            body += key.encode() + struct.pack("<I", len(data)) + data + (b"\0" if len(data) & 1 else b"")
    tags = ID3()
    _id3_frames(tags, title=title, artist=artist, fields=fields, lyrics=lyrics)
    buffer = io.BytesIO()
    tags.save(buffer, v2_version=4, padding=lambda info: 0)
    id3 = buffer.getvalue()
    return (b"LIST" + struct.pack("<I", len(body)) + body
            + b"id3 " + struct.pack("<I", len(id3)) + id3 + (b"\0" if len(id3) & 1 else b""))


def _id3_frames(tags: Any, *, title: str, artist: str | None, fields: dict[str, str], lyrics: str | None) -> None:
    from mutagen.id3 import COMM, TIT2, TPE1, TSSE, TXXX, USLT

    tags.setall("TIT2", [TIT2(encoding=3, text=title)])
    if artist:
        tags.setall("TPE1", [TPE1(encoding=3, text=artist)])
    tags.setall("TSSE", [TSSE(encoding=3, text=fields[AI_SOFTWARE])])
    for name, value in fields.items():
        tags.add(TXXX(encoding=3, desc=name, text=value))
    tags.setall("COMM", [COMM(encoding=3, lang="eng", desc="AI disclosure", text=fields[AI_DISCLOSURE])])
    if lyrics:
        tags.setall("USLT", [USLT(encoding=3, lang="eng", desc="", text=lyrics)])


def _write_mp3(path: Path, *, title: str, artist: str | None, fields: dict[str, str], lyrics: str | None) -> None:
    from mutagen.id3 import ID3, ID3NoHeaderError

    try:
        tags = ID3(path)
    except ID3NoHeaderError:
        tags = ID3()
    _id3_frames(tags, title=title, artist=artist, fields=fields, lyrics=lyrics)
    tags.save(path, v2_version=4)


def _write_wav(path: Path, *, title: str, artist: str | None, fields: dict[str, str], lyrics: str | None) -> None:
    from mutagen.wave import WAVE

    audio = WAVE(path)
    if audio.tags is None:
        audio.add_tags()
    _id3_frames(audio.tags, title=title, artist=artist, fields=fields, lyrics=lyrics)
    audio.save(v2_version=4)


def _write_vorbis(path: Path, *, title: str, artist: str | None, fields: dict[str, str], lyrics: str | None) -> None:
    import mutagen

    audio = mutagen.File(path)
    if audio is None:
        raise InputError(f"{path.name!r} is not a readable FLAC/Ogg file")
    if audio.tags is None:
        audio.add_tags()
    audio.tags["TITLE"] = title
    if artist:
        audio.tags["ARTIST"] = artist
    audio.tags["COMMENT"] = fields[AI_DISCLOSURE]
    for name, value in fields.items():
        audio.tags[name] = value
    if lyrics:
        audio.tags["LYRICS"] = lyrics
    audio.save()


def _write_mp4(path: Path, *, title: str, artist: str | None, fields: dict[str, str], lyrics: str | None) -> None:
    from mutagen.mp4 import MP4, MP4FreeForm

    audio = MP4(path)
    if audio.tags is None:
        audio.add_tags()
    audio.tags["\xa9nam"] = [title]
    if artist:
        audio.tags["\xa9ART"] = [artist]
    audio.tags["\xa9too"] = [fields[AI_SOFTWARE]]
    audio.tags["\xa9cmt"] = [fields[AI_DISCLOSURE]]
    if lyrics:
        audio.tags["\xa9lyr"] = [lyrics]
    for name, value in fields.items():
        audio.tags[_MP4_PREFIX + name] = [MP4FreeForm(value.encode())]
    audio.save()


# --------------------------------------------------------------------------- RIFF INFO


def _chunks(f: BinaryIO, end: int) -> list[tuple[bytes, int, int]]:
    """(id, data offset, size) of the top-level chunks after the WAVE header."""
    out, pos = [], 12
    while pos + 8 <= end:
        f.seek(pos)
        cid, size = struct.unpack("<4sI", f.read(8))
        out.append((cid, pos + 8, size))
        pos += 8 + size + (size & 1)
    return out


def _riff_info(title: str, artist: str | None, fields: dict[str, str]) -> dict[str, str]:
    return {"INAM": title, "IART": artist or "", "ISFT": fields[AI_SOFTWARE], "ICMT": fields[AI_DISCLOSURE],
            "IKEY": "AI-generated; " + fields[SOURCE_TYPE]}


def _copy_with_riff_info(src: Path, dst: Path, info: dict[str, str]) -> bool:
    """Copy a RIFF/WAVE file replacing its LIST/INFO chunk, streamed; False if not plain RIFF."""
    size = src.stat().st_size
    with open(src, "rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return False  # RF64/other: the ID3 tags still go in
        chunks = _chunks(f, size)
        body = b"INFO"
        for key, value in info.items():
            if value:
                data = value.encode("utf-8", "replace") + b"\0"
                body += key.encode() + struct.pack("<I", len(data)) + data + (b"\0" if len(data) & 1 else b"")
        with open(dst, "wb") as out:
            out.write(b"RIFF\0\0\0\0WAVE")
            for cid, offset, length in chunks:
                f.seek(offset)
                if cid == b"LIST" and f.read(4) == b"INFO":
                    continue
                f.seek(offset - 8)
                _copy(f, out, 8 + length + (length & 1))
            out.write(b"LIST" + struct.pack("<I", len(body)) + body)
            total = out.tell() - 8
            if total > 0xFFFFFFFF:
                raise OutputError(f"{src.name!r} is too large for RIFF INFO tags")
            out.seek(4)
            out.write(struct.pack("<I", total))
    return True


def _copy(src: BinaryIO, dst: BinaryIO, n: int) -> None:
    while n > 0:
        block = src.read(min(n, 1 << 22))
        if not block:
            break
        dst.write(block)
        n -= len(block)


def _read_riff_info(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(12)
        if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return out
        for cid, offset, length in _chunks(f, size):
            f.seek(offset)
            if cid != b"LIST" or length < 4 or f.read(4) != b"INFO":
                continue
            body = f.read(min(length - 4, 1 << 20))
            pos = 0
            while pos + 8 <= len(body):
                key, n = struct.unpack("<4sI", body[pos : pos + 8])
                out[key.decode("latin-1")] = body[pos + 8 : pos + 8 + n].rstrip(b"\0").decode("utf-8", "replace")
                pos += 8 + n + (n & 1)
    return out


# --------------------------------------------------------------------------- reading


def read_tags(path: str | os.PathLike) -> dict:
    """Disclosure-related tags of a file.

    Returns
    -------
    dict
        ``present`` (any tag), ``ai_generated`` (True/False, None when unsaid),
        ``title``, ``artist``, ``voice``, ``software``, ``disclosure``,
        ``digital_source_type``, ``containers`` (which tag blocks were found)
        and ``error``.
    """
    import mutagen

    p = Path(path)
    out: dict[str, Any] = {
        "present": False, "ai_generated": None, "title": None, "artist": None, "voice": None,
        "software": None, "disclosure": None, "digital_source_type": None, "containers": [], "error": None,
    }
    found: dict[str, str] = {}
    try:
        if p.suffix.lower() in (".wav", ".wave"):
            riff = _read_riff_info(p)
            if riff:
                out["containers"].append("riff-info")
                found.update({"title": riff.get("INAM", ""), "artist": riff.get("IART", ""),
                              "software": riff.get("ISFT", ""), "disclosure": riff.get("ICMT", "")})
        audio = mutagen.File(p)
    except Exception as exc:  # mutagen: unreadable headers of many kinds
        out["error"] = f"cannot read tags ({type(exc).__name__}: {exc})"
        return out
    tags = getattr(audio, "tags", None) if audio is not None else None
    if tags is not None:
        from mutagen.id3 import ID3
        from mutagen.mp4 import MP4Tags

        kind = "ID3" if isinstance(tags, ID3) else "MP4Tags" if isinstance(tags, MP4Tags) else "vorbis"
        out["containers"].append({"ID3": "id3", "MP4Tags": "mp4"}.get(kind, "vorbis"))
        found.update({k: v for k, v in _normalise(tags, kind).items() if v})
    for key in ("title", "artist", "software", "disclosure", "voice"):
        out[key] = found.get(key) or None
    out["digital_source_type"] = found.get("source") or None
    flag = (found.get("ai") or "").strip().lower()
    if flag:
        out["ai_generated"] = flag in ("true", "yes", "1")
    elif out["disclosure"] and "ai-generated" in out["disclosure"].lower():
        out["ai_generated"] = True
    out["present"] = bool(out["containers"])
    return out


def _normalise(tags: Any, kind: str) -> dict[str, str]:
    def first(value: Any) -> str:
        if isinstance(value, list):
            value = value[0] if value else ""
        if hasattr(value, "text"):
            value = value.text[0] if value.text else ""
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        return str(value)

    if kind == "ID3":
        get = lambda frame: first(tags.getall(frame)) if tags.getall(frame) else ""  # noqa: E731
        txxx = lambda name: get(f"TXXX:{name}")  # noqa: E731
        return {"title": get("TIT2"), "artist": get("TPE1"), "software": txxx(AI_SOFTWARE) or get("TSSE"),
                "disclosure": txxx(AI_DISCLOSURE), "voice": txxx(AI_VOICE), "ai": txxx(AI_GENERATED),
                "source": txxx(SOURCE_TYPE)}
    if kind == "MP4Tags":
        get = lambda key: first(tags.get(key, [""]))  # noqa: E731
        ff = lambda name: get(_MP4_PREFIX + name)  # noqa: E731
        return {"title": get("\xa9nam"), "artist": get("\xa9ART"), "software": ff(AI_SOFTWARE) or get("\xa9too"),
                "disclosure": ff(AI_DISCLOSURE), "voice": ff(AI_VOICE), "ai": ff(AI_GENERATED), "source": ff(SOURCE_TYPE)}
    lower = {str(k).lower(): v for k, v in tags.items()} if hasattr(tags, "items") else {}
    get = lambda key: first(lower.get(key.lower(), ""))  # noqa: E731
    return {"title": get("TITLE"), "artist": get("ARTIST"), "software": get(AI_SOFTWARE),
            "disclosure": get(AI_DISCLOSURE) or get("COMMENT"), "voice": get(AI_VOICE), "ai": get(AI_GENERATED),
            "source": get(SOURCE_TYPE)}
