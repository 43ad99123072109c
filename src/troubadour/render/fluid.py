"""Instruments rendered by FluidSynth from a General MIDI SoundFont.

FluidSynth mixes voices linearly, so a part is the sum of its notes. Each
distinct note (program, pitch, velocity step, held length) is rendered once —
note-on, hold, note-off, release tail — and placed at every onset with
sample accuracy. Songs repeat themselves, so this renders a three-minute
arrangement many times faster than streaming it through one synth, and the
distinct notes are split over worker threads (FluidSynth runs outside the GIL).
"""

from __future__ import annotations

import ctypes
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from troubadour.errors import DependencyError
from troubadour.song import Part

VELOCITY_STEP = 8  # velocity layers are rendered every 8 steps; the rest is a gain
HOLD_STEP_S = 0.02  # held lengths are rendered to the nearest 20 ms
DRUM_HOLD_S = 0.1
MAX_TAIL_S = 3.0
SILENCE = 3e-4  # about -70 dBFS: the release tail has ended (what follows is far under the mix)
_BLOCK = 2048


@dataclass(frozen=True)
class NoteKey:
    bank: int
    program: int
    drums: bool
    pitch: int
    velocity: int
    hold: int  # in HOLD_STEP_S units


def _load_fluidsynth():
    try:
        import fluidsynth
    except (ImportError, OSError) as exc:  # OSError: the C library itself is missing
        raise DependencyError(
            f"FluidSynth is not available ({exc}); install it with `make setup` (Debian: apt-get install fluidsynth)"
        ) from None
    write = fluidsynth._fl.fluid_synth_write_float
    write.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int,
                      ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
    write.restype = ctypes.c_int
    return fluidsynth, write


class NoteRenderer:
    """One FluidSynth instance that renders single notes in isolation (one per thread)."""

    def __init__(self, soundfont: Path, sample_rate: int) -> None:
        fluidsynth, self._write = _load_fluidsynth()
        self.sample_rate = sample_rate
        self.synth = fluidsynth.Synth(gain=0.4, samplerate=float(sample_rate), **{
            "synth.reverb.active": 0, "synth.chorus.active": 0, "synth.dynamic-sample-loading": 1,
            "synth.polyphony": 64,
        })
        self.sfid = self.synth.sfload(str(soundfont))
        if self.sfid < 0:
            raise DependencyError(f"FluidSynth could not load the SoundFont {str(soundfont)!r}; is it a valid .sf2?")
        self._program: tuple[int, int, bool] | None = None

    def _block(self, frames: int) -> np.ndarray:
        out = np.zeros((2, frames), np.float32)
        self._write(self.synth.synth, frames, out[0].ctypes.data, 0, 1, out[1].ctypes.data, 0, 1)
        return out

    def render(self, key: NoteKey) -> np.ndarray:
        """The note from its onset to the end of its release, shape (2, samples)."""
        channel = 9 if key.drums else 0
        if self._program != (key.bank, key.program, key.drums):
            self.synth.program_select(channel, self.sfid, 128 if key.drums else key.bank, key.program)
            self._program = (key.bank, key.program, key.drums)
        hold = int(round((DRUM_HOLD_S if key.drums else key.hold * HOLD_STEP_S) * self.sample_rate))
        self.synth.noteon(channel, key.pitch, key.velocity)
        chunks = [self._block(max(hold, 1))]
        self.synth.noteoff(channel, key.pitch)
        tail_limit = int(MAX_TAIL_S * self.sample_rate)
        rendered = 0
        while rendered < tail_limit:
            block = self._block(_BLOCK)
            chunks.append(block)
            rendered += _BLOCK
            if np.abs(block).max() < SILENCE:
                break
        self.synth.all_sounds_off(channel)
        self._block(64)  # let the hard stop take effect before the next note
        audio = np.concatenate(chunks, axis=1)
        # Trim the silent end so placing copies costs nothing for it.
        loud = np.nonzero(np.abs(audio).max(axis=0) >= SILENCE)[0]
        return audio[:, : (loud[-1] + 1 if len(loud) else 1)]

    def close(self) -> None:
        self.synth.delete()


def note_key(part: Part, pitch: int, velocity: int, duration_s: float) -> tuple[NoteKey, float]:
    """The render key of a note and the gain that corrects the velocity rounding."""
    quantised = int(min(127, max(VELOCITY_STEP, VELOCITY_STEP * round(velocity / VELOCITY_STEP))))
    gain = (velocity / quantised) ** 2  # GM velocity is roughly amplitude-squared
    hold = 0 if part.is_drums else max(1, int(round(duration_s / HOLD_STEP_S)))
    return NoteKey(part.bank, part.program, part.is_drums, pitch, quantised, hold), gain


CHOKE_FADE_S = 0.015  # a re-struck string or a closed hi-hat damps what was ringing over this time
_HAT_GROUP = {42: 42, 44: 42, 46: 42}  # closed, pedal and open hi-hat are one instrument


