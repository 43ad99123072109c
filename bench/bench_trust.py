"""Trust-mark benchmark: watermark speed, SNR, robustness per attack, null scores.

Measures on a rendered 3-minute song (FluidSynth backing + a formant-synthesised
vocal line, softly limited like a master; the same generator the tests use):

- embed and detect real-time factors (audio seconds / CPU seconds, one thread),
  for the array API and for ``verify`` on files (ffmpeg decode included);
- SNR of marked vs unmarked (dB);
- every attack of issue 6 made with ffmpeg/sox: detected?, payload bits equal?,
  sync z and raw coded-bit errors (of 140) before error correction;
- unmarked audio: best sync z (the noise floor the marks stand above).

Run: ``.venv/bin/python bench/bench_trust.py``; ``main()`` returns the results
dict (``bench/run.py`` collects it). Timing is noisy when other processes share
the CPU; CPU time is reported for that reason.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "trust"))     # the test-audio generator (no fixtures from the network)
from trust_helpers import render_song, run_tool  # noqa: E402

from troubadour.trust import watermark  # noqa: E402
from troubadour.trust.verify import detect_file  # noqa: E402

RATE = 44100
KEY = b"troubadour-bench-key"
PAYLOAD = 0x7A5C0FFE
SECONDS = 180.0


def _one_thread():
    try:
        from threadpoolctl import threadpool_limits

        return threadpool_limits(1)
    except ImportError:  # pragma: no cover
        import contextlib

        return contextlib.nullcontext()


def _cpu_rtf(fn, seconds: float, repeat: int = 3) -> tuple[float, float]:
    """(audio seconds per CPU second, per wall second), best of ``repeat``."""
    cpu, wall = [], []
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return round(seconds / min(cpu), 1), round(seconds / min(wall), 1)


def _attacks(src: Path, work: Path) -> dict[str, Path]:
    x, rate = sf.read(src, dtype="float32")
    noisy = x + np.random.default_rng(1).normal(0, np.sqrt(np.mean(x.astype(np.float64) ** 2) / 100), x.shape)
    sf.write(work / "noise.wav", noisy.astype(np.float32), rate, subtype="FLOAT")
    run_tool("sox", str(src), "-r", "22050", str(work / "r22.wav"))
    steps = {
        "mp3 128k": (["ffmpeg", "-y", "-v", "error", "-i", str(src), "-b:a", "128k"], "mp3.mp3"),
        "aac 128k": (["ffmpeg", "-y", "-v", "error", "-i", str(src), "-c:a", "aac", "-b:a", "128k"], "aac.m4a"),
        "resample 22.05k and back": (["sox", str(work / "r22.wav"), "-r", "44100"], "res.wav"),
        "crop 20 s": (["ffmpeg", "-y", "-v", "error", "-ss", "61.3", "-t", "20", "-i", str(src)], "crop.wav"),
        "speed +3% (sox speed)": (["sox", str(src)], "speed.wav", ["speed", "1.03"]),
        "tempo -5% (sox tempo)": (["sox", str(src)], "tempo.wav", ["tempo", "0.95"]),
        "tempo -5% (ffmpeg atempo)": (["ffmpeg", "-y", "-v", "error", "-i", str(src), "-af", "atempo=0.95"], "atempo.wav"),
        "low-pass 5 kHz (ffmpeg)": (["ffmpeg", "-y", "-v", "error", "-i", str(src), "-af", "lowpass=f=5000"], "lp.wav"),
        "-10 dB + mono (sox)": (["sox", str(src)], "quiet.wav", ["remix", "-", "vol", "-10dB"]),
    }
    out = {"clean (master.wav)": src, "white noise 20 dB SNR": work / "noise.wav"}
    for name, step in steps.items():
        cmd, target = step[0], work / step[1]
        run_tool(*cmd, str(target), *(step[2] if len(step) > 2 else []))
        out[name] = target
    return dict(sorted(out.items(), key=lambda kv: list(out).index(kv[0])))


def main() -> dict:
    """Run the benchmark, print a table, return the numbers."""
    results: dict = {}
    with _one_thread(), tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        x = render_song(SECONDS, seed=42)
        watermark.embed(x[:, : RATE * 5], RATE, payload=1, key=KEY)          # warm-up (FFT plans)
        y = watermark.embed(x, RATE, payload=PAYLOAD, key=KEY)
        results["snr_db"] = round(float(10 * np.log10(np.sum(x.astype(float) ** 2) / np.sum((y - x).astype(float) ** 2))), 2)
        results["embed_rtf_cpu"], results["embed_rtf_wall"] = _cpu_rtf(lambda: watermark.embed(x, RATE, payload=PAYLOAD, key=KEY), SECONDS)
        results["detect_rtf_cpu_marked"], _ = _cpu_rtf(lambda: watermark.detect(y, RATE, key=KEY), SECONDS)
        results["detect_rtf_cpu_unmarked"], _ = _cpu_rtf(lambda: watermark.detect(x, RATE, key=KEY), SECONDS, repeat=2)
        master, plain = work / "master.wav", work / "plain.wav"
        sf.write(master, y.T, RATE, subtype="PCM_16")
        sf.write(plain, x.T, RATE, subtype="PCM_16")
        keys = {"bench": KEY}
        results["verify_rtf_wall_marked"] = _cpu_rtf(lambda: detect_file(master, keys_by_name=keys), SECONDS)[1]
        results["verify_rtf_wall_unmarked"] = _cpu_rtf(lambda: detect_file(plain, keys_by_name=keys), SECONDS, repeat=2)[1]
        null = detect_file(plain, keys_by_name=keys)
        results["unmarked"] = {"detected": null.detected, "sync_z": null.sync_z, "attempts": null.attempts,
                               "false_positive_bound": null.false_positive_bound}
        results["attacks"] = {}
        for name, path in _attacks(master, work).items():
            det = detect_file(path, keys_by_name=keys)
            results["attacks"][name] = {
                "detected": det.detected, "payload_equal": det.payload == PAYLOAD, "sync_z": det.sync_z,
                "coded_bit_errors": det.coded_bit_errors, "speed": det.speed,
            }
    _print(results)
    return results


def _print(r: dict) -> None:
    print(f"watermark on a {SECONDS:.0f} s stereo 44.1 kHz song (one thread)")
    print(f"  SNR marked vs unmarked      {r['snr_db']:.2f} dB")
    print(f"  embed                       {r['embed_rtf_cpu']:.0f}x real time (CPU), {r['embed_rtf_wall']:.0f}x (wall)")
    print(f"  detect, marked / unmarked   {r['detect_rtf_cpu_marked']:.0f}x / {r['detect_rtf_cpu_unmarked']:.0f}x real time (CPU)")
    print(f"  verify file (with ffmpeg)   {r['verify_rtf_wall_marked']:.0f}x / {r['verify_rtf_wall_unmarked']:.0f}x real time (wall)")
    u = r["unmarked"]
    print(f"  unmarked song               detected={u['detected']} best sync z {u['sync_z']:.1f}, FP bound {u['false_positive_bound']:.1e}")
    print(f"  {'attack':30s} {'found':>6s} {'bits':>5s} {'z':>6s} {'raw err':>8s} {'speed':>6s}")
    for name, a in r["attacks"].items():
        print(f"  {name:30s} {str(a['detected']):>6s} {('ok' if a['payload_equal'] else 'BAD'):>5s} {a['sync_z']:6.1f} "
              f"{str(a['coded_bit_errors']):>8s} {str(a['speed']):>6s}")


if __name__ == "__main__":
    main()
