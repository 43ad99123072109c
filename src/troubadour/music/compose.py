"""The compose stage: key, tempo and meter from brief and style; form, harmony and melody from the lyrics."""

from __future__ import annotations

import numpy as np

from troubadour.brief import Brief
from troubadour.music.form import MIN_SONG_S, build_form
from troubadour.music.harmony import build_harmony
from troubadour.music.melody import compose_melody
from troubadour.music.theory import parse_key
from troubadour.song import Song
from troubadour.styles.style import Style
from troubadour.voice.profiles import load_voice


def choose_tempo(brief: Brief, style: Style, rng: np.random.Generator) -> float:
    """A whole-number BPM from the style's range for the brief's pace (mid by default)."""
    pace = brief.tempo or "mid"
    low, high = style.tempo_bpm.get(pace) or style.tempo_bpm["mid"]
    return float(rng.integers(low, high + 1))


def choose_key(brief: Brief, style: Style, rng: np.random.Generator) -> str:
    """Minor for heartbreak, major otherwise, from the style's key list."""
    mode = "minor" if brief.minor and style.keys.get("minor") else "major"
    options = style.keys[mode]
    return options[int(rng.integers(len(options)))]


def compose(song: Song, *, style: Style, seed: int, min_seconds: float = MIN_SONG_S) -> Song:
    """Form, chords and melody for a song whose lyrics, key, tempo and voice are set.

    min_seconds : instrumental sections are added until the song lasts this long
    """
    rng = np.random.default_rng([seed, 0xF0])
    form = build_form(song.lyrics, beats_per_bar=song.beats_per_bar, tempo_bpm=song.tempo_bpm, rng=rng,
                      min_seconds=min_seconds)
    song = song.model_copy(update={"form": form})
    chords = build_harmony(form, key=parse_key(song.key), style=style, beats_per_bar=song.beats_per_bar,
                           rng=np.random.default_rng([seed, 0xC4]))
    song = song.model_copy(update={"chords": chords})
    voice = load_voice(song.voice)
    melody = compose_melody(song, rng_seed=seed, low=voice.low, high=voice.high)
    return song.model_copy(update={"melody": melody})
