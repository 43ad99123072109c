"""The ``openai`` lyricist: any OpenAI-compatible chat endpoint (OpenAI, llama.cpp, Ollama, vLLM).

Options (or environment variables):

- ``base_url`` (``TROUBADOUR_LLM_BASE_URL``): e.g. ``http://localhost:11434/v1`` (Ollama),
  ``http://localhost:8080/v1`` (llama.cpp server);
- ``model`` (``TROUBADOUR_LLM_MODEL``); ``api_key`` (``OPENAI_API_KEY``, optional for local servers);
- ``timeout_s`` (60), ``max_repairs`` (2), ``temperature`` (0.8).

The reply goes through the same parser and checks as the user's own lyrics.
Lines that fail (no rhyme, too long, a repeated verse line, not family-friendly)
are sent back to be rewritten, at most ``max_repairs`` times. On a timeout, an
HTTP error or a reply that is not a lyric sheet, it warns (``LyricistWarning``)
and falls back to the embedded writer. Only the standard library talks HTTP.
"""

from __future__ import annotations

import json
import os
import re
import socket
import urllib.error
import urllib.request
import warnings

import numpy as np

from troubadour.brief import Brief
from troubadour.errors import InputError
from troubadour.song import LyricSection, Lyrics
from troubadour.words.checks import Problem, check_lyrics, line_ending
from troubadour.words.lyricist import LyricistWarning, register
from troubadour.words.rhyme import rhymes_for
from troubadour.words.sheet import guess_title, parse_lyrics
from troubadour.words.text import make_line

_IMAGERY = {
    "country": "pickup trucks, front porches, gravel roads, rivers, small towns, Sunday mornings",
    "pop": "city lights, beaches, neon, phones, dance floors, summer nights",
    "rock": "engines, amplifiers, concrete, thunder, highways, steel towns",
    "folk": "rivers, mills, lanterns, gardens, kitchens, old songs handed down",
    "ballad": "rain on windows, candles, photographs, the sea, an old piano",
}
_PERSPECTIVE = {"first": "first person (I)", "we": "first person plural (we)", "he": "third person (he)",
                "she": "third person (she)"}


class LLMError(Exception):
    """The endpoint failed or its reply is not a usable lyric (the caller falls back)."""


