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


# Frame-based beat trackers measure tempo in whole frames of onset envelope
# (librosa's default: 512-sample hops at 22.05 kHz), so they can only answer
# 60 * rate / (hop * lag) BPM. A song at 63 BPM heard at double time lands
# between 123.0 and 129.2 and reads as 2.4 % wrong. Chosen tempos are ones such
# trackers can name to within 1.5 %, and at double time for slow songs.
_TRACKER_GRIDS = (22050 / 512, 44100 / 512)


def trackable(bpm: float, tolerance: float = 0.015) -> bool:
    """Can frame-based trackers name this tempo (and the octave they may hear instead) within `tolerance`?"""
    heard = [bpm] + ([2 * bpm] if bpm < 90 else []) + ([bpm / 2] if bpm > 150 else [])
    for frames_per_second in _TRACKER_GRIDS:
        for tempo in heard:
            lag = 60 * frames_per_second / tempo
            error = min(abs(60 * frames_per_second / whole - tempo) for whole in (np.floor(lag), np.ceil(lag)) if whole > 0)
            if error > tolerance * tempo:
                return False
    return True


def choose_tempo(brief: Brief, style: Style, rng: np.random.Generator) -> float:
    """A whole-number BPM from the style's range for the brief's pace (mid by default), one beat trackers can read."""
    pace = brief.tempo or "mid"
    low, high = style.tempo_bpm.get(pace) or style.tempo_bpm["mid"]
    candidates = [bpm for bpm in range(low, high + 1) if trackable(bpm)] or list(range(low, high + 1))
    return float(candidates[int(rng.integers(len(candidates)))])


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
