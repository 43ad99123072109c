"""Every style file validates, and arranges into a full band that follows the chords and the energy."""

import numpy as np
import pytest
import yaml

from troubadour.errors import DocumentError
from troubadour.music.harmony import ChordTrack
from troubadour.pipeline import create_song
from troubadour.styles import style as style_module
from troubadour.styles.style import Style, load_style, style_names


def test_there_are_at_least_the_four_core_styles():
    assert {"country", "pop", "rock", "folk"} <= set(style_names())


@pytest.mark.parametrize("name", style_names())
def test_style_arranges_a_full_band(name):
    style = load_style(name)
    song = create_song("a song about a long road home", seed=5, genre=name)
    with_notes = [p for p in song.parts if p.notes]
    assert len(with_notes) + 1 >= 5  # plus the vocal
    drums = [p for p in song.parts if p.is_drums]
    assert len(drums) == 1 and drums[0].channel == 9
    assert tuple(song.time_signature) == tuple(style.meter)
    low, high = min(r[0] for r in style.tempo_bpm.values()), max(r[1] for r in style.tempo_bpm.values())
    assert low <= song.tempo_bpm <= high


@pytest.mark.parametrize("name", style_names())
def test_bass_plays_the_chord_roots_on_downbeats(name):
    song = create_song("a song about a long road home", seed=2, genre=name)
    track = ChordTrack(song.chords)
    bass = next(p for p in song.parts if p.name == "bass")
    hits = roots = 0
    for note in bass.notes:
        beat = round(note.start_beat)
        if abs(note.start_beat - beat) < 0.05 and beat % song.beats_per_bar == 0:
            hits += 1
            chord = track.at(beat)
            roots += note.pitch % 12 in (chord.root, chord.bass)
    assert roots / hits >= 0.9


def test_sections_get_louder_and_fuller_with_energy():
    song = create_song("a song about a long road home", seed=1, genre="country")
    starts = song.section_start_beats()
    verse = next(i for i, s in enumerate(song.form) if s.kind == "verse")
    chorus = max(i for i, s in enumerate(song.form) if s.kind == "chorus")

    def density(index):
        a, b = starts[index], starts[index] + song.form[index].bars * song.beats_per_bar
        notes = [n for p in song.parts for n in p.notes if a <= n.start_beat < b]
        return len(notes) / (b - a), np.mean([n.velocity for n in notes])

    (verse_density, verse_velocity), (chorus_density, chorus_velocity) = density(verse), density(chorus)
    assert chorus_density > verse_density and chorus_velocity > verse_velocity


def test_shuffle_styles_swing_their_offbeats():
    song = create_song("a honky tonk song about a jukebox", seed=3, genre="honkytonk")
    drums = next(p for p in song.parts if p.is_drums)
    offbeats = [n.start_beat % 1.0 for n in drums.notes if 0.3 < n.start_beat % 1.0 < 0.9]
    assert np.median(offbeats) > 0.6  # eighths pushed late toward the triplet


def test_a_broken_style_file_is_reported(monkeypatch):
    data = yaml.safe_load(style_module._style_files()["country"])
    data["grooves"]["mid"]["kick"] = "x..x"
    monkeypatch.setattr(style_module, "_style_files", lambda: {"broken": yaml.safe_dump(data)})
    load_style.cache_clear()
    try:
        with pytest.raises(DocumentError, match="broken"):
            load_style("broken")
    finally:
        load_style.cache_clear()


def test_the_schema_refuses_drums_off_channel_ten():
    data = yaml.safe_load(style_module._style_files()["pop"])
    data["parts"][0]["channel"] = 3
    with pytest.raises(Exception, match="channel 10"):
        Style.model_validate(data)
