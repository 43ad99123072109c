"""Hand a sung vocal line to other singing engines: OpenUtau (.ustx) and DiffSinger (.ds).

Both files carry what the user needs to re-sing the line elsewhere: notes
(pitch and timing), the syllables, and their ARPAbet sounds.

OpenUtau (.ustx, YAML; format read from stakira/OpenUtau ``Format/USTx.cs``,
``Ustx/UProject.cs``, ``UPart.cs``, ``UNote.cs``, ``UTrack.cs``; YamlDotNet
with underscored names):

- ``ustx_version: "0.7"``: what the current stable OpenUtau (0.1.565) writes.
  Newer builds upgrade older files on load, but stable refuses newer ones
  ("Project file is newer than software"), so 0.7 opens everywhere.
- 480 ticks per quarter note; ``tempos``/``time_signatures`` (since 0.6) plus
  the old ``bpm``/``beat_per_bar``/``beat_unit`` for older readers.
- A note that continues the previous one (melisma) has the lyric ``+``; it
  only counts as a continuation when it starts where the previous one ends.
- ``lyric[sym sym]`` is a phonetic hint (``Phonemizer.Note.phoneticHint``);
  the English Arpasing phonemizer splits it on spaces and keeps valid
  lower-case ARPAbet symbols, so we give the sounds we sang.

DiffSinger (.ds, a JSON list with one segment per phrase; fields as read by
openvpi/DiffSinger ``inference/ds_variance.py`` and written by OpenUtau's
``DiffSinger/DiffSingerScript.cs``): space-separated strings, seconds.
``ph_num`` counts phones per word, a word running from one vowel (or SP/AP)
to the next, so leading consonants belong to the word before; there is one
word per note that is not a slur, and ``sum(ph_dur) == sum(note_dur)``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import yaml

from troubadour.errors import InputError, OutputError
from troubadour.export.outdir import atomic_write_bytes
from troubadour.music.theory import midi_to_hz, midi_to_name
from troubadour.song import Syllable
from troubadour.voice.pitch import PitchStyle, base_curve
from troubadour.voice.score import ScoreNote, ScorePhrase, VocalScore
from troubadour.voice.singer import PhraseRender

USTX_VERSION = "0.7"
RESOLUTION = 480  # ticks per quarter note
ARPASING = "OpenUtau.Plugin.Builtin.ArpasingPhonemizer"  # Type.FullName, as UTrack.BeforeSave stores it
CONTINUATION = "+"

TAIL_S = 0.1  # silence (SP) after a phrase's last phone, as OpenUtau's .ds exporter adds one
BREATH_MIN_S = 0.1  # a lead-in at least this long holds the singer's breath: "AP", else "SP"
REST_MIN_S = 0.03  # a gap between phones longer than this is a rest (SP); shorter ones join the phone before
ONSET_TOLERANCE_S = 0.005  # a phone starting this close to a note start starts that note's word
F0_TIMESTEP_S = 0.005


def _sung_notes(phrase: ScorePhrase) -> list[ScoreNote]:
    """The notes as the singer sings them: a phrase opening on a continuation is hummed on "ah"."""
    notes = list(phrase.notes)
    if notes and notes[0].syllable is None:
        notes[0] = ScoreNote(notes[0].pitch, notes[0].start_s, notes[0].duration_s,
                             Syllable(text="ah", phonemes=["AA"], stress=1), notes[0].velocity, notes[0].word_end)
    return notes


def _check(score: VocalScore, renders: list[PhraseRender]) -> list[ScorePhrase]:
    phrases = [p for p in score.phrases if p.notes]
    if len(renders) != len(phrases):
        raise InputError(f"renders has {len(renders)} phrases but the score has {len(phrases)}; "
                         "pass the list render_score returned for this score")
    return phrases


def _write(path: Path, data: bytes) -> None:
    """Write via a temporary file beside the target, so a failed write leaves no half file."""
    path = Path(path)
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise OutputError(f"cannot write {str(path)!r}: {exc.strerror or exc}; choose another path") from None


# ---------------------------------------------------------------- OpenUtau


def _lyric(syllable: Syllable) -> str:
    # "[" and "]" would open a second hint; a leading "+", "?" or "-" means something else to OpenUtau.
    text = syllable.text.replace("[", "").replace("]", "").strip().lstrip("+?-") or "a"
    return f"{text}[{' '.join(p.lower() for p in syllable.phonemes)}]"


def write_ustx(path: Path, score: VocalScore, renders: list[PhraseRender], *, tempo_bpm: float,
               time_signature: tuple[int, int] = (4, 4), name: str = "troubadour vocal") -> None:
    """Write the vocal line as an OpenUtau project: one track, one part, every note.

    renders : the phrases as sung (``render_score``); checked against the score
    tempo_bpm : the song's tempo; note times (seconds) become ticks at 480 per quarter
    """
    _check(score, renders)
    if not (tempo_bpm > 0 and math.isfinite(tempo_bpm)):
        raise InputError(f"tempo_bpm must be a positive number, got {tempo_bpm!r}")
    beats, unit = time_signature
    ticks_per_s = tempo_bpm / 60.0 * RESOLUTION
    notes = [n for p in score.phrases for n in _sung_notes(p)]
    # Round note edges, not durations, so notes that touch in the score touch in ticks
    # (OpenUtau only joins a "+" note to the note ending exactly where it starts).
    edges = [(round(n.start_s * ticks_per_s), round(n.end_s * ticks_per_s)) for n in notes]
    ustx_notes = []
    for k, (note, (start, end)) in enumerate(zip(notes, edges)):
        if k + 1 < len(edges):
            end = min(end, edges[k + 1][0])  # never overlap: OpenUtau marks overlapping notes as errors
        ustx_notes.append({
            "position": start,
            "duration": max(end - start, 1),
            "tone": int(round(note.pitch)),
            "lyric": CONTINUATION if note.syllable is None else _lyric(note.syllable),
            # OpenUtau's default portamento; it dereferences pitch.data[0], so a note needs points.
            "pitch": {"data": [{"x": -40, "y": 0, "shape": "io"}, {"x": 40, "y": 0, "shape": "io"}],
                      "snap_first": True},
            "vibrato": {"length": 0, "period": 175, "depth": 25, "in": 10, "out": 10, "shift": 0, "drift": 0,
                        "vol_link": 0},
            "phoneme_expressions": [],
            "phoneme_overrides": [],
        })
    end_tick = max((n["position"] + n["duration"] for n in ustx_notes), default=0)
    project = {
        "name": name,
        "comment": "",
        "output_dir": "Vocal",
        "cache_dir": "UCache",
        "ustx_version": USTX_VERSION,
        "resolution": RESOLUTION,
        "bpm": float(tempo_bpm),
        "beat_per_bar": int(beats),
        "beat_unit": int(unit),
        "time_signatures": [{"bar_position": 0, "beat_per_bar": int(beats), "beat_unit": int(unit)}],
        "tempos": [{"position": 0, "bpm": float(tempo_bpm)}],
        "tracks": [{
            "phonemizer": ARPASING,
            "renderer_settings": {},
            "track_name": name,
            "track_color": "Blue",
            "mute": False,
            "solo": False,
            "volume": 0,
            "pan": 0,
        }],
        "voice_parts": [{
            "duration": end_tick,
            "name": name,
            "comment": "",
            "track_no": 0,
            "position": 0,
            "notes": ustx_notes,
            "curves": [],
        }],
    }
    text = yaml.safe_dump(project, sort_keys=False, allow_unicode=True, default_flow_style=None, width=120)
    _write(path, text.encode("utf-8"))


# ---------------------------------------------------------------- DiffSinger


def _note_name(pitch: float) -> str:
    """MIDI pitch as DiffSinger reads it (librosa.note_to_midi): "C4", or "C4+25" with cents."""
    whole = int(round(pitch))
    cents = int(round(100 * (pitch - whole)))
    return midi_to_name(whole) + (f"{cents:+d}" if cents else "")


def _segment(phrase: ScorePhrase, render: PhraseRender) -> dict:
    notes = _sung_notes(phrase)
    phones = sorted(render.timeline.phones, key=lambda p: (p.start_s, p.end_s))
    first, onset = phones[0].start_s, notes[0].start_s
    # The segment starts where the render does (its breath included), but DiffSinger cannot
    # start before t = 0: then the lead-in is squeezed into the time before the first note.
    lead = min(render.start_s, first - 0.02)
    offset = max(lead, 0.0)
    squeeze = (onset - offset) / (onset - lead) if lead < 0 < onset else 1.0

    def place(t: float) -> float:
        return max(onset - (onset - t) * squeeze, offset) if t < onset else t

    head = "AP" if place(first) - offset >= BREATH_MIN_S else "SP"

    # Phones made contiguous (each lasts until the next starts); real gaps become SP rests.
    symbols, starts, rests = [head], [offset], []
    sounding_end = offset
    for p in phones:
        start = place(p.start_s)
        if start - sounding_end > REST_MIN_S and len(symbols) > 1:
            rests.append(len(symbols))
            symbols.append("SP")
            starts.append(sounding_end)
        symbols.append(p.symbol.lower())
        starts.append(start)
        sounding_end = max(sounding_end, place(p.end_s))
    rests.append(len(symbols))  # the tail SP is a word of its own
    symbols.append("SP")
    starts.append(sounding_end)
    end = sounding_end + TAIL_S
    times = np.array(starts + [end])
    durations = np.diff(times)

    # Words start at the segment start, at every syllable's first note and at every rest.
    bounds = ([(offset, "rest", [])] + [(n.start_s, "note", [n]) for n in notes if n.syllable is not None]
              + [(starts[k], "rest", []) for k in rests])
    for n in notes:  # continuation notes join the word of the syllable they continue
        if n.syllable is None:
            owner = max((b for b in bounds if b[1] == "note" and b[0] <= n.start_s), key=lambda b: b[0])
            owner[2].append(n)
    bounds.sort(key=lambda b: b[0])
    # Each phone belongs to the last word starting at or before it.
    word_of = np.searchsorted([b[0] - ONSET_TOLERANCE_S for b in bounds], times[:-1], side="right") - 1
    counts = np.bincount(np.maximum(word_of, 0), minlength=len(bounds))

    text, ph_num, note_seq, note_dur, note_slur = [], [], [], [], []
    for k, (start, kind, group) in enumerate(bounds):
        word_end = bounds[k + 1][0] if k + 1 < len(bounds) else end
        slur = counts[k] == 0  # no phone starts here: sing it as a slur of the word before
        if slur and kind == "rest":
            continue  # only a lead-in squeezed to nothing at t = 0
        if not slur:
            ph_num.append(int(counts[k]))
            text.append(group[0].syllable.text if kind == "note" else head if k == 0 else "SP")
        if kind == "rest":
            edges, pitches = [start, word_end], ["rest"]
        else:
            inner = [min(max(n.start_s, start), word_end) for n in group[1:]]
            edges, pitches = [start] + inner + [word_end], [_note_name(n.pitch) for n in group]
        for j, pitch in enumerate(pitches):
            note_seq.append(pitch)
            note_dur.append(edges[j + 1] - edges[j])
            note_slur.append(1 if (j > 0 or slur) else 0)

    # The score's pitch curve (steps joined by glides), the line DiffSinger would refine.
    grid = offset + F0_TIMESTEP_S * np.arange(int(round((end - offset) / F0_TIMESTEP_S)) + 1)
    f0 = midi_to_hz(base_curve(phrase.notes, grid, PitchStyle()))
    return {
        "offset": round(offset, 6),
        "text": " ".join(text),
        "ph_seq": " ".join(symbols),
        "ph_dur": " ".join(f"{d:.6f}" for d in durations),
        "ph_num": " ".join(str(n) for n in ph_num),
        "note_seq": " ".join(note_seq),
        "note_dur": " ".join(f"{d:.6f}" for d in note_dur),
        "note_slur": " ".join(str(s) for s in note_slur),
        "f0_seq": " ".join(f"{f:.1f}" for f in f0),
        "f0_timestep": str(F0_TIMESTEP_S),
    }


def write_ds(path: Path, score: VocalScore, renders: list[PhraseRender]) -> None:
    """Write the vocal line as a DiffSinger .ds file: one segment per phrase, timed as we sang it.

    renders : ``render_score(score, ...)``; phone durations come from their timelines
    """
    phrases = _check(score, renders)
    segments = [_segment(phrase, render) for phrase, render in zip(phrases, renders)]
    _write(path, json.dumps(segments, ensure_ascii=False, indent=2).encode("utf-8"))
