"""``troubadour mark`` / ``troubadour verify``: JSON shape, human output, bad input, no partial files."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf
from trust_helpers import SAMPLE_RATE, TEST_PAYLOAD, needs_tools, render_song

from troubadour.cli import main
from troubadour.trust import keys, mark, verify, watermark

pytestmark = needs_tools("ffmpeg", "ffprobe")


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def public_marked(tmp_path_factory):
    """A 40 s song marked with the public key, as the pipeline would write master.wav."""
    x = render_song(40.0, seed=8)
    y = watermark.embed(x, SAMPLE_RATE, payload=TEST_PAYLOAD, key=keys.PUBLIC_WATERMARK_KEY)
    path = tmp_path_factory.mktemp("cli") / "master.wav"
    sf.write(path, y.T, SAMPLE_RATE, subtype="PCM_16")
    return path


def test_verify_json_schema(capsys, public_marked):
    code, out, err = run_cli(capsys, "verify", str(public_marked), "--json")
    assert code == 0 and err == ""
    report = json.loads(out)                                   # exactly one JSON object
    w, c, t = report["watermark"], report["c2pa"], report["tags"]
    assert w["detected"] is True and w["payload"] == f"{TEST_PAYLOAD:08x}"
    assert isinstance(w["confidence"], float) and w["confidence"] > 0.999999
    assert {"present", "valid", "ai_generated"} <= set(c) and c["present"] is False
    assert isinstance(t, dict) and report["ai_generated"] is True


def test_verify_human_output(capsys, public_marked):
    code, out, _ = run_cli(capsys, "verify", str(public_marked))
    assert code == 0 and "watermark  FOUND" in out and "c2pa       none" in out


def test_mark_then_verify(capsys, tmp_path):
    src = tmp_path / "elsewhere.flac"
    sf.write(src, render_song(25.0, seed=9).T, SAMPLE_RATE, format="FLAC")
    for ext in ("wav", "mp3"):
        out_path = tmp_path / f"marked.{ext}"
        code, out, err = run_cli(capsys, "mark", str(src), "-o", str(out_path), "--voice", "clear_soprano",
                                 "--title", "Borrowed Song", "--payload", "00c0ffee", "--json")
        assert code == 0, err
        assert json.loads(out)["payload"] == "00c0ffee"
        code, out, _ = run_cli(capsys, "verify", str(out_path), "--json")
        report = json.loads(out)
        assert report["watermark"]["detected"] and report["watermark"]["payload"] == "00c0ffee"
        assert report["c2pa"]["valid"] and report["c2pa"]["ai_generated"]
        assert report["c2pa"]["voice"] == "clear_soprano" and report["c2pa"]["title"] == "Borrowed Song"
        assert report["tags"]["ai_generated"] is True
    code, _, err = run_cli(capsys, "mark", str(src), "-o", str(tmp_path / "marked.wav"))
    assert code != 0 and "exists" in err and len(err.strip().splitlines()) == 1
    # Marking a marked file again is refused (the new mark could hide the first) unless asked for.
    code, _, err = run_cli(capsys, "mark", str(tmp_path / "marked.wav"), "-o", str(tmp_path / "twice.wav"))
    assert code != 0 and "already carries a troubadour watermark (payload 00c0ffee)" in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "twice.wav").exists()
    code, _, err = run_cli(capsys, "mark", str(tmp_path / "marked.wav"), "-o", str(tmp_path / "twice.wav"), "--again")
    assert code == 0, err
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]     # no temporary leftovers


def test_tampered_master_shows_invalid_manifest(capsys, tmp_path):
    source = tmp_path / "unmarked.wav"  # not the marked fixture: a second mark under the same key masks the first
    sf.write(source, render_song(40.0, seed=8).T, SAMPLE_RATE, subtype="PCM_16")
    path = tmp_path / "master.wav"
    mark.mark_file(source, path, title="t", voice="v")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    code, out, _ = run_cli(capsys, "verify", str(path), "--json")
    report = json.loads(out)
    assert code == 0 and report["c2pa"]["present"] and report["c2pa"]["valid"] is False
    assert report["watermark"]["detected"]                     # one byte does not hurt the mark


def _bad_inputs(tmp_path, source):
    text = tmp_path / "notes.txt"
    text.write_text("not audio at all\n")
    fake = tmp_path / "fake.wav"
    fake.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunkjunkjunk")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    zero = tmp_path / "zero.wav"
    sf.write(zero, np.zeros((0, 2), np.float32), SAMPLE_RATE)
    truncated = tmp_path / "truncated.wav"
    truncated.write_bytes(source.read_bytes()[: 500_000])
    return {"text": text, "fake wav": fake, "empty": empty, "zero-length": zero, "truncated": truncated,
            "missing": tmp_path / "missing.wav", "folder": tmp_path}


def test_bad_input_gives_one_clear_line(capsys, tmp_path, public_marked):
    for name, path in _bad_inputs(tmp_path, public_marked).items():
        for argv in (["verify", str(path), "--json"], ["mark", str(path), "-o", str(tmp_path / "out.wav")]):
            code, out, err = run_cli(capsys, *argv)
            assert "Traceback" not in out + err, name
            if code == 0:                                      # a clear answer ...
                if argv[0] == "verify":
                    report = json.loads(out)
                    assert isinstance(report["watermark"]["detected"], bool), name
            else:                                              # ... or one clear error line
                assert len(err.strip().splitlines()) == 1 and err.startswith("troubadour: error:"), (name, err)
            assert not (tmp_path / "out.wav").exists() or name == "truncated"
            (tmp_path / "out.wav").unlink(missing_ok=True)


def test_odd_formats(capsys, tmp_path):
    song = render_song(24.0, seed=12)
    import scipy.signal as ss

    mono8k = tmp_path / "mono8k.wav"
    sf.write(mono8k, ss.resample_poly(song.mean(axis=0), 8000, SAMPLE_RATE), 8000, subtype="PCM_16")
    multi = tmp_path / "multi96k.wav"
    up = ss.resample_poly(song, 96000, SAMPLE_RATE, axis=-1)
    sf.write(multi, np.concatenate([up, up * 0.5, up * 0.25, up * 0.1]).T, 96000, subtype="PCM_24")
    for path in (mono8k, multi):
        marked = tmp_path / f"marked_{path.name}"
        code, _, err = run_cli(capsys, "mark", str(path), "-o", str(marked))
        assert code == 0, err
        code, out, _ = run_cli(capsys, "verify", str(marked), "--json")
        report = json.loads(out)
        assert report["audio"]["sample_rate"] == sf.info(path).samplerate
        assert report["audio"]["channels"] == sf.info(path).channels
        assert report["watermark"]["detected"], path.name


def test_long_files_are_streamed_and_sampled(capsys, tmp_path, public_marked, monkeypatch):
    """The code paths for long files, exercised on a short one by lowering the limits."""
    monkeypatch.setattr(mark, "STREAM_LIMIT_S", 10.0)
    monkeypatch.setattr(verify, "STREAM_LIMIT_S", 10.0)
    monkeypatch.setattr(verify, "SAMPLED_WINDOWS", 2)
    out_path = tmp_path / "long.flac"
    report = mark.mark_file(public_marked, out_path, payload=0x0BADF00D, again=True)
    assert report["self_check"] is None                       # the streaming path ran
    det = verify.detect_file(out_path)
    assert det.detected and det.payload == 0x0BADF00D
    assert any("sampled" in n for n in det.extra["notes"])
