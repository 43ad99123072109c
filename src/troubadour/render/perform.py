"""The perform stage: instruments through FluidSynth, vocals through the singer, with caching.

Instrument parts are cached whole, keyed by their notes, program, tempo and
SoundFont; sung phrases are cached one by one, keyed by their notes, words
and voice — so after a one-word lyric edit only that line is sung again.
Instruments render in a background thread (FluidSynth runs outside the GIL)
while the vocal is sung.
"""

from __future__ import annotations

import warnings
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy as np

from troubadour.cache import AudioCache
from troubadour.music.theory import Key, parse_key
from troubadour.render.fluid import render_parts
from troubadour.render.soundfont import find_soundfont
from troubadour.song import Part, Song, content_hash
from troubadour.voice.profiles import VoiceProfile, load_voice
from troubadour.voice.score import ScorePhrase, VocalScore, song_vocal_score

RENDERER_VERSION = "fluid-notes-1"
TAIL_S = 2.5  # the last chord rings and the reverb decays after the last bar


def total_samples(song: Song) -> int:
    return int(round((song.duration_s + TAIL_S) * song.sample_rate))


def _part_key(part: Part, song: Song, soundfont_id: str) -> str:
    return content_hash(RENDERER_VERSION, soundfont_id, song.tempo_bpm, song.sample_rate, total_samples(song),
                        part.program, part.bank, part.channel, [n.model_dump(mode="json") for n in part.notes])


def render_instruments(song: Song, cache: AudioCache, *, workers: int = 2) -> dict[str, np.ndarray]:
    """Stereo (2, samples) audio for every instrument part."""
    soundfont = find_soundfont()
    stat = soundfont.stat()
    soundfont_id = f"{soundfont}:{stat.st_size}:{int(stat.st_mtime)}"
    out: dict[str, np.ndarray] = {}
    todo: list[Part] = []
    keys = {}
    for part in song.parts:
        keys[part.name] = _part_key(part, song, soundfont_id)
        cached = cache.get("part", keys[part.name])
        if cached is not None and cached.shape == (2, total_samples(song)):
            out[part.name] = cached
        else:
            todo.append(part)
    if todo:
        rendered = render_parts(todo, seconds_per_beat=song.seconds_per_beat, total_samples=total_samples(song),
                                sample_rate=song.sample_rate, soundfont=soundfont, workers=workers)
        for name, audio in rendered.items():
            cache.put("part", keys[name], audio)
            out[name] = audio
    return {p.name: out[p.name] for p in song.parts}


def fit_to_voice(score: VocalScore, voice: VoiceProfile) -> tuple[VocalScore, int]:
    """Shift a score by whole octaves so it sits best in the voice's range (after a voice change)."""
    pitches = [n.pitch for n in score.notes()]
    if not pitches:
        return score, 0
    best, best_cost = 0, None
    for octave in (-2, -1, 0, 1, 2):
        shift = 12 * octave
        outside = sum(max(0, voice.low - (p + shift)) + max(0, (p + shift) - voice.high) for p in pitches)
        cost = outside * 10 + abs(octave)
        if best_cost is None or cost < best_cost:
            best, best_cost = shift, cost
    if best == 0:
        return score, 0
    return _transpose(score, best), best


def _transpose(score: VocalScore, semitones: float) -> VocalScore:
    return VocalScore([ScorePhrase([replace(n, pitch=n.pitch + semitones) for n in p.notes]) for p in score.phrases])


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

    return VocalScore([ScorePhrase([replace(n, pitch=float(third(n.pitch))) for n in p.notes]) for p in score.phrases])


def _phrase_key(phrase: ScorePhrase, voice: VoiceProfile, sample_rate: int, seed: int, singer_version: str) -> str:
    notes = [(n.pitch, round(n.start_s, 6), round(n.duration_s, 6), n.syllable.model_dump() if n.syllable else None,
              n.velocity, n.word_end) for n in phrase.notes]
    return content_hash(singer_version, voice.model_dump(mode="json"), sample_rate, seed, notes)


def sing_score(score: VocalScore, *, voice: VoiceProfile, sample_rate: int, length: int, seed: int,
               cache: AudioCache, kind: str = "vocal") -> np.ndarray:
    """Sing every phrase (cached), placed on a (1, length) timeline."""
    from troubadour.voice import singer

    version = getattr(singer, "SINGER_VERSION", "0")
    out = np.zeros((1, length), np.float32)
    for phrase in score.phrases:
        # The seed follows the phrase's content, not its position: edits elsewhere leave it alone.
        phrase_seed = zlib.crc32(f"{seed}:{_phrase_key(phrase, voice, sample_rate, 0, version)}".encode())
        key = _phrase_key(phrase, voice, sample_rate, phrase_seed, version)
        cached = cache.get(kind, key)
        if cached is not None and cached.ndim == 1 and cached.size >= 1:
            audio = cached[1:]
            start_s = float(cached[0])
        else:
            start_s, audio = singer.sing_phrase(phrase, voice=voice, sample_rate=sample_rate, seed=phrase_seed)
            audio = np.asarray(audio, np.float32)
            cache.put(kind, key, np.concatenate([[np.float32(start_s)], audio]).astype(np.float32))
        start = int(round(start_s * sample_rate))
        if start < 0:
            audio, start = audio[-start:], 0
        end = min(length, start + audio.size)
        if end > start:
            out[0, start:end] += audio[: end - start]
    return out


def perform(song: Song, cache: AudioCache, *, workers: int = 2) -> dict[str, np.ndarray]:
    """Raw (unmixed) stems: 'vocals' and 'backing_vocals' mono (1, n), instruments stereo (2, n)."""
    voice = load_voice(song.voice)
    length = total_samples(song)
    with ThreadPoolExecutor(max_workers=1) as pool:
        instruments = pool.submit(render_instruments, song, cache, workers=workers)
        lead, shift = fit_to_voice(song_vocal_score(song), voice)
        if shift:
            warnings.warn(f"the melody was moved {shift:+d} semitones to fit the {voice.name} voice ({voice.range[0]}-{voice.range[1]})")
        stems = {"vocals": sing_score(lead, voice=voice, sample_rate=song.sample_rate, length=length,
                                      seed=song.seed, cache=cache)}
        backing = song_vocal_score(song, backing=True)
        if backing.phrases:
            backing = harmonise(_transpose(backing, shift) if shift else backing, parse_key(song.key),
                                low=voice.low, high=voice.high)
            stems["backing_vocals"] = sing_score(backing, voice=voice, sample_rate=song.sample_rate, length=length,
                                                 seed=song.seed + 1, cache=cache, kind="backing")
        stems.update(instruments.result())
    return stems
