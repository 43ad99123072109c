"""The stage order: brief -> write -> compose -> arrange -> perform -> mix -> master -> mark -> export.

`create_song` runs the writing stages and returns the song document;
`render_song` turns a (possibly hand-edited) document into the output folder.
Stages are pure functions of the song and its seed; the renderer caches what
it can by content hash. Progress goes to an optional callback.
"""

from __future__ import annotations

import platform
import time
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from troubadour import __version__
from troubadour.brief import read_brief
from troubadour.cache import AudioCache
from troubadour.errors import InputError
from troubadour.export.folder import json_bytes
from troubadour.export.outdir import atomic_write_bytes, staged_folder
from troubadour.music.compose import choose_key, choose_tempo, compose
from troubadour.music.form import MIN_SONG_S
from troubadour.music.theory import parse_key
from troubadour.reconcile import reconcile
from troubadour.render.session import RenderSession
from troubadour.song import Song, StageRecord
from troubadour.styles.arranger import arrange, style_mix
from troubadour.styles.style import load_style
from troubadour.voice.profiles import load_voice
from troubadour.words.lyricist import get_lyricist
from troubadour.words.sheet import parse_lyrics, read_lyrics_file

CREATE_STAGES = ("write", "compose", "arrange")
RENDER_STAGES = ("perform", "mix", "master", "export")
BPM_RANGE = (40, 240)

Progress = Callable[[str, str], None]  # (stage, "start" | "done")


def stage_rng(seed: int, stage: str) -> np.random.Generator:
    """The random stream of one stage: a function of the seed and the stage name only."""
    return np.random.default_rng([seed, zlib.crc32(stage.encode())])


class Timer:
    def __init__(self, progress: Progress | None = None) -> None:
        self.seconds: dict[str, float] = {}
        self.progress = progress

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.progress:
            self.progress(name, "start")
        start = time.perf_counter()
        yield
        self.seconds[name] = round(self.seconds.get(name, 0.0) + time.perf_counter() - start, 3)
        if self.progress:
            self.progress(name, "done")


def check_options(*, genre: str | None, voice: str | None, bpm: float | None, key: str | None) -> None:
    """Validate options before any work, so a typo costs nothing."""
    if genre is not None:
        load_style(genre)
    if voice is not None:
        load_voice(voice)
    if bpm is not None and not BPM_RANGE[0] <= bpm <= BPM_RANGE[1]:
        raise InputError(f"--bpm {bpm:g} is out of range; give a tempo from {BPM_RANGE[0]} to {BPM_RANGE[1]}")
    if key is not None:
        parse_key(key)


def create_song(brief: str, *, seed: int = 0, lyrics_path: str | Path | None = None, genre: str | None = None,
                voice: str | None = None, bpm: float | None = None, key: str | None = None,
                lyricist: str = "embedded", lyricist_options: dict | None = None, explicit: bool = False,
                min_seconds: float = MIN_SONG_S, timer: Timer | None = None) -> Song:
    """Write, compose and arrange a song document from a brief (and optionally the user's lyrics).

    min_seconds : the shortest song to make (instrumental solos fill up short lyrics); tests pass 0
    """
    timer = timer or Timer()
    check_options(genre=genre, voice=voice, bpm=bpm, key=key)
    lyrics_text = read_lyrics_file(lyrics_path) if lyrics_path is not None else None
    parsed = read_brief(brief)
    if bpm is None and parsed.bpm is not None:  # a tempo or key the brief names counts as an option
        bpm = parsed.bpm
        if not BPM_RANGE[0] <= bpm <= BPM_RANGE[1]:
            raise InputError(f"the brief asks for {bpm:g} BPM; give a tempo from {BPM_RANGE[0]} to {BPM_RANGE[1]}")
    key = key or parsed.key
    genre = genre or parsed.genre or "country"
    style = load_style(genre)
    voice = voice or parsed.voice or style.voice
    with timer.stage("write"):
        if lyrics_text is not None:
            lyrics = parse_lyrics(lyrics_text, title=parsed.title or "", source=str(lyrics_path))
            writer = StageRecord(backend="user-lyrics", version=__version__)
        else:
            backend = get_lyricist(lyricist, **(lyricist_options or {}))
            lyrics = backend.write(parsed, genre=genre, rng=stage_rng(seed, "write"), explicit=explicit)
            writer = StageRecord(backend=getattr(backend, "name", lyricist), version=str(getattr(backend, "version", "")))
    with timer.stage("compose"):
        tempo = float(bpm) if bpm is not None else choose_tempo(parsed, style, stage_rng(seed, "tempo"))
        key_name = parse_key(key).name if key is not None else choose_key(parsed, style, stage_rng(seed, "key"))
        song = Song(title=lyrics.title, brief=parsed.text, seed=seed, genre=genre, voice=voice, tempo_bpm=tempo,
                    key=key_name, composed_key=key_name, time_signature=tuple(style.meter), lyrics=lyrics)
        song = compose(song, style=style, seed=seed, min_seconds=min_seconds)
    with timer.stage("arrange"):
        song = song.model_copy(update={"parts": arrange(song, style=style)})
        mix = style_mix(style)
        song = song.model_copy(update={
            "mix": {name: mix[name] for name in song.stem_names() if name in mix},
            "provenance": {
                "write": writer,
                "compose": StageRecord(backend="embedded", version=__version__),
                "arrange": StageRecord(backend=f"style:{genre}", version=__version__),
            },
        })
    return song


