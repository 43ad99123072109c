"""The pipeline's mark stage: watermark every rendered signal, then tag and sign every written file.

The watermark payload names the issuer (this installation) and the render
(a hash of the song document), so a file found in the wild points back to the
song that made it. The master's true peak is trimmed back under its ceiling
after marking (the mark adds a fraction of a dB; it survives any gain).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from troubadour import __version__
from troubadour.mix.loudness import true_peak_dbtp
from troubadour.song import Song, content_hash
from troubadour.trust import keys, watermark

SOFTWARE = "troubadour"


def render_id(song: Song) -> str:
    """A hash of what the song is (not of who rendered it when), so a re-render carries the same mark."""
    return content_hash(song.model_dump(mode="json", exclude={"provenance"}))


def mark_render(song: Song, master: np.ndarray, stems: dict[str, np.ndarray], *,
                workers: int = 2) -> tuple[np.ndarray, dict[str, np.ndarray], dict]:
    """Watermark the master and every stem; returns them with a record of the mark."""
    key_name, key = keys.embedding_key()
    payload = keys.render_payload(render_id(song))
    sr = song.sample_rate

    def one(item: tuple[str, np.ndarray]) -> tuple[str, np.ndarray]:
        name, audio = item
        return name, watermark.embed(audio, sr, payload=payload, key=key)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        marked_stems = pool.submit(lambda: dict(pool.map(one, stems.items())))
        marked_master = watermark.embed(master, sr, payload=payload, key=key)
        marked_stems = marked_stems.result()
    peak = true_peak_dbtp(marked_master)
    ceiling = song.master.ceiling_dbtp - 0.05
    if peak > ceiling:
        marked_master = marked_master * np.float32(10 ** ((ceiling - peak) / 20.0))
    record = {"watermark": True, "key": key_name, **keys.split_payload(payload)}
    return marked_master.astype(np.float32, copy=False), marked_stems, record


def credential_files(song: Song, folder: Path, marks: dict, *, lyrics: str, workers: int = 2) -> list[str]:
    """Disclosure tags, then a signed C2PA manifest, in every audio file of a rendered folder."""
    from troubadour.trust.credentials import sign_file
    from troubadour.trust.tags import write_disclosure_tags

    files = [folder / "master.wav", folder / "master.mp3"] + sorted((folder / "stems").glob("*.wav"))
    instrumental = {p.name for p in song.parts}

    def one(path: Path) -> str:
        is_master = path.parent == folder
        voice = song.voice if is_master or path.stem not in instrumental else None
        title = song.title if is_master else f"{song.title} ({path.stem.replace('_', ' ')} stem)"
        write_disclosure_tags(path, title=title, artist=song.artist, voice=voice, software=SOFTWARE,
                              version=__version__, lyrics=lyrics if is_master else None)
        sign_file(path, title=title, voice=voice, software=SOFTWARE, version=__version__, author=song.artist,
                  watermark={"payload": marks.get("hex"), "key": marks.get("key")} if marks.get("watermark") else None)
        return str(path.relative_to(folder))

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, files))
