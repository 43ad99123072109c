"""The phrase banks of the embedded lyricist, loaded from ``words/data/*.yaml``.

``heads.yaml``, ``tails.yaml`` and ``lines.yaml`` (whole lines) serve every genre; ``<genre>.yaml`` adds the
genre's props (the truck, the river, the neon), titles, scenes and endings;
``settings.yaml`` adds a place the brief names (a beach, a city, the mountains).
Adding a genre is adding a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml

from troubadour.words.template import GENRES, MOODS, Template, parse_template

OWN = frozenset({"own"})  # from the genre's file
PLACE = frozenset({"setting"})  # from the setting the brief names
FUNCTIONS = ("scene", "act", "you", "kin", "feel", "change", "turn", "hook", "lift")
TAIL_KINDS = ("time", "span", "clause", "place", "with", "like")  # what a tail adds; decides what it may follow


@dataclass
class Setting:
    """A place a brief can name, with the words that pick it."""

    name: str
    words: tuple[str, ...]
    props: dict[str, list[str]]
    heads: dict[str, list[Template]]
    tails: list[Template]


@dataclass
class Bank:
    """Everything the embedded writer may say in one genre."""

    genre: str
    props: dict[str, list[str]]  # slot -> values, each may end in " @x" (explicit only)
    titles: dict[str, list[str]]  # mood (or "any") -> titles
    heads: dict[str, list[Template]] = field(default_factory=dict)
    tails: list[Template] = field(default_factory=list)
    lines: dict[str, list[Template]] = field(default_factory=dict)  # whole lines, by function

    def with_setting(self, setting: Setting | None) -> "Bank":
        """This bank with a setting's props, heads and tails added (props replace the genre's)."""
        if setting is None:
            return self
        heads = {k: list(v) for k, v in self.heads.items()}
        for function, templates in setting.heads.items():
            heads.setdefault(function, []).extend(templates)
        props = {**self.props, **setting.props}
        return Bank(self.genre, props, self.titles, heads, self.tails + setting.tails, self.lines)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ten times faster, same result


def _read(name: str) -> dict:
    text = resources.files("troubadour.words").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=_LOADER) or {}


def _templates(entries, *, extra_tags: frozenset[str] = frozenset()) -> list[Template]:
    out = []
    for source in entries or []:
        template = parse_template(str(source))
        if extra_tags:
            template = Template(template.source, template.pieces, template.tense_pieces,
                                template.tags | extra_tags, template.slots)
        out.append(template)
    return out


def _tails(tree: dict, *, extra: frozenset[str] = frozenset()) -> list[Template]:
    """{kind: [templates]} -> templates tagged with their kind."""
    out = []
    for kind, entries in (tree or {}).items():
        if kind not in TAIL_KINDS:
            raise ValueError(f"unknown kind of line ending {kind!r}; use one of {TAIL_KINDS}")
        out += _templates(entries, extra_tags=frozenset({kind}) | extra)
    return out


def _heads(tree: dict, *, extra: frozenset[str] = frozenset()) -> dict[str, list[Template]]:
    """{function: {mood|any: [templates]} or [templates]} -> {function: templates with mood tags}."""
    heads: dict[str, list[Template]] = {}
    for function, body in (tree or {}).items():
        if function not in FUNCTIONS:
            raise ValueError(f"unknown line function {function!r} in the phrase banks; use one of {FUNCTIONS}")
        if isinstance(body, list):
            heads.setdefault(function, []).extend(_templates(body, extra_tags=extra))
            continue
        for mood, entries in body.items():
            if mood != "any" and mood not in MOODS:
                raise ValueError(f"unknown mood {mood!r} under {function!r}; use one of {MOODS} or 'any'")
            tags = (frozenset() if mood == "any" else frozenset({mood})) | extra
            heads.setdefault(function, []).extend(_templates(entries, extra_tags=tags))
    return heads


@lru_cache(maxsize=None)
def load_bank(genre: str) -> Bank:
    """The bank of a genre: shared heads and tails plus the genre's own file."""
    if genre not in GENRES:
        genre = "country"
    common_heads = _heads(_read("heads.yaml"))
    tails = _tails(_read("tails.yaml"))
    data = _read(f"{genre}.yaml")
    heads = common_heads
    # The genre's own words are tagged "own": the writer prefers them to the shared ones.
    for function, templates in _heads(data.get("heads", {}), extra=OWN).items():
        heads.setdefault(function, []).extend(templates)
    tails += _tails(data.get("tails", {}), extra=OWN)
    lines = _heads(_read("lines.yaml"))
    for function, templates in _heads(data.get("lines", {})).items():
        lines.setdefault(function, []).extend(templates)
    props = {slot: [str(v) for v in values] for slot, values in (data.get("props") or {}).items()}
    titles = {mood: [str(t) for t in values] for mood, values in (data.get("titles") or {}).items()}
    return Bank(genre, props, titles, heads, tails, lines)


@lru_cache(maxsize=1)
def load_settings() -> dict[str, Setting]:
    """The places a brief may name (beach, city, river, farm, mountains, road, winter)."""
    out = {}
    for name, body in _read("settings.yaml").items():
        out[name] = Setting(
            name=name,
            words=tuple(str(w).lower() for w in body.get("words", [])),
            props={slot: [str(v) for v in values] for slot, values in (body.get("props") or {}).items()},
            heads=_heads(body.get("heads", {}), extra=PLACE),
            tails=_tails(body.get("tails", {}), extra=PLACE),
        )
    return out
