"""`troubadour make` as a user runs it: the files, the summary, and nothing else on stderr."""

import json

import pytest
from cli_testing import run

pytestmark = pytest.mark.slow


def test_make_writes_the_folder_and_prints_no_stray_warnings(tmp_path):
    out = tmp_path / "walk"
    result = run("make", "a gritty country song about walking my own walk, rugged baritone, mid-tempo",
                 "--seed", "7", "-o", str(out), cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    # Python's resource notes (an unclosed encoder pipe once reached users as a "warning") stay out of sight.
    for noise in ("unclosed", "ResourceWarning", "Traceback", "Exception ignored"):
        assert noise not in result.stderr, result.stderr
    assert f"wrote {out}/" in result.stdout and "LUFS" in result.stdout
    for name in ("song.json", "master.wav", "master.mp3", "song.mid", "lead_sheet.musicxml", "lyrics.txt",
                 "lyrics.lrc", "report.json", "stems/vocals.wav"):
        assert (out / name).stat().st_size > 0, name
    report = json.loads((out / "report.json").read_text())
    assert 120 <= report["duration_s"] <= 240
