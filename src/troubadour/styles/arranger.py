"""The arrange stage: the style's players turn form and chords into parts.

Players come from the style file; what each plays comes from :mod:`roles`.
Dynamics follow section energy (sparse verses, full choruses, a breakdown
bridge); timing is humanised and swung deterministically from the seed.
"""

from __future__ import annotations

import zlib

import numpy as np

from troubadour.music.form import bars_per_line
from troubadour.music.harmony import ChordTrack
from troubadour.music.theory import parse_key
from troubadour.song import Part, PartMix, PartNote, Song, content_hash
from troubadour.styles import roles
from troubadour.styles.style import Style, StylePart

_TIMING_JITTER_S = 0.006
_VELOCITY_JITTER = 5


def level_for(energy: float) -> str:
    return "low" if energy < 0.5 else "mid" if energy < 0.75 else "high"


def song_bars(song: Song) -> list[roles.Bar]:
    bars: list[roles.Bar] = []
    bpb = song.beats_per_bar
    for index, (section, start) in enumerate(zip(song.form, song.section_start_beats())):
        next_kind = song.form[index + 1].kind if index + 1 < len(song.form) else None
        for b in range(section.bars):
            bars.append(roles.Bar(
                start=start + b * bpb, beats=bpb, level=level_for(section.energy), energy=section.energy,
                kind=section.kind, first=b == 0, last=b == section.bars - 1, next_kind=next_kind, song_last=False,
            ))
    if bars:
        bars[-1].song_last = True
    return bars


def part_inputs_hash(song: Song, spec: StylePart) -> str:
    """What a part is arranged from; when this changes and the notes were not hand-edited, re-arrange."""
    return content_hash(song.form, song.chords, song.key, list(song.time_signature), song.genre, song.seed,
                        spec.model_dump(mode="json"))


def arrange(song: Song, *, style: Style, only: set[str] | None = None) -> list[Part]:
    """All parts of the style (or only the named ones) for a composed song."""
    track = ChordTrack(song.chords)
    key = parse_key(song.key)
    bars = song_bars(song)
    spb = song.seconds_per_beat
    line_beats = bars_per_line(song.beats_per_bar) * song.beats_per_bar
    parts = []
    for spec in style.parts:
        if only is not None and spec.name not in only:
            continue
        rng = np.random.default_rng([song.seed, zlib.crc32(spec.name.encode())])
        playing = [b for b in bars if b.energy >= spec.min_energy or b.song_last]
        raw = _play(spec, playing, style=style, track=track, key=key, spb=spb, line_beats=line_beats, rng=rng)
        notes = _feel(raw, spec, bars_energy=bars, style=style, spb=spb, rng=rng)
        part = Part(name=spec.name, instrument=spec.instrument, program=spec.program, bank=spec.bank,
                    channel=spec.channel, notes=notes, source_hash=part_inputs_hash(song, spec))
        parts.append(part.model_copy(update={"notes_hash": content_hash(part.notes)}))
    return parts


def _play(spec: StylePart, bars: list[roles.Bar], *, style: Style, track: ChordTrack, key, spb: float,
          line_beats: float, rng: np.random.Generator) -> list[roles.Note]:
    if spec.role == "drums":
        return roles.drums(bars, style, rng)
    if spec.role == "bass":
        return roles.bass(bars, style, track, spec, key, rng)
    if spec.role == "strum":
        return roles.strum(bars, style, track, spec, spb)
    if spec.role == "comp":
        return roles.comp(bars, style, track, spec)
    if spec.role == "pad":
        return roles.pad(bars, track, spec)
    if spec.role == "lead":
        return roles.lead(bars, track, spec, key, line_beats, rng)
    return roles.arpeggio(bars, track, spec)


def _feel(raw: list[roles.Note], spec: StylePart, *, bars_energy: list[roles.Bar], style: Style, spb: float,
          rng: np.random.Generator) -> list[PartNote]:
    """Swing, humanised timing and velocity, velocity scaled by section energy."""
    if not raw:
        return []
    starts = np.array([n.start for n in raw])
    bar_starts = np.array([b.start for b in bars_energy])
    energies = np.array([b.energy for b in bars_energy])
    energy = energies[np.clip(np.searchsorted(bar_starts, starts, side="right") - 1, 0, len(energies) - 1)]
    if style.swing > 0:
        # Delay the off-beat eighth: at swing s it moves s of an eighth later.
        offbeat = np.isclose((starts * 2) % 2, 1.0)
        starts = starts + np.where(offbeat, style.swing * 0.5, 0.0)
    jitter = rng.normal(0.0, _TIMING_JITTER_S / spb, len(raw))
    jitter[np.isclose(starts % 1.0, 0.0)] *= 0.5  # players lock in on the beat
    starts = np.maximum(0.0, starts + jitter)
    velocity = np.array([n.velocity for n in raw], dtype=float)
    velocity = velocity * (0.78 + 0.3 * energy) + rng.integers(-_VELOCITY_JITTER, _VELOCITY_JITTER + 1, len(raw))
    notes = [
        PartNote(pitch=int(n.pitch), start_beat=round(float(s), 4), duration_beats=round(max(0.05, n.length), 4),
                 velocity=int(np.clip(v, 1, 127)))
        for n, s, v in zip(raw, starts, velocity)
    ]
    notes.sort(key=lambda n: (n.start_beat, n.pitch))
    return notes


def style_mix(style: Style) -> dict[str, PartMix]:
    """Default mix settings for every stem of the style (vocals included)."""
    mix = {name: PartMix(**settings.model_dump()) for name, settings in style.mix.items()}
    mix.setdefault("vocals", PartMix(gain_db=0.0, reverb=0.18))
    mix.setdefault("backing_vocals", PartMix(gain_db=-7.0, pan=0.25, reverb=0.3, highpass_hz=150))
    for spec in style.parts:
        mix.setdefault(spec.name, PartMix(gain_db=-8.0))
    return mix
