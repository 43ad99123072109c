"""Measuring a render with meters troubadour did not write: pyloudnorm, librosa (beats, chroma, pYIN).

Used by the tests and benchmarks to check what comes out of the speakers:
loudness and true peak of the master, tempo and key heard in it, and how
well the vocal stem sings the notes of the score.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from troubadour.errors import DependencyError

# Krumhansl-Kessler key profiles (probe-tone ratings), major and minor, from C.
_MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


def _librosa():
    try:
        import librosa
    except ImportError:
        raise DependencyError("the analysis meters need librosa; install the dev extra: pip install -e '.[dev]'") from None
    return librosa


def load_mono(path: str | Path, sample_rate: int | None = None) -> tuple[np.ndarray, int]:
    import soundfile as sf

    audio, rate = sf.read(str(path), dtype="float32", always_2d=True)
    mono = audio.mean(axis=1)
    if sample_rate and sample_rate != rate:
        mono = _librosa().resample(mono, orig_sr=rate, target_sr=sample_rate)
        rate = sample_rate
    return mono, rate


def estimate_tempo(audio: np.ndarray, sample_rate: int) -> float:
    """Tempo in BPM from librosa's beat tracker."""
    librosa = _librosa()
    tempo, _ = librosa.beat.beat_track(y=audio, sr=sample_rate)
    return float(np.atleast_1d(tempo)[0])


def tempo_matches(heard: float, declared: float, tolerance: float = 0.02) -> bool:
    """Equal within 2 %, or at half or double time."""
    return any(abs(heard * factor - declared) <= tolerance * declared for factor in (1.0, 0.5, 2.0))


def estimate_key(audio: np.ndarray, sample_rate: int) -> tuple[int, str]:
    """(tonic pitch class, 'major'|'minor') by correlating mean chroma with key profiles."""
    librosa = _librosa()
    chroma = librosa.feature.chroma_cqt(y=audio, sr=sample_rate).mean(axis=1)
    best, best_score = (0, "major"), -np.inf
    for tonic in range(12):
        for mode, profile in (("major", _MAJOR_PROFILE), ("minor", _MINOR_PROFILE)):
            score = np.corrcoef(chroma, np.roll(profile, tonic))[0, 1]
            if score > best_score:
                best, best_score = (tonic, mode), score
    return best


def key_matches(heard: tuple[int, str], declared_tonic: int, declared_mode: str) -> bool:
    """The declared key or its relative major/minor."""
    if heard == (declared_tonic, declared_mode):
        return True
    relative = ((declared_tonic + 9) % 12, "minor") if declared_mode == "major" else ((declared_tonic + 3) % 12, "major")
    return heard == relative


@dataclass
class PitchReport:
    notes: int
    in_tune: int  # within ±50 cents
    voiced_share: float  # mean share of voiced frames in each note's sustained part
    median_abs_cents: float

    @property
    def in_tune_share(self) -> float:
        return self.in_tune / self.notes if self.notes else 0.0


def vocal_notes_from_midi(path: str | Path, track_name: str = "Vocals") -> list[tuple[float, float, int]]:
    """(start_s, end_s, pitch) of every note on the named track, through mido's tempo map."""
    import mido

    midi = mido.MidiFile(str(path))
    tempo_events = []
    for track in midi.tracks:
        now = 0
        for message in track:
            now += message.time
            if message.type == "set_tempo":
                tempo_events.append((now, message.tempo))
    tempo_events = sorted(tempo_events) or [(0, 500000)]

    def seconds(tick: int) -> float:
        total, last_tick, tempo = 0.0, 0, 500000
        for event_tick, event_tempo in tempo_events:
            if event_tick > tick:
                break
            total += (event_tick - last_tick) * tempo / midi.ticks_per_beat / 1e6
            last_tick, tempo = event_tick, event_tempo
        return total + (tick - last_tick) * tempo / midi.ticks_per_beat / 1e6

    track = next(t for t in midi.tracks if t.name == track_name)
    notes, active, now = [], {}, 0
    for message in track:
        now += message.time
        if message.type == "note_on" and message.velocity > 0:
            active[message.note] = now
        elif message.type in ("note_off", "note_on") and message.note in active:
            start = active.pop(message.note)
            notes.append((seconds(start), seconds(now), message.note))
    return sorted(notes)


def vocal_pitch_accuracy(vocal: np.ndarray, sample_rate: int, notes: list[tuple[float, float, int]], *,
                         min_note_s: float = 0.15) -> PitchReport:
    """pYIN f0 against the score on the sustained middle of each note (skips notes shorter than min_note_s)."""
    librosa = _librosa()
    hop = 256
    f0, voiced, _ = librosa.pyin(vocal, fmin=65.0, fmax=1000.0, sr=sample_rate, frame_length=2048, hop_length=hop)
    times = librosa.times_like(f0, sr=sample_rate, hop_length=hop)
    counted = in_tune = 0
    voiced_shares, deviations = [], []
    for start, end, pitch in notes:
        if end - start < min_note_s:
            continue
        # The sustained part: after the onset glide and before the release.
        a, b = start + 0.3 * (end - start), end - 0.15 * (end - start)
        frames = (times >= a) & (times <= b)
        if not frames.any():
            continue
        counted += 1
        voiced_frames = frames & voiced & np.isfinite(f0)
        voiced_shares.append(voiced_frames.sum() / frames.sum())
        if not voiced_frames.any():
            continue
        heard = np.median(f0[voiced_frames])
        cents = 1200 * np.log2(heard / (440.0 * 2 ** ((pitch - 69) / 12)))
        deviations.append(abs(cents))
        in_tune += abs(cents) <= 50
    return PitchReport(counted, in_tune, float(np.mean(voiced_shares)) if voiced_shares else 0.0,
                       float(np.median(deviations)) if deviations else float("nan"))
