"""Voice profiles: data files describing a singing voice (range, timbre, style)."""

from __future__ import annotations

from functools import lru_cache
from pydantic import BaseModel, ConfigDict, Field, field_validator

from troubadour.datafiles import load_model, yaml_files
from troubadour.music.theory import name_to_midi


class VoiceProfile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str
    range: tuple[str, str]  # lowest and highest singable note, e.g. ["A2", "E4"]
    gender: str = Field(pattern=r"^(male|female|neutral)$")
    source: str = Field(default="flite", pattern=r"^(flite|espeak)$")  # speech source of the embedded singer
    source_voice: str = "rms"  # Flite voice (rms, slt, awb, kal16) or espeak-ng voice (en-us, en-us+f2, ...)
    formant_scale: float = Field(default=1.0, ge=0.7, le=1.4)  # >1 brighter/smaller, <1 darker/larger
    formant_follow: float = Field(default=0.15, ge=0.0, le=0.5)  # formants rise as (f0 / speaking f0) ** this
    breathiness: float = Field(default=0.1, ge=0.0, le=1.0)
    rasp: float = Field(default=0.0, ge=0.0, le=1.0)
    vibrato_rate_hz: float = Field(default=5.5, ge=3.0, le=8.0)
    vibrato_depth_cents: float = Field(default=30.0, ge=0.0, le=100.0)
    vibrato_delay_s: float = Field(default=0.3, ge=0.0, le=2.0)
    portamento_s: float = Field(default=0.07, ge=0.0, le=0.3)
    scoop_cents: float = Field(default=0.0, ge=0.0, le=200.0)  # start notes below and slide up (country)
    fall_cents: float = Field(default=0.0, ge=0.0, le=300.0)  # fall off the phrase's last note
    consonant_scale: float = Field(default=1.0, ge=0.5, le=2.0)  # sung consonants vs spoken length
    breath_s: float = Field(default=0.25, ge=0.0, le=1.0)  # inhale before each phrase
    breath_db: float = Field(default=-30.0, ge=-80.0, le=0.0)  # its level against the vowels
    gain_db: float = Field(default=0.0, ge=-24, le=24)

    @field_validator("range")
    @classmethod
    def _range(cls, value: tuple[str, str]) -> tuple[str, str]:
        low, high = (name_to_midi(v) for v in value)
        if high - low < 12:
            raise ValueError(f"range {list(value)} spans less than an octave")
        return value

    @property
    def low(self) -> int:
        return name_to_midi(self.range[0])

    @property
    def high(self) -> int:
        return name_to_midi(self.range[1])


def _profile_files() -> dict[str, str]:
    return yaml_files("troubadour.voice", "profiles")


@lru_cache(maxsize=None)
def voice_names() -> list[str]:
    return sorted(_profile_files())


@lru_cache(maxsize=None)
def load_voice(name: str) -> VoiceProfile:
    return load_model(VoiceProfile, _profile_files(), name, what="voice")
