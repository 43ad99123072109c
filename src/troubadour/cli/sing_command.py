"""`troubadour sing`: sing a MusicXML or MIDI score with a voice profile."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from troubadour.cli import app


@app.command()
def sing(
    score: Path = typer.Argument(..., help="MusicXML (.musicxml, .xml, .mxl) with lyrics, or MIDI (.mid, .kar) with lyric events."),
    output: Path = typer.Option(..., "-o", "--out", help="The sung vocal: a .wav file (watermarked, C2PA-signed)."),
    voice: Optional[str] = typer.Option(None, "--voice", help="Voice profile (troubadour voices); default: the one whose range fits the score."),
    sample_rate: int = typer.Option(44100, "--sample-rate", help="Output sample rate in Hz (22050 to 96000)."),
    vowel: Optional[str] = typer.Option(None, "--vowel", help="Sing every note on this vowel (a, e, i, o, u) instead of the lyrics."),
    strict: bool = typer.Option(False, "--strict", help="Refuse notes outside the voice's range instead of moving them by octaves."),
    part: Optional[str] = typer.Option(None, "--part", help="The part (MusicXML) or track (MIDI) to sing; default: the one with lyrics."),
    seed: int = typer.Option(0, "--seed", min=0, max=2**32 - 1, help="Random seed of the voice's small variations."),
    export_ustx: Optional[Path] = typer.Option(None, "--export-ustx", help="Also write the vocal line as an OpenUtau project (.ustx)."),
    export_ds: Optional[Path] = typer.Option(None, "--export-ds", help="Also write the vocal line as a DiffSinger file (.ds)."),
    force: bool = typer.Option(False, "--force", help="Replace existing output files."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing but errors."),
) -> None:
    """Sing a score's vocal line (lyrics on the notes) into a WAV file."""
    from troubadour.voice.sing_file import sing_file

    def on_stage(name: str) -> None:
        if not quiet and sys.stderr.isatty():  # progress for people, not for logs and pipes
            typer.echo({"read": "reading the score", "sing": "singing", "mark": "marking and writing"}[name] + " ...",
                       err=True)

    result = sing_file(score, output, voice=voice, sample_rate=sample_rate, vowel=vowel, strict=strict, part=part,
                       seed=seed, force=force, export_ustx=export_ustx, export_ds=export_ds, on_stage=on_stage)
    for warning in result.warnings:
        typer.echo(f"troubadour: warning: {warning}", err=True)
    if quiet:
        return
    speed = result.duration_s / max(result.seconds.get("sing", 0.0), 1e-6)
    typer.echo(f"sang {result.notes} notes in {result.phrases} phrases of {result.part!r} with {result.voice}: "
               f"{result.duration_s:.1f} s of audio in {result.seconds['sing']:.1f} s ({speed:.0f}x real time)")
    typer.echo(f"wrote {result.output}")
    for path in result.exports:
        typer.echo(f"wrote {path}")
