"""The embedded lyricist: a first, honest writer with no model and no network.

Verses are rhymed couplets drawn from genre phrase banks, the chorus carries
the title. The songwriter issue replaces this with a real lyricist.
"""

from __future__ import annotations

import numpy as np

from troubadour.brief import Brief
from troubadour.song import LyricSection, Lyrics
from troubadour.words.lyricist import register
from troubadour.words.text import make_line

_COUPLETS = {
    "country": [
        ("I got a pickup truck and a tank of gas", "I keep on rolling and I let it pass"),
        ("The porch light burns on a dusty road", "My daddy told me how to carry the load"),
        ("There's a river running where the cottonwoods grow", "I learned to walk it with nowhere to go"),
        ("Boots on the gravel and a song in my chest", "I never asked for more than a little rest"),
        ("The highway hums like an old guitar", "I find my way by the evening star"),
        ("My mama prayed on a Sunday morning", "The storm rolled in without a warning"),
        ("I left that town with a dollar and a dream", "Nothing's ever quite the way it seems"),
        ("The neon flickers at the edge of town", "I never let the hard times knock me down"),
    ],
    "pop": [
        ("City lights are spinning in the summer heat", "I can feel the rhythm moving in my feet"),
        ("Neon on the water and the night is young", "Every word I'm saying's on the tip of my tongue"),
        ("We were dancing slowly on the rooftop bar", "You were shining brighter than a falling star"),
        ("Headlights on the boulevard are calling my name", "Nothing in the morning's ever quite the same"),
        ("Ocean air is sweeter when you're standing near", "Every little heartbeat says that you are here"),
        ("Text me when the party's fading into blue", "I keep on replaying every night with you"),
    ],
    "rock": [
        ("Amplifiers screaming in a crowded room", "We are the thunder and we're coming soon"),
        ("Broken glass and engines on a midnight street", "I hear the drumming of a thousand feet"),
        ("The city's burning with a hungry fire", "We climb the tower and we climb it higher"),
        ("I tore the pages from the book they wrote", "I sing it louder with a raging throat"),
        ("Concrete and lightning in the open sky", "We never asked them for the reason why"),
    ],
    "folk": [
        ("The river bends beside the old mill wheel", "And every stone remembers what we feel"),
        ("My grandad planted apples by the gate", "He said the good things always come in late"),
        ("The church bell rings across the valley floor", "I hear the echo of the days before"),
        ("A lantern swinging on a winter night", "The kitchen window with its yellow light"),
        ("The ferry crosses when the fog is low", "The boatman sings the songs we used to know"),
        ("We carried water from the mountain spring", "And in the evening we would sit and sing"),
    ],
}
_COUPLETS["ballad"] = _COUPLETS["folk"][:3] + _COUPLETS["pop"][2:5]

_CHORUS = [
    ("{title}", "I'm gonna sing it till the morning light", "{title}", "I'm holding on with all my might"),
    ("{title}", "You can hear it when the wind is blowing", "{title}", "That's the only way that I'll be going"),
    ("{title}", "Every mile is calling out my name", "{title}", "And I will never be the same"),
]
_BRIDGE = [
    ("And when the night is long and cold", "I hold the stories that were told"),
    ("So let the thunder roll away", "I'm still standing here today"),
]


class EmbeddedLyricist:
    name = "embedded"
    version = "0.1"

    def write(self, brief: Brief, *, genre: str, rng: np.random.Generator, explicit: bool = False) -> Lyrics:
        couplets = list(_COUPLETS.get(genre, _COUPLETS["country"]))
        order = rng.permutation(len(couplets))
        title = brief.title or _title_from_brief(brief)
        chorus_lines = _CHORUS[int(rng.integers(len(_CHORUS)))]
        chorus = LyricSection(kind="chorus", label="Chorus", lines=[make_line(t.format(title=title)) for t in chorus_lines])
        verses = []
        for v in range(2):
            pair = [couplets[order[(2 * v) % len(couplets)]], couplets[order[(2 * v + 1) % len(couplets)]]]
            lines = [make_line(t) for couplet in pair for t in couplet]
            verses.append(LyricSection(kind="verse", label=f"Verse {v + 1}", lines=lines))
        bridge_lines = _BRIDGE[int(rng.integers(len(_BRIDGE)))]
        bridge = LyricSection(kind="bridge", label="Bridge", lines=[make_line(t) for t in bridge_lines])
        sections = [verses[0], chorus, verses[1], chorus.model_copy(deep=True), bridge, chorus.model_copy(deep=True)]
        return Lyrics(title=title, sections=sections)


def _title_from_brief(brief: Brief) -> str:
    words = [w for w in brief.topic.split() if w.lower() not in ("a", "an", "the", "my", "about")]
    if words:
        return " ".join(words[:4]).strip(" ,.").title()
    return "Walk On"


register("embedded", EmbeddedLyricist)
