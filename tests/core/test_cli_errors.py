"""Bad input: one clear line on stderr, a non-zero exit, nothing partial left behind."""

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_testing import one_line_error as _one_line_error
from cli_testing import run

from troubadour.errors import OutputError
from troubadour.export.outdir import staged_folder


@pytest.mark.parametrize("args,fragments", [
    (["   "], ["brief is empty"]),
    (["x" * 2001], ["2,001 characters", "2,000"]),
    (["a song", "--genre", "polka"], ["genre 'polka'", "country"]),
    (["a song", "--voice", "robot"], ["voice 'robot'", "rugged_baritone"]),
    (["a song", "--key", "H"], ["key 'H'"]),
    (["a song", "--bpm", "500"], ["--bpm 500", "40 to 240"]),
    (["a song", "--bpm", "39"], ["--bpm 39"]),
    (["🎸🎶🤠"], ["English"]),
])
def test_bad_make_options(tmp_path, args, fragments):
    result = run("make", *args, "-o", str(tmp_path / "out"), cwd=tmp_path)
    _one_line_error(result, *fragments)
    assert not (tmp_path / "out").exists()


def _lyrics(tmp_path: Path, content: bytes | None) -> Path:
    path = tmp_path / "lyrics.txt"
    if content is not None:
        path.write_bytes(content)
    return path


@pytest.mark.parametrize("content,fragment", [
    (None, "does not exist"),
    (b"", "is empty"),
    (b"   \n\n  ", "is empty"),
    (b"\x00\x01\x02binary\x00", "binary"),
    ("caf\u00e9 au lait".encode("latin-1"), "not UTF-8"),
    (b"[Verse]\n!!! ... ???\n", "no singable English words"),
    (b"[Chorus]\n\n[Verse]\nhello there\n", "[Chorus]"),
    (b"[Solo for kazoo]\nla la\n", "unknown section tag"),
    ("\n".join(["la la la"] * 2001).encode(), "limit"),
])
def test_bad_lyric_files(tmp_path, content, fragment):
    result = run("make", "a folk song about a river town", "--lyrics", str(_lyrics(tmp_path, content)),
                 "-o", str(tmp_path / "out"), cwd=tmp_path)
    _one_line_error(result, fragment)
    assert not (tmp_path / "out").exists()


def test_non_empty_output_needs_force(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = run("make", "a folk song", "-o", str(out), cwd=tmp_path)
    _one_line_error(result, "not empty", "--force")
    assert (out / "keep.txt").read_text() == "mine"


def test_unwritable_output_path(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    result = run("make", "a folk song", "-o", str(blocker / "out"), cwd=tmp_path)
    _one_line_error(result, "cannot write")


@pytest.mark.parametrize("content,fragment", [
    ("{ not json", "not valid JSON"),
    ('{"tempo_bpm": "fast"}', "tempo_bpm"),
    ('{"schema_version": 1, "key": "Q"}', "key"),
])
def test_broken_song_json(tmp_path, content, fragment):
    path = tmp_path / "song.json"
    path.write_text(content)
    result = run("render", str(path), "-o", str(tmp_path / "out"), cwd=tmp_path)
    _one_line_error(result, fragment)
    assert not (tmp_path / "out").exists()


def test_a_full_disk_leaves_nothing_behind(tmp_path):
    target = tmp_path / "song"
    with pytest.raises(OutputError, match="disk is full"):
        with staged_folder(target, force=False) as folder:
            (folder / "master.wav").write_bytes(b"half")
            raise OSError(errno.ENOSPC, "No space left on device")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_failed_render_keeps_the_old_folder(tmp_path):
    target = tmp_path / "song"
    target.mkdir()
    (target / "master.wav").write_text("old")
    with pytest.raises(RuntimeError):
        with staged_folder(target, force=True) as folder:
            (folder / "master.wav").write_text("new")
            raise RuntimeError("boom")
    assert (target / "master.wav").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["song"]


def test_ctrl_c_midway_leaves_nothing(tmp_path):
    env = {**os.environ, "TROUBADOUR_CACHE_DIR": str(tmp_path / ".cache")}
    process = subprocess.Popen([sys.executable, "-m", "troubadour", "make", "a country song about a long road",
                                "-o", str(tmp_path / "out"), "--quiet"], stderr=subprocess.PIPE, text=True,
                               cwd=tmp_path, env=env, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and not any(p.name.startswith(".out.partial") for p in tmp_path.iterdir()):
        time.sleep(0.05)
    time.sleep(1.0)  # into the render: vocal workers are running
    os.killpg(process.pid, signal.SIGINT)  # a terminal's Ctrl-C reaches the whole process group
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".cache") == []