def render_song(song: Song, out_dir: str | Path, *, force: bool = False, progress: Progress | None = None,
                use_cache: bool = True, workers: int = 2, timer: Timer | None = None, pdf: bool = False) -> dict:
    """Render a song document into `out_dir` (all files, atomically). Returns the report.

    pdf : also engrave lead_sheet.pdf (and its lead_sheet.ly source) with LilyPond.

    Stages (perform, mix, master, export) overlap where they can: see
    :mod:`troubadour.render.session`. Their times in the report are the spans
    each adds to the wall-clock time.
    """
    timer = timer or Timer(progress)
    started = time.perf_counter()
    song, notes = reconcile(song)
    song = song.model_copy(update={"provenance": {**song.provenance,
                                                  "render": StageRecord(backend="embedded", version=__version__)}})
    cache = AudioCache(enabled=use_cache)
    if pdf:
        from troubadour.export.lilypond import engrave_pdf, require_lilypond, song_to_lilypond

        require_lilypond()  # before the render, not after it
    with staged_folder(Path(out_dir), force=force) as folder:
        session = RenderSession(song, folder, cache, workers=workers, progress=timer.progress)
        report = session.run(lambda mastered: _report(song, mastered, notes + session.notes, cache))
        if pdf:
            with timer.stage("engrave"):
                source = song_to_lilypond(song)
                (folder / "lead_sheet.ly").write_text(source, encoding="utf-8")
                report["engrave_warnings"] = engrave_pdf(source, folder / "lead_sheet.pdf")
            atomic_write_bytes(folder / "report.json", json_bytes(report))
        cache.prune()
    timer.seconds.update(session.seconds)
    report["stage_seconds"] = dict(timer.seconds)
    report["total_seconds"] = round(time.perf_counter() - started, 3)
    atomic_write_bytes(Path(out_dir) / "report.json", json_bytes(report))
    return report


def _package_version(name: str) -> str:
    """A package's version from its metadata (importing pyworld for it would cost 0.3 s)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def _report(song: Song, mastered, notes: list[str], cache: AudioCache) -> dict:

    return {
        "title": song.title,
        "seed": song.seed,
        "genre": song.genre,
        "voice": song.voice,
        "key": song.key,
        "tempo_bpm": song.tempo_bpm,
        "time_signature": list(song.time_signature),
        "duration_s": round(mastered.audio.shape[1] / song.sample_rate, 3),
        "sample_rate": song.sample_rate,
        "master_gain_db": round(mastered.gain_db, 2),
        "limiter_max_reduction_db": round(mastered.max_reduction_db, 2),
        "stems": song.stem_names(),
        "notes": notes,
        "cache": {"hits": cache.hits, "misses": cache.misses},
        "versions": {
            "troubadour": __version__, "python": platform.python_version(), "numpy": np.__version__,
            "pedalboard": _package_version("pedalboard"), "pyworld": _package_version("pyworld"),
        },
    }
