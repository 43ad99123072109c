"""The perform stage: instruments through FluidSynth, vocals through the singer, with caching.

Instrument parts are cached whole, keyed by their notes, program, tempo and
SoundFont; sung phrases are cached one by one, keyed by their notes, words
and voice — so after a one-word lyric edit only that line is sung again.

The singer is pure Python and numpy that holds the interpreter lock, so the
phrases are sung in worker processes (forked before any thread starts) while
this process renders the instruments (FluidSynth runs outside the lock).
"""

from __future__ import annotations

import multiprocessing
import os
import zlib
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from typing import Iterator

import numpy as np

from troubadour.cache import AudioCache
from troubadour.music.theory import Key, parse_key
from troubadour.render.fluid import iter_parts
from troubadour.render.soundfont import find_soundfont
from troubadour.song import Part, Song, content_hash
from troubadour.voice.profiles import VoiceProfile, load_voice
from troubadour.voice.score import ScorePhrase, VocalScore, breathe, fit_to_voice, song_vocal_score, transpose

RENDERER_VERSION = "fluid-notes-2"
TAIL_S = 2.5  # the last chord rings and the reverb decays after the last bar


def total_samples(song: Song) -> int:
    return int(round((song.duration_s + TAIL_S) * song.sample_rate))


# ---------------------------------------------------------------- instruments


def _part_key(part: Part, song: Song, soundfont_id: str) -> str:
    return content_hash(RENDERER_VERSION, soundfont_id, song.tempo_bpm, song.sample_rate, total_samples(song),
                        part.program, part.bank, part.channel, [n.model_dump(mode="json") for n in part.notes])


def render_instruments(song: Song, cache: AudioCache, *, workers: int = 2) -> Iterator[tuple[str, np.ndarray]]:
    """(name, audio) for every instrument part as it is ready; audio is (1 or 2, samples) float32."""
    soundfont = find_soundfont()
    stat = soundfont.stat()
    soundfont_id = f"{soundfont}:{stat.st_size}:{int(stat.st_mtime)}"
    length = total_samples(song)
    todo: list[Part] = []
    keys = {}
    for part in song.parts:
        keys[part.name] = _part_key(part, song, soundfont_id)
        cached = cache.get("part", keys[part.name])
        if cached is not None and cached.ndim == 2 and cached.shape[1] == length:
            yield part.name, cached
        else:
            todo.append(part)
    if todo:
        for name, audio in iter_parts(todo, seconds_per_beat=song.seconds_per_beat, total_samples=length,
                                      sample_rate=song.sample_rate, soundfont=soundfont, workers=workers):
            cache.put("part", keys[name], audio)
            yield name, audio


# ---------------------------------------------------------------- vocals


def harmonise(score: VocalScore, key: Key, *, low: int, high: int) -> VocalScore:
    """A diatonic third above each note (a sixth below when the third leaves the range)."""
    scale = [p for p in range(0, 128) if p % 12 in key.pitch_classes]

    def third(pitch: float) -> float:
        base = int(round(pitch))
        if base % 12 not in key.pitch_classes:  # chromatic note: a major third
            return base + 4
        i = scale.index(base)
        up = scale[min(i + 2, len(scale) - 1)]
        return up if up <= high else scale[max(i - 5, 0)]

    return VocalScore([replace(p, notes=[replace(n, pitch=float(third(n.pitch))) for n in p.notes]) for p in score.phrases])


def _phrase_key(phrase: ScorePhrase, voice: VoiceProfile, sample_rate: int, seed: int, singer_version: str) -> str:
    notes = [(n.pitch, round(n.start_s, 6), round(n.duration_s, 6), n.syllable.model_dump() if n.syllable else None,
              n.velocity, n.word_end) for n in phrase.notes]
    return content_hash(singer_version, voice.model_dump(mode="json"), sample_rate, seed, notes, phrase.breath_s)


def sing_phrases(phrases: list[ScorePhrase], *, voice: VoiceProfile, sample_rate: int, seed: int,
                 cache: AudioCache, kind: str = "vocal") -> list[tuple[float, np.ndarray]]:
    """Sing phrases (each cached by content): [(start_s, mono audio)]."""
    from troubadour.voice import singer

    version = getattr(singer, "SINGER_VERSION", "0")
    out = []
    for phrase in phrases:
        # The seed follows the phrase's content, not its position: edits elsewhere leave it alone.
        phrase_seed = zlib.crc32(f"{seed}:{_phrase_key(phrase, voice, sample_rate, 0, version)}".encode())
        key = _phrase_key(phrase, voice, sample_rate, phrase_seed, version)
        cached = cache.get(kind, key)
        if cached is not None and cached.ndim == 1 and cached.size >= 1:
            out.append((float(cached[0]), cached[1:]))
            continue
        start_s, audio = singer.sing_phrase(phrase, voice=voice, sample_rate=sample_rate, seed=phrase_seed)
        audio = np.asarray(audio, np.float32)
        cache.put(kind, key, np.concatenate([[np.float32(start_s)], audio]).astype(np.float32))
        out.append((start_s, audio))
    return out


