"""`troubadour sing SCORE -o OUT.wav`: a score file in, an in-tune, marked vocal out; bad input refused in one line."""

from __future__ import annotations

import mido
import numpy as np
import pytest
import soundfile as sf
from cli_testing import one_line_error, run
from voice_testing import pyin_note_errors

from troubadour.voice.scorefile import read_score

pytestmark = pytest.mark.slow


def _karaoke(path, lyrics_notes, *, tempo_us=600_000, low=False):
    """A type-1 karaoke MIDI: (syllable or None, pitch, beats) per note, a short rest between lines ('/')."""
    midi = mido.MidiFile(type=1, ticks_per_beat=480)
    midi.tracks.append(mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=tempo_us)]))
    track = mido.MidiTrack([mido.MetaMessage("track_name", name="Vocals")])
    wait = 0
    for syllable, pitch, beats in lyrics_notes:
        if syllable == "/":  # a rest of half a beat
            wait += 240
            continue
        if syllable is not None:
            track.append(mido.MetaMessage("lyrics", text=syllable, time=wait))
            wait = 0
        track.append(mido.Message("note_on", note=pitch - (24 if low else 0), velocity=90, time=wait))
        track.append(mido.Message("note_off", note=pitch - (24 if low else 0), velocity=0, time=int(beats * 480)))
        wait = 0
    midi.tracks.append(track)
    midi.save(str(path))
    return path


LINE = [("Walk-", 57, 1), ("ing", 59, 1), ("down", 60, 1), ("the", 59, 0.5), ("road", 57, 2.5), ("/", 0, 0),
        ("I", 55, 1), ("will", 57, 1), ("find", 59, 1), ("my", 60, 1), ("way", 57, 2), (None, 55, 1)]


def test_sing_a_midi_score_in_tune_and_marked(tmp_path):
    score = _karaoke(tmp_path / "line.mid", LINE)
    out = tmp_path / "line.wav"
    result = run("sing", str(score), "-o", str(out), "--voice", "rugged_baritone", "--sample-rate", "48000",
                 "--export-ustx", str(tmp_path / "line.ustx"), "--export-ds", str(tmp_path / "line.ds"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout
    audio, rate = sf.read(str(out), dtype="float32")
    assert rate == 48000 and sf.info(str(out)).subtype == "PCM_24"
    notes = read_score(score).score.notes()
    errors, voiced = pyin_note_errors(audio, rate, notes)
    assert np.mean(np.abs(errors) <= 50) >= 0.95, errors
    assert np.mean(voiced >= 0.9) >= 0.9, voiced
    from troubadour.trust.credentials import read_credentials

    credentials = read_credentials(out)
    assert credentials["present"] and credentials["valid"] and credentials["ai_generated"], credentials
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left
    import json

    import yaml

    ustx = yaml.safe_load((tmp_path / "line.ustx").read_text())
    assert [n["tone"] for n in ustx["voice_parts"][0]["notes"]] == [n.pitch for n in notes]
    segments = json.loads((tmp_path / "line.ds").read_text())
    assert len(segments) == 2  # one per phrase (the rest splits the line)


def test_low_lines_move_up_by_octaves_with_a_warning_or_are_refused_with_strict(tmp_path):
    score = _karaoke(tmp_path / "low.mid", LINE, low=True)
    result = run("sing", str(score), "-o", str(tmp_path / "low.wav"), "--voice", "bright_tenor", "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "octave" in result.stderr and "bright_tenor" in result.stderr
    strict = run("sing", str(score), "-o", str(tmp_path / "strict.wav"), "--voice", "bright_tenor", "--strict",
                 cwd=tmp_path)
    one_line_error(strict, "outside bright_tenor's range", "--strict")
    assert not (tmp_path / "strict.wav").exists()


@pytest.mark.parametrize("args, fragments", [
    (["--voice", "robot"], ["unknown voice 'robot'", "rugged_baritone"]),
    (["--sample-rate", "1000"], ["--sample-rate", "44100"]),
    (["--vowel", "y"], ["unknown vowel 'y'"]),
    (["--part", "Piano"], ["no track named 'Piano'", "'Vocals'"]),
])
def test_bad_sing_options(tmp_path, args, fragments):
    score = _karaoke(tmp_path / "line.mid", LINE)
    result = run("sing", str(score), "-o", str(tmp_path / "out.wav"), *args, cwd=tmp_path)
    one_line_error(result, *fragments)
    assert not (tmp_path / "out.wav").exists()


def test_bad_score_files_and_outputs(tmp_path):
    empty = tmp_path / "empty.mid"
    empty.write_bytes(b"")
    one_line_error(run("sing", str(empty), "-o", str(tmp_path / "a.wav"), cwd=tmp_path), "is empty")
    corrupt = tmp_path / "corrupt.musicxml"
    corrupt.write_bytes(b"\x00\xff" * 100)
    one_line_error(run("sing", str(corrupt), "-o", str(tmp_path / "a.wav"), cwd=tmp_path), "cannot read")
    hum = _karaoke(tmp_path / "hum.mid", [(None, 57, 1), (None, 59, 2)])
    one_line_error(run("sing", str(hum), "-o", str(tmp_path / "a.wav"), cwd=tmp_path), "no lyrics", "--vowel")
    score = _karaoke(tmp_path / "line.mid", LINE)
    one_line_error(run("sing", str(score), "-o", str(tmp_path / "a.mp3"), cwd=tmp_path), ".wav")
    (tmp_path / "taken.wav").write_bytes(b"keep me")
    one_line_error(run("sing", str(score), "-o", str(tmp_path / "taken.wav"), cwd=tmp_path), "--force")
    assert (tmp_path / "taken.wav").read_bytes() == b"keep me"
    one_line_error(run("sing", str(score), "-o", str(tmp_path / "nowhere" / "a.wav"), cwd=tmp_path), "does not exist")
    assert not (tmp_path / "a.wav").exists()
