"""Reading a one-line brief: genre, mood, tempo, voice, theme and title."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from troubadour.errors import InputError

MAX_BRIEF_CHARS = 2000

_GENRE_WORDS = {
    "country": "country", "honky": "country", "honky-tonk": "country", "bluegrass": "country", "americana": "country",
    "pop": "pop", "dance": "pop", "synth": "pop", "rock": "rock", "punk": "rock", "grunge": "rock",
    "folk": "folk", "acoustic": "folk", "singer-songwriter": "folk", "ballad": "ballad", "lullaby": "ballad",
    "waltz": "ballad", "power ballad": "ballad",
}
_VOICE_WORDS = {
    "baritone": "rugged_baritone", "bass": "rugged_baritone", "tenor": "bright_tenor", "alto": "warm_alto",
    "contralto": "warm_alto", "mezzo": "warm_alto", "soprano": "clear_soprano", "male": "rugged_baritone",
    "man": "rugged_baritone", "female": "warm_alto", "woman": "warm_alto", "girl": "clear_soprano",
}
_SLOW = ("slow", "ballad", "lullaby", "gentle", "waltz", "laid-back", "laid back", "downtempo")
_FAST = ("fast", "upbeat", "uptempo", "up-tempo", "driving", "energetic", "party", "rowdy", "rocking")
_MID = ("mid-tempo", "midtempo", "mid tempo", "moderate", "steady")
_MOODS = {
    "sad": ("sad", "heartbreak", "heartbroken", "broken heart", "lonely", "loss", "lost", "goodbye", "grief",
            "cry", "crying", "tears", "miss", "missing", "gone", "leaving", "left me", "regret", "sorrow", "blue"),
    "defiant": ("gritty", "defiant", "own walk", "own way", "proud", "rebel", "fight", "stand", "walking my own",
                "won't back down", "tough", "outlaw", "rugged"),
    "nostalgic": ("remember", "memories", "nostalgic", "hometown", "home town", "old days", "childhood",
                  "river town", "small town", "back home", "used to", "summers"),
    "romantic": ("love", "romance", "kiss", "darling", "sweetheart", "honey", "wedding", "dance with"),
    "happy": ("happy", "party", "celebrate", "sunshine", "summer", "good times", "joy", "friday", "fun"),
}


@dataclass
class Brief:
    text: str
    genre: str | None = None
    voice: str | None = None
    tempo: str | None = None  # "slow" | "mid" | "fast"
    mood: str = "defiant"
    topic: str = ""
    title: str | None = None
    keywords: list[str] = field(default_factory=list)

    @property
    def minor(self) -> bool:
        return self.mood == "sad"


def validate_brief(text: object) -> str:
    if not isinstance(text, str):
        raise InputError(f"the brief must be text, not {type(text).__name__}")
    stripped = text.strip()
    if not stripped:
        raise InputError('the brief is empty; describe the song in a line, e.g. "a folk song about a river town"')
    if len(stripped) > MAX_BRIEF_CHARS:
        raise InputError(f"the brief is {len(stripped):,} characters; keep it under {MAX_BRIEF_CHARS:,} (a line or two)")
    for ch in stripped:
        if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r":
            raise InputError(f"the brief contains a control character {ch!r}; remove it")
    latin_words = re.findall(r"[A-Za-z]{2,}", stripped)
    if not latin_words:
        raise InputError("the brief has no English words; troubadour writes and sings English songs, so describe it in English")
    from troubadour.words.phonemes import cmu

    table = cmu()
    known = sum(1 for w in latin_words if w.lower() in table)
    if known < max(1, len(latin_words) // 2):
        raise InputError("the brief does not read as English; troubadour writes and sings English songs, so describe it in English")
    return stripped


def read_brief(text: str) -> Brief:
    """Parse a brief into hints for the stages. Unknown words are simply theme."""
    text = validate_brief(text)
    lower = text.lower()
    genre = next((g for word, g in sorted(_GENRE_WORDS.items(), key=lambda kv: -len(kv[0]))
                  if re.search(rf"\b{re.escape(word)}\b", lower)), None)
    voice = next((v for word, v in _VOICE_WORDS.items() if re.search(rf"\b{word}\b", lower)), None)
    tempo = None
    if any(w in lower for w in _MID):
        tempo = "mid"
    elif any(re.search(rf"\b{re.escape(w)}\b", lower) for w in _FAST):
        tempo = "fast"
    elif any(re.search(rf"\b{re.escape(w)}\b", lower) for w in _SLOW):
        tempo = "slow"
    scores = {mood: sum(1 for w in words if w in lower) for mood, words in _MOODS.items()}
    mood = max(scores, key=lambda m: scores[m]) if max(scores.values()) > 0 else "defiant"
    title = None
    quoted = re.search(r"[\"“']([^\"”']{2,60})[\"”']", text)
    named = re.search(r"\b(?:called|titled|named)\s+([A-Za-z][\w' ]{1,60})", text)
    if quoted:
        title = quoted.group(1).strip()
    elif named:
        title = named.group(1).strip().split(",")[0]
    topic = ""
    about = re.search(r"\babout\s+(.+?)(?:[,.;]|$)", text, re.IGNORECASE)
    if about:
        topic = about.group(1).strip()
    keywords = [w for w in re.findall(r"[a-z']+", (topic or lower)) if len(w) > 3]
    return Brief(text=text, genre=genre, voice=voice, tempo=tempo, mood=mood, topic=topic, title=title, keywords=keywords)
