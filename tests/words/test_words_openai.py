"""The openai lyricist against a small server that speaks the chat-completions protocol."""

from __future__ import annotations

import json
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from troubadour.brief import read_brief
from troubadour.errors import InputError
from troubadour.words.checks import check_lyrics, title_in_chorus
from troubadour.words.lyricist import LyricistWarning, get_lyricist
from words_testing import RIVER_TOWN

SHEET = "Title: River Town\n" + RIVER_TOWN + """
[Bridge]
And if the years should carry me away
I'll hear the water calling every day
The road gets long, the road gets wide
I'll keep the river by my side
"""
# Verse 2 line 3 does not rhyme, and there are too few rhymes overall for the song to pass.
BAD_SHEET = SHEET.replace("The church bell rings on a Sunday morn", "The church bell rings across the square") \
                 .replace("I find the field where I was born", "I find the field and sit a while") \
                 .replace("I walk the tracks on the long way home", "I walk the tracks and think of her") \
                 .replace("I drive my truck to the edge of town", "I drive my truck into the night")


class Server:
    """Replies with the queued answers in order ("sleep" waits past the client's timeout)."""

    def __init__(self, replies: list) -> None:
        self.replies = list(replies)
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
                reply = server.replies.pop(0) if server.replies else "(no more replies)"
                if reply == "sleep":
                    time.sleep(1.5)
                    reply = SHEET
                if isinstance(reply, int):
                    self.send_response(reply)
                    self.end_headers()
                    return
                if isinstance(reply, bytes):
                    payload = reply
                else:
                    payload = json.dumps({"id": "x", "object": "chat.completion", "model": body["model"],
                                          "choices": [{"index": 0, "finish_reason": "stop",
                                                       "message": {"role": "assistant", "content": reply}}]}).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout test)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(request):
    made = []

    def make(replies):
        made.append(Server(replies))
        return made[-1]

    yield make
    for s in made:
        s.close()


def write(url: str, brief: str = "a country song about a river town", **options):
    lyricist = get_lyricist("openai", base_url=url, model="test-model", api_key="sk-test", **options)
    parsed = read_brief(brief)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lyrics = lyricist.write(parsed, genre="country", rng=np.random.default_rng(1))
    return lyrics, [w for w in caught if issubclass(w.category, LyricistWarning)]


def test_a_good_reply_is_parsed_and_completed(server):
    srv = server([SHEET])
    lyrics, warned = write(srv.url)
    assert not warned
    assert lyrics.title == "River Town" and title_in_chorus(lyrics)
    assert [s.kind for s in lyrics.sections] == ["verse", "chorus", "verse", "chorus", "bridge", "chorus"]
    assert check_lyrics(lyrics).ok
    request = srv.requests[0]
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer sk-test"
    assert request["body"]["model"] == "test-model" and request["body"]["messages"][0]["role"] == "system"
    assert "country" in request["body"]["messages"][1]["content"]


def test_failing_lines_are_sent_back_and_repaired(server):
    fixes = "1. I drive my truck to the edge of town\n2. I walk the tracks on the long way home\n" \
            "3. The church bell rings on a Sunday morn\n4. I find the field where I was born\n"
    srv = server([BAD_SHEET, fixes])
    lyrics, warned = write(srv.url)
    assert len(srv.requests) == 2
    repair = srv.requests[1]["body"]["messages"][-1]["content"]
    assert "rhymes with no other line" in repair and "think of her" in repair
    assert check_lyrics(lyrics).ok and not warned


def test_repairs_are_bounded(server):
    srv = server([BAD_SHEET, "nothing useful", "still nothing"])
    lyrics, warned = write(srv.url, max_repairs=2)
    assert len(srv.requests) == 3  # the song, then two repair rounds, then it stops
    assert warned and "problem" in str(warned[0].message)
    assert lyrics.title == "River Town"


@pytest.mark.parametrize("reply", ["Sorry, I can't help with that.", b"{not json", b'{"choices": []}', 500, ""])
def test_malformed_replies_fall_back_to_the_embedded_writer(server, reply):
    srv = server([reply])
    lyrics, warned = write(srv.url)
    assert warned and "embedded lyricist" in str(warned[0].message)
    assert title_in_chorus(lyrics) and check_lyrics(lyrics).ok


def test_timeout_falls_back_with_a_warning(server):
    srv = server(["sleep"])
    started = time.perf_counter()
    lyrics, warned = write(srv.url, timeout_s=0.3)
    assert time.perf_counter() - started < 1.4
    assert warned and "within 0.3 s" in str(warned[0].message)
    assert check_lyrics(lyrics).ok


def test_unreachable_server_falls_back():
    lyrics, warned = write("http://127.0.0.1:9/v1", timeout_s=2)
    assert warned and check_lyrics(lyrics).ok


def test_configuration_errors_are_input_errors(monkeypatch):
    for name in ("TROUBADOUR_LLM_BASE_URL", "TROUBADOUR_LLM_MODEL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(InputError, match="TROUBADOUR_LLM_BASE_URL"):
        get_lyricist("openai")
    with pytest.raises(InputError, match="model"):
        get_lyricist("openai", base_url="http://localhost:8080/v1")
    with pytest.raises(InputError, match="http"):
        get_lyricist("openai", base_url="localhost:8080", model="m")
    monkeypatch.setenv("TROUBADOUR_LLM_BASE_URL", "http://localhost:11434/v1")
    monkeypatch.setenv("TROUBADOUR_LLM_MODEL", "llama3")
    lyricist = get_lyricist("openai")
    assert (lyricist.base_url, lyricist.model) == ("http://localhost:11434/v1", "llama3")


def test_a_chorus_written_once_is_sung_after_each_verse(server):
    srv = server(["Here are your lyrics!\n```\n" + SHEET + "```\n"])
    lyrics, _ = write(srv.url)
    assert [s.kind for s in lyrics.sections].count("chorus") == 3
