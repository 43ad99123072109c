"""``troubadour sing``: a score file in, a sung, marked WAV out (and optional exports).

Read the vocal line (MusicXML or MIDI), fit it to the voice's range, sing it
with the embedded singer, watermark it, tag and sign it (C2PA), and write the
file atomically. Every check that can fail on the user's input runs before
the singing starts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from troubadour.errors import InputError, OutputError
from troubadour.music.theory import midi_to_name
from troubadour.voice.profiles import VoiceProfile, load_voice, voice_names
from troubadour.voice.score import VocalScore, fit_to_voice, fold_into_range

SAMPLE_RATES = (22050, 24000, 32000, 44100, 48000, 88200, 96000)
DEFAULT_VOICE = "rugged_baritone"


@dataclass
class SungFile:
    output: Path
    voice: str
    part: str
    duration_s: float
    notes: int
    phrases: int
    shifted_semitones: int
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    exports: list[Path] = field(default_factory=list)


def check_output(path: Path, *, suffixes: tuple[str, ...], force: bool, what: str) -> Path:
    """Refuse a wrong extension, an existing file without --force, or a folder we cannot write."""
    path = Path(path)
    if path.suffix.lower() not in suffixes:
        raise InputError(f"{what} must end in {' or '.join(suffixes)}, got {path.name!r}")
    if path.is_dir():
        raise OutputError(f"{what} {str(path)!r} is a folder; give a file name")
    if path.exists() and not force:
        raise OutputError(f"{str(path)!r} exists; pass --force to replace it")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"folder {str(parent)!r} does not exist; create it or choose another path")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write to {str(parent)!r} (permission denied); choose another path")
    return path


def best_voice(score: VocalScore) -> str:
    """The voice whose range holds the score best as written (ties: the country default)."""
    pitches = [n.pitch for n in score.notes()]

    def outside(name: str) -> float:
        voice = load_voice(name)
        return sum(max(0.0, voice.low - p) + max(0.0, p - voice.high) for p in pitches)

    names = sorted(voice_names(), key=lambda n: (outside(n), n != DEFAULT_VOICE, n))
    return names[0]


def fit_range(score: VocalScore, voice: VoiceProfile, *, strict: bool) -> tuple[VocalScore, int, list[str]]:
    """Octave moves that bring the line into the voice's range (refused when ``strict``)."""
    notes = score.notes()
    low, high = min(n.pitch for n in notes), max(n.pitch for n in notes)
    span = f"{midi_to_name(round(low))}-{midi_to_name(round(high))}"
    if voice.low <= low and high <= voice.high:
        return score, 0, []
    if strict:
        raise InputError(f"the vocal line spans {span}, outside {voice.name}'s range {voice.range[0]}-{voice.range[1]};"
                         " choose another --voice, or drop --strict to move notes by octaves")
    warnings = []
    score, shift = fit_to_voice(score, voice)
    if shift:
        warnings.append(f"the vocal line ({span}) is sung {abs(shift) // 12} octave{'s' if abs(shift) > 12 else ''} "
                        f"{'up' if shift > 0 else 'down'} to fit {voice.name} ({voice.range[0]}-{voice.range[1]})")
    score, moved = fold_into_range(score, voice.low, voice.high)
    if moved:
        warnings.append(f"{moved} note{'s' if moved > 1 else ''} outside {voice.name}'s range moved by octaves")
    return score, shift, warnings


