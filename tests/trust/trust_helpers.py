"""Helpers for trust-mark tests: test audio (a short song with a sung line), tool runners."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import scipy.signal as ss

SAMPLE_RATE = 44100
TEST_KEY = b"troubadour-test-key"
TEST_PAYLOAD = 0x5EED1234
SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")


def run_tool(*cmd: str) -> None:
    """Run ffmpeg/sox quietly; fail the test with their message."""
    done = subprocess.run(list(cmd), capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-400:]


def _backing_fluidsynth(seconds: float, seed: int) -> np.ndarray:
    import fluidsynth

    rng = np.random.default_rng(seed)
    beat = 60.0 / float(rng.integers(84, 132))
    synth = fluidsynth.Synth(samplerate=float(SAMPLE_RATE), gain=0.5)
    sfid = synth.sfload(str(SOUNDFONT))
    for ch, prog in ((0, int(rng.choice([0, 4, 24, 48]))), (1, int(rng.choice([32, 33, 38]))), (2, int(rng.choice([56, 65, 73])))):
        synth.program_select(ch, sfid, 0, prog)
    synth.program_select(9, sfid, 128, 0)
    key = int(rng.integers(0, 12))
    events = []
    t, bar = 0.0, 0
    while t < seconds:
        root = 48 + key + [0, 5, 7, 9][bar % 4]
        for b in range(4):
            bt = t + b * beat
            events += [(bt, 1, 9, 36 if b % 2 == 0 else 38, 100), (bt + 0.1, 0, 9, 36 if b % 2 == 0 else 38, 0)]
            events += [(bt + h * beat, 1, 9, 42, 70) for h in (0, 0.5)] + [(bt + h * beat + 0.05, 0, 9, 42, 0) for h in (0, 0.5)]
            events += [(bt, 1, 1, root - 12, 90), (bt + 0.9 * beat, 0, 1, root - 12, 0)]
        for n in (root, root + 4, root + 7, root + 12):
            events += [(t, 1, 0, n, 70), (t + 3.8 * beat, 0, 0, n, 0)]
        for k in range(8):
            if rng.random() < 0.7:
                n = 60 + key + [0, 2, 4, 5, 7, 9, 11][int(rng.integers(0, 7))]
                events += [(t + k * beat / 2, 1, 2, n, 80), (t + (k + 0.9) * beat / 2, 0, 2, n, 0)]
        t += 4 * beat
        bar += 1
    events.sort(key=lambda e: (e[0], e[1]))
    total, pos, chunks = int(seconds * SAMPLE_RATE), 0, []
    for when, on, ch, note, vel in events:
        at = min(int(when * SAMPLE_RATE), total)
        if at > pos:
            chunks.append(np.asarray(synth.get_samples(at - pos), np.float32))
            pos = at
        synth.noteon(ch, note, vel) if on else synth.noteoff(ch, note)
    if pos < total:
        chunks.append(np.asarray(synth.get_samples(total - pos), np.float32))
    synth.delete()
    return np.concatenate(chunks).reshape(-1, 2).T / 32768.0


def _backing_numpy(seconds: float, seed: int) -> np.ndarray:
    """Additive chords, bass and noise drums: a fallback when FluidSynth is missing."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    beat = 60.0 / 110
    out = np.zeros(n)
    for bar_start in np.arange(0, seconds, 4 * beat):
        root = 110 * 2 ** ([0, 5, 7, 9][int(bar_start / (4 * beat)) % 4] / 12)
        seg = (t >= bar_start) & (t < bar_start + 4 * beat)
        tt = t[seg] - bar_start
        for ratio in (1, 1.26, 1.5, 2):
            for h in range(1, 8):
                out[seg] += 0.08 / h * np.sin(2 * np.pi * root * 2 * ratio * h * tt) * np.exp(-tt / 1.5)
        out[seg] += 0.2 * np.sin(2 * np.pi * root / 2 * tt)
    for hit in np.arange(0, seconds, beat / 2):
        i = int(hit * SAMPLE_RATE)
        m = min(3000, n - i)
        out[i : i + m] += 0.15 * rng.normal(size=m) * np.exp(-np.arange(m) / 400)
    return np.stack([out, 0.9 * out]).astype(np.float32)


def sung_line(seconds: float, seed: int) -> np.ndarray:
    """A formant-synthesised vowel melody with vibrato and rests (a stand-in for a vocal stem)."""
    rng = np.random.default_rng(seed + 1000)
    n = int(seconds * SAMPLE_RATE)
    out = np.zeros(n)
    vowels = [(700, 1220, 2600), (300, 2300, 3000), (450, 800, 2830), (400, 2000, 2550)]
    t = 0.0
    while t < seconds - 1:
        dur = 0.6 * float(rng.choice([0.5, 1, 1, 2]))
        if rng.random() < 0.2:
            t += dur
            continue
        f0 = 440 * 2 ** ((55 + [0, 2, 4, 5, 7, 9, 11][int(rng.integers(0, 7))] + 12 * int(rng.integers(0, 2)) - 69) / 12)
        m, i0 = int(dur * 0.92 * SAMPLE_RATE), int(t * SAMPLE_RATE)
        tt = np.arange(m) / SAMPLE_RATE
        phase = np.cumsum(f0 * (1 + 0.012 * np.sin(2 * np.pi * 5.5 * tt)) / SAMPLE_RATE)
        src = 2 * (phase % 1) - 1 + 0.02 * rng.normal(size=m)
        voiced = sum(ss.lfilter(*ss.iirpeak(fc, fc / bw, fs=SAMPLE_RATE), src)
                     for fc, bw in zip(vowels[int(rng.integers(0, 4))], (80, 90, 120)))
        out[i0 : i0 + m] += voiced * np.minimum(1, tt / 0.04) * np.minimum(1, (tt[-1] - tt) / 0.08)
        t += dur
    return (out / (np.max(np.abs(out)) + 1e-9)).astype(np.float32)


def render_song(seconds: float, seed: int) -> np.ndarray:
    """Backing + vocal, softly limited like a master: float32, shape (2, samples), peak 0.89."""
    backing = _backing_fluidsynth(seconds, seed) if SOUNDFONT.exists() and _has_fluidsynth() else _backing_numpy(seconds, seed)
    vocal = sung_line(seconds, seed)
    vocal *= np.sqrt(np.mean(backing**2) / (np.mean(vocal**2) + 1e-12)) * 0.7
    mix = backing + vocal[None, :]
    mix /= np.max(np.abs(mix)) + 1e-9
    return (np.tanh(2.5 * mix) * 0.89).astype(np.float32)


def _has_fluidsynth() -> bool:
    try:
        import fluidsynth  # noqa: F401
    except ImportError:
        return False
    return True


def needs_tools(*names: str):
    missing = [n for n in names if shutil.which(n) is None]
    return pytest.mark.skipif(bool(missing), reason=f"needs {', '.join(missing)}")
