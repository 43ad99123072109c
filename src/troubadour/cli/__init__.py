"""The `troubadour` command line: thin commands that parse, call and print.

Each group of commands lives in its own module and registers on :data:`app`.
Every user mistake ends as one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import signal

import typer

from troubadour import __version__
from troubadour.errors import TroubadourError

app = typer.Typer(
    name="troubadour",
    help="An AI artist studio: write, sing, arrange, mix, master and mark songs, offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"troubadour {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit.")) -> None:
    """troubadour: from a one-line brief to a release-ready song."""


def fail(message: str, code: int = 2) -> None:
    """Print one clear line on stderr and exit non-zero."""
    typer.echo(f"troubadour: error: {message}", err=True)
    raise SystemExit(code)


def echo_warnings(caught) -> None:
    """Our warnings (UserWarning and its kinds) as one line each; Python's own
    resource and deprecation notes are for developers, not users."""
    for warning in caught:
        if issubclass(warning.category, UserWarning):
            typer.echo(f"troubadour: warning: {warning.message}", err=True)


def _register() -> None:
    # Importing a command module registers its commands on `app`.
    import importlib

    for module in ("song_commands", "lyrics_command", "sing_command", "trust_commands"):
        try:
            importlib.import_module(f"troubadour.cli.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"troubadour.cli.{module}":
                raise


class Interrupted(TroubadourError):
    """Ctrl-C: raised from the signal handler so it passes through the CLI framework to us."""

    exit_code = 130


def _on_interrupt(signum, frame) -> None:
    raise Interrupted("interrupted; nothing partial was left behind")


def main(argv: list[str] | None = None) -> None:
    from troubadour.allocator import keep_freed_memory

    keep_freed_memory()
    _register()
    signal.signal(signal.SIGINT, _on_interrupt)
    try:
        app(args=argv, prog_name="troubadour")
    except TroubadourError as exc:
        fail(str(exc), exc.exit_code)
