"""``troubadour mark`` and ``troubadour verify``: trust marks from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from troubadour.cli import app
from troubadour.errors import InputError


def _json_default(value: object) -> object:
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


@app.command()
def mark(
    input: Path = typer.Argument(..., help="Audio file to mark (anything ffmpeg reads)."),
    output: Path = typer.Option(..., "-o", "--output", help="Marked copy: .wav, .flac, .mp3, .m4a, .ogg or .opus."),
    title: Optional[str] = typer.Option(None, help="Title for the tags and the C2PA manifest (default: file name)."),
    voice: Optional[str] = typer.Option(None, help="Voice profile that sings on the recording."),
    artist: Optional[str] = typer.Option(None, help="Artist name for the tags."),
    payload: Optional[str] = typer.Option(None, help="32-bit payload as 8 hex digits (default: issuer id + input hash)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing output."),
    again: bool = typer.Option(False, "--again", help="Mark a file that already carries a troubadour watermark "
                               "(the new mark can hide the old one)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Watermark audio made elsewhere and add C2PA credentials and AI-disclosure tags."""
    from troubadour.trust.mark import mark_file

    value = None
    if payload is not None:
        try:
            value = int(payload, 16)
        except ValueError:
            raise InputError(f"--payload must be hex digits (e.g. 9a1ab88e), got {payload!r}") from None
        if not 0 <= value < 2**32:
            raise InputError(f"--payload must fit in 32 bits (8 hex digits), got {payload!r}")
    report = mark_file(input, output, title=title, voice=voice, artist=artist, payload=value, force=force,
                       again=again)
    if as_json:
        typer.echo(json.dumps(report, default=_json_default))
        return
    snr = f", SNR {report['snr_db']} dB" if report.get("snr_db") is not None else ""
    typer.echo(f"marked {report['output']}: payload {report['payload']} (key {report['key']}){snr}; C2PA {report['c2pa']}")
    if report.get("self_check") is False:
        typer.echo("troubadour: warning: the watermark could not be read back from the output (too little sound"
                   " between 400 Hz and 4.5 kHz, or under ~5 s); the C2PA manifest and tags still mark it", err=True)


@app.command()
def verify(
    file: Path = typer.Argument(..., help="Audio file to check (anything ffmpeg reads)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    key: list[str] = typer.Option([], "--key", help="Extra watermark key (hex or key file); repeatable."),
    no_speed_search: bool = typer.Option(False, "--no-speed-search", help="Only look at the original speed (faster)."),
) -> None:
    """Check a file's watermark, C2PA manifest and disclosure tags."""
    from troubadour.trust.verify import format_report, verify_file

    report = verify_file(file, extra_keys=list(key), search_speed=not no_speed_search)
    if as_json:
        typer.echo(json.dumps(report, default=_json_default))
    else:
        typer.echo(format_report(report))
