"""Finding a General MIDI SoundFont on this machine."""

from __future__ import annotations

import os
from pathlib import Path

from troubadour.errors import DependencyError

SEARCH_PATHS = (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/default-GM.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
    "/usr/share/soundfonts/default.sf2",
    "/usr/local/share/soundfonts/FluidR3_GM.sf2",
    "/opt/homebrew/share/soundfonts/default.sf2",
)


def find_soundfont() -> Path:
    """The SoundFont to render with: $TROUBADOUR_SOUNDFONT, else a system GM SoundFont."""
    override = os.environ.get("TROUBADOUR_SOUNDFONT")
    if override:
        path = Path(override).expanduser()
        if not path.is_file():
            raise DependencyError(f"TROUBADOUR_SOUNDFONT points at {override!r}, which is not a file; fix or unset it")
        return path
    for candidate in SEARCH_PATHS:
        path = Path(candidate)
        if path.is_file():
            return path.resolve()
    raise DependencyError(
        "no General MIDI SoundFont found; install Debian's fluid-soundfont-gm "
        "(sudo apt-get install fluid-soundfont-gm, or `make setup`) or set TROUBADOUR_SOUNDFONT=/path/to/file.sf2"
    )
