"""A content-addressed cache of rendered audio (instrument parts, sung phrases).

Keys are hashes of everything that shapes the audio, so a hit is always the
same samples a fresh render would give. The cache is an optimisation only:
if its folder cannot be written, rendering goes on without it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

MAX_CACHE_BYTES = 3 * 1024**3


def cache_dir() -> Path:
    override = os.environ.get("TROUBADOUR_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "troubadour"


class AudioCache:
    def __init__(self, root: Path | None = None, *, enabled: bool = True) -> None:
        self.root = (root or cache_dir()) / "audio"
        self.enabled = enabled
        self.hits = 0
        self.misses = 0

    def _path(self, kind: str, key: str) -> Path:
        return self.root / kind / f"{key}.npy"

    def get(self, kind: str, key: str) -> np.ndarray | None:
        if not self.enabled:
            return None
        path = self._path(kind, key)
        try:
            audio = np.load(path, allow_pickle=False)
            os.utime(path)  # recently used: keep it when pruning
        except (OSError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return audio

    def put(self, kind: str, key: str, audio: np.ndarray) -> None:
        if not self.enabled:
            return
        path = self._path(kind, key)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(temporary, "wb") as handle:
                np.save(handle, audio, allow_pickle=False)
            temporary.replace(path)
        except OSError:
            temporary.unlink(missing_ok=True)  # a read-only or full cache only costs speed

    def prune(self, max_bytes: int = MAX_CACHE_BYTES) -> None:
        """Delete the least recently used entries beyond `max_bytes`."""
        if not self.enabled or not self.root.exists():
            return
        try:
            entries = [(p.stat().st_mtime, p.stat().st_size, p) for p in self.root.rglob("*.npy")]
        except OSError:
            return
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
