"""Writing a rendered song's files: every audio file marked, tagged as it is written, and signed.

Stems are written by the render session as each is mixed; the master's files
are written here while its MP3 encodes in an ffmpeg process.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np

from troubadour.export.audio import Mp3Job, wav_bytes
from troubadour.export.lyrics import lyrics_lrc, lyrics_txt
from troubadour.export.midi import song_to_midi_bytes
from troubadour.export.musicxml import song_to_musicxml
from troubadour.mix.loudness import measure
from troubadour.song import Song, song_to_json
from troubadour.trust.stage import Marker


def json_bytes(data: dict) -> bytes:
    return (json.dumps(data, indent=1, default=float) + "\n").encode("utf-8")


_SIGNING = threading.Lock()


def write_stem(folder: Path, name: str, marked: list[np.ndarray], *, marker: Marker, sample_rate: int) -> None:
    """stems/<name>.wav, tagged and signed; ``marked`` holds the watermarked audio and is emptied
    (the caller's list is its last reference, so it is freed once encoded)."""
    path = folder / "stems" / f"{name}.wav"
    data = wav_bytes(marked.pop(), sample_rate, chunks=marker.wav_chunks(path, master=False))
    with _SIGNING:  # C2PA holds several copies of a file while signing it: one file at a time
        marker.sign(path, master=False, data=data)  # writes the signed file straight from memory
    del data


def write_master_files(song: Song, folder: Path, master: np.ndarray, *, marker: Marker, report: dict) -> None:
    """master.wav, master.mp3 and the document files; updates `report` with the final loudness."""
    sr = song.sample_rate
    lyrics = lyrics_txt(song)
    marked = marker.mark_master(master)
    mp3 = Mp3Job(marked, sr, folder / "master.mp3")
    try:
        wav = folder / "master.wav"
        data = wav_bytes(marked, sr, chunks=marker.wav_chunks(wav, master=True, lyrics=lyrics))
        report["loudness"] = measure(marked, sr).as_dict()
        report["duration_s"] = round(marked.shape[1] / sr, 3)
        report["marks"] = marker.record
        del marked
        with _SIGNING:
            marker.sign(wav, master=True, data=data)
        del data
        (folder / "song.json").write_text(song_to_json(song), encoding="utf-8")
        (folder / "song.mid").write_bytes(song_to_midi_bytes(song))
        (folder / "lead_sheet.musicxml").write_bytes(song_to_musicxml(song))
        (folder / "lyrics.txt").write_text(lyrics, encoding="utf-8")
        (folder / "lyrics.lrc").write_text(lyrics_lrc(song), encoding="utf-8")
        mp3.wait()
    except BaseException:
        mp3.cancel()
        raise
    marker.tag(mp3.path, master=True, lyrics=lyrics)
    marker.sign(mp3.path, master=True)
    (folder / "report.json").write_bytes(json_bytes(report))
