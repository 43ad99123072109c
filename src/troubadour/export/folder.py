"""Writing a rendered song's folder: every file, marked, tagged and signed, with work overlapped.

Stems are marked, written (tags inside) and signed in worker threads while the
master is marked and written here and its MP3 encodes in an ffmpeg process.
Each stem's unmarked audio is released as soon as its file is written.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from troubadour.export.audio import Mp3Job, write_wav
from troubadour.export.lyrics import lyrics_lrc, lyrics_txt
from troubadour.export.midi import song_to_midi_bytes
from troubadour.export.musicxml import song_to_musicxml
from troubadour.mix.loudness import measure
from troubadour.song import Song, song_to_json
from troubadour.trust.stage import Marker


def json_bytes(data: dict) -> bytes:
    return (json.dumps(data, indent=1, default=float) + "\n").encode("utf-8")


def write_song_folder(song: Song, folder: Path, *, master: np.ndarray, stems: dict[str, np.ndarray], report: dict,
                      workers: int = 2) -> None:
    """Write the whole output contract into `folder` (an empty staging folder). Updates `report`."""
    sr = song.sample_rate
    marker = Marker(song)
    lyrics = lyrics_txt(song)
    (folder / "stems").mkdir()

    def stem(name: str) -> None:
        path = folder / "stems" / f"{name}.wav"
        audio = marker.mark(stems.pop(name))
        write_wav(path, audio, sr, chunks=marker.wav_chunks(path, master=False))
        del audio
        marker.sign(path, master=False)

    mp3 = None
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            jobs = [pool.submit(stem, name) for name in list(stems)]
            marked = marker.mark_master(master)
            mp3 = Mp3Job(marked, sr, folder / "master.mp3")
            wav = folder / "master.wav"
            write_wav(wav, marked, sr, chunks=marker.wav_chunks(wav, master=True, lyrics=lyrics))
            report["loudness"] = measure(marked, sr).as_dict()
            report["duration_s"] = round(marked.shape[1] / sr, 3)
            report["marks"] = marker.record
            del marked
            marker.sign(wav, master=True)
            (folder / "song.json").write_text(song_to_json(song), encoding="utf-8")
            (folder / "song.mid").write_bytes(song_to_midi_bytes(song))
            (folder / "lead_sheet.musicxml").write_bytes(song_to_musicxml(song))
            (folder / "lyrics.txt").write_text(lyrics, encoding="utf-8")
            (folder / "lyrics.lrc").write_text(lyrics_lrc(song), encoding="utf-8")
            for job in jobs:
                job.result()
        mp3.wait()
    except BaseException:
        if mp3 is not None:
            mp3.cancel()
        raise
    marker.tag(mp3.path, master=True, lyrics=lyrics)
    marker.sign(mp3.path, master=True)
    (folder / "report.json").write_bytes(json_bytes(report))
