"""FluidSynth rendering: real SoundFont, right pitch, note-cached render equals a streamed render."""

import ctypes

import numpy as np
import pytest

from troubadour.render.fluid import NoteKey, NoteRenderer, render_parts
from troubadour.render.soundfont import find_soundfont
from troubadour.song import Part, PartNote

SR = 44100


def _pitch_hz(audio: np.ndarray, sample_rate: int) -> float:
    """Fundamental by autocorrelation of the mono sum (robust for harmonic tones)."""
    x = audio.mean(axis=0)
    x = x[int(0.1 * sample_rate): int(0.6 * sample_rate)]
    x = x - x.mean()
    corr = np.correlate(x, x, mode="full")[len(x) - 1:]
    low, high = int(sample_rate / 1000), int(sample_rate / 50)
    lag = low + int(np.argmax(corr[low:high]))
    return sample_rate / lag


def test_a_soundfont_is_found():
    assert find_soundfont().stat().st_size > 1_000_000


@pytest.mark.parametrize("program,pitch", [(0, 57), (25, 64), (32, 40)])
def test_rendered_notes_sound_at_their_pitch(program, pitch):
    renderer = NoteRenderer(find_soundfont(), SR)
    audio = renderer.render(NoteKey(0, program, False, pitch, 96, 50))  # held 1 s
    renderer.close()
    expected = 440.0 * 2 ** ((pitch - 69) / 12)
    measured = _pitch_hz(audio, SR)
    cents = 1200 * np.log2(measured / expected)
    assert abs(cents) < 30 or abs(abs(cents) - 1200) < 30, (measured, expected)


def test_notes_end_in_silence_and_release_after_note_off():
    renderer = NoteRenderer(find_soundfont(), SR)
    short = renderer.render(NoteKey(0, 0, False, 60, 96, 10))
    long = renderer.render(NoteKey(0, 0, False, 60, 96, 100))
    renderer.close()
    assert long.shape[1] > short.shape[1] + int(1.5 * SR)
    assert np.abs(short[:, -64:]).max() < 1e-3


def _stream_render(part: Part, seconds_per_beat: float, total: int) -> np.ndarray:
    """The reference: the same notes streamed through one FluidSynth instance in time order."""
    import fluidsynth

    synth = fluidsynth.Synth(gain=0.4, samplerate=float(SR), **{"synth.reverb.active": 0, "synth.chorus.active": 0})
    sfid = synth.sfload(str(find_soundfont()))
    synth.program_select(0, sfid, 0, part.program)
    write = fluidsynth._fl.fluid_synth_write_float
    write.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
    events = []
    for n in part.notes:
        events.append((int(round(n.start_beat * seconds_per_beat * SR)), 1, n.pitch, n.velocity))
        events.append((int(round(n.start_beat * seconds_per_beat * SR)) + int(round(n.duration_beats * seconds_per_beat / 0.02)) * int(0.02 * SR), 0, n.pitch, 0))
    events.sort()
    out = np.zeros((2, total), np.float32)
    now = 0
    for sample, on, pitch, velocity in events + [(total, -1, 0, 0)]:
        if sample > now:
            write(synth.synth, sample - now, out[0, now:].ctypes.data, 0, 1, out[1, now:].ctypes.data, 0, 1)
            now = sample
        if on == 1:
            synth.noteon(0, pitch, velocity)
        elif on == 0:
            synth.noteoff(0, pitch)
    synth.delete()
    return out


def test_note_cached_render_matches_a_streamed_render():
    """Placing distinct notes matches FluidSynth playing the part (velocities on render steps)."""
    notes = [PartNote(pitch=p, start_beat=b, duration_beats=0.5, velocity=96)
             for b, p in zip(np.arange(0, 8, 0.5), [48, 52, 55, 60, 55, 52, 48, 43] * 2)]
    part = Part(name="keys", instrument="Piano", program=0, channel=1, notes=notes)
    spb = 0.5
    total = int(6 * SR)
    cached = render_parts([part], seconds_per_beat=spb, total_samples=total, sample_rate=SR, soundfont=find_soundfont())["keys"]
    streamed = _stream_render(part, spb, total)
    # FluidSynth starts voices on 64-sample block edges when streaming; compare envelopes, not samples.
    def envelope(x):
        frames = x.mean(axis=0)[: total // 1024 * 1024].reshape(-1, 1024)
        return np.sqrt((frames ** 2).mean(axis=1))
    a, b = envelope(cached), envelope(streamed)
    level_db = 20 * np.log10((a + 1e-6) / (b + 1e-6))
    loud = b > b.max() * 0.05
    assert np.median(np.abs(level_db[loud])) < 0.5
    assert np.corrcoef(a, b)[0, 1] > 0.99


def test_drums_render_on_the_percussion_bank():
    renderer = NoteRenderer(find_soundfont(), SR)
    kick = renderer.render(NoteKey(0, 0, True, 36, 110, 0))
    renderer.close()
    spectrum = np.abs(np.fft.rfft(kick.mean(axis=0)[:8192]))
    freqs = np.fft.rfftfreq(8192, 1 / SR)
    low_share = spectrum[freqs < 200].sum() / spectrum.sum()
    assert low_share > 0.3  # a kick drum, not a piano note


def test_missing_soundfont_names_the_package(monkeypatch, tmp_path):
    from troubadour.errors import DependencyError
    from troubadour.render import soundfont

    monkeypatch.setattr(soundfont, "SEARCH_PATHS", (str(tmp_path / "none.sf2"),))
    monkeypatch.delenv("TROUBADOUR_SOUNDFONT", raising=False)
    with pytest.raises(DependencyError, match="fluid-soundfont-gm"):
        soundfont.find_soundfont()
