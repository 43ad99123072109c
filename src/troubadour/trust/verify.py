"""``troubadour verify``: everything a file says about its origin, checked.

Three independent witnesses: the watermark (searched over +-5 % speed and
tempo changes), the C2PA manifest (signature and hash of every byte), and the
disclosure tags (plain metadata anyone can strip). Any file ffmpeg can decode
works, at any sample rate or channel count; long files are streamed and, past
15 minutes, sampled by seeking.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from troubadour.trust import audio_io, credentials, grid, keys, tags, watermark
from troubadour.trust.sync import power_spectrogram

#: Files longer than this are sampled (seeking) instead of decoded end to end.
STREAM_LIMIT_S = 15 * 60.0
#: Windows analysed in a sampled long file.
SAMPLED_WINDOWS = 24
#: Shorter audio cannot hold a decodable mark (a quarter block is the least a window may be).
MIN_SECONDS = 5.0
_WINDOW_SAMPLES = watermark.WINDOW_FRAMES * grid.DETECT_HOP
_OVERLAP = grid.DETECT_FFT - grid.DETECT_HOP     # samples a frame needs beyond its hop


def _stream_windows(decoder: audio_io.Decoder) -> Any:
    """Power spectrogram windows (frames, bins) on one continuous frame grid, streamed."""
    carry = np.zeros(0, np.float32)
    frames: list[np.ndarray] = []
    n_frames = 0
    for block in decoder.blocks(_WINDOW_SAMPLES):
        mono = np.concatenate([carry, block[0]])
        usable = (len(mono) - _OVERLAP) // grid.DETECT_HOP
        if usable <= 0:
            carry = mono
            continue
        frames.append(power_spectrogram(mono[: usable * grid.DETECT_HOP + _OVERLAP], grid.DETECT_RATE))
        n_frames += usable
        carry = mono[usable * grid.DETECT_HOP :]
        while n_frames >= watermark.WINDOW_FRAMES + watermark.WINDOW_FRAMES // 2:
            allf = np.concatenate(frames)
            yield allf[: watermark.WINDOW_FRAMES]
            frames, n_frames = [allf[watermark.WINDOW_FRAMES :]], len(allf) - watermark.WINDOW_FRAMES
    if n_frames:
        yield np.concatenate(frames)


def detect_file(
    path: str | os.PathLike,
    *,
    keys_by_name: dict[str, bytes] | None = None,
    search_speed: bool = True,
    info: audio_io.AudioInfo | None = None,
) -> watermark.Detection:
    """Watermark detection on a file (streamed; sampled when longer than 15 minutes)."""
    info = info or audio_io.probe(path)
    detector = watermark.Detector(keys_by_name or keys.verification_keys(), search_speed=search_speed)
    notes: list[str] = []
    if info.duration_s and info.duration_s > STREAM_LIMIT_S:
        span = _WINDOW_SAMPLES / grid.DETECT_RATE + 0.1
        starts = np.linspace(0.0, max(info.duration_s - span, 0.0), SAMPLED_WINDOWS)
        notes.append(f"long file: {SAMPLED_WINDOWS} windows of {span:.0f} s sampled across {info.duration_s / 60:.0f} min")
        for start in starts:
            with audio_io.Decoder(path, sample_rate=grid.DETECT_RATE, channels=1, start_s=float(start), duration_s=span) as dec:
                data = [b[0] for b in dec.blocks(_WINDOW_SAMPLES)]
            first_frame = float(start) * grid.DETECT_RATE / grid.DETECT_HOP
            if data and detector.add_window(power_spectrogram(np.concatenate(data), grid.DETECT_RATE), first_frame) is not None:
                break
    else:
        with audio_io.Decoder(path, sample_rate=grid.DETECT_RATE, channels=1) as dec:
            for window in _stream_windows(dec):
                if detector.add_window(window) is not None:
                    break
            samples = dec.samples_read
            errors = dec.errors()
        seconds = samples / grid.DETECT_RATE
        if errors and not detector.found:
            notes.append("decoder: " + errors.splitlines()[-1])
        if samples == 0:
            notes.append("no audio samples could be decoded")
        elif info.duration_s and seconds < 0.9 * info.duration_s:
            notes.append(f"only {seconds:.1f} s of the announced {info.duration_s:.1f} s could be decoded (truncated file?)")
        if 0 < seconds < MIN_SECONDS:
            notes.append(f"{seconds:.1f} s of audio is too short for the watermark (it needs about {MIN_SECONDS:.0f} s)")
    result = detector.result()
    result.extra["notes"] = notes
    return result


def verify_file(
    path: str | os.PathLike,
    *,
    extra_keys: list[str] | None = None,
    search_speed: bool = True,
) -> dict[str, Any]:
    """Check a file's watermark, content credentials and disclosure tags.

    Returns
    -------
    dict
        ``{"file", "audio", "watermark": {"detected", "payload", "confidence", ...},
        "c2pa": {"present", "valid", "ai_generated", ...}, "tags": {...},
        "ai_generated", "summary"}``.

    Raises
    ------
    InputError
        Missing, empty or non-audio file.
    """
    p = audio_io.check_input_file(path)
    info = audio_io.probe(p)
    det = detect_file(p, keys_by_name=keys.verification_keys(extra_keys), search_speed=search_speed, info=info)
    mark = det.to_dict()
    mark["payload"] = None if det.payload is None else keys.split_payload(det.payload)["hex"]
    if det.payload is not None:
        mark.update({k: v for k, v in keys.split_payload(det.payload).items() if k != "hex"})
    mark["key"] = mark.pop("key_name")
    mark["notes"] = det.extra.get("notes", [])
    c2pa = credentials.read_credentials(p)
    tag_info = tags.read_tags(p)
    ai = bool(det.detected or (c2pa["valid"] and c2pa["ai_generated"]) or tag_info.get("ai_generated"))
    return {
        "file": str(p),
        "audio": {"duration_s": None if info.duration_s is None else round(info.duration_s, 3),
                  "sample_rate": info.sample_rate, "channels": info.channels, "codec": info.codec},
        "watermark": mark,
        "c2pa": c2pa,
        "tags": tag_info,
        "ai_generated": ai,
        "summary": _summary(det, c2pa, tag_info),
    }


def _summary(det: watermark.Detection, c2pa: dict, tag_info: dict) -> str:
    parts = []
    if det.detected:
        parts.append(f"watermark found (payload {det.payload:08x}, false-positive bound {det.false_positive_bound:.1e})")
    else:
        parts.append("no watermark found")
    if c2pa["present"]:
        state = "valid" if c2pa["valid"] else "INVALID (file changed after signing or bad signature)"
        parts.append(f"C2PA manifest {state}" + (", declares AI-generated media" if c2pa["ai_generated"] else ""))
    else:
        parts.append("no C2PA manifest")
    if tag_info.get("ai_generated"):
        parts.append("tags disclose AI generation")
    return "; ".join(parts)


def format_report(report: dict[str, Any]) -> str:
    """The human-readable form of :func:`verify_file`'s result."""
    w, c, t, a = report["watermark"], report["c2pa"], report["tags"], report["audio"]
    dur = "unknown length" if a["duration_s"] is None else f"{a['duration_s']:.1f} s"
    lines = [f"{report['file']}", f"  audio      {dur}, {a['sample_rate']} Hz, {a['channels']} ch, {a['codec']}"]
    if w["detected"]:
        speed = "" if not w.get("speed") or w["speed"] == 1.0 else f", found at {w['speed']:.3f}x speed" + (
            " (tempo only)" if w.get("pitch_shifted") is False else "")
        lines.append(f"  watermark  FOUND  payload {w['payload']} (issuer {w.get('issuer_id')}, render {w.get('render_id')}), "
                     f"key {w['key']}, confidence {w['confidence']:.10f}{speed}")
    else:
        lines.append(f"  watermark  not found  (best sync score {w['sync_z']:.1f}: marks score 8-15, unmarked audio"
                     f" under ~5.5; {w['windows']} window{'s' if w['windows'] != 1 else ''} searched)")
    for note in w.get("notes", []):
        lines.append(f"             note: {note}")
    if c["present"]:
        verdict = "valid" if c["valid"] else "INVALID"
        trust = "trusted" if c["trusted"] else "signer not in your trust list"
        lines.append(f"  c2pa       {verdict} ({c['validation_state']}, {trust}); AI-generated: {'yes' if c['ai_generated'] else 'no'}")
        lines.append(f"             title {c['title']!r}, voice {c['voice']!r}, software {c['software']} {c['software_version'] or ''}".rstrip())
        if c["failures"]:
            lines.append(f"             failures: {', '.join(str(f) for f in c['failures'])}")
    else:
        lines.append("  c2pa       none" + (f" ({c['error']})" if c.get("error") else ""))
    if t.get("present") and (t.get("ai_generated") is not None or t.get("disclosure")):
        lines.append(f"  tags       AI-generated: {'yes' if t['ai_generated'] else 'not said'}; voice {t['voice']!r}; software {t['software']!r}")
    else:
        lines.append("  tags       no disclosure tags" + (f" ({t['error']})" if t.get("error") else ""))
    lines.append(f"  verdict    {'AI-generated (evidence above)' if report['ai_generated'] else 'no evidence of AI generation'}")
    return "\n".join(lines)

