"""`troubadour make`, `render`, `styles`, `voices`."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Optional

import typer

from troubadour.cli import app, echo_warnings
from troubadour.cli.progress import StageProgress


@app.command()
def make(
    brief: str = typer.Argument(..., help='One line describing the song, e.g. "a folk song about a river town".'),
    out: Path = typer.Option(..., "-o", "--out", help="Output folder (created; must be empty unless --force)."),
    lyrics: Optional[Path] = typer.Option(None, "--lyrics", help="Your lyrics (UTF-8 text with [Verse]/[Chorus] tags), sung as written."),
    seed: int = typer.Option(0, "--seed", min=0, max=2**32 - 1, help="Random seed: same brief, options and seed give the same song."),
    voice: Optional[str] = typer.Option(None, "--voice", help="Voice profile (see `troubadour voices`)."),
    genre: Optional[str] = typer.Option(None, "--genre", help="Style (see `troubadour styles`); default: from the brief, else country."),
    bpm: Optional[float] = typer.Option(None, "--bpm", help="Tempo in beats per minute (40-240)."),
    key: Optional[str] = typer.Option(None, "--key", help="Key, e.g. G, Em, Bb, F#m."),
    lyricist: str = typer.Option("embedded", "--lyricist", help="Lyric writer backend: embedded (offline) or openai."),
    llm_base_url: Optional[str] = typer.Option(None, "--llm-base-url", help="openai: server URL, e.g. http://localhost:11434/v1 (or TROUBADOUR_LLM_BASE_URL)."),
    llm_model: Optional[str] = typer.Option(None, "--llm-model", help="openai: model name (or TROUBADOUR_LLM_MODEL)."),
    llm_timeout: float = typer.Option(60.0, "--llm-timeout", help="openai: seconds to wait for each reply before falling back."),
    explicit: bool = typer.Option(False, "--explicit", help="Allow explicit lyrics (family-friendly by default)."),
    pdf: bool = typer.Option(False, "--pdf", help="Also engrave a printable lead_sheet.pdf (needs LilyPond)."),
    force: bool = typer.Option(False, "--force", help="Replace a non-empty output folder."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Render everything afresh, ignoring the audio cache."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display."),
) -> None:
    """Write, compose, arrange, sing, mix, master and export a song from a brief."""
    from troubadour.export.outdir import check_target
    from troubadour.pipeline import Timer, check_options, create_song, render_song

    check_options(genre=genre, voice=voice, bpm=bpm, key=key)
    check_target(out.absolute(), force=force)
    if pdf:
        from troubadour.export.lilypond import require_lilypond

        require_lilypond()  # before the words and music are written, which may take an LLM minutes
    stages = _stages(pdf)
    options = {}
    if lyricist != "embedded":
        options = {k: v for k, v in {"base_url": llm_base_url, "model": llm_model, "timeout_s": llm_timeout}.items()
                   if v is not None}
    with warnings.catch_warnings(record=True) as caught, StageProgress(quiet=quiet, stages=stages) as progress:
        warnings.simplefilter("always")
        timer = Timer(progress.update)
        song = create_song(brief, seed=seed, lyrics_path=lyrics, genre=genre, voice=voice, bpm=bpm, key=key,
                           lyricist=lyricist, lyricist_options=options, explicit=explicit, timer=timer)
        report = render_song(song, out, force=force, use_cache=not no_cache, timer=timer, pdf=pdf)
    echo_warnings(caught)
    _summary(out, report, quiet=quiet)


@app.command()
def render(
    song_json: Path = typer.Argument(..., help="A song.json (or the folder holding it) to render, after your edits."),
    out: Path = typer.Option(..., "-o", "--out", help="Output folder (created; must be empty unless --force)."),
    pdf: bool = typer.Option(False, "--pdf", help="Also engrave a printable lead_sheet.pdf (needs LilyPond)."),
    force: bool = typer.Option(False, "--force", help="Replace a non-empty output folder."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Render everything afresh, ignoring the audio cache."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display."),
) -> None:
    """Render an edited song document; only what changed is synthesised again."""
    from troubadour.export.outdir import check_target
    from troubadour.pipeline import Timer, render_song
    from troubadour.song import load_song

    song = load_song(song_json)
    if out.absolute() == (song_json if song_json.is_dir() else song_json.parent).absolute() and not force:
        typer.echo("troubadour: error: rendering into the folder the song.json is in needs --force (it is replaced)", err=True)
        raise typer.Exit(4)
    check_target(out.absolute(), force=force)
    stages = _stages(pdf)[3:]  # the song is written, composed and arranged already
    with StageProgress(quiet=quiet, stages=stages) as progress:
        report = render_song(song, out, force=force, use_cache=not no_cache, timer=Timer(progress.update), pdf=pdf)
    _summary(out, report, quiet=quiet)


@app.command()
def styles() -> None:
    """List the styles (genres) with a one-line description."""
    from troubadour.styles.style import load_style, style_names

    for name in style_names():
        style = load_style(name)
        low = min(r[0] for r in style.tempo_bpm.values())
        high = max(r[1] for r in style.tempo_bpm.values())
        typer.echo(f"{name:<10} {style.meter[0]}/{style.meter[1]} {low}-{high} BPM  {style.description}")


@app.command()
def voices() -> None:
    """List the voice profiles with range and character."""
    from troubadour.voice.profiles import load_voice, voice_names

    for name in voice_names():
        voice = load_voice(name)
        typer.echo(f"{name:<16} {voice.range[0]}-{voice.range[1]:<4} {voice.description}")


def _stages(pdf: bool) -> tuple[str, ...]:
    """The stages the progress display counts."""
    from troubadour.cli.progress import STAGE_LABELS

    return tuple(name for name in STAGE_LABELS if pdf or name != "engrave")


def _summary(out: Path, report: dict, *, quiet: bool) -> None:
    for note in report.get("notes", []):
        typer.echo(f"note: {note}", err=True)
    if quiet:
        return
    loud = report["loudness"]
    minutes, seconds = divmod(report["duration_s"], 60)
    typer.echo(
        f"{report['title']!r}: {int(minutes)}:{seconds:04.1f}, {report['key']}, {report['tempo_bpm']:g} BPM, "
        f"{loud['integrated_lufs']:.1f} LUFS, {loud['true_peak_dbtp']:.1f} dBTP, "
        f"rendered in {report['total_seconds']:.1f} s"
    )
    stages = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in report.get("stage_seconds", {}).items())
    typer.echo(f"stages: {stages}")
    for warning in report.get("engrave_warnings", []):
        typer.echo(f"troubadour: warning: LilyPond: {warning}", err=True)
    sheet = "lead_sheet.musicxml" + (" and .pdf" if (out / "lead_sheet.pdf").exists() else "")
    typer.echo(f"wrote {out}/ (master.wav, master.mp3, stems/, song.mid, {sheet}, lyrics, song.json)")
