"""The embedded lyricist: a songwriter with no model and no network.

It reads the brief (genre, mood, point of view, setting, title), picks the
song's props (one truck, one river, one porch light), chooses a form the genre
uses and writes each section to a rhyme scheme and a syllable count:

- the chorus first: the title opens and closes it, two hook lines between;
- verse 1 sets the scene (often in the past), verse 2 opens with time moved on;
- the bridge steps back; the pre-chorus (pop, sometimes rock and country) climbs.

Every line has the same number of syllables as the lines at its place in the
other sections of its kind, ends on a stressed, rhyming syllable and is never
reused. The phrase banks live in ``words/data/*.yaml``.
"""

from __future__ import annotations

import re

import numpy as np

from troubadour.brief import Brief
from troubadour.song import LyricSection, Lyrics
from troubadour.words.bank import load_bank, load_settings
from troubadour.words.lyricist import register
from troubadour.words.rhyme import rhyme_family, sound
from troubadour.words.template import GENRES, MOODS
from troubadour.words.text import make_line
from troubadour.words.titles import title_endings, title_from_topic, title_rhymes
from troubadour.words.writer import Choice, Writer, _stem, analyse

# Chance of a pre-chorus, by genre (pop nearly always climbs into its chorus).
_PRECHORUS = {"pop": 0.8, "rock": 0.4, "country": 0.25, "folk": 0.1, "ballad": 0.3}
# Syllables per verse line, by genre, equally likely: every length sings well over two bars,
# and two seeds that pick different lengths cannot write the same line.
_VERSE_LENGTHS = {"country": (8, 9, 10), "pop": (8, 9, 10), "rock": (8, 9, 10), "folk": (8, 9, 10), "ballad": (8, 9, 10)}
# Chance that verse 1 looks back (past tense) before verse 2 comes to now.
_PAST_FIRST = {"nostalgic": 0.85, "sad": 0.7, "defiant": 0.4, "romantic": 0.35, "happy": 0.25}
# Verse line jobs (each with fallbacks), verse 1 then verse 2.
_VERSE1 = [
    [["scene"], ["scene", "act"], ["act"], ["feel", "act"]],
    [["scene"], ["kin", "scene"], ["act"], ["feel"]],
    [["scene"], ["act"], ["you", "act"], ["feel"]],
    [["scene"], ["scene"], ["you", "act"], ["feel", "you"]],
    [["act"], ["scene"], ["kin", "act"], ["you", "feel"]],
]
_VERSE2 = [
    [["change"], ["act"], ["you", "act"], ["feel"]],
    [["change"], ["scene"], ["act"], ["feel"]],
    [["change"], ["you", "scene"], ["scene"], ["feel"]],
    [["change"], ["act"], ["scene"], ["you", "feel"]],
]
_SCHEMES = {"AABB": [(0, 1), (2, 3)], "ABAB": [(0, 2), (1, 3)]}
_VERSE_SCHEMES = {"country": ("AABB", "ABAB"), "pop": ("AABB", "AABB", "ABAB"), "rock": ("AABB", "ABAB"),
                  "folk": ("ABAB", "AABB"), "ballad": ("ABAB", "ABAB", "AABB")}


class EmbeddedLyricist:
    """The default lyricist (``embedded``): phrase banks, a rhyme dictionary and care."""

    name = "embedded"
    version = "1.0"

    def write(self, brief: Brief, *, genre: str, rng: np.random.Generator, explicit: bool = False) -> Lyrics:
        """A full lyric for the brief: verses, chorus (x3), bridge, maybe pre-chorus."""
        return SongWriter(brief, genre=genre, rng=rng, explicit=explicit).write()


