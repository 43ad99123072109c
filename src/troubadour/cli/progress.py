"""A progress display for the pipeline stages (rich), silent with --quiet or when not on a terminal."""

from __future__ import annotations

import sys

STAGE_LABELS = {
    "write": "writing lyrics", "compose": "composing", "arrange": "arranging", "perform": "performing (vocals + instruments)",
    "mix": "mixing", "master": "mastering", "export": "marking, signing and writing files",
    "engrave": "engraving the lead sheet (LilyPond)",
}


class StageProgress:
    def __init__(self, *, quiet: bool = False, stages: tuple[str, ...] = tuple(STAGE_LABELS)[:-1]) -> None:
        self.enabled = not quiet
        self.stages = stages
        self._progress = None
        self._task = None

    def __enter__(self) -> "StageProgress":
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            console = Console(stderr=True)
            self._progress = Progress(TextColumn("[bold]{task.description:<36}"), BarColumn(),
                                      TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                                      console=console, transient=not console.is_terminal, disable=not sys.stderr.isatty())
            self._progress.__enter__()
            self._task = self._progress.add_task("starting", total=len(self.stages))
        return self

    def update(self, stage: str, status: str) -> None:
        if self._progress is None:
            return
        if status == "start":
            self._progress.update(self._task, description=STAGE_LABELS.get(stage, stage))
        else:
            self._progress.advance(self._task)

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)
