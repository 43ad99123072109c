"""The mix: per-stem chains (pedalboard) and the stereo bus.

Each source stem is brought to a reference level first, so a style's
`gain_db` means the same thing whatever the SoundFont or singer produced;
then high-pass, tone, compression, pan and reverb. The processed stems are
what `stems/` holds (see troubadour.render.session): summed, they are the
mix the master is made from.
"""

from __future__ import annotations

import numpy as np

from troubadour.song import PartMix

REFERENCE_RMS_DB = -20.0  # level of every stem's active parts before its fader


def active_rms_db(audio: np.ndarray, sample_rate: int) -> float:
    """RMS in dBFS over the 50 ms frames that are not silent (within 40 dB of the loudest)."""
    frame = max(1, int(0.05 * sample_rate))
    n = audio.shape[-1] // frame
    if n == 0:
        return float("-inf")
    power = np.square(np.atleast_2d(audio)[:, : n * frame]).reshape(-1, n, frame).mean(axis=(0, 2))
    if power.max() <= 1e-12:
        return float("-inf")
    active = power[power > power.max() * 1e-4]
    return float(10 * np.log10(active.mean()))


def pan_gains(pan: float) -> tuple[float, float]:
    """Constant-power pan law: -1 is left, +1 is right, 0 is -3 dB each side."""
    angle = (pan + 1.0) * np.pi / 4.0
    return float(np.cos(angle)), float(np.sin(angle))


def _is_mono(audio: np.ndarray) -> bool:
    """A stereo array whose channels are (nearly) the same signal."""
    if audio.shape[0] == 1:
        return True
    difference = float(np.abs(audio[0] - audio[1]).max())
    return difference <= 1e-4 * max(float(np.abs(audio).max()), 1e-9)


def process_stem(audio: np.ndarray, sample_rate: int, settings: PartMix, *, kind: str) -> np.ndarray:
    """One stem through its chain; returns stereo float32 (2, samples).

    kind : "vocal", "drums", "bass" or "instrument" (chooses tone, dynamics, room)

    Mono sources are processed in mono and panned after, at half the cost.
    The lead vocal gets a stereo reverb; an instrument's reverb is fed from
    its mid (mono) signal and follows its pan, which costs half a stereo one.
    """
    from pedalboard import Compressor, HighpassFilter, Pedalboard, PeakFilter, Reverb

    audio = np.atleast_2d(audio).astype(np.float32, copy=False)
    if settings.mute:
        return np.zeros((2, audio.shape[1]), np.float32)
    level = active_rms_db(audio, sample_rate)
    if not np.isfinite(level):
        return np.zeros((2, audio.shape[1]), np.float32)
    mono = _is_mono(audio)
    gain = np.float32(10 ** ((REFERENCE_RMS_DB - level + settings.gain_db) / 20.0))
    source = audio[:1] * gain if mono else audio * gain
    chain = []
    if settings.highpass_hz > 0:
        chain.append(HighpassFilter(cutoff_frequency_hz=settings.highpass_hz))
    if kind == "vocal":
        chain += [PeakFilter(cutoff_frequency_hz=280.0, gain_db=-2.0, q=1.0),
                  PeakFilter(cutoff_frequency_hz=3200.0, gain_db=2.5, q=0.8)]
    elif kind == "instrument":
        chain.append(PeakFilter(cutoff_frequency_hz=350.0, gain_db=-2.0, q=0.9))  # room for the voice
    if settings.compress:
        ratio, threshold = {"vocal": (3.0, -24.0), "drums": (2.5, -20.0), "bass": (3.0, -24.0)}.get(kind, (2.0, -22.0))
        threshold += settings.gain_db  # the threshold follows the fader set above
        chain.append(Compressor(threshold_db=threshold, ratio=ratio, attack_ms=8.0, release_ms=120.0))
    if chain:
        source = Pedalboard(chain)(source, sample_rate)
    left, right = pan_gains(settings.pan)
    stereo = np.empty((2, source.shape[1]), np.float32)
    if mono:
        np.multiply(source[0], np.float32(left), out=stereo[0])
        np.multiply(source[0], np.float32(right), out=stereo[1])
    else:  # a stereo source is balanced, not collapsed
        np.multiply(source[0], np.float32(left * np.sqrt(2)), out=stereo[0])
        np.multiply(source[1], np.float32(right * np.sqrt(2)), out=stereo[1])
    if settings.reverb > 0:
        room = {"vocal": 0.55, "drums": 0.35}.get(kind, 0.5)
        if kind == "vocal":
            stereo = Reverb(room_size=room, damping=0.5, wet_level=settings.reverb, dry_level=1.0 - 0.4 * settings.reverb,
                            width=1.0)(stereo, sample_rate)
        else:
            send = source[:1] if mono else (0.5 * (source[0] + source[1]))[None, :]
            wet = Reverb(room_size=room, damping=0.5, wet_level=1.0, dry_level=0.0)(send, sample_rate)[0]
            stereo *= np.float32(1.0 - 0.4 * settings.reverb)
            stereo[0] += wet * np.float32(settings.reverb * left)
            stereo[1] += wet * np.float32(settings.reverb * right)
    return stereo


def stem_kind(name: str, is_drums: bool = False) -> str:
    if name in ("vocals", "backing_vocals"):
        return "vocal"
    if is_drums or name == "drums":
        return "drums"
    if name == "bass":
        return "bass"
    return "instrument"