def sing_file(score_path: Path, output: Path, *, voice: str | None = None, sample_rate: int = 44100,
              vowel: str | None = None, strict: bool = False, part: str | None = None, seed: int = 0,
              force: bool = False, export_ustx: Path | None = None, export_ds: Path | None = None,
              on_stage: Callable[[str], None] | None = None) -> SungFile:
    """Sing ``score_path`` into ``output`` (a WAV); see the module docstring."""
    import time

    from troubadour.voice.scorefile import read_score

    stage = on_stage or (lambda name: None)
    if sample_rate not in SAMPLE_RATES:
        raise InputError(f"--sample-rate must be one of {', '.join(map(str, SAMPLE_RATES))}, got {sample_rate}")
    if voice is not None and voice not in voice_names():
        raise InputError(f"unknown voice {voice!r}; choose one of {', '.join(voice_names())} (troubadour voices)")
    output = check_output(output, suffixes=(".wav",), force=force, what="the output")
    if export_ustx is not None:
        export_ustx = check_output(export_ustx, suffixes=(".ustx",), force=force, what="--export-ustx")
    if export_ds is not None:
        export_ds = check_output(export_ds, suffixes=(".ds",), force=force, what="--export-ds")

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    stage("read")
    read = read_score(score_path, part=part, vowel=vowel)
    profile = load_voice(voice or best_voice(read.score))
    score, shift, range_warnings = fit_range(read.score, profile, strict=strict)
    seconds["read"] = time.perf_counter() - started

    stage("sing")
    from troubadour.voice import singer

    started = time.perf_counter()
    renders = singer.render_score(score, voice=profile, sample_rate=sample_rate, seed=seed)
    audio = singer.mix_phrases(renders, sample_rate=sample_rate, seed=seed)
    seconds["sing"] = time.perf_counter() - started

    stage("mark")
    started = time.perf_counter()
    _write_marked_wav(output, audio, sample_rate, read_title=Path(score_path).stem, voice=profile.name,
                      lyrics=read.lyrics, identity=_identity(score, profile, sample_rate, seed))
    seconds["mark"] = time.perf_counter() - started

    exports = []
    if export_ustx is not None:
        from troubadour.voice.interop import write_ustx

        write_ustx(export_ustx, score, renders, tempo_bpm=read.tempo_bpm, time_signature=read.time_signature,
                   name=Path(score_path).stem)
        exports.append(export_ustx)
    if export_ds is not None:
        from troubadour.voice.interop import write_ds

        write_ds(export_ds, score, renders)
        exports.append(export_ds)
    return SungFile(output, profile.name, read.part, audio.shape[1] / sample_rate, len(score.notes()),
                    len(score.phrases), shift, seconds, read.warnings + range_warnings, exports)


def _identity(score: VocalScore, voice: VoiceProfile, sample_rate: int, seed: int) -> str:
    from troubadour.song import content_hash
    from troubadour.voice.singer import SINGER_VERSION

    notes = [(n.pitch, round(n.start_s, 6), round(n.duration_s, 6), n.syllable.text if n.syllable else None)
             for n in score.notes()]
    return content_hash(SINGER_VERSION, voice.name, sample_rate, seed, notes)


def _write_marked_wav(path: Path, audio, sample_rate: int, *, read_title: str, voice: str, lyrics: str,
                      identity: str) -> None:
    """Watermark, tag and sign the vocal, written through a temporary file beside ``path``."""
    import errno

    from troubadour.export.audio import wav_bytes
    from troubadour.trust.stage import Marker

    marker = Marker(identity=identity, title=read_title, artist=None, voice=voice, sample_rate=sample_rate)
    marked = marker.mark(audio)
    peak = float(abs(marked).max()) if marked.size else 0.0
    if peak > 0.99:  # a hot line is scaled, never clipped
        marked = marked * (0.99 / peak)
    data = wav_bytes(marked, sample_rate, chunks=marker.wav_chunks(path, master=True, lyrics=lyrics))
    temporary = path.with_name(f".{path.stem}.partial-{os.getpid()}{path.suffix}")  # C2PA reads the suffix
    try:
        marker.sign(temporary, master=True, data=data)  # writes the signed file straight from memory
        temporary.replace(path)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise OutputError(f"the disk is full while writing {str(path)!r}; free some space and run again") from None
        raise OutputError(f"cannot write {str(path)!r}: {exc.strerror}") from None
    finally:
        temporary.unlink(missing_ok=True)
