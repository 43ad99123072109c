"""Singer benchmark: pitch, voicing, intelligibility, naturalness and speed, by meters we did not write.

Per score (bench/singer_scores.py):

- in tune: share of notes whose median librosa pYIN pitch over the sustained
  part of the note (25 %..85 % of its length) is within +/-50 cents of the score;
- voiced: mean share of pYIN-voiced frames over those sustained parts, and the
  share of notes at least 90 % voiced;
- WER: pocketsphinx (its bundled US English model) on the dry vocal against
  the lyrics; "spoken" is the same words spoken by the voice's speech source;
- SIG: DNSMOS signal quality (speechmos) of the dry vocal at 16 kHz;
- RTF: sung seconds / wall seconds for ``sing`` with a cold cache, one thread.

Run: ``.venv/bin/python bench/bench_singer.py [--only NAME] [--save DIR]``.
Timing numbers are noisy when other processes share the CPU.
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
from singer_scores import SCORES, BenchScore, build_score  # noqa: E402

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
    from speechmos import dnsmos

    x = _resample(audio, rate, ASR_RATE)
    x = x / (np.abs(x).max() + 1e-9) * 0.9
    return float(dnsmos.run(x, ASR_RATE)["sig_mos"])


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


def spoken_reference(bench: BenchScore) -> tuple[np.ndarray, int]:
    """The lyrics spoken by the voice's own speech source (for the WER/SIG comparison)."""
    voice = load_voice(bench.voice)
    if voice.source == "flite":
        from troubadour.voice import flite

        speech = flite.speak(bench.lyrics, voice=voice.source_voice)
        return speech.audio, speech.sample_rate
    from troubadour.words.espeak import speak_text

    speech = speak_text(bench.lyrics, voice=voice.source_voice)
    return speech.audio, speech.sample_rate


def run_score(bench: BenchScore, *, sample_rate: int = 44100, save: Path | None = None) -> dict:
    score = build_score(bench)
    voice = load_voice(bench.voice)
    singer._cache.clear()  # cold: speak and analyse every phrase
    started = time.perf_counter()
    audio = singer.sing(score, voice=voice, sample_rate=sample_rate, seed=0)[0]
    wall = time.perf_counter() - started
    sung_s = score.duration_s
    spoken_audio, spoken_rate = spoken_reference(bench)
    hypothesis = transcribe(audio, sample_rate)
    spoken_hypothesis = transcribe(spoken_audio, spoken_rate)
    result = {
        "score": bench.name,
        "voice": bench.voice,
        **pitch_report(audio, sample_rate, score),
        "wer": word_error_rate(bench.lyrics, hypothesis),
        "wer_spoken": word_error_rate(bench.lyrics, spoken_hypothesis),
        "sig": dnsmos_sig(audio, sample_rate),
        "sig_spoken": dnsmos_sig(spoken_audio, spoken_rate),
        "rtf": sung_s / wall,
        "sung_s": sung_s,
        "hypothesis": hypothesis,
        "peak": float(np.abs(audio).max()),
    }
    if save is not None:
        import soundfile as sf

        save.mkdir(parents=True, exist_ok=True)
        sf.write(save / f"{bench.name}.wav", audio, sample_rate)
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
    head = f"{'score':14} {'voice':16} {'in tune':>7} {'voiced':>6} {'≥90%v':>6} {'WER':>5} {'spoken':>6} {'SIG':>5} {'spoken':>6} {'RTF':>6}"
    print(head)
    print("-" * len(head))
    for r in results:
        print(f"{r['score']:14} {r['voice']:16} {r['in_tune']:7.0%} {r['voiced']:6.0%} {r['notes_90_voiced']:6.0%} "
              f"{r['wer']:5.2f} {r['wer_spoken']:6.2f} {r['sig']:5.2f} {r['sig_spoken']:6.2f} {r['rtf']:6.1f}")
    if len(results) > 1:
        mean = {k: float(np.mean([r[k] for r in results])) for k in
                ("in_tune", "voiced", "notes_90_voiced", "wer", "wer_spoken", "sig", "sig_spoken", "rtf")}
        print("-" * len(head))
        print(f"{'mean':14} {'':16} {mean['in_tune']:7.0%} {mean['voiced']:6.0%} {mean['notes_90_voiced']:6.0%} "
              f"{mean['wer']:5.2f} {mean['wer_spoken']:6.2f} {mean['sig']:5.2f} {mean['sig_spoken']:6.2f} "
              f"{min(r['rtf'] for r in results):6.1f} (min)")


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark; returns {"scores": [per-score dicts], "mean": {...}}."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="score name (repeatable)")
    parser.add_argument("--save", type=Path, help="write the renders here")
    parser.add_argument("--voice", help="sing every score with this voice instead")
    parser.add_argument("--verbose", action="store_true", help="print the transcripts")
    args = parser.parse_args(argv)
    scores = [s for s in SCORES if not args.only or s.name in args.only]
    if args.voice:
        from dataclasses import replace

        scores = [replace(s, voice=args.voice) for s in scores]
    warm_up({s.voice for s in scores})
    results = [run_score(s, save=args.save) for s in scores]
    print_table(results)
    if args.verbose:
        for r in results:
            print(f"{r['score']}: {r['hypothesis']!r}")
    keys = ("in_tune", "voiced", "notes_90_voiced", "wer", "wer_spoken", "sig", "sig_spoken", "rtf")
    return {"scores": results, "mean": {k: float(np.mean([r[k] for r in results])) for k in keys}}


if __name__ == "__main__":
    main()
