"""Lyricist backends: a registry of writers that turn a brief into Lyrics.

``embedded`` (default) needs no model and no network; ``openai`` asks any
OpenAI-compatible chat endpoint (see ``openai_backend``). Other backends register
themselves with :func:`register`; heavy dependencies are imported inside them.
"""

from __future__ import annotations

from typing import Callable, Protocol

import numpy as np

from troubadour.brief import Brief
from troubadour.errors import InputError, describe_choice
from troubadour.song import Lyrics


class LyricistWarning(UserWarning):
    """A lyricist could not do what was asked and did something else (the CLI shows it)."""


class Lyricist(Protocol):
    name: str
    version: str

    def write(self, brief: Brief, *, genre: str, rng: np.random.Generator, explicit: bool = False) -> Lyrics: ...


_REGISTRY: dict[str, Callable[..., Lyricist]] = {}


def register(name: str, factory: Callable[..., Lyricist]) -> None:
    _REGISTRY[name] = factory


def get_lyricist(name: str = "embedded", **options) -> Lyricist:
    _load_builtin()
    if name not in _REGISTRY:
        raise InputError(describe_choice("lyricist", name, list(_REGISTRY)))
    return _REGISTRY[name](**options)


def lyricist_names() -> list[str]:
    _load_builtin()
    return sorted(_REGISTRY)


def _load_builtin() -> None:
    if "embedded" not in _REGISTRY:
        from troubadour.words import embedded  # noqa: F401  (registers itself)
    if "openai" not in _REGISTRY:
        from troubadour.words import openai_backend  # noqa: F401  (standard library only)
