"""The pipeline's trust marks: a watermark in every signal, tags and signed credentials in every file.

The watermark payload names the issuer (this installation) and the render
(a hash of the song document), so a file found in the wild points back to the
song that made it. The master's true peak is trimmed back under its ceiling
after marking (the mark adds a fraction of a dB; it survives any gain).
"""

from __future__ import annotations

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


class Marker:
    """Marks the audio and files of one render.

    identity : what was rendered (a hash); the payload's render id comes from it
    """

    def __init__(self, *, identity: str, title: str, artist: str | None, voice: str | None, sample_rate: int,
                 ceiling_dbtp: float = -1.0) -> None:
        self.title, self.artist, self.voice = title, artist, voice
        self.sample_rate, self.ceiling_dbtp = sample_rate, ceiling_dbtp
        self.key_name, self._key = keys.embedding_key()
        self.payload = keys.render_payload(identity)

    @classmethod
    def for_song(cls, song: Song) -> "Marker":
        return cls(identity=render_id(song), title=song.title, artist=song.artist, voice=song.voice,
                   sample_rate=song.sample_rate, ceiling_dbtp=song.master.ceiling_dbtp)

    @property
    def record(self) -> dict:
        return {"watermark": True, "key": self.key_name, **keys.split_payload(self.payload)}

    def mark(self, audio: np.ndarray) -> np.ndarray:
        """Watermark a stem (silent or very short audio comes back unchanged)."""
        return watermark.embed(audio, self.sample_rate, payload=self.payload, key=self._key)

    def mark_master(self, audio: np.ndarray) -> np.ndarray:
        """Watermark the master and keep its true peak under the ceiling."""
        marked = self.mark(audio)
        peak = true_peak_dbtp(marked)
        ceiling = self.ceiling_dbtp - 0.05
        if peak > ceiling:
            marked *= np.float32(10 ** ((ceiling - peak) / 20.0))
        return marked

    def describe(self, path: Path, *, master: bool) -> dict:
        """Title and voice a file's tags and credentials state."""
        vocal = master or path.stem in ("vocals", "backing_vocals")
        title = self.title if master else f"{self.title} ({path.stem.replace('_', ' ')} stem)"
        return {"title": title, "artist": self.artist, "voice": self.voice if vocal else None,
                "software": SOFTWARE, "version": __version__}

    def wav_chunks(self, path: Path, *, master: bool, lyrics: str | None = None) -> bytes:
        """Disclosure tag chunks to write into a WAV as it is written."""
        from troubadour.trust.tags import wav_tag_chunks

        return wav_tag_chunks(**self.describe(path, master=master), lyrics=lyrics if master else None)

    def tag(self, path: Path, *, master: bool, lyrics: str | None = None) -> None:
        """Disclosure tags into an existing file (MP3)."""
        from troubadour.trust.tags import write_disclosure_tags

        write_disclosure_tags(path, **self.describe(path, master=master), lyrics=lyrics if master else None)

    def sign(self, path: Path, *, master: bool, data: bytes | bytearray | None = None) -> None:
        """A signed C2PA manifest (AI-generated, software, voice, title, watermark) in the file.

        data : the unsigned file's bytes, if in memory: the signed file is then
            written straight from them.
        """
        import io

        from troubadour.trust.credentials import sign_file

        facts = self.describe(path, master=master)
        sign_file(path, title=facts["title"], voice=facts["voice"], software=SOFTWARE, version=__version__,
                  author=self.artist, watermark={"payload": f"{self.payload:08x}", "key": self.key_name},
                  source=io.BytesIO(data) if data is not None else None)
