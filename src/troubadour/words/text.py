"""From a written lyric line to sung words: tokens, numbers, echoes, pronunciation."""

from __future__ import annotations

import re
import unicodedata

from troubadour.errors import InputError
from troubadour.song import Line, Word
from troubadour.words.syllables import make_word

_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()

# A word: letters with inner apostrophes/hyphens, an optional g-dropping apostrophe
# ("rollin'"), or a number. Parentheses are tracked separately for echoes.
_TOKEN_RE = re.compile(r"\(|\)|\d+(?:[.,]\d+)?|&|[^\W\d_]+(?:['’\-][^\W\d_]+)*['’]?", re.UNICODE)


def number_words(number: int) -> list[str]:
    """0..999999 in words as sung ("1999" -> nineteen ninety-nine, "40" -> forty)."""
    if number < 0 or number > 999_999:
        return [str(number)]
    if 1100 <= number <= 2099 and number % 100 != 0 or 1100 <= number < 2000:  # years: nineteen ninety-nine
        high, low = divmod(number, 100)
        tail = ["hundred"] if low == 0 else (["oh", _ONES[low]] if low < 10 else _below_100(low))
        return _below_100(high) + tail
    if number < 100:
        return _below_100(number)
    if number < 1000:
        hundreds, rest = divmod(number, 100)
        return [_ONES[hundreds], "hundred"] + (_below_100(rest) if rest else [])
    thousands, rest = divmod(number, 1000)
    return number_words(thousands) + ["thousand"] + (number_words(rest) if rest else [])


def _below_100(n: int) -> list[str]:
    if n < 20:
        return [_ONES[n]]
    tens, ones = divmod(n, 10)
    return [_TENS[tens] + ("-" + _ONES[ones] if ones else "")]


def check_text(text: str, *, what: str) -> None:
    """Refuse control characters (other than tab and newlines) with a clear message."""
    for ch in text:
        if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r":
            raise InputError(f"{what} contains a control character {ch!r}; remove it (is the file really text?)")


def tokenize(text: str) -> list[tuple[str, bool]]:
    """Words of a lyric line as (word, is_echo). Numbers become words, '&' becomes 'and'.

    Words inside parentheses are echoes for the backing vocal.
    """
    out: list[tuple[str, bool]] = []
    depth = 0
    for token in _TOKEN_RE.findall(text.replace("’", "'")):
        if token == "(":
            depth += 1
        elif token == ")":
            depth = max(0, depth - 1)
        elif token == "&":
            out.append(("and", depth > 0))
        elif token[0].isdigit():
            value = token.replace(",", "")
            if "." in value:
                whole, _, frac = value.partition(".")
                words = number_words(int(whole)) + ["point"] + [_ONES[int(d)] for d in frac]
            else:
                words = number_words(int(value))
            out += [(w, depth > 0) for w in words]
        else:
            out.append((token.strip("-"), depth > 0))
    return [(w, echo) for w, echo in out if w]


def _ascii_spoken(word: str) -> str | None:
    """Pronounceable ASCII for a word with accents ('café' -> 'cafe', '日本' -> ''); None if ASCII."""
    if word.isascii():
        return None
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()


def make_line(text: str) -> Line:
    """A Line with every word phonemised and syllabified; the text is kept as written."""
    check_text(text, what="a lyric line")
    words = [word for token, echo in tokenize(text) if (word := word_of(token, backing=echo)) is not None]
    return Line(text=text.strip(), words=words)  # the caller checks for lines left empty


def word_of(token: str, *, backing: bool = False) -> Word | None:
    """A token of :func:`tokenize` pronounced, or None for a script English phonemes cannot spell."""
    spoken = _ascii_spoken(token)
    if spoken is not None and not spoken.strip("'-"):
        return None
    return make_word(token, spoken=spoken, backing=backing)


def line_is_current(line: Line) -> bool:
    """True when the line's words still match its text (False after a hand edit of `text`)."""
    return [w for w, _ in tokenize(line.text)] == [w.text for w in line.words]
