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

# Every stem is written this far under its mix level, so stems stay clear of
# 0 dBFS in 24-bit files (the master's gain makes it up).
STEM_TRIM_DB = -9.0


class MixBus:
    """Sums stems in a fixed order (their index), whatever order they finish in.

    Float addition is not associative: adding in completion order would make
    the mix, and so the master, differ in its last bits from run to run.
    A stem that finishes early waits for its turn (at most a few do).
    """

    def __init__(self, length: int) -> None:
        self._total = np.zeros((2, length), np.float32)
        self._turn = 0
        self._ready = threading.Condition()
        self.clipped: list[str] = []

    def add(self, index: int, name: str, stem: np.ndarray) -> None:
        if float(np.abs(stem).max()) > 1.0:
            self.clipped.append(name)
        with self._ready:
            self._ready.wait_for(lambda: self._turn == index)
            self._total += stem
            self._turn += 1
            self._ready.notify_all()

    def wait_for(self, count: int, jobs: list) -> None:
        """Until `count` stems are on the bus (or a stem job fails: its error is raised)."""
        with self._ready:
            while self._turn < count:
                self._ready.wait(timeout=0.1)
                for job in jobs:
                    if job.done() and job.exception() is not None:
                        raise job.exception()

    def skip(self, index: int) -> None:
        """A stem that failed: let the others through (the render fails anyway)."""
        with self._ready:
            self._ready.wait_for(lambda: self._turn == index)
            self._turn += 1
            self._ready.notify_all()

    def mix(self) -> np.ndarray:
        return self._total


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
        self.marker = Marker.for_song(song)
        self._drums = {p.name for p in song.parts if p.is_drums}

    def _stem(self, bus: MixBus, index: int, name: str, raw: list[np.ndarray]) -> None:
        """Process, sum, mark and write one stem. ``raw`` holds the audio and is emptied: the pool's
        work item keeps its arguments alive until this returns, and a stem is ~60 MB."""
        sr = self.song.sample_rate
        try:
            stem = process_stem(raw.pop(), sr, self.song.mix_for(name), kind=stem_kind(name, name in self._drums))
        except BaseException:
            bus.skip(index)
            raise
        stem *= np.float32(10 ** (STEM_TRIM_DB / 20.0))
        bus.add(index, name, stem)
        marked = self.marker.mark(stem)
        del stem
        write_stem(self.folder, name, [marked], marker=self.marker, sample_rate=sr)

    def run(self, report: Callable[[MasterResult], dict]) -> dict:
        """Render everything into the folder; `report` builds the report from the master result.

        The master is made as soon as every stem is on the mix bus, while the
        stems are still being marked, written and signed in the pool.
        """
        song = self.song
        (self.folder / "stems").mkdir()
        bus = MixBus(total_samples(song))
        clock = _Clock(self.seconds, self.progress)
        clock.begin("perform")
        vocals = VocalJob(song, self.cache, processes=self.workers)  # forks before any thread starts
        self.notes += vocals.notes
        try:
            # Instruments render faster than stems are processed and written: a
            # bounded number in flight keeps raw stems from piling up in memory.
            in_flight = threading.BoundedSemaphore(self.workers + 1)
            with ThreadPoolExecutor(max_workers=self.workers) as pool:
                jobs = []
                for source in (render_instruments(song, self.cache, workers=self.workers), vocals.stems()):
                    for name, audio in source:  # stems enter the bus in this order
                        in_flight.acquire()
                        job = pool.submit(self._stem, bus, len(jobs), name, [audio])
                        job.add_done_callback(lambda _: in_flight.release())
                        jobs.append(job)
                        del audio
                clock.end("perform")
                clock.begin("mix")
                bus.wait_for(len(jobs), jobs)
                clock.end("mix")
                if bus.clipped:
                    self.notes.append(f"stems {', '.join(bus.clipped)} exceeded full scale and were clipped in their files")
                clock.begin("master")
                mastered = master(bus.mix(), song.sample_rate, target_lufs=song.master.target_lufs,
                                  ceiling_dbtp=song.master.ceiling_dbtp)
                del bus
                clock.end("master")
                clock.begin("export")
                result = report(mastered)
                write_master_files(song, self.folder, mastered.audio, marker=self.marker, report=result)
                for job in jobs:  # the stems' files
                    job.result()
                clock.end("export")
        except BaseException:
            vocals.close(wait=False)
            raise
        vocals.close()
        return result


class _Clock:
    """Wall-clock spans of the stages, reported as they happen."""

    def __init__(self, seconds: dict[str, float], progress: Callable[[str, str], None]) -> None:
        self.seconds, self.progress, self._started = seconds, progress, {}

    def begin(self, stage: str) -> None:
        self._started[stage] = time.perf_counter()
        self.progress(stage, "start")

    def end(self, stage: str) -> None:
        self.seconds[stage] = round(time.perf_counter() - self._started[stage], 3)
        self.progress(stage, "done")
