"""Voice profiles are data files validated against the VoiceProfile schema."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml
from pydantic import ValidationError

from troubadour.errors import InputError
from troubadour.voice.profiles import VoiceProfile, load_voice, voice_names

REQUIRED = {"rugged_baritone", "bright_tenor", "warm_alto", "clear_soprano"}


def test_voice_the_four_voices_exist():
    assert REQUIRED <= set(voice_names())


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_voice_profile_file_validates(name):
    text = (resources.files("troubadour.voice") / "profiles" / f"{name}.yaml").read_text("utf-8")
    profile = VoiceProfile.model_validate(yaml.safe_load(text))
    assert profile.name == name
    assert profile.high - profile.low >= 12
    assert profile.source in ("flite", "espeak")
    assert 3.0 <= profile.vibrato_rate_hz <= 8.0
    assert load_voice(name) == profile


def test_voice_profile_schema_rejects_typos_and_bad_values():
    good = yaml.safe_load((resources.files("troubadour.voice") / "profiles" / "bright_tenor.yaml").read_text("utf-8"))
    with pytest.raises(ValidationError):
        VoiceProfile.model_validate({**good, "vibrato_rat_hz": 5.0})
    with pytest.raises(ValidationError):
        VoiceProfile.model_validate({**good, "range": ["C3", "E3"]})
    with pytest.raises(ValidationError):
        VoiceProfile.model_validate({**good, "source": "festival"})
    with pytest.raises(ValidationError):
        VoiceProfile.model_validate({**good, "breathiness": 1.5})


def test_voice_unknown_voice_names_the_choices():
    with pytest.raises(InputError, match="rugged_baritone"):
        load_voice("nobody")
