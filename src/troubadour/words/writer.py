"""The line fitter: heads + tails (or whole lines) -> lines of an exact length that rhyme and scan.

A rhyme group (the A lines of a section, then the B lines) is written the way a
songwriter works: one line first, then its partners among the near rhymes of its
last word (the family "town/down/ground", or any rhyme on the vowel if the banks
run thin). Each line is the best of a random sample of head + tail pairs, scored
on meter (stressed syllables on strong beats, counted back from a stressed last
syllable), rhyme quality, the song's own taste for phrases (drawn per song, so
seeds write different songs) and a little chance. Nothing is used twice in a
song, a section keeps to one time of day and the song to one season.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from troubadour.words.bank import TAIL_KINDS, Bank
from troubadour.words.perspective import shift
from troubadour.words.rhyme import rhyme_family, rhyme_score, sound, stable_rhyme
from troubadour.words.template import Template
from troubadour.words.text import tokenize

# How far a syllable kind may sit from its natural beat: (on a weak beat, on a strong beat).
_COST = {"S": (2.0, 0.0), "W": (0.0, 1.0), "s": (0.35, 0.0), "w": (0.0, 0.25)}
_SAMPLE = 40  # candidates scored per line: enough for quality, few enough for speed
_CRAFTED = frozenset({"hook", "lift", "turn"})
_RANK_WEIGHTS = (0.34, 0.24, 0.16, 0.11, 0.08, 0.07)  # which of the best few lines is written
# Which kinds of tail may finish which kind of head: a moment or a second clause always;
# a stretch of time after states and habits; a comparison after a scene of the same sense.
# Heads tagged @place, @with or @span take those too ("I fill the tank up at the general store").
FOLLOWS = {
    "scene": ("time", "span", "clause", "like"), "act": ("time", "clause"), "you": ("time", "clause"),
    "kin": ("time", "span", "clause"), "feel": ("time", "span", "clause"), "change": ("clause",),
    "turn": ("time", "clause"), "hook": ("time", "clause"), "lift": ("time", "clause"),
    "title": ("time", "place", "clause"),
}
_EXTRA_KINDS = frozenset({"place", "with", "span"})
# Which line of a rhyme group to write first: the one with the fewest ways to be written
# (a family member, the bridge, the hook) -- except verse 2's "time has moved on" line, which
# goes last so that it rhymes into a freely chosen partner and seeds do not share it.
_PRIORITY = {"change": 8, "kin": 1, "turn": 2, "lift": 2, "hook": 3, "you": 4, "feel": 5, "act": 6, "scene": 7}
# A head that already says where ("on the porch") takes no second place ("at the store").
_PLACE = re.compile(r"\b(on|in|at|by|to|into|across|past|through|over|under|from|down|along|behind)\s+"
                    r"(the|a|an|my|your|our|his|her|their|that|this)\b", re.IGNORECASE)
# Words that fix when a line happens; a section keeps to one time of day, a song to one season.
_FACETS = {
    "night": "night tonight midnight moon moonlight stars star dark evening dusk nights".split(),
    "day": "day morning sun sunshine noon afternoon daylight sunrise dawn blue".split(),
    "summer": "summer june july august heat sunburn summertime".split(),
    "winter": "winter snow frozen december christmas frost wintertime".split(),
}
_CONFLICTS = {"night": "day", "day": "night", "summer": "winter", "winter": "summer"}
_SONG_WIDE = frozenset({"summer", "winter"})
_FACET_OF = {word: facet for facet, words in _FACETS.items() for word in words}
# In a story about "he" or "she", lines to "you" or about "we" would bring in people the song lacks.
_SECOND = frozenset("you your you're you'll you've yours we we're we'll we've our us ours".split())
# "We" share no single heart or head: such lines are left out of songs sung as "we".
_SINGULAR = re.compile(r"\bour (heart|head|mind|breath|hand|name|pride|eyes|own way)\b", re.IGNORECASE)
# A comparison must fit what it compares: a sound like a sound ("the train rolls like thunder").
SENSES = frozenset({"sound", "light", "move"})


@dataclass(frozen=True)
class Piece:
    """An expanded head, tail or whole line: its text and how it sings."""

    text: str
    key: str  # the template it came from (never used twice in a song)
    codes: str  # per syllable: S/W stressed/unstressed of a longer word, s/w a strong/weak short word
    words: tuple[str, ...]
    slots: frozenset[str]
    place: bool = False  # a head that says where, or a tail that is a place
    kind: str = ""  # of a tail: time, clause, place, with, like
    facets: frozenset[str] = frozenset()
    senses: frozenset[str] = frozenset()
    follows: tuple[str, ...] = ()  # of a head: the kinds of tail it takes beyond its job's
    stems: frozenset[tuple[str, str]] = frozenset()  # content-word pairs ("stand", "ground")
    figurative: bool = False  # a tail like "when the road gets rough": not after a plain scene
    bonus: float = 0.0  # the genre's and the setting's own words are preferred
    content: frozenset[str] = frozenset()  # stems of its content words ("sing" for "singing")

    @property
    def syllables(self) -> int:
        return len(self.codes)

    @property
    def end(self) -> str:
        return self.words[-1] if self.words else ""


@lru_cache(maxsize=65536)
def analyse(text: str) -> tuple[str, tuple[str, ...]]:
    """(syllable codes, normalised words) of a lyric fragment, as the singer will sing it."""
    codes, words = [], []
    for word, _ in tokenize(text):
        ws = sound(word)
        words.append(ws.word)
        if ws.syllables == 1:
            codes.append("w" if ws.function else "s")
        else:
            codes.extend("S" if s > 0 else "W" for s in ws.stresses)
    return "".join(codes), tuple(words)


def stems(words: tuple[str, ...]) -> frozenset[tuple[str, str]]:
    """Pairs of neighbouring content words: "I stand my ground" -> {("stand", "ground")}.
    A song that says the same pair twice sounds stuck."""
    content = [w for w in words if not sound(w).function and len(w) > 2]
    return frozenset(zip(content, content[1:]))


def meter_cost(codes: str) -> float:
    """Cost of singing these syllables on alternating beats that end on a strong one."""
    n = len(codes)
    return sum(_COST[c][(n - 1 - i) % 2 == 0] for i, c in enumerate(codes))


# Grammar words a line cannot lean on at its end ("...and the"); particles and pronouns
# can ("the lights go OUT", "I think of YOU").
_WEAK_ENDS = frozenset("""a an the and or but nor of to my your his her its our their is am are was were be been
if as at for from with than that this these those i it they we he she""".split())


@lru_cache(maxsize=8192)
def good_ending(word: str) -> bool:
    """A line may end on this word: a stable, stressed-last-syllable rhyme."""
    ws = sound(word)
    return bool(word) and word not in _WEAK_ENDS and ws.masculine and stable_rhyme(word)


@dataclass
class Choice:
    """One written line and what it used."""

    text: str
    end: str
    head: str
    tail: str
    cost: float
    slots: frozenset[str] = frozenset()
    facets: frozenset[str] = frozenset()
    stems: frozenset = frozenset()


@dataclass
class Writer:
    """Writes lines for one song: remembers what it used so nothing repeats."""

    bank: Bank
    mood: str
    genre: str
    perspective: str
    explicit: bool
    props: dict[str, str]
    rng: np.random.Generator
    used_keys: set[str] = field(default_factory=set)
    used_ends: Counter = field(default_factory=Counter)
    used_vowels: Counter = field(default_factory=Counter)
    slot_uses: Counter = field(default_factory=Counter)
    facets: set[str] = field(default_factory=set)  # of the section being written, and the song's season
    used_stems: set = field(default_factory=set)
    reserved: set[str] = field(default_factory=set)  # word stems kept out (the title's, in the chorus)
    used_texts: set[str] = field(default_factory=set)  # no line is ever written twice
    relaxed: bool = False  # last resort: pieces may be reused (never whole lines)
    _cache: dict = field(default_factory=dict)
    _tastes: dict = field(default_factory=dict)

    # ------------------------------------------------------------ pieces

    def begin_section(self) -> None:
        """A new section may move to another time of day (the season stays)."""
        self.facets &= _SONG_WIDE

    def _allowed(self, template: Template, tense: str) -> bool:
        return template.allows(genre=self.genre, mood=self.mood, tense=tense,
                               perspective=self.perspective, explicit=self.explicit)

    def _expand(self, template: Template, tense: str, *, tail: bool = False, function: str = "") -> tuple[Piece, ...]:
        if not template.slots <= self.props.keys():
            return ()
        values = tuple((slot, self.props[slot]) for slot in sorted(template.slots))
        return _expand(template, tense, values, self.perspective, tail, function)

    def _pieces(self, store: str, function: str, tense: str) -> list[Piece]:
        key = (store, function, tense)
        if key not in self._cache:
            templates = (self.bank.heads if store == "heads" else self.bank.lines).get(function, [])
            pieces = [p for t in templates if self._allowed(t, tense) for p in self._expand(t, tense, function=function)]
            if store == "lines":
                pieces = [p for p in pieces if good_ending(p.end)]
            self._cache[key] = pieces
        return self._cache[key]

    def tails(self, tense: str) -> dict[str, dict[int, list[Piece]]]:
        """Tails by rhyme family, then by syllable count (cached per song)."""
        key = ("tails", tense)
        if key not in self._cache:
            index: dict[str, dict[int, list[Piece]]] = {}
            for template in self.bank.tails:
                if not self._allowed(template, tense):
                    continue
                for piece in self._expand(template, tense, tail=True):
                    if good_ending(piece.end):
                        index.setdefault(rhyme_family(piece.end), {}).setdefault(piece.syllables, []).append(piece)
            self._cache[key] = index
        return self._cache[key]

    # ------------------------------------------------------------ lines

    def _fresh(self, piece: Piece) -> bool:
        if self.relaxed:
            return not any(_CONFLICTS[f] in self.facets for f in piece.facets)
        return (piece.key not in self.used_keys and all(self.slot_uses[s] < 2 for s in piece.slots)
                and not any(_CONFLICTS[f] in self.facets for f in piece.facets)
                and not (piece.stems and piece.stems & self.used_stems)
                and not (self.reserved and piece.content & self.reserved))

    def candidates(self, functions: list[str], *, tense: str, target: int, families: set[str],
                   avoid_ends: set[str], partners: list[str]) -> list[Choice]:
        """Scored lines of ``target`` syllables ending in one of the rhyme ``families`` (best first)."""
        index = self.tails(tense)
        by_length: dict[int, list[Piece]] = {}
        for family in sorted(families):  # sorted: set order changes between runs, the song must not
            for n, pieces in index.get(family, {}).items():
                by_length.setdefault(n, []).extend(pieces)
        out: list[Choice] = []
        for function in functions:
            for line in self._pieces("lines", function, tense):
                if line.syllables == target and rhyme_family(line.end) in families and line.end not in avoid_ends \
                        and self._fresh(line):
                    # Crafted lines are preferred where the song needs its best words; in verses
                    # they are the exception, so seeds keep telling different stories.
                    out.append(self._score(line, None, partners, bonus=1.4 if function in _CRAFTED else -1.2))
            heads = [h for h in self._pieces("heads", function, tense) if h.syllables < target and self._fresh(h)]
            for i in self.rng.permutation(len(heads)):
                head = heads[int(i)]
                follows = head.follows or FOLLOWS[function]
                options = [t for t in by_length.get(target - head.syllables, ())
                           if t.kind in follows and t.end not in avoid_ends and not (t.slots & head.slots)
                           and not (head.place and t.place) and (t.kind != "like" or head.senses & t.senses)
                           and not (t.figurative and function == "scene")
                           and self._fresh(t) and not _clash(head, t)]
                if options:
                    out.append(self._score(head, options[int(self.rng.integers(len(options)))], partners))
                    if len(out) >= _SAMPLE:
                        break
            if out:
                break  # the first function that can be written wins; the rest are fallbacks
        out = [c for c in out if c.text.lower() not in self.used_texts]
        out.sort(key=lambda c: c.cost)
        return out

    def _score(self, head: Piece, tail: Piece | None, partners: list[str], *, bonus: float = 0.0) -> Choice:
        codes = head.codes + (tail.codes if tail else "")
        end = tail.end if tail else head.end
        rhyme = max((rhyme_score(end, p) for p in partners), default=1.0)
        bonus += head.bonus + (tail.bonus if tail else 0.0)
        taste = self._taste(head.key) + (self._taste(tail.key) if tail else 0.0) + self._taste(rhyme_family(end))
        if tail is not None and tail.syllables <= 3:
            taste += 0.8  # short endings ("nice and slow") fit everywhere: used sparingly, they stay fresh
        if tail is not None and head.syllables <= 3:
            taste += 0.8  # so do short openings ("Now I'm gray")
        cost = meter_cost(codes) - 1.5 * rhyme + taste + 1.2 * float(self.rng.random()) - bonus
        text = f"{head.text} {tail.text}" if tail else head.text
        return Choice(_sentence(text), end, head.key, tail.key if tail else "", cost,
                      head.slots | (tail.slots if tail else frozenset()),
                      head.facets | (tail.facets if tail else frozenset()),
                      head.stems | (tail.stems if tail else frozenset()))

    def _taste(self, key: str) -> float:
        """This song's liking for a phrase (0-3.5, drawn once per song): two seeds of one brief
        lean on different phrases, so they write different lines, not just different orders."""
        if key not in self._tastes:
            self._tastes[key] = 3.5 * float(self.rng.random())
        return self._tastes[key]

    def use(self, choice: Choice) -> None:
        """Record a written line so nothing in it is used again."""
        self.used_keys.update(k for k in (choice.head, choice.tail) if k)
        self.used_ends[choice.end] += 1
        self.facets |= choice.facets
        self.used_stems |= choice.stems
        self.used_texts.add(choice.text.lower())
        for slot in choice.slots:
            self.slot_uses[slot] += 1

    def families_for(self, *, tense: str, target: int, count: int, loose: bool = False) -> list[set[str]]:
        """Rhyme families that can end ``count`` lines of ``target`` syllables, in a random order
        that favours plenty of choice and sounds the song has not used yet. ``loose`` joins the
        families of one vowel (a slant rhyme: "road" / "home") for when the banks run thin."""
        groups: dict[str, set[str]] = {}
        for family in self.tails(tense):
            groups.setdefault(family.split("-")[0] if loose else family, set()).add(family)
        options, weights = [], []
        for name, families in groups.items():
            ends = {t.end for f in families for n, pieces in self.tails(tense)[f].items() if n <= target - 2
                    for t in pieces if not self.used_ends[t.end]}
            if len(ends) >= count + 1:
                options.append(families)
                weights.append(min(len(ends), 8) / (1 + 2 * self.used_vowels[name.split("-")[0]]))
        if not options:
            return []
        p = np.array(weights) / sum(weights)
        order = self.rng.choice(len(options), size=len(options), replace=False, p=p)
        return [options[int(i)] for i in order]

    def finish(self, prefix: str, *, tense: str, target: int, kinds: tuple[str, ...] = FOLLOWS["title"],
               families: set[str] | None = None, partners: tuple[str, ...] = ()) -> list[Choice]:
        """Lines that start with a fixed ``prefix`` (a title) and end on a tail, best first."""
        codes, words = analyse(prefix)
        head = Piece(prefix, "", codes, words, frozenset(), senses=SENSES,
                     content=frozenset(_stem(w) for w in words if len(w) > 2 and not sound(w).function))
        out = []
        for family, by_length in self.tails(tense).items():
            if families is not None and family not in families:
                continue
            for tail in by_length.get(target - len(codes), ()):
                if tail.kind in kinds and not self.used_ends[tail.end] and tail.end not in words and self._fresh(tail):
                    choice = self._score(head, tail, list(partners))
                    choice.text = _sentence(f"{prefix}, {tail.text}")
                    out.append(choice)
        out.sort(key=lambda c: c.cost)
        return out

    def group(self, functions: list[list[str]], *, tense: str, target: int,
              exclude_vowels: set[str] = frozenset(), families: list[set[str]] | None = None,
              partners: tuple[str, ...] = (), loose: bool = False, tries: int = 6) -> list[Choice] | None:
        """Lines that rhyme with each other, one per entry of ``functions`` (a list of
        fallback functions per line). None when nothing fits.

        As a songwriter does: the hardest line is written first (verse 2's "time has moved
        on", say), then its partners are found among the rhymes of its last word.

        families : the rhyme families allowed, each a set (default: any the bank can fill)
        partners : line endings already written that these lines should rhyme with
        """
        if families is None:
            families = self.families_for(tense=tense, target=target, count=len(functions), loose=loose)
        families = [f for f in families if not {x.split("-")[0] for x in f} & set(exclude_vowels)]
        if not families:
            return None
        allowed = set().union(*families)
        order = sorted(range(len(functions)), key=lambda i: _PRIORITY.get(functions[i][0], 9))
        lead_index = order[0]
        leads = self.candidates(functions[lead_index], tense=tense, target=target, families=allowed,
                                avoid_ends={e for e, n in self.used_ends.items() if n}, partners=list(partners))
        saved, saved_stems = set(self.facets), set(self.used_stems)
        for lead in self._shuffle_top(leads)[:tries]:
            family = next(f for f in families if rhyme_family(lead.end) in f)
            chosen = {lead_index: lead}
            self._hold(lead)
            for i in order[1:]:
                ends = {c.end for c in chosen.values()} | {e for e, n in self.used_ends.items() if n}
                found = self.candidates(functions[i], tense=tense, target=target, families=family,
                                        avoid_ends=ends, partners=[c.end for c in chosen.values()] + list(partners))
                if not found:
                    break
                pick = self._shuffle_top(found)[0]
                chosen[i] = pick
                self._hold(pick)
            if len(chosen) == len(functions):
                lines = [chosen[i] for i in range(len(functions))]
                for choice in lines:
                    self.use(choice)
                self.used_vowels[sound(lead.end).vowel] += 1
                return lines
            for choice in chosen.values():  # roll back and try the next lead line
                self.used_keys.discard(choice.head)
                self.used_keys.discard(choice.tail)
                self.used_texts.discard(choice.text.lower())
            self.facets, self.used_stems = set(saved), set(saved_stems)
        return None

    def _shuffle_top(self, ranked: list[Choice], weights: tuple[float, ...] = ()) -> list[Choice]:
        """The ranked candidates with the first place drawn from the best few (mostly the best):
        the same brief should not give every seed the same best line."""
        if len(ranked) < 2:
            return ranked
        weights = weights or _RANK_WEIGHTS
        k = min(len(ranked), len(weights))
        weights = np.array(weights[:k])
        first = int(self.rng.choice(k, p=weights / weights.sum()))
        return [ranked[first]] + ranked[:first] + ranked[first + 1:]

    def _hold(self, choice: Choice) -> None:
        """Keep a line's pieces out of its group's other lines while the group is written."""
        self.used_keys.update(k for k in (choice.head, choice.tail) if k)
        self.used_texts.add(choice.text.lower())
        self.facets |= choice.facets
        self.used_stems |= choice.stems


@lru_cache(maxsize=32768)
def _expand(template: Template, tense: str, values: tuple[tuple[str, str], ...], perspective: str,
            tail: bool, function: str) -> tuple[Piece, ...]:
    """The pieces of one template for a tense, the song's props it uses and a point of view
    (cached across songs: most templates use no props)."""
    extra = tuple(sorted(template.tags & _EXTRA_KINDS))
    follows = FOLLOWS.get(function, ()) + extra if extra and not tail else ()
    out = []
    for text in template.variants(tense=tense, props=dict(values)):
        text = shift(text, perspective)
        codes, words = analyse(text)
        if not codes or (perspective in ("he", "she") and _SECOND.intersection(words)) \
                or (perspective == "we" and _SINGULAR.search(text)):
            continue
        place = "place" in template.tags if tail else bool(_PLACE.search(text))
        kind = next((k for k in TAIL_KINDS if k in template.tags), "") if tail else ""
        facets = frozenset(_FACET_OF[w] for w in words if w in _FACET_OF)
        bonus = 0.8 if "setting" in template.tags else 0.5 if "own" in template.tags else 0.0
        content = frozenset(_stem(w) for w in words if len(w) > 2 and not sound(w).function)
        out.append(Piece(text, template.source, codes, words, template.slots, place, kind, facets,
                         template.tags & SENSES, follows, stems(words), "fig" in template.tags, bonus, content))
    return tuple(out)


def _clash(head: Piece, tail: Piece) -> bool:
    """A content word said twice in one line ("the light ... morning light") reads as a slip,
    and "you ... my own" mixes up who is who."""
    if head.content & tail.content:
        return True
    return bool(head.facets and tail.facets and any(_CONFLICTS[f] in tail.facets for f in head.facets))


def _stem(word: str) -> str:
    """A crude stem, enough to hear "sing" in "sings" and "singing"."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:]
