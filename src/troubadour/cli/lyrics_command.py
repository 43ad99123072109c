"""`troubadour lyrics`: write a lyric sheet from a brief, or read the user's own sheet."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Optional

import typer

from troubadour.cli import app, echo_warnings


@app.command()
def lyrics(
    brief: Optional[str] = typer.Argument(None, help='One line describing the song, e.g. "a folk song about a river town".'),
    seed: int = typer.Option(0, "--seed", min=0, max=2**32 - 1, help="Random seed: same brief and seed give the same lyrics."),
    as_json: bool = typer.Option(False, "--json", help="Print the structured form: sections, lines, words, syllables (stress, phonemes)."),
    explicit: bool = typer.Option(False, "--explicit", help="Allow explicit lyrics (family-friendly by default)."),
    genre: Optional[str] = typer.Option(None, "--genre", help="country, pop, rock, folk or ballad; default: from the brief, else country."),
    lyricist: str = typer.Option("embedded", "--lyricist", help="embedded (offline, default) or openai (any OpenAI-compatible server)."),
    llm_base_url: Optional[str] = typer.Option(None, "--llm-base-url", help="openai: server URL, e.g. http://localhost:11434/v1 (or TROUBADOUR_LLM_BASE_URL)."),
    llm_model: Optional[str] = typer.Option(None, "--llm-model", help="openai: model name (or TROUBADOUR_LLM_MODEL)."),
    llm_timeout: float = typer.Option(60.0, "--llm-timeout", help="openai: seconds to wait for each reply before falling back."),
    lyrics_file: Optional[Path] = typer.Option(None, "--lyrics", help="Read your own lyric sheet instead of writing one: shows how it will be sung."),
) -> None:
    """Write a lyric sheet from a brief (or read yours with --lyrics) and print it."""
    from troubadour.brief import read_brief
    from troubadour.errors import InputError, describe_choice
    from troubadour.words.sheet import lyrics_to_text, parse_lyrics, read_lyrics_file
    from troubadour.words.template import GENRES

    if genre is not None and genre not in GENRES:
        raise InputError(describe_choice("--genre", genre, GENRES))
    if lyrics_file is not None:
        parsed = read_brief(brief) if brief else None
        result = parse_lyrics(read_lyrics_file(lyrics_file), title=(parsed.title or "") if parsed else "",
                              source=str(lyrics_file))
    else:
        if brief is None:
            raise InputError('give a brief, e.g. troubadour lyrics "a folk song about a river town" '
                             "(or --lyrics FILE to read your own sheet)")
        parsed = read_brief(brief)
        options = {}
        if lyricist == "openai":
            options = {k: v for k, v in {"base_url": llm_base_url, "model": llm_model, "timeout_s": llm_timeout}.items()
                       if v is not None}
        from troubadour.words.lyricist import get_lyricist

        backend = get_lyricist(lyricist, **options)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = backend.write(parsed, genre=genre or parsed.genre or "country", rng=_rng(seed), explicit=explicit)
        echo_warnings(caught)
    if as_json:
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=1, ensure_ascii=False))
    else:
        typer.echo(lyrics_to_text(result, with_title=True), nl=False)


def _rng(seed: int):
    """The write stage's random stream, as `troubadour.pipeline.stage_rng(seed, "write")` makes it
    (so `make --seed N` sings these lyrics), without importing the audio stack."""
    import zlib

    import numpy as np

    return np.random.default_rng([seed, zlib.crc32(b"write")])
