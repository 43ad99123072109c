"""Song form: sections with bar counts, built around the lyric sections.

Every sung line gets a fixed span of bars (about eight beats), so a section's
length follows from its lines. Instrumental sections (intro, turnarounds, a
solo, an outro) frame the words and bring a song to a normal length.
"""

from __future__ import annotations

import numpy as np

from troubadour.song import FormSection, Lyrics

MIN_SONG_S = 135.0  # below this, add instrumental solos

_ENERGY = {"intro": 0.5, "verse": 0.55, "prechorus": 0.68, "chorus": 0.85, "hook": 0.85, "bridge": 0.45,
           "solo": 0.8, "outro": 0.5}


def bars_per_line(beats_per_bar: float) -> int:
    """Bars for one sung line: two bars of 4/4, four of 3/4 or 6/8."""
    return 2 if beats_per_bar >= 4 else 4


def build_form(lyrics: Lyrics, *, beats_per_bar: float, tempo_bpm: float, rng: np.random.Generator,
               min_seconds: float = MIN_SONG_S) -> list[FormSection]:
    """Lay out intro, the lyric sections in order, a turnaround after choruses, a solo if short, an outro."""
    per_line = bars_per_line(beats_per_bar)
    bar_s = beats_per_bar * 60.0 / tempo_bpm
    intro_bars = 4 if bar_s < 3.2 else 2
    form = [FormSection(kind="intro", label="Intro", bars=intro_bars, energy=_ENERGY["intro"])]
    verse_count = 0
    n_sections = len(lyrics.sections)
    for index, section in enumerate(lyrics.sections):
        kind = section.kind
        if kind == "verse":
            verse_count += 1
        energy = _ENERGY.get(kind, 0.6)
        if kind == "verse" and verse_count > 1:
            energy += 0.08  # the second verse carries the band a little further
        if kind == "chorus" and index == _last_index(lyrics, "chorus"):
            energy = 0.95
        bars = max(1, len(section.lines)) * per_line
        form.append(FormSection(kind=kind, label=section.label, bars=bars, lyrics=index, energy=min(1.0, energy)))
        is_last = index == n_sections - 1
        if kind == "chorus" and not is_last and lyrics.sections[index + 1].kind != "chorus":
            form.append(FormSection(kind="solo", label="Turnaround", bars=2 if per_line == 2 else 4, energy=0.7))
    song_s = sum(s.bars for s in form) * bar_s
    if song_s < min_seconds:
        form = _lengthen(form, bar_s=bar_s, per_line=per_line, min_seconds=min_seconds)
    outro_bars = 4 if bar_s < 3.2 else 2
    form.append(FormSection(kind="outro", label="Outro", bars=outro_bars, energy=_ENERGY["outro"]))
    return form


def _lengthen(form: list[FormSection], *, bar_s: float, per_line: int, min_seconds: float) -> list[FormSection]:
    """Add an instrumental solo before the last chorus (never extra words) until the song is long enough."""
    missing_s = min_seconds - sum(s.bars for s in form) * bar_s
    unit = 4 * per_line
    units = min(4, int(np.ceil(missing_s / (unit * bar_s))))
    position = max((i for i, s in enumerate(form) if s.kind == "chorus"), default=len(form))
    solo = FormSection(kind="solo", label="Solo", bars=units * unit, energy=0.8)
    return form[:position] + [solo] + form[position:]


def _last_index(lyrics: Lyrics, kind: str) -> int:
    return max((i for i, s in enumerate(lyrics.sections) if s.kind == kind), default=-1)
