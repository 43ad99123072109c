"""Styles as data: one YAML file per genre, validated against this schema.

Adding a style is adding a file in ``styles/data``. Patterns are step strings,
one character per sixteenth note of a bar ('x' accent, 'o' normal, 'g' ghost,
'.' rest; bass uses R root, 5 fifth, 8 octave, 3 third, W walk-up; strums use
D down, U up). Energies map to 'low', 'mid' and 'high' pattern sets.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from troubadour.datafiles import load_model, yaml_files
from troubadour.music.theory import parse_key, roman_to_symbol

Role = Literal["drums", "bass", "strum", "comp", "pad", "lead", "arp"]
LEVELS = ("low", "mid", "high")
DRUM_NOTES = {
    "kick": 36, "snare": 38, "rim": 37, "clap": 39, "hat": 42, "pedal_hat": 44, "open_hat": 46, "crash": 49,
    "ride": 51, "tom_low": 45, "tom_mid": 47, "tom_high": 50, "tambourine": 54, "shaker": 70, "cowbell": 56,
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StylePart(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    instrument: str
    program: int = Field(ge=0, le=127)
    bank: int = Field(default=0, ge=0, le=128)
    channel: int = Field(ge=0, le=15)
    role: Role
    octave: int = Field(default=3, ge=1, le=6)
    min_energy: float = Field(default=0.0, ge=0, le=1)  # silent in sections below this energy

    @model_validator(mode="after")
    def _drums_on_ten(self) -> "StylePart":
        if (self.role == "drums") != (self.channel == 9):
            raise ValueError(f"part {self.name!r}: drums play on MIDI channel 10 (channel 9 zero-based) and only drums do")
        return self


class StyleMix(_Strict):
    gain_db: float = 0.0
    pan: float = Field(default=0.0, ge=-1, le=1)
    reverb: float = Field(default=0.15, ge=0, le=1)
    highpass_hz: float = Field(default=40.0, ge=0, le=2000)
    compress: bool = True


class Style(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str
    voice: str
    meter: tuple[int, int] = (4, 4)
    tempo_bpm: dict[Literal["slow", "mid", "fast"], tuple[int, int]]
    swing: float = Field(default=0.0, ge=0.0, le=0.34)  # fraction of a 16th... of an 8th-note pair
    keys: dict[Literal["major", "minor"], list[str]]
    progressions: dict[Literal["major", "minor"], dict[str, list[list[str]]]]
    parts: list[StylePart] = Field(min_length=4)
    grooves: dict[Literal["low", "mid", "high"], dict[str, str]]
    bass: dict[Literal["low", "mid", "high"], str]
    strum: dict[Literal["low", "mid", "high"], str]
    comp: dict[Literal["low", "mid", "high"], str]
    mix: dict[str, StyleMix] = Field(default_factory=dict)

    @property
    def steps_per_bar(self) -> int:
        beats, unit = self.meter
        return beats * 16 // unit

    @field_validator("tempo_bpm")
    @classmethod
    def _tempi(cls, value: dict) -> dict:
        for label, (low, high) in value.items():
            if not 40 <= low <= high <= 240:
                raise ValueError(f"tempo range {label} = [{low}, {high}] must lie within 40..240 and be ordered")
        return value

    @model_validator(mode="after")
    def _check(self) -> "Style":
        steps = self.steps_per_bar
        for level in LEVELS:
            for table, name in ((self.grooves, "grooves"), (self.bass, "bass"), (self.strum, "strum"), (self.comp, "comp")):
                if level not in table:
                    raise ValueError(f"{name} needs a {level!r} pattern")
            for piece, pattern in self.grooves[level].items():
                if piece not in DRUM_NOTES:
                    raise ValueError(f"groove {level}: unknown drum {piece!r}; known: {', '.join(DRUM_NOTES)}")
                _check_steps(f"grooves.{level}.{piece}", pattern, steps, "xog.")
            _check_steps(f"bass.{level}", self.bass[level], steps, "R5836W.")
            _check_steps(f"strum.{level}", self.strum[level], steps, "DU.")
            _check_steps(f"comp.{level}", self.comp[level], steps, "xo.")
        for mode, keys in self.keys.items():
            for key in keys:
                if parse_key(key).mode != mode:
                    raise ValueError(f"key {key!r} is listed as {mode} but is not")
        for mode, table in self.progressions.items():
            key = parse_key("C" if mode == "major" else "Am")
            for section, progressions in table.items():
                for progression in progressions:
                    for roman in progression:
                        for token in roman.split("|"):
                            roman_to_symbol(token, key)
        if not any(p.role == "drums" for p in self.parts):
            raise ValueError("a style needs a drums part")
        names = [p.name for p in self.parts]
        if len(set(names)) != len(names):
            raise ValueError(f"part names must be unique: {names}")
        return self


def _check_steps(where: str, pattern: str, steps: int, allowed: str) -> None:
    if len(pattern) != steps:
        raise ValueError(f"{where} has {len(pattern)} steps; a bar of this meter has {steps} sixteenths")
    bad = set(pattern) - set(allowed)
    if bad:
        raise ValueError(f"{where} uses {''.join(sorted(bad))!r}; allowed: {allowed!r}")


def _style_files() -> dict[str, str]:
    return yaml_files("troubadour.styles", "data")


@lru_cache(maxsize=None)
def style_names() -> list[str]:
    return sorted(_style_files())


@lru_cache(maxsize=None)
def load_style(name: str) -> Style:
    return load_model(Style, _style_files(), name, what="genre")
