"""Reading a one-line brief: genre, mood, tempo, voice, theme, title, hook, perspective and setting."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from troubadour.errors import InputError

MAX_BRIEF_CHARS = 2000
DEFAULT_MOOD = "nostalgic"  # a brief that names no feeling: looking back suits most topics

_GENRE_WORDS = {
    "country": "country", "bluegrass": "country", "americana": "country",
    "pop": "pop", "dance": "pop", "synth": "pop", "rock": "rock", "punk": "rock", "grunge": "rock",
    "folk": "folk", "acoustic": "folk", "singer-songwriter": "folk", "ballad": "ballad", "lullaby": "ballad",
    "power ballad": "ballad",
}
# Styles that name a groove, not just a genre: they win wherever they appear
# ("a country waltz" is sung in 3/4, "a honky tonk song" shuffles).
_STYLE_WORDS = {"waltz": "waltz", "honky tonk": "honkytonk", "honky-tonk": "honkytonk", "honkytonk": "honkytonk"}
_VOICE_WORDS = {
    "baritone": "rugged_baritone", "bass": "rugged_baritone", "tenor": "bright_tenor", "alto": "warm_alto",
    "contralto": "warm_alto", "mezzo": "warm_alto", "soprano": "clear_soprano", "male": "rugged_baritone",
    "man": "rugged_baritone", "female": "warm_alto", "woman": "warm_alto", "girl": "clear_soprano",
}
# Short words that give a language away: CMUdict knows "la" and "mer", but a brief of
# "une chanson sur la mer" is French.
_ENGLISH_MARKERS = frozenset("""a an the of about and with for in on at my our your his her to from that who is
song songs this by their it's its""".split())
_FOREIGN_MARKERS = frozenset("""le la les une des et est sur avec pour dans du au aux chanson el los las una y con
para del que canción cancion sobre der die das und ein eine mit über lied von zu il gli della canzone per uma
com canção""".split())
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
    "romantic": ("love", "romance", "romantic", "kiss", "darling", "sweetheart", "honey", "wedding", "dance with",
                 "sundress", "girlfriend", "boyfriend", "valentine"),
    "happy": ("happy", "party", "celebrate", "sunshine", "summer", "good times", "joy", "friday", "fun",
              "upbeat", "uplifting", "joyful", "dancing", "weekend", "feel-good", "cheerful", "saturday night",
              "honky-tonk", "tailgate", "celebration"),
}
_MOOD_EXTRA = {  # words that settle a mood on their own ("breakup" is never happy)
    "sad": ("breakup", "break-up", "divorce", "funeral", "mourning", "lament", "heartache", "rainy"),
    "defiant": ("anthem", "empowering", "independence", "freedom", "underdog", "never give up", "rebellion"),
    "romantic": ("wedding", "first dance", "anniversary", "crush", "falling for", "in love"),
    "nostalgic": ("growing up", "grandmother", "grandfather", "grandma", "grandpa", "old friends", "reunion",
                  "yesteryear", "looking back"),
}
_KIN = {
    "grandmother": "Grandma", "grandma": "Grandma", "granny": "Grandma", "nana": "Grandma",
    "grandfather": "Grandpa", "grandpa": "Grandpa", "granddad": "Grandpa", "mother": "Mama", "mom": "Mama",
    "mama": "Mama", "momma": "Mama", "father": "Daddy", "dad": "Daddy", "daddy": "Daddy", "papa": "Daddy",
    "brother": "my brother", "sister": "my sister", "uncle": "my uncle", "aunt": "my aunt",
}
_HE = ("man", "boy", "father", "fisherman", "cowboy", "soldier", "farmer", "king", "son", "husband", "trucker",
       "grandfather", "old man", "sailor", "miner", "preacher", "drifter", "guy", "gentleman", "brother")
_SHE = ("woman", "girl", "mother", "waitress", "daughter", "wife", "queen", "grandmother", "old woman", "widow",
        "lady", "sister", "nurse", "singer", "dancer", "bride")