def place_phrases(sung: list[tuple[float, np.ndarray]], *, sample_rate: int, length: int) -> np.ndarray:
    """Sung phrases on a (1, length) timeline."""
    out = np.zeros((1, length), np.float32)
    for start_s, audio in sung:
        start = int(round(start_s * sample_rate))
        if start < 0:
            audio, start = audio[-start:], 0
        end = min(length, start + audio.size)
        if end > start:
            out[0, start:end] += audio[: end - start]
    return out


def _sing_batch(phrases: list[ScorePhrase], voice_name: str, sample_rate: int, seed: int, cache_enabled: bool,
                kind: str) -> list[tuple[float, np.ndarray]]:
    """Worker-process entry point."""
    return sing_phrases(phrases, voice=load_voice(voice_name), sample_rate=sample_rate, seed=seed,
                        cache=AudioCache(enabled=cache_enabled), kind=kind)


class VocalJob:
    """The lead and backing vocals, sung in worker processes while the caller does other work."""

    def __init__(self, song: Song, cache: AudioCache, *, processes: int = 2) -> None:
        self.song = song
        self.voice = load_voice(song.voice)
        self.length = total_samples(song)
        lead, self.shift = fit_to_voice(song_vocal_score(song), self.voice)
        self.notes = []
        if self.shift:
            self.notes.append(f"the melody was moved {self.shift:+d} semitones to fit the {self.voice.name} voice "
                              f"({self.voice.range[0]}-{self.voice.range[1]})")
        scores = {"vocals": (breathe(lead, self.voice.breath_s), song.seed, "vocal")}
        backing = song_vocal_score(song, backing=True)
        if backing.phrases:
            backing = transpose(backing, self.shift) if self.shift else backing
            backing = harmonise(backing, parse_key(song.key), low=self.voice.low, high=self.voice.high)
            scores["backing_vocals"] = (breathe(backing, self.voice.breath_s), song.seed + 1, "backing")
        self._futures: dict[str, list[Future]] = {}
        self._pool = None
        batches = {name: _split([p for p in score.phrases if p.notes], processes)
                   for name, (score, _, _) in scores.items()}
        if processes > 1 and "fork" in multiprocessing.get_all_start_methods():
            import troubadour.voice.singer  # noqa: F401  (imported once here, inherited by the workers)

            self._pool = ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("fork"),
                                             initializer=_worker_ignores_ctrl_c)
        for name, (score, seed, kind) in scores.items():
            if self._pool is not None:
                self._futures[name] = [self._pool.submit(_sing_batch, batch, self.voice.name, song.sample_rate, seed,
                                                         cache.enabled, kind) for batch in batches[name]]
            else:
                result = Future()
                result.set_result(sing_phrases(score.phrases, voice=self.voice, sample_rate=song.sample_rate,
                                               seed=seed, cache=cache, kind=kind))
                self._futures[name] = [result]

    def stems(self) -> Iterator[tuple[str, np.ndarray]]:
        """(name, (1, samples) audio) for the lead and any backing vocal, waiting for the workers."""
        try:
            for name, futures in self._futures.items():
                sung = [item for future in futures for item in future.result()]
                yield name, place_phrases(sung, sample_rate=self.song.sample_rate, length=self.length)
        finally:
            self.close()

    def close(self, *, wait: bool = True) -> None:
        """Stop the workers: joined when the render succeeded (they are idle, and a pool left to
        the interpreter's exit can print queue errors); not waited for on an error or Ctrl-C."""
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)
            self._pool = None


def _worker_ignores_ctrl_c() -> None:
    """Ctrl-C reaches the whole process group; the parent stops the render and the workers with it."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _split(phrases: list[ScorePhrase], parts: int) -> list[list[ScorePhrase]]:
    """Deal phrases into `parts` batches of about equal sung length (longest first)."""
    batches: list[list[ScorePhrase]] = [[] for _ in range(max(1, parts))]
    loads = [0.0] * len(batches)
    for phrase in sorted(phrases, key=lambda p: p.start_s - p.end_s):
        i = int(np.argmin(loads))
        batches[i].append(phrase)
        loads[i] += phrase.end_s - phrase.start_s
    return [b for b in batches if b]


def worker_count() -> int:
    return max(1, min(2, os.cpu_count() or 1))