def _choke_limits(part: Part, starts: list[int]) -> list[int | None]:
    """For each note, the sample offset at which the next strike of the same string (or hi-hat) damps it."""
    limits: list[int | None] = [None] * len(starts)
    last: dict[int, int] = {}
    order = sorted(range(len(starts)), key=lambda i: starts[i])
    for i in reversed(order):
        pitch = part.notes[i].pitch
        group = _HAT_GROUP.get(pitch, pitch) if part.is_drums else pitch
        if part.is_drums and group not in _HAT_GROUP.values():
            continue  # other drums ring out
        if group in last and starts[last[group]] > starts[i]:
            limits[i] = starts[last[group]] - starts[i]
        last[group] = i
    return limits


def iter_parts(parts: list[Part], *, seconds_per_beat: float, total_samples: int, sample_rate: int,
               soundfont: Path, workers: int = 2):
    """Render every part; yields (name, audio) as each part is placed, in part order.

    audio is float32 of shape (1, total_samples) when every note the part
    plays is mono in the SoundFont, else (2, total_samples).
    """
    placements: dict[str, list[tuple[NoteKey, int, float, int | None]]] = {}
    unique: dict[NoteKey, None] = {}
    for part in parts:
        starts = [int(round(n.start_beat * seconds_per_beat * sample_rate)) for n in part.notes]
        limits = _choke_limits(part, starts)
        entries = []
        for note, start, limit in zip(part.notes, starts, limits):
            key, gain = note_key(part, note.pitch, note.velocity, note.duration_beats * seconds_per_beat)
            entries.append((key, start, gain, limit))
            unique[key] = None
        placements[part.name] = entries
    rendered = render_notes(list(unique), soundfont=soundfont, sample_rate=sample_rate, workers=workers)
    mono = {}
    for key, audio in rendered.items():  # most GM samples are mono (or nearly): keep one channel of those
        mid, side = audio[0] + audio[1], audio[0] - audio[1]
        mono[key] = float(np.dot(side, side)) <= 1e-4 * float(np.dot(mid, mid))
        if mono[key]:
            rendered[key] = (0.5 * mid)[None, :]
    fade = int(CHOKE_FADE_S * sample_rate)
    ramp = np.linspace(1.0, 0.0, fade, dtype=np.float32)

    def place(name: str) -> np.ndarray:
        entries = placements[name]
        channels = 1 if all(mono[key] for key, *_ in entries) else 2
        out = np.zeros((channels, total_samples), np.float32)
        for key, start, gain, limit in entries:
            if start >= total_samples:
                continue
            audio = rendered[key]
            length = min(audio.shape[1], total_samples - start)
            if limit is not None and limit + fade < length:
                length = limit + fade
                out[:, start + limit:start + length] += audio[:, limit:length] * (ramp * np.float32(gain))
                length = limit  # damped by the next strike
            out[:, start:start + length] += audio[:, :length] * np.float32(gain)  # mono notes add to both
        return out

    # Place at most `workers` parts ahead of the consumer: a placed part is a
    # full-length stem (~60 MB for 3 minutes), and the consumer is slower.
    names = list(placements)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        ahead = [pool.submit(place, name) for name in names[:workers]]
        for k, name in enumerate(names):
            audio = ahead.pop(0).result()
            if k + workers < len(names):
                ahead.append(pool.submit(place, names[k + workers]))
            elif not ahead:
                rendered.clear()  # every part is placed: the notes' memory is free for the mix
            yield name, audio
            del audio


def render_parts(parts: list[Part], **options) -> dict[str, np.ndarray]:
    """All parts at once: {name: audio} (see :func:`iter_parts`)."""
    return dict(iter_parts(parts, **options))


def render_notes(keys: list[NoteKey], *, soundfont: Path, sample_rate: int, workers: int = 2) -> dict[NoteKey, np.ndarray]:
    """Render distinct notes, split across `workers` FluidSynth instances in threads."""
    if not keys:
        return {}
    # Group by program so each synth switches presets rarely; deal groups round-robin by cost.
    keys = sorted(keys, key=lambda k: (k.drums, k.bank, k.program, k.pitch, k.velocity, k.hold))
    shares: list[list[NoteKey]] = [[] for _ in range(max(1, workers))]
    loads = [0.0] * len(shares)
    for key in keys:
        i = int(np.argmin(loads))
        shares[i].append(key)
        loads[i] += 1.0 + key.hold * HOLD_STEP_S
    results: dict[NoteKey, np.ndarray] = {}
    lock = threading.Lock()

    def work(share: list[NoteKey]) -> None:
        if not share:
            return
        renderer = NoteRenderer(soundfont, sample_rate)
        try:
            local = {key: renderer.render(key) for key in share}
        finally:
            renderer.close()
        with lock:
            results.update(local)

    with ThreadPoolExecutor(max_workers=len(shares)) as pool:
        list(pool.map(work, shares))
    return results
