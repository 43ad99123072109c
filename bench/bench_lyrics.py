"""Benchmark of the embedded lyricist: rhyme, form, freshness, meter and speed.

    .venv/bin/python bench/bench_lyrics.py [--briefs N] [--seeds N]

Measures, over many briefs and seeds (the checks the songwriter issue names):
rhyme share (line endings that rhyme with another in their section), chorus sung
at least twice and holding the title, verse lines never repeated, verse-line
overlap between seeds of one brief, meter consistency, write time (first call in
a fresh process, which loads CMUdict, and warm calls).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
import zlib

import numpy as np

BRIEFS = [
    "a gritty country song about walking my own way",
    "a sad country song about an empty porch swing",
    "an upbeat country song about Friday night on the tailgate",
    "a nostalgic country song about growing up in a river town",
    "a romantic country song about a girl in a yellow sundress",
    "a defiant country anthem about a farmer who won't sell his land",
    "a country song about my grandfather's old pickup truck",
    "a slow country waltz about the last dance at the county fair",
    "a country song called \"Gravel and Grace\"",
    "a honky-tonk song about a Saturday night in a small town",
    "an upbeat pop song about dancing all night in the city",
    "a sad pop song about a summer love that ended at the beach",
    "a pop song about texting my ex at midnight",
    "an empowering pop anthem about being yourself",
    "a romantic pop song about falling in love on a rooftop",
    "a nostalgic pop song about the summer we were seventeen",
    "a dance pop song about the weekend",
    "a pop song titled 'Neon Heartbeat' about a night out with friends",
    "a breakup pop song for a rainy night",
    "a pop song about a road trip down the coast",
    "a rock anthem about our band from a steel town",
    "a defiant rock song about never giving up",
    "a fast rock song about driving too fast on the interstate",
    "a sad rock song about a broken radio and a lost friend",
    "a grunge song about growing up in a factory town",
    "a rock song about a thunderstorm over the city",
    "an upbeat rock song about a garage band's first gig",
    "a punk song about quitting a dead-end job",
    "a rock ballad about a soldier coming home",
    "a rock song with the hook \"burn it loud\"",
    "a folk song about an old fisherman who lost his boat",
    "a gentle folk song about my grandmother's garden",
    "a happy folk song about summer on the farm",
    "a folk song about a ferry crossing a wide river",
    "a nostalgic folk song about the old mill road",
    "a folk song about walking the mountains in autumn",
    "an acoustic song about leaving home for the first time",
    "a folk lullaby for a child who can't sleep",
    "a folk song about a lantern in the window on a winter night",
    "a singer-songwriter song about coffee and rain on a Sunday morning",
    "a heartbreak ballad about an empty house",
    "a romantic ballad for a wedding first dance",
    "a slow ballad about missing my mother",
    "a ballad about a lighthouse keeper and the sea",
    "a power ballad about holding on through the storm",
    "a ballad about letters I never sent",
    "a slow love song for my wife on our anniversary",
    "a sad song about a dog waiting at the door",
    "a song about the first snow of winter",
    "an upbeat song about a small-town Fourth of July",
]


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(b"write")])  # as pipeline.stage_rng(seed, "write")


def stress_fit(lyrics) -> float:
    """Share of stressed syllables of longer words that fall on strong beats, the beats
    counted back in twos from a line's last syllable (where the rhyme lands)."""
    hits = total = 0
    for section in lyrics.sections:
        for line in section.lines:
            sylls = [(s.stress, len(w.syllables)) for w in line.words if not w.backing for s in w.syllables]
            n = len(sylls)
            for i, (stress, size) in enumerate(sylls):
                if size > 1 and stress == 1:
                    total += 1
                    hits += (n - 1 - i) % 2 == 0
    return hits / total if total else 1.0


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark; returns (and prints) the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--briefs", type=int, default=len(BRIEFS))
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    from troubadour.brief import read_brief
    from troubadour.words.checks import (chorus_count, meter_consistency, repeated_verse_lines, rhyme_share,
                                         title_in_chorus, verse_overlap)
    from troubadour.words.lyricist import get_lyricist

    writer = get_lyricist("embedded")
    first = read_brief(BRIEFS[0])
    t0 = time.perf_counter()
    writer.write(first, genre=first.genre or "country", rng=_rng(0))
    first_call_s = time.perf_counter() - t0
    import_s = t0 - started

    shares, meters, times, overlaps, stress_fits = [], [], [], [], []
    failures: list[str] = []
    songs_total = 0
    for brief_text in BRIEFS[: args.briefs]:
        brief = read_brief(brief_text)
        genre = brief.genre or "country"
        songs = []
        for seed in range(args.seeds):
            t = time.perf_counter()
            lyrics = writer.write(brief, genre=genre, rng=_rng(seed))
            times.append(time.perf_counter() - t)
            songs.append(lyrics)
            songs_total += 1
            share = rhyme_share(lyrics)
            shares.append(share)
            meters.append(meter_consistency(lyrics))
            stress_fits.append(stress_fit(lyrics))
            kinds = [s.kind for s in lyrics.sections]
            problems = []
            if share < 0.8:
                problems.append(f"rhyme share {share:.2f}")
            if "verse" not in kinds or chorus_count(lyrics) < 2:
                problems.append("form")
            if not title_in_chorus(lyrics):
                problems.append("title not in chorus")
            if repeated_verse_lines(lyrics):
                problems.append("repeated verse line")
            if problems:
                failures.append(f"{brief_text!r} seed {seed}: {', '.join(problems)}")
        for a, b in itertools.combinations(songs, 2):
            overlap = verse_overlap(a, b)
            overlaps.append(overlap)
            if overlap > 0.2:
                failures.append(f"{brief_text!r}: two seeds share {overlap:.0%} of verse lines")
    times_ms = sorted(1000 * t for t in times)
    results = {
        "songs": songs_total,
        "rhyme_share_mean": round(statistics.mean(shares), 4),
        "rhyme_share_min": round(min(shares), 4),
        "verse_overlap_mean": round(statistics.mean(overlaps), 4) if overlaps else 0.0,
        "verse_overlap_max": round(max(overlaps), 4) if overlaps else 0.0,
        "meter_consistency_mean": round(statistics.mean(meters), 4),
        "meter_consistency_min": round(min(meters), 4),
        "stress_on_strong_beats_mean": round(statistics.mean(stress_fits), 4),
        "write_ms_mean": round(statistics.mean(times_ms), 1),
        "write_ms_p95": round(times_ms[int(0.95 * (len(times_ms) - 1))], 1),
        "write_ms_max": round(times_ms[-1], 1),
        "first_write_ms_in_fresh_process": round(1000 * first_call_s, 1),
        "import_ms": round(1000 * import_s, 1),
        "failures": failures,
    }
    for key, value in results.items():
        if key != "failures":
            print(f"{key:34} {value}")
    print(f"{'failures':34} {len(failures)}")
    for failure in failures[:20]:
        print("  " + failure)
    return results


if __name__ == "__main__":
    sys.exit(0 if not main()["failures"] else 1)
