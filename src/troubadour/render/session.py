"""One render, streamed: each stem goes perform -> mix -> mark -> file as soon as it exists.

Vocals are sung in worker processes while the instruments render here; every
stem is processed, trimmed by a fixed headroom, summed into the mix bus,
marked, written and signed in a thread pool while the others are still on
their way. Only the mix bus and the stems in flight are held in memory. Then
the master is made from the bus and its files written.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import numpy as np

from troubadour.cache import AudioCache
from troubadour.export.folder import write_master_files, write_stem
from troubadour.mix.master import MasterResult, master
from troubadour.mix.mixer import process_stem, stem_kind
from troubadour.render.perform import VocalJob, render_instruments, total_samples
from troubadour.song import Song
from troubadour.trust.stage import Marker

# Every stem is written this far under its mix level: stems stay clear of 0 dBFS
# in 24-bit files, and the sum is exact in any order (integers on the bus).
STEM_TRIM_DB = -9.0
_BUS_SCALE = float(2**23)  # the bus holds 24-bit sample values


class MixBus:
    """Sums stems exactly and order-independently: each stem is quantised to 24 bits and added as integers."""

    def __init__(self, length: int) -> None:
        self._total = np.zeros((2, length), np.int32)
        self._lock = threading.Lock()
        self.clipped: list[str] = []

    def add(self, name: str, stem: np.ndarray) -> None:
        if float(np.abs(stem).max()) > 1.0:
            self.clipped.append(name)
        quantised = np.rint(np.clip(stem, -1.0, 1.0) * _BUS_SCALE).astype(np.int32)
        with self._lock:
            self._total += quantised

    def mix(self) -> np.ndarray:
        return self._total.astype(np.float32) / np.float32(_BUS_SCALE)


class RenderSession:
    def __init__(self, song: Song, folder: Path, cache: AudioCache, *, workers: int = 2,
                 progress: Callable[[str, str], None] | None = None) -> None:
        self.song = song
        self.folder = folder
        self.cache = cache
        self.workers = workers
        self.progress = progress or (lambda stage, status: None)
        self.seconds: dict[str, float] = {}
        self.notes: list[str] = []
        self.marker = Marker(song)
        self._drums = {p.name for p in song.parts if p.is_drums}

    def _stem(self, bus: MixBus, name: str, raw: np.ndarray) -> None:
        sr = self.song.sample_rate
        stem = process_stem(raw, sr, self.song.mix_for(name), kind=stem_kind(name, name in self._drums))
        del raw
        stem *= np.float32(10 ** (STEM_TRIM_DB / 20.0))
        bus.add(name, stem)
        write_stem(self.folder, name, stem, marker=self.marker, sample_rate=sr)

    def run(self, report: Callable[[MasterResult], dict]) -> dict:
        """Render everything into the folder; `report` builds the report from the master result."""
        song = self.song
        (self.folder / "stems").mkdir()
        bus = MixBus(total_samples(song))
        start = time.perf_counter()
        self.progress("perform", "start")
        vocals = VocalJob(song, self.cache, processes=self.workers)  # forks before any thread starts
        self.notes += vocals.notes
        try:
            with ThreadPoolExecutor(max_workers=self.workers) as pool:
                jobs = [pool.submit(self._stem, bus, name, audio)
                        for name, audio in render_instruments(song, self.cache, workers=self.workers)]
                jobs += [pool.submit(self._stem, bus, name, audio) for name, audio in vocals.stems()]
                self.seconds["perform"] = round(time.perf_counter() - start, 3)
                self.progress("perform", "done")
                self.progress("mix", "start")
                for job in jobs:
                    job.result()
        finally:
            vocals.close()
        self.seconds["mix"] = round(time.perf_counter() - start - self.seconds["perform"], 3)
        self.progress("mix", "done")
        if bus.clipped:
            self.notes.append(f"stems {', '.join(bus.clipped)} exceeded full scale and were clipped in their files")
        self.progress("master", "start")
        begun = time.perf_counter()
        mastered = master(bus.mix(), song.sample_rate, target_lufs=song.master.target_lufs,
                          ceiling_dbtp=song.master.ceiling_dbtp)
        del bus
        self.seconds["master"] = round(time.perf_counter() - begun, 3)
        self.progress("master", "done")
        self.progress("export", "start")
        begun = time.perf_counter()
        result = report(mastered)
        write_master_files(song, self.folder, mastered.audio, marker=self.marker, report=result)
        self.seconds["export"] = round(time.perf_counter() - begun, 3)
        self.progress("export", "done")
        return result
