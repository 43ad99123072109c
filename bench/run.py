"""Benchmarks: speed, memory and quality meters (`make bench`).

Runs the end-to-end song render in a fresh process (wall time, real-time
factor, peak RSS, per-stage times, cold and warm cache, a one-word lyric
edit), measures the master with independent meters (pyloudnorm, polyphase
true peak, librosa beat tracker and chroma key, pYIN on the vocal stem),
times compose+arrange, then runs each stage's own benchmark module
(styles: tempo and key heard per style; lyrics; singer; trust marks).
Results go to bench/out/results.json; copy the table into bench/RESULTS.md
with the commit it was measured on.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
DEMO_BRIEF = "a gritty country song about walking my own walk, rugged baritone, mid-tempo"


def _run_make(args: list[str], env: dict) -> tuple[float, int, dict]:
    """Run the CLI in a child process; return wall seconds, peak RSS in bytes and its report."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "troubadour", *args, "--quiet"], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = Path(args[args.index("-o") + 1])
    report = json.loads((out / "report.json").read_text())
    return wall, max(peak_kb, before) * 1024, report


def end_to_end(work: Path, repeats: int = 3) -> dict:
    """The demo song made ``repeats`` times with a cold cache: median wall time, largest peak RSS."""
    runs = []
    for k in range(repeats):
        env = {**os.environ, "TROUBADOUR_CACHE_DIR": str(work / f"cache{k}")}
        runs.append(_run_make(["make", DEMO_BRIEF, "--seed", "7", "-o", str(work / f"demo{k}")], env))
    env = {**os.environ, "TROUBADOUR_CACHE_DIR": str(work / "cache0")}
    out = work / "demo0"
    walls = sorted(run[0] for run in runs)
    wall, rss, report = float(np.median(walls)), max(run[1] for run in runs), runs[0][2]
    results = {
        "song_seconds": report["duration_s"], "wall_seconds": round(wall, 2),
        "wall_seconds_runs": [round(w, 2) for w in walls],
        "realtime_factor": round(report["duration_s"] / wall, 1), "peak_rss_mb": round(rss / 2**20),
        "stage_seconds": report["stage_seconds"],
    }
    # Warm: the same song again, everything from the cache.
    wall_warm, _, _ = _run_make(["render", str(out / "song.json"), "-o", str(work / "warm")], env)
    results["warm_render_seconds"] = round(wall_warm, 2)
    # A one-word lyric edit: only the lines that changed are sung again.
    song = json.loads((out / "song.json").read_text())
    line = song["lyrics"]["sections"][0]["lines"][0]
    words = line["text"].split()
    words[-1] = "road" if words[-1].lower().strip(",.") != "road" else "town"
    line["text"] = " ".join(words)
    (work / "edited.json").write_text(json.dumps(song))
    wall_edit, _, edit_report = _run_make(["render", str(work / "edited.json"), "-o", str(work / "edited")], env)
    results["one_word_edit_seconds"] = round(wall_edit, 2)
    results["one_word_edit_cache"] = edit_report["cache"]
    results["quality"] = measure_master(out)
    return results


def measure_master(out: Path) -> dict:
    import soundfile as sf
    from scipy.signal import resample_poly

    from troubadour.analysis import (estimate_key, estimate_tempo, key_matches, load_mono, tempo_matches,
                                     vocal_notes_from_midi, vocal_pitch_accuracy)
    from troubadour.mix.loudness import measure_pyloudnorm
    from troubadour.music.theory import parse_key

    report = json.loads((out / "report.json").read_text())
    audio, rate = sf.read(str(out / "master.wav"), dtype="float32", always_2d=True)
    mono, mono_rate = load_mono(out / "master.wav", 22050)
    tempo = estimate_tempo(mono, mono_rate)
    key = estimate_key(mono, mono_rate)
    declared = parse_key(report["key"])
    vocal, vocal_rate = load_mono(out / "stems" / "vocals.wav", 22050)
    pitch = vocal_pitch_accuracy(vocal, vocal_rate, vocal_notes_from_midi(out / "song.mid"))
    return {
        "lufs_pyloudnorm": round(measure_pyloudnorm(audio.T, rate), 2),
        "true_peak_dbtp_4x": round(float(20 * np.log10(np.abs(resample_poly(audio, 4, 1, axis=0)).max())), 2),
        "duration_s": round(audio.shape[0] / rate, 1),
        "tempo_declared": report["tempo_bpm"], "tempo_heard": round(tempo, 1),
        "tempo_ok": tempo_matches(tempo, report["tempo_bpm"]),
        "key_declared": report["key"], "key_heard": f"{parse_key('C').spell(key[0])}{'m' if key[1] == 'minor' else ''}",
        "key_ok": key_matches(key, declared.tonic, declared.mode),
        "vocal_notes_in_tune": round(pitch.in_tune_share, 3), "vocal_voiced": round(pitch.voiced_share, 3),
        "vocal_median_abs_cents": round(pitch.median_abs_cents, 1),
    }


def compose_speed() -> dict:
    from troubadour.pipeline import create_song

    create_song(DEMO_BRIEF, seed=1)  # warm the dictionaries
    times = []
    for seed in range(5):
        start = time.perf_counter()
        create_song(DEMO_BRIEF, seed=seed)
        times.append(time.perf_counter() - start)
    return {"write_compose_arrange_seconds_median": round(float(np.median(times)), 3)}


def main() -> dict:
    sys.path.insert(0, str(ROOT))
    results: dict = {"commit": _commit()}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print("end to end ...", flush=True)
        results["end_to_end"] = end_to_end(work)
        print(json.dumps(results["end_to_end"], indent=1), flush=True)
    results["compose"] = compose_speed()
    print(results["compose"])
    for module in ("bench_styles", "bench_lyrics", "bench_singer", "bench_trust"):
        if (ROOT / f"{module}.py").exists():
            print(f"{module} ...", flush=True)
            results[module] = importlib.import_module(module).main()
    (ROOT / "out").mkdir(exist_ok=True)
    (ROOT / "out" / "results.json").write_text(json.dumps(results, indent=1, default=str))
    print(f"results in {ROOT / 'out' / 'results.json'}")
    return results


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main()