class OpenAILyricist:
    """Lyrics from an OpenAI-compatible chat completions endpoint, checked and repaired."""

    name = "openai"
    version = "1.0"

    def __init__(self, *, base_url: str | None = None, model: str | None = None, api_key: str | None = None,
                 timeout_s: float = 60.0, max_repairs: int = 2, temperature: float = 0.8) -> None:
        self.base_url = (base_url or os.environ.get("TROUBADOUR_LLM_BASE_URL") or "").rstrip("/")
        self.model = model or os.environ.get("TROUBADOUR_LLM_MODEL") or ""
        self.api_key = api_key or os.environ.get("OPENAI_API_KEY") or ""
        if not self.base_url:
            raise InputError("the openai lyricist needs a server: give --llm-base-url or set TROUBADOUR_LLM_BASE_URL "
                             "(e.g. http://localhost:11434/v1 for Ollama, http://localhost:8080/v1 for llama.cpp)")
        if not re.match(r"^https?://", self.base_url):
            raise InputError(f"--llm-base-url {self.base_url!r} must start with http:// or https://")
        if not self.model:
            raise InputError("the openai lyricist needs a model name: give --llm-model or set TROUBADOUR_LLM_MODEL")
        if not timeout_s > 0:
            raise InputError(f"--llm-timeout {timeout_s!r} must be a positive number of seconds")
        if not 0 <= max_repairs <= 10:
            raise InputError(f"max_repairs {max_repairs!r} must be 0-10")
        self.timeout_s = float(timeout_s)
        self.max_repairs = int(max_repairs)
        self.temperature = float(temperature)

    # ------------------------------------------------------------ the lyricist protocol

    def write(self, brief: Brief, *, genre: str, rng: np.random.Generator, explicit: bool = False) -> Lyrics:
        """Lyrics from the model; the embedded writer's (with a warning) if the model fails."""
        seed = int(rng.integers(2**31 - 1))
        try:
            return self._write(brief, genre=genre, seed=seed, explicit=explicit)
        except LLMError as exc:
            warnings.warn(LyricistWarning(f"the openai lyricist failed ({exc}); the embedded lyricist wrote "
                                          "these lyrics instead"), stacklevel=2)
            from troubadour.words.embedded import EmbeddedLyricist

            return EmbeddedLyricist().write(brief, genre=genre, rng=np.random.default_rng(seed), explicit=explicit)

    def _write(self, brief: Brief, *, genre: str, seed: int, explicit: bool) -> Lyrics:
        messages = [{"role": "system", "content": _SYSTEM},
                    {"role": "user", "content": song_prompt(brief, genre=genre, explicit=explicit)}]
        reply = self.chat(messages, seed=seed)
        lyrics = lyrics_from_reply(reply, title=brief.title or "")
        messages.append({"role": "assistant", "content": reply})
        for _ in range(self.max_repairs):
            report = check_lyrics(lyrics, explicit=explicit)
            fixable = [p for p in report.problems if p.line is not None]
            if not fixable:
                break
            request = repair_prompt(lyrics, fixable)
            answer = self.chat(messages + [{"role": "user", "content": request}], seed=seed)
            lyrics = apply_repairs(lyrics, fixable, answer)
        report = check_lyrics(lyrics, explicit=explicit)
        if not brief.title and any(p.kind == "title" for p in report.problems):
            # The model named its song something the chorus does not sing: name it by its hook.
            lyrics = Lyrics(title=guess_title(lyrics.sections), sections=lyrics.sections)
            report = check_lyrics(lyrics, explicit=explicit)
        if any(p.kind in ("form", "title") for p in report.problems):
            raise LLMError(report.summary())
        if not report.ok:
            warnings.warn(LyricistWarning(f"the openai lyric still has {len(report.problems)} problem(s) after "
                                          f"{self.max_repairs} repair round(s): {report.summary()}"), stacklevel=3)
        return lyrics

    # ------------------------------------------------------------ HTTP

    def chat(self, messages: list[dict], *, seed: int) -> str:
        """One chat completion; LLMError on any failure (timeout, HTTP error, malformed JSON)."""
        body = json.dumps({"model": self.model, "messages": messages, "temperature": self.temperature,
                           "seed": seed, "stream": False}).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(f"{self.base_url}/chat/completions", data=body, headers=headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise LLMError(f"HTTP {exc.code} from {self.base_url}") from None
        except (socket.timeout, TimeoutError):
            raise LLMError(f"no reply from {self.base_url} within {self.timeout_s:g} s") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise LLMError(f"no reply from {self.base_url} within {self.timeout_s:g} s") from None
            raise LLMError(f"cannot reach {self.base_url}: {reason}") from None
        except OSError as exc:
            raise LLMError(f"connection to {self.base_url} failed: {exc}") from None
        try:
            data = json.loads(raw.decode("utf-8"))
            content = data["choices"][0]["message"]["content"]
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, IndexError, TypeError):
            raise LLMError("the reply is not an OpenAI chat completion") from None
        if not isinstance(content, str) or not content.strip():
            raise LLMError("the reply has no text")
        return content


# ------------------------------------------------------------ prompts and replies

_SYSTEM = ("You are a professional songwriter. You write original, singable English lyrics with clean rhymes "
           "and a steady meter, and you reply with the lyric sheet only.")


def song_prompt(brief: Brief, *, genre: str, explicit: bool) -> str:
    """The request for a whole song, built from the brief."""
    title = f'The title is "{brief.title}"; the chorus must sing it word for word.' if brief.title else \
        "Choose a short title (2-5 words); the chorus must sing it word for word."
    pre = " Add a [Pre-Chorus] (2 lines) before each chorus." if genre == "pop" else ""
    clean = "" if explicit else "\n- Family-friendly: no profanity, nothing explicit."
    return f"""Write an original {genre} song from this brief: "{brief.text}"
{title}
Mood: {brief.mood}. Point of view: {_PERSPECTIVE.get(brief.perspective, "first person")}.
Form: [Verse 1], [Chorus], [Verse 2], [Chorus], [Bridge], [Chorus].{pre}
Rules:
- Verses, chorus and bridge have 4 lines each; the chorus has the same words every time.
- Every line has 7 to 10 syllables; line 1 of verse 2 has as many syllables as line 1 of verse 1, and so on.
- Every line rhymes with another line of its section (AABB or ABAB); use true rhymes.
- Concrete images that suit {genre} ({_IMAGERY.get(genre, "real places and things")}); verse 2 moves the story on.
- Never repeat a verse line.{clean}
Reply with the lyric sheet only: first a line "Title: <title>", then each section tag in square brackets
on its own line, followed by its lines. No commentary, no markdown."""