class SongWriter:
    """Writes one song; holds its plan (title, props, lengths) and its line writer."""

    def __init__(self, brief: Brief, *, genre: str, rng: np.random.Generator, explicit: bool = False) -> None:
        self.brief = brief
        self.genre = genre if genre in GENRES else "country"
        self.mood = brief.mood if brief.mood in MOODS else "nostalgic"
        self.rng = rng
        setting = load_settings().get(brief.setting or "")
        bank = load_bank(self.genre).with_setting(setting)
        self.bank = bank
        self.props = self._props(explicit)
        self.writer = Writer(bank, mood=self.mood, genre=self.genre, perspective=brief.perspective or "first",
                             explicit=explicit, props=self.props, rng=rng)
        self.writer.facets |= _season(self.props, brief.setting)
        self.title = self._title()

    # ------------------------------------------------------------ plan

    def _props(self, explicit: bool) -> dict[str, str]:
        """One value per slot; a value the brief mentions wins ("truck" in the brief -> the truck)."""
        words = set(re.findall(r"[a-z']+", self.brief.text.lower()))
        props = {}
        for slot, values in sorted(self.bank.props.items()):
            allowed = [v.split(" @")[0] for v in values if explicit or not v.endswith(" @x")]
            mentioned = [v for v in allowed if v.lower().split()[-1] in words]
            pool = mentioned or allowed
            props[slot] = pool[int(self.rng.integers(len(pool)))]
        if self.brief.kin:
            props["kin"] = self.brief.kin
        return props

    def _title(self) -> str:
        brief = self.brief
        if brief.title:
            return brief.title
        derived = title_from_topic(brief.topic) if brief.topic else None
        if derived:
            return derived
        pool = self.bank.titles.get(self.mood) or self.bank.titles.get("any", [])
        keywords = {k.lower() for k in brief.keywords}
        preferred = [t for t in pool if keywords & set(t.lower().split())]
        pool = preferred or pool or ["Walk On"]
        return pool[int(self.rng.integers(len(pool)))]

    def _choose(self, options, weights=None):
        p = None if weights is None else np.asarray(weights, float) / sum(weights)
        return options[int(self.rng.choice(len(options), p=p))]

    # ------------------------------------------------------------ song

    def write(self) -> Lyrics:
        chorus = self.chorus()
        verse_target = int(self._choose(_VERSE_LENGTHS[self.genre]))
        scheme = self._choose(_VERSE_SCHEMES[self.genre])
        past_first = self.rng.random() < _PAST_FIRST[self.mood]
        plan1 = self._choose(_VERSE1)
        plan2 = self._choose(_VERSE2)
        if not self.brief.kin and self.genre in ("pop", "rock"):
            plan1 = [[f for f in fs if f != "kin"] or ["scene"] for fs in plan1]
        verse1 = self.section(plan1, scheme, verse_target, "past" if past_first else "present")
        verse2 = self.section(plan2, scheme, verse_target, "present")
        pre = None
        if self.rng.random() < _PRECHORUS[self.genre]:
            pre = self.section([["lift", "feel"], ["lift", "feel"]], "AA", max(7, verse_target - 1), "present")
        bridge_target = max(7, min(10, verse_target - int(self.rng.integers(0, 2))))
        bridge = self.section([["turn", "feel"], ["turn", "feel"], ["turn", "hook"], ["turn", "feel"]],
                              "AABB", bridge_target, "present")
        sections = [("verse", "Verse 1", verse1)]
        if pre:
            sections.append(("prechorus", "Pre-Chorus", pre))
        sections += [("chorus", "Chorus", chorus), ("verse", "Verse 2", verse2)]
        if pre:
            sections.append(("prechorus", "Pre-Chorus", pre))
        sections += [("chorus", "Chorus", chorus), ("bridge", "Bridge", bridge), ("chorus", "Chorus", chorus)]
        # Each occurrence is its own section with its own lines (cheaper than a deep copy).
        out = [LyricSection(kind=kind, label=label, lines=[make_line(t) for t in lines]) for kind, label, lines in sections]
        return Lyrics(title=self.title, sections=out)

    def section(self, plan: list[list[str]], scheme: str, target: int, tense: str) -> list[str]:
        """Lines for one section: rhyme groups filled in turn, placed by the scheme."""
        groups = _SCHEMES.get(scheme, [tuple(range(len(plan)))])
        lines: list[str | None] = [None] * len(plan)
        used_vowels: set[str] = set()
        for positions in groups:
            chosen = self._group([plan[i] for i in positions], tense=tense, target=target, exclude=used_vowels)
            used_vowels.add(sound(chosen[0].end).vowel)
            for i, choice in zip(positions, chosen):
                lines[i] = choice.text
        return [line for line in lines if line]

    def _group(self, functions: list[list[str]], *, tense: str, target: int, exclude: set[str],
               families: list[set[str]] | None = None, partners: tuple[str, ...] = (),
               widen: tuple[str, ...] = ("feel", "act", "scene")) -> list[Choice]:
        """A rhyme group: near rhymes first, then any rhyme on the vowel, then wider line jobs,
        then a syllable either side (the banks are written so that this last step is rare)."""
        wider = [fs + [f for f in widen if f not in fs] for fs in functions]
        # (line jobs, slant rhymes allowed, vowels to avoid, syllables, pieces may be reused)
        attempts = [(functions, False, exclude, target, False), (functions, True, exclude, target, False),
                    (wider, True, set(), target, False), (wider, True, set(), target, True),
                    (wider, True, set(), target + 1, False), (wider, True, set(), target - 1, False),
                    (wider, True, set(), target + 1, True), (wider, True, set(), target - 1, True)]
        for jobs, loose, excluded, length, relaxed in attempts:
            self.writer.relaxed = relaxed  # reuse a head or tail, never a whole line, before breaking the meter
            try:
                found = self.writer.group(jobs, tense=tense, target=length, exclude_vowels=excluded, loose=loose,
                                          families=families if not loose else None, partners=partners)
            finally:
                self.writer.relaxed = False
            if found:
                return found
        raise RuntimeError(f"the phrase banks cannot fill {len(functions)} lines of {target} syllables")

    # ------------------------------------------------------------ chorus

    def chorus(self) -> list[str]:
        """Four lines: the title first and last, two hook lines between (or the title closing
        an AABB chorus when its last word rhymes well). Hook lines do not echo the title's words."""
        self.writer.reserved = {_stem(w) for w in analyse(self.title)[1] if not sound(w).function and len(w) > 2}
        try:
            return self._chorus()
        finally:
            self.writer.reserved = set()

    def _chorus(self) -> list[str]:
        title = self.title
        title_len = len(analyse(title)[0])
        hook_jobs = [["hook", "feel"], ["hook", "feel"]]
        chorus_widen = ("feel", "turn", "lift")
        if title_len >= 7:  # a long title is a line by itself
            target = min(max(title_len, 7), 10)
            hooks = self._group(hook_jobs, tense="present", target=target, exclude=set(), widen=chorus_widen)
            return [title, hooks[0].text, hooks[1].text, title]
        forms = ["frame", "frame", "rhymed"]
        if title_rhymes(title):
            forms.append("closing")
        form = self._choose(forms)
        if form == "closing":
            lines = self._closing_chorus(title)
            if lines:
                return lines
        low = max(8 if title_len >= 2 else 7, title_len + 2)
        targets = list(range(low, max(low, min(10, title_len + 6)) + 1))
        target = int(self._choose(targets))
        opening = self.writer.finish(title, tense="present", target=target)
        if not opening:
            opening = [Choice(f"Oh, {title}", analyse(title)[1][-1], "", "", 0.0)]
            target = len(analyse(opening[0].text)[0])
        first = opening[0]
        self.writer.use(first)
        hook = self._brief_hook(first)
        if hook:
            return hook
        if form == "rhymed":
            hooks = self.writer.group(hook_jobs, tense="present", target=target,
                                      families=[{rhyme_family(first.end)}], partners=(first.end,))
            if hooks:
                return [first.text, hooks[0].text, hooks[1].text, first.text]
        hooks = self._group(hook_jobs, tense="present", target=target, exclude={sound(first.end).vowel},
                            widen=chorus_widen)
        return [first.text, hooks[0].text, hooks[1].text, first.text]

    def _brief_hook(self, first: Choice) -> list[str] | None:
        """The hook line the brief asked for, sung third, with a second line rhyming into it."""
        hook = (self.brief.hook or "").strip()
        if not hook or hook.lower() == self.title.lower():
            return None
        hook = hook[:1].upper() + hook[1:]
        codes, words = analyse(hook)
        if not words:
            return None
        target = min(max(len(codes), 7), 10)
        for families in ([{rhyme_family(words[-1])}], None):
            partner = self.writer.group([["hook", "feel", "turn"]], tense="present", target=target,
                                        families=families, loose=families is None, partners=(words[-1],))
            if partner and sound(partner[0].end).vowel == sound(words[-1]).vowel:
                return [first.text, partner[0].text, hook, first.text]
        return None

    def _closing_chorus(self, title: str) -> list[str] | None:
        """AABB: two hook lines, a third that rhymes with the title, then the title line."""
        endings = [e for e in title_endings(title, self.mood) if 7 <= len(analyse(e)[0]) <= 10]
        if not endings:
            return None
        last = endings[0] if self.rng.random() < 0.5 else self._choose(endings)
        target = len(analyse(last)[0])
        end_word = analyse(title)[1][-1]
        setup = self.writer.group([["hook", "feel"]], tense="present", target=target,
                                  families=[{rhyme_family(end_word)}], partners=(end_word,))
        if not setup:
            return None
        opening = self._group([["hook", "feel"], ["hook", "feel"]], tense="present", target=target,
                              exclude={sound(end_word).vowel}, widen=("feel", "turn", "lift"))
        return [opening[0].text, opening[1].text, setup[0].text, last]


def _season(props: dict[str, str], setting: str | None) -> set[str]:
    """The song's season, so no snow falls on a summer song."""
    season = props.get("season", "").lower()
    if setting == "winter" or season in ("winter", "december", "christmas"):
        return {"winter"}
    if season in ("summer", "june", "july", "august", "spring break"):
        return {"summer"}
    return set()


register("embedded", EmbeddedLyricist)
