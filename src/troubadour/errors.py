"""The one exception hierarchy of troubadour.

Every error a user can cause is a :class:`TroubadourError`; its message is one
line that names the problem and says what to do. The CLI prints it and exits
non-zero, never with a traceback.
"""

from __future__ import annotations


class TroubadourError(Exception):
    """Base class of every error troubadour reports to a user."""

    exit_code = 1


class InputError(TroubadourError, ValueError):
    """A value the user gave is wrong (type, range, unknown name, bad file)."""

    exit_code = 2


class DocumentError(InputError):
    """A song document (``song.json``) is malformed or inconsistent."""


class DependencyError(TroubadourError):
    """Something troubadour needs is not installed (a package, a SoundFont)."""

    exit_code = 3


class OutputError(TroubadourError):
    """The output location cannot be written (exists, unwritable, disk full)."""

    exit_code = 4


class LicenceError(TroubadourError):
    """A voice is used outside the licence its owner granted."""

    exit_code = 5


def describe_choice(name: str, value: object, valid: list[str] | tuple[str, ...]) -> str:
    """Message for an unknown name: names the parameter, the value and the choices."""
    return f"unknown {name} {value!r}; choose one of: {', '.join(sorted(valid))}"
