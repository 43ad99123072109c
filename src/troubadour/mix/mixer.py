"""The mix: per-stem chains (pedalboard) and the stereo bus.

Each source stem is brought to a reference level first, so a style's
`gain_db` means the same thing whatever the SoundFont or singer produced;
then high-pass, tone, compression, pan and reverb. The processed stems are
what `stems/` holds: summed, they are the mix the master is made from.
"""

from __future__ import annotations

import numpy as np

from troubadour.song import PartMix

REFERENCE_RMS_DB = -20.0  # level of every stem's active parts before its fader
MIX_PEAK_DB = -3.0  # the summed mix is trimmed to peak here (headroom for mastering)


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


def process_stem(audio: np.ndarray, sample_rate: int, settings: PartMix, *, kind: str) -> np.ndarray:
    """One stem through its chain; returns stereo float32 (2, samples).

    kind : "vocal", "drums", "bass" or "instrument" (chooses tone and dynamics)
    """
    from pedalboard import Compressor, HighpassFilter, Pedalboard, PeakFilter, Reverb

    audio = np.atleast_2d(audio).astype(np.float32)
    if settings.mute:
        return np.zeros((2, audio.shape[1]), np.float32)
    level = active_rms_db(audio, sample_rate)
    if not np.isfinite(level):
        return np.zeros((2, audio.shape[1]), np.float32)
    audio = audio * np.float32(10 ** ((REFERENCE_RMS_DB - level) / 20.0))
    chain = []
    if settings.highpass_hz > 0:
        chain.append(HighpassFilter(cutoff_frequency_hz=settings.highpass_hz))
    if kind == "vocal":
        chain += [PeakFilter(cutoff_frequency_hz=280.0, gain_db=-2.0, q=1.0),
                  PeakFilter(cutoff_frequency_hz=3200.0, gain_db=2.5, q=0.8)]
    elif kind == "instrument":
        chain.append(PeakFilter(cutoff_frequency_hz=350.0, gain_db=-2.0, q=0.9))  # make room for the voice
    if settings.compress:
        ratio, threshold = {"vocal": (3.0, -24.0), "drums": (2.5, -20.0), "bass": (3.0, -24.0)}.get(kind, (2.0, -22.0))
        chain.append(Compressor(threshold_db=threshold, ratio=ratio, attack_ms=8.0, release_ms=120.0))
    if chain:
        audio = Pedalboard(chain)(audio, sample_rate)
    left, right = pan_gains(settings.pan)
    if audio.shape[0] == 1:
        stereo = np.vstack([audio[0] * left, audio[0] * right])
    else:  # a stereo source is balanced, not collapsed
        stereo = np.vstack([audio[0] * left * np.sqrt(2), audio[1] * right * np.sqrt(2)])
    if settings.reverb > 0:
        room = {"vocal": 0.55, "drums": 0.35}.get(kind, 0.5)
        reverb = Reverb(room_size=room, damping=0.5, wet_level=settings.reverb, dry_level=1.0 - 0.4 * settings.reverb,
                        width=1.0)
        stereo = reverb(stereo.astype(np.float32), sample_rate)
    return (stereo * np.float32(10 ** (settings.gain_db / 20.0))).astype(np.float32)


def stem_kind(name: str, is_drums: bool = False) -> str:
    if name in ("vocals", "backing_vocals"):
        return "vocal"
    if is_drums or name == "drums":
        return "drums"
    if name == "bass":
        return "bass"
    return "instrument"


def mix_stems(stems: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Sum processed stems; trim all stems equally so the mix peaks at MIX_PEAK_DB.

    Returns the trimmed stems (still summing exactly to the mix) and the mix.
    """
    length = max(a.shape[1] for a in stems.values())
    mix = np.zeros((2, length), np.float32)
    for audio in stems.values():
        mix[:, : audio.shape[1]] += audio
    peak = float(np.abs(mix).max())
    trim = np.float32(10 ** (MIX_PEAK_DB / 20.0) / peak) if peak > 0 else np.float32(1.0)
    trimmed = {}
    for name, audio in stems.items():
        padded = np.zeros((2, length), np.float32)
        padded[:, : audio.shape[1]] = audio * trim
        trimmed[name] = padded
    return trimmed, mix * trim