def repair_prompt(lyrics: Lyrics, problems: list[Problem]) -> str:
    """Ask for replacements of the failing lines only, one numbered line each."""
    items = []
    for n, problem in enumerate(problems, start=1):
        section = lyrics.sections[problem.section]
        line = section.lines[problem.line]
        hint = problem.message
        if problem.kind == "rhyme":
            partner = _partner_ending(section, problem.line)
            if partner:
                options = ", ".join(rhymes_for(partner, limit=6))
                hint += f"; end it on a word that rhymes with {partner!r}" + (f" (e.g. {options})" if options else "")
        items.append(f"{n}. [{section.label}] line {problem.line + 1}: \"{line.text}\" - {hint}")
    return ("Some lines need fixing. Rewrite only these lines, keeping their meaning and place in the song.\n"
            + "\n".join(items)
            + "\nReply with exactly one line per item, as `<number>. <new line>`, and nothing else.")


def _partner_ending(section: LyricSection, index: int) -> str | None:
    """The ending this line should rhyme with: its couplet partner (AABB)."""
    partner = index + 1 if index % 2 == 0 else index - 1
    if 0 <= partner < len(section.lines):
        return line_ending(section.lines[partner])
    return None


_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"^```[a-z]*\s*$", re.MULTILINE)


def lyrics_from_reply(reply: str, *, title: str = "") -> Lyrics:
    """Parse a model's lyric sheet (reasoning, fences, markdown and chatter removed) into Lyrics
    with the chorus sung at least twice; LLMError if it is not a lyric sheet."""
    text = _FENCE.sub("", _THINK.sub("", reply))
    lines = []
    for raw in text.splitlines():
        line = raw.strip().strip("*_#").strip()
        named = re.match(r"^title\s*:\s*(.+)$", line, re.IGNORECASE)
        if named:
            title = title or named.group(1).strip().strip('"“”')
            continue
        lines.append(line)
    first_tag = next((i for i, line in enumerate(lines) if re.match(r"^\[[^\]]+\]$", line)), None)
    if first_tag is None:
        raise LLMError("the reply has no [Section] tags")
    try:
        lyrics = parse_lyrics("\n".join(lines[first_tag:]), title=title, source="the model's lyric")
    except InputError as exc:
        raise LLMError(str(exc)) from None
    return complete_form(lyrics)


def complete_form(lyrics: Lyrics) -> Lyrics:
    """Sing a chorus written once after every verse (and after the bridge), as songs do."""
    choruses = [s for s in lyrics.sections if s.kind == "chorus"]
    if not choruses or len(choruses) >= 2:
        return lyrics
    chorus = choruses[0]
    out: list[LyricSection] = []
    rest = [s for s in lyrics.sections if s is not chorus]
    for i, section in enumerate(rest):
        out.append(section)
        following = rest[i + 1].kind if i + 1 < len(rest) else None
        if section.kind in ("verse", "bridge") and following != "prechorus" or section.kind == "prechorus":
            out.append(chorus.model_copy(deep=True))
    if sum(s.kind == "chorus" for s in out) < 2:
        out.append(chorus.model_copy(deep=True))
    title = lyrics.title if lyrics.title else guess_title(out)
    return Lyrics(title=title, sections=out)


def apply_repairs(lyrics: Lyrics, problems: list[Problem], answer: str) -> Lyrics:
    """Put the numbered replacement lines in place (in every copy of a repeated section)."""
    fixes: dict[int, str] = {}
    for raw in _THINK.sub("", answer).splitlines():
        match = re.match(r"^\s*(\d+)[.):]\s*(.+?)\s*$", raw)
        if match:
            text = match.group(2).strip().strip('"“”').strip()
            if text:
                fixes[int(match.group(1))] = text
    sections = [s.model_copy(deep=True) for s in lyrics.sections]
    for n, problem in enumerate(problems, start=1):
        if n not in fixes:
            continue
        line = make_line(fixes[n])
        if not line.words:
            continue
        original = lyrics.sections[problem.section]
        key = (original.kind, tuple(l.text for l in original.lines))
        for i, section in enumerate(lyrics.sections):
            if (section.kind, tuple(l.text for l in section.lines)) == key:
                sections[i].lines[problem.line] = line.model_copy(deep=True)
    return Lyrics(title=lyrics.title, sections=sections)


def _factory(**options) -> OpenAILyricist:
    return OpenAILyricist(**options)


register("openai", _factory)