@dataclass
class Brief:
    text: str
    genre: str | None = None
    voice: str | None = None
    tempo: str | None = None  # "slow" | "mid" | "fast"
    mood: str = "nostalgic"  # sad | defiant | nostalgic | romantic | happy
    topic: str = ""
    title: str | None = None
    keywords: list[str] = field(default_factory=list)
    perspective: str = "first"  # "first" | "we" | "he" | "she": who sings the verses
    setting: str | None = None  # a place the lyricist knows (beach, city, river, farm, mountains, road, winter)
    hook: str | None = None  # a line the brief asks the chorus to sing
    kin: str | None = None  # a family member the brief names ("Grandma"), for the verses
    key: str | None = None  # a key the brief names ("in E minor", "key of Bb"), as --key spells it ("Em", "Bb")
    bpm: float | None = None  # a tempo the brief names ("at 84 bpm")

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
    latin_words = re.findall(r"[^\W\d_]{2,}", stripped)
    english = [w for w in latin_words if re.fullmatch(r"[A-Za-z']+", w)]
    if not english:
        raise InputError("the brief has no English words; troubadour writes and sings English songs "
                         '(English briefs and lyrics only), so describe it in English, e.g. "a folk song about a river town"')
    from troubadour.words.phonemes import cmu

    table = cmu()
    known = sum(1 for w in english if w.lower() in table)
    lower_words = [w.lower() for w in latin_words]
    ours = sum(w in _ENGLISH_MARKERS for w in lower_words)
    theirs = sum(w in _FOREIGN_MARKERS for w in lower_words)
    if known < max(1, len(latin_words) // 2) or (theirs >= 2 and theirs > ours):
        raise InputError("the brief does not read as English; troubadour writes and sings English songs "
                         "(English briefs and lyrics only), so describe it in English")
    return stripped


def read_brief(text: str) -> Brief:
    """Parse a brief into hints for the stages. Unknown words are simply theme."""
    text = validate_brief(text)
    lower = text.lower()
    genre = _genre(lower)
    voice = next((v for word, v in _VOICE_WORDS.items() if re.search(rf"\b{word}\b", lower)), None)
    tempo = None
    if any(w in lower for w in _MID):
        tempo = "mid"
    elif any(re.search(rf"\b{re.escape(w)}\b", lower) for w in _FAST):
        tempo = "fast"
    elif any(re.search(rf"\b{re.escape(w)}\b", lower) for w in _SLOW):
        tempo = "slow"
    scores = {mood: sum(1 for w in words if w in lower) for mood, words in _MOODS.items()}
    for name, words in _MOOD_EXTRA.items():
        scores[name] += 2 * sum(1 for w in words if re.search(rf"\b{re.escape(w)}\b", lower))
    mood = max(scores, key=lambda m: scores[m]) if max(scores.values()) > 0 else DEFAULT_MOOD
    hook = _hook(text)
    title = _title(text, hook)
    topic = ""
    about = re.search(r"\babout\s+(.+?)(?:[,.;!?]|\s+with\s+(?:the|a|an)\s+(?:hook|refrain|title|chorus)\b|"
                      r"\s+(?:called|titled|named)\b|$)", text, re.IGNORECASE)
    if about:
        topic = about.group(1).strip()
    else:  # "a breakup song for a rainy night": the occasion is the theme
        occasion = re.search(r"\b(?:song|ballad|anthem|tune|lullaby|waltz)\s+(?:for|on|of|from)\s+(.+?)(?:[,.;!?]|$)",
                             text, re.IGNORECASE)
        topic = occasion.group(1).strip() if occasion else ""
    keywords = [w for w in re.findall(r"[a-z']+", (topic or text).lower()) if len(w) > 3]
    return Brief(text=text, genre=genre, voice=voice, tempo=tempo, mood=mood, topic=topic, title=title,
                 keywords=keywords, perspective=_perspective(lower), setting=_setting(lower), hook=hook,
                 kin=_kin(lower), key=_key(text), bpm=_bpm(lower))


# "in E minor", "in the key of Bb", "in F# major", "in Em" (the note letter is a capital:
# "in a small town" names no key).
_KEY = re.compile(r"\b(?:in\s+(?:the\s+key\s+of\s+)?|key\s+of\s+)([A-G])([#b♯♭]?)(?:[\s-]*(major|minor|maj|min)\b|(m)\b"
                  r"|(?=[\s,.;!?]|$))")


def _key(text: str) -> str | None:
    match = _KEY.search(text)
    if match is None:
        return None
    letter, accidental, mode, short_minor = match.groups()
    if letter == "A" and not accidental and not mode and not short_minor and not re.search(r"key\s+of", match.group(0), re.I):
        return None  # "in A town": an article, not a key
    accidental = {"♯": "#", "♭": "b"}.get(accidental, accidental)
    minor = bool(short_minor) or (mode or "").startswith("min")
    return f"{letter}{accidental}{'m' if minor else ''}"


def _bpm(lower: str) -> float | None:
    match = re.search(r"\b(\d{2,3}(?:\.\d+)?)\s*(?:bpm|beats per minute)\b", lower)
    return float(match.group(1)) if match else None


_QUOTED = re.compile(r"[\"“”]([^\"“”]{2,80})[\"“”]|(?<![A-Za-z])['‘]([^'‘’]{2,80})['’](?![A-Za-z])")


def _genre(lower: str) -> str | None:
    """The genre named first ("folk ballad" is folk; "power ballad" is one name, a ballad)."""
    for word, style in _STYLE_WORDS.items():
        if re.search(rf"\b{re.escape(word)}\b", lower):
            return style
    found = []
    for word, genre in _GENRE_WORDS.items():
        match = re.search(rf"\b{re.escape(word)}\b", lower)
        if match:
            found.append((match.start(), -len(word), genre))
    return min(found)[2] if found else None


def _quoted(text: str) -> list[str]:
    return [(a or b).strip(" ,.!?") for a, b in _QUOTED.findall(text)]


def _hook(text: str) -> str | None:
    """A line the brief asks for: 'with the hook "no turning back"'."""
    match = re.search(r"\b(?:hook|refrain|chorus line|tagline)\s*(?:is|:|of|like|saying|that says)?\s*"
                      r"[\"“'‘]([^\"”'’]{2,80})[\"”'’]", text, re.IGNORECASE)
    return match.group(1).strip(" ,.!?") if match else None


def _title(text: str, hook: str | None) -> str | None:
    """A title in quotes, or after "called"/"titled"/"named"; else the hook."""
    named = re.search(r"\b(?:called|titled|named)\s+[\"“'‘]?([A-Za-z][\w' \-]{1,60}?)[\"”'’]?(?:[,.;!?]|\s+(?:about|with|for|in|that)\b|$)",
                      text)
    if named:
        return named.group(1).strip()
    quoted = [q for q in _quoted(text) if q != hook]
    if quoted:
        return quoted[0]
    return string_title(hook) if hook else None


def string_title(text: str) -> str:
    """Title case for a title made from words the user wrote in lower case."""
    small = {"a", "an", "the", "of", "in", "on", "and", "to", "for", "at", "by", "or", "but"}
    words = text.split()
    return " ".join(w if (i and w.lower() in small) or w[:1].isupper() else w[:1].upper() + w[1:]
                    for i, w in enumerate(words))


def _perspective(lower: str) -> str:
    """Who sings: "we" for songs about us, "he"/"she" for stories about someone, else "first"."""
    if re.search(r"\b(third person|his point of view|his perspective|her point of view|her perspective)\b", lower):
        return "she" if "her " in lower else "he"
    # A story about someone "who" did something is told about them; "a girl in a sundress" is sung to.
    story = re.search(r"\b(?:about|story of|tale of|ballad of)\s+(?:a|an|the|this|one)\s+(?:[a-z\-]+\s+){0,2}?"
                      r"(" + "|".join(sorted(_HE + _SHE, key=len, reverse=True)) + r")\s+(?:who|whose|that)\b", lower)
    if not story:
        story = re.search(r"\b(?:story|tale|ballad) of\s+(?:a|an|the)\s+(?:[a-z\-]+\s+){0,2}?"
                          r"(" + "|".join(sorted(_HE + _SHE, key=len, reverse=True)) + r")\b", lower)
    if story:
        return "she" if story.group(1) in _SHE else "he"
    if re.search(r"\b(we|us|ourselves)\b", lower) or re.search(
            r"\b(together|our (?:band|town|gang|crew|friends|team|city|generation|family|kids)|the band|the gang)\b", lower):
        return "we"
    return "first"


def _setting(lower: str) -> str | None:
    """The first place the lyricist knows that the brief names."""
    from troubadour.words.bank import load_settings

    best, where = None, len(lower) + 1
    for name, setting in load_settings().items():
        for word in setting.words:
            found = re.search(rf"\b{re.escape(word)}\b", lower)
            if found and found.start() < where:
                best, where = name, found.start()
    return best


def _kin(lower: str) -> str | None:
    for word, name in _KIN.items():
        if re.search(rf"\b(?:my|our|his|her)\s+(?:old\s+|late\s+|dear\s+)?{word}\b", lower):
            return name
    return None
