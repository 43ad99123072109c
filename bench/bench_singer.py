"""Singer benchmark: pitch, voicing, intelligibility, naturalness and speed, by meters we did not write.

Per score (bench/singer_scores.py):

- in tune: share of notes whose median librosa pYIN pitch over the sustained
  part of the note (25 %..85 % of its length) is within +/-50 cents of the score;
- voiced: mean share of pYIN-voiced frames over those sustained parts, and the
  share of notes at least 90 % voiced;
- WER: pocketsphinx (its bundled US English model) on the dry vocal against
  the lyrics; "spoken" is the same words spoken by the voice's speech source;
- SIG: DNSMOS signal quality (speechmos) of the dry vocal at 16 kHz, at its own level;
- RTF: sung seconds / CPU seconds of ``sing`` with a cold cache, one thread
  (CPU time: wall time is inflated by whatever else runs on the machine; the
  wall-clock figure is reported too).

Run: ``.venv/bin/python bench/bench_singer.py [--only NAME] [--save DIR]``;
``--dev N`` sings N random development scores instead (``--held-out N``: the
held-out set, for the final report only), ``--jobs 2`` in two processes,
``--set render.VOICED_NOISE=0.2`` changes a module constant (experiments),
``--slowed 2,3`` adds the WER of the source speaking the lyrics 2x and 3x slower.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from singer_scores import SCORES, BenchScore, build_score, random_scores  # noqa: E402

from troubadour.voice import singer  # noqa: E402
from troubadour.voice.profiles import load_voice  # noqa: E402
from troubadour.voice.score import VocalScore  # noqa: E402

ASR_RATE = 16000


def _resample(audio: np.ndarray, rate: int, target: int) -> np.ndarray:
    from scipy.signal import resample_poly

    if rate == target:
        return audio.astype(np.float64)
    g = np.gcd(rate, target)
    return resample_poly(audio.astype(np.float64), target // g, rate // g)


def normalise_words(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]+", " ", text.lower()).split()


def word_error_rate(reference: str, hypothesis: str) -> float:
    ref, hyp = normalise_words(reference), normalise_words(hypothesis)
    d = np.zeros((len(ref) + 1, len(hyp) + 1), dtype=int)
    d[:, 0] = np.arange(len(ref) + 1)
    d[0, :] = np.arange(len(hyp) + 1)
    for i in range(1, len(ref) + 1):
        for j in range(1, len(hyp) + 1):
            d[i, j] = min(d[i - 1, j] + 1, d[i, j - 1] + 1, d[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1]))
    return d[-1, -1] / max(len(ref), 1)


def transcribe(audio: np.ndarray, rate: int) -> str:
    """pocketsphinx (bundled en-us acoustic model, language model and dictionary).

    A fresh decoder per file: its cepstral mean adapts across utterances, which
    would make a result depend on what was decoded before.
    """
    from pocketsphinx import Decoder

    _decoder = Decoder(samprate=ASR_RATE, logfn=os.devnull)
    x = _resample(audio, rate, ASR_RATE)
    x = x / (np.abs(x).max() + 1e-9) * 0.7
    pcm = (x * 32767).astype(np.int16).tobytes()
    _decoder.start_utt()
    _decoder.process_raw(pcm, full_utt=True)
    _decoder.end_utt()
    hyp = _decoder.hyp()
    return hyp.hypstr if hyp else ""


def dnsmos_sig(audio: np.ndarray, rate: int) -> float:
    """DNSMOS SIG at the level the audio has (the level ``troubadour sing`` writes): DNSMOS
    depends on the level (about 0.1 per 3 dB here), so the file is measured as a user gets it."""
    from speechmos import dnsmos

    return float(dnsmos.run(_resample(audio, rate, ASR_RATE), ASR_RATE)["sig_mos"])


def pitch_report(audio: np.ndarray, rate: int, score: VocalScore) -> dict:
    """pYIN on the sustained part of every note: share in tune (+/-50 cents), voiced share."""
    import librosa

    target_rate = 22050
    x = _resample(audio, rate, target_rate)
    hop = 256
    f0, voiced, _ = librosa.pyin(x, fmin=60.0, fmax=800.0, sr=target_rate, frame_length=2048, hop_length=hop)
    times = librosa.frames_to_time(np.arange(len(f0)), sr=target_rate, hop_length=hop)
    errors, voiced_shares = [], []
    for note in score.notes():
        a = note.start_s + 0.25 * note.duration_s
        b = note.start_s + 0.85 * note.duration_s
        inside = (times >= a) & (times < b)
        if not inside.any():
            continue
        voiced_shares.append(float(np.mean(voiced[inside])))
        sung = f0[inside & voiced]
        if len(sung) == 0:
            errors.append(np.inf)
            continue
        midi = 69 + 12 * np.log2(np.median(sung) / 440.0)
        errors.append(100 * (midi - note.pitch))
    errors = np.array(errors)
    shares = np.array(voiced_shares)
    return {
        "in_tune": float(np.mean(np.abs(errors) <= 50)),
        "median_abs_cents": float(np.median(np.abs(errors[np.isfinite(errors)]))) if np.isfinite(errors).any() else float("inf"),
        "voiced": float(np.mean(shares)),
        "notes_90_voiced": float(np.mean(shares >= 0.9)),
        "notes": int(len(errors)),
    }


def spoken_reference(bench: BenchScore, *, duration_stretch: float = 1.0) -> tuple[np.ndarray, int]:
    """The lyrics spoken by the voice's own speech source (for the WER/SIG comparison).

    duration_stretch : > 1 speaks slower, every phone longer (Flite's own duration model; Flite voices only)
    """
    voice = load_voice(bench.voice)
    if voice.source == "flite":
        from troubadour.voice import flite

        speech = flite.speak(bench.lyrics, voice=voice.source_voice, duration_stretch=duration_stretch)
        return speech.audio, speech.sample_rate
    from troubadour.words.espeak import speak_text

    speech = speak_text(bench.lyrics, voice=voice.source_voice)
    return speech.audio, speech.sample_rate


def run_score(bench: BenchScore, *, sample_rate: int = 44100, save: Path | None = None, pitch: bool = True,
              spoken: bool = True) -> dict:
    score = build_score(bench)
    voice = load_voice(bench.voice)
    singer._cache.clear()  # cold: speak and analyse every phrase
    started, cpu_started = time.perf_counter(), time.process_time()
    audio = singer.sing(score, voice=voice, sample_rate=sample_rate, seed=0)[0]
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    sung_s = score.duration_s
    hypothesis = transcribe(audio, sample_rate)
    if spoken:
        spoken_audio, spoken_rate = spoken_reference(bench)
        spoken_hypothesis = transcribe(spoken_audio, spoken_rate)
    nan = float("nan")
    no_pitch = {"in_tune": nan, "median_abs_cents": nan, "voiced": nan, "notes_90_voiced": nan, "notes": 0}
    result = {
        "score": bench.name,
        "voice": bench.voice,
        **(pitch_report(audio, sample_rate, score) if pitch else no_pitch),
        "wer": word_error_rate(bench.lyrics, hypothesis),
        "wer_spoken": word_error_rate(bench.lyrics, spoken_hypothesis) if spoken else nan,
        "sig": dnsmos_sig(audio, sample_rate),
        "sig_spoken": dnsmos_sig(spoken_audio, spoken_rate) if spoken else nan,
        "rtf": sung_s / cpu,
        "rtf_wall": sung_s / wall,
        "sung_s": sung_s,
        "hypothesis": hypothesis,
        "peak": float(np.abs(audio).max()),
    }
    if save is not None:
        import soundfile as sf

        save.mkdir(parents=True, exist_ok=True)
        sf.write(save / f"{bench.name}.wav", audio, sample_rate)
        if spoken:
            sf.write(save / f"{bench.name}_spoken.wav", spoken_audio, spoken_rate)
    return result


def warm_up(voices: set[str]) -> None:
    """Load the libraries (Flite voices, pyworld, scipy) before anything is timed."""
    from troubadour.voice.score import ScoreNote, ScorePhrase
    from troubadour.words.text import make_line

    syllable = make_line("la").words[0].syllables[0]
    for name in sorted(voices):
        phrase = ScorePhrase([ScoreNote(57.0, 0.0, 0.3, syllable)])
        singer.sing_phrase(phrase, voice=load_voice(name))
    singer._cache.clear()


def print_table(results: list[dict]) -> None:
    head = (f"{'score':14} {'voice':16} {'in tune':>7} {'voiced':>6} {'≥90%v':>6} {'WER':>5} {'spoken':>6} {'SIG':>5} "
            f"{'spoken':>6} {'RTF cpu':>7}")
    print(head)
    print("-" * len(head))
    for r in results:
        print(f"{r['score']:14} {r['voice']:16} {r['in_tune']:7.0%} {r['voiced']:6.0%} {r['notes_90_voiced']:6.0%} "
              f"{r['wer']:5.2f} {r['wer_spoken']:6.2f} {r['sig']:5.2f} {r['sig_spoken']:6.2f} {r['rtf']:7.1f}")
    if len(results) > 1:
        mean = {k: float(np.mean([r[k] for r in results])) for k in
                ("in_tune", "voiced", "notes_90_voiced", "wer", "wer_spoken", "sig", "sig_spoken", "rtf")}
        print("-" * len(head))
        print(f"{'mean':14} {'':16} {mean['in_tune']:7.0%} {mean['voiced']:6.0%} {mean['notes_90_voiced']:6.0%} "
              f"{mean['wer']:5.2f} {mean['wer_spoken']:6.2f} {mean['sig']:5.2f} {mean['sig_spoken']:6.2f} "
              f"{min(r['rtf'] for r in results):7.1f} (min)")
        wers = [r["wer"] for r in results]
        print(f"WER sung: mean {np.mean(wers):.3f} ± {np.std(wers) / np.sqrt(len(wers)):.3f} (s.e.), "
              f"median {np.median(wers):.2f}; SIG min {min(r['sig'] for r in results):.2f}")


def _run_one(bench: BenchScore, options: dict) -> dict:
    return run_score(bench, **options)


def _apply_settings(settings: list[str]) -> None:
    """``module.NAME=value`` -> setattr(troubadour.voice.module, NAME, literal value)."""
    import ast
    import importlib

    for item in settings:
        target, _, value = item.partition("=")
        module, _, name = target.rpartition(".")
        mod = importlib.import_module(f"troubadour.voice.{module}")
        if not hasattr(mod, name):
            raise SystemExit(f"troubadour.voice.{module} has no {name}")
        setattr(mod, name, ast.literal_eval(value))


def _factors(text: str) -> list[float]:
    """``2,3`` -> [2.0, 3.0]: slow-down factors for --slowed (each 1 to 10)."""
    try:
        factors = [float(f) for f in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of numbers, e.g. 2,3") from None
    if not factors or any(not 1.0 <= f <= 10.0 for f in factors):
        raise argparse.ArgumentTypeError(f"{text!r}: each factor must be between 1 and 10")
    return factors


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark; returns {"scores": [per-score dicts], "mean": {...}}."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="score name (repeatable)")
    parser.add_argument("--save", type=Path, help="write the renders here")
    parser.add_argument("--voice", help="sing every score with this voice instead")
    parser.add_argument("--verbose", action="store_true", help="print the transcripts")
    parser.add_argument("--dev", type=int, metavar="N", help="sing N random development scores")
    parser.add_argument("--held-out", type=int, metavar="N", help="sing N random held-out scores (final report only)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random scores")
    parser.add_argument("--jobs", type=int, default=1, help="processes (RTF stays CPU time of one)")
    parser.add_argument("--no-pitch", action="store_true", help="skip pYIN (faster)")
    parser.add_argument("--no-spoken", action="store_true", help="skip the spoken reference")
    parser.add_argument("--slowed", metavar="FACTORS", type=_factors, help="also: WER of the source speaking the lyrics this many "
                        "times slower, e.g. 2,3 (how the recogniser copes with long phones at all)")
    parser.add_argument("--set", action="append", default=[], metavar="MODULE.NAME=VALUE",
                        help="override a troubadour.voice module constant, e.g. render.VOICED_NOISE=0.2")
    args = parser.parse_args(argv)
    if args.dev or args.held_out:
        scores = random_scores(args.dev or args.held_out, seed=args.seed, held_out=bool(args.held_out))
    else:
        scores = list(SCORES)
    scores = [s for s in scores if not args.only or s.name in args.only]
    if args.voice:
        from dataclasses import replace

        scores = [replace(s, voice=args.voice) for s in scores]
    _apply_settings(args.set)
    warm_up({s.voice for s in scores})
    options = dict(save=args.save, pitch=not args.no_pitch, spoken=not args.no_spoken)
    if args.jobs > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
            results = pool.starmap(_run_one, [(s, options) for s in scores], chunksize=1)
    else:
        results = [run_score(s, **options) for s in scores]
    print_table(results)
    if args.slowed:
        for factor in args.slowed:
            errors = [word_error_rate(s.lyrics, transcribe(*spoken_reference(s, duration_stretch=factor)))
                      for s in scores]
            print(f"WER spoken {factor:g}x slower: mean {np.mean(errors):.3f} ± {np.std(errors) / np.sqrt(len(errors)):.3f}")
    if args.verbose:
        for r in results:
            print(f"{r['score']}: {r['hypothesis']!r}")
    keys = ("in_tune", "voiced", "notes_90_voiced", "wer", "wer_spoken", "sig", "sig_spoken", "rtf")
    if args.save is not None:
        import json

        args.save.mkdir(parents=True, exist_ok=True)
        (args.save / "results.json").write_text(json.dumps(results, indent=1))
    return {"scores": results, "mean": {k: float(np.mean([r[k] for r in results])) for k in keys}}


if __name__ == "__main__":
    main()
