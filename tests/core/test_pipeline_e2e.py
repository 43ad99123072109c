"""End to end on a short song: the output folder contract, checked with independent meters."""

import json

import mido
import numpy as np
import pytest
import soundfile as sf
from scipy.signal import resample_poly

from troubadour.analysis import vocal_notes_from_midi, vocal_pitch_accuracy
from troubadour.mix.loudness import measure_pyloudnorm
from troubadour.pipeline import render_song
from troubadour.song import load_song, song_to_json

pytestmark = pytest.mark.slow

FILES = ["song.json", "master.wav", "master.mp3", "song.mid", "lead_sheet.musicxml", "lyrics.txt", "lyrics.lrc", "report.json"]


@pytest.fixture(scope="module")
def rendered(short_song, tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    out = tmp_path_factory.mktemp("render") / "river"
    import os

    os.environ["TROUBADOUR_CACHE_DIR"] = str(cache)
    report = render_song(short_song, out)
    return out, report


def test_every_file_of_the_contract_is_there(rendered, short_song):
    out, _ = rendered
    for name in FILES:
        assert (out / name).stat().st_size > 0, name
    stems = sorted(p.stem for p in (out / "stems").glob("*.wav"))
    assert "vocals" in stems
    assert set(p.name for p in short_song.parts) <= set(stems)


def test_master_is_44k_24bit_stereo_at_streaming_loudness(rendered):
    out, report = rendered
    info = sf.info(str(out / "master.wav"))
    assert (info.samplerate, info.channels, info.subtype) == (44100, 2, "PCM_24")
    audio, rate = sf.read(str(out / "master.wav"), dtype="float32", always_2d=True)
    lufs = measure_pyloudnorm(audio.T, rate)
    true_peak = 20 * np.log10(np.abs(resample_poly(audio, 4, 1, axis=0)).max())
    assert abs(lufs + 14.0) <= 0.5, lufs
    assert true_peak <= -1.0, true_peak
    assert abs(report["loudness"]["integrated_lufs"] - lufs) < 0.2


def test_stems_sum_to_the_mix_that_was_mastered(rendered):
    out, _ = rendered
    total = None
    for path in (out / "stems").glob("*.wav"):
        audio, _ = sf.read(str(path), dtype="float64", always_2d=True)
        total = audio if total is None else total + audio
    master, _ = sf.read(str(out / "master.wav"), dtype="float64", always_2d=True)
    # The master is the mix through bus glue and a limiter: strongly correlated, same length.
    assert total.shape == master.shape
    correlation = np.corrcoef(total.mean(axis=1), master.mean(axis=1))[0, 1]
    assert correlation > 0.95, correlation


def test_mp3_is_320k_with_tags(rendered, short_song):
    out, _ = rendered
    from mutagen.mp3 import MP3

    mp3 = MP3(str(out / "master.mp3"))
    assert mp3.info.bitrate == 320000 and mp3.info.sample_rate == 44100
    assert str(mp3.tags["TIT2"]) == short_song.title
    assert "river" in str(mp3.tags.getall("USLT")[0]).lower()


def test_the_vocal_sings_the_midi_notes_in_tune(rendered):
    """pYIN on stems/vocals.wav against the Vocals track of song.mid: >= 95 % within ±50 cents."""
    out, _ = rendered
    vocal, rate = sf.read(str(out / "stems" / "vocals.wav"), dtype="float32", always_2d=True)
    notes = vocal_notes_from_midi(out / "song.mid")
    report = vocal_pitch_accuracy(vocal.mean(axis=1), rate, notes)
    assert report.notes >= 10
    assert report.in_tune_share >= 0.95, report
    assert report.voiced_share >= 0.85, report


def test_song_json_re_renders_identically(rendered, tmp_path):
    out, _ = rendered
    song = load_song(out / "song.json")
    again = render_song(song, tmp_path / "again")
    assert song_to_json(load_song(tmp_path / "again" / "song.json")) == (out / "song.json").read_text()
    a, _ = sf.read(str(out / "master.wav"), dtype="int32")
    b, _ = sf.read(str(tmp_path / "again" / "master.wav"), dtype="int32")
    assert np.array_equal(a, b)
    assert again["cache"]["misses"] == 0  # nothing was synthesised again


def test_report_has_the_numbers(rendered):
    out, _ = rendered
    report = json.loads((out / "report.json").read_text())
    for key in ("seed", "versions", "stage_seconds", "loudness", "duration_s"):
        assert key in report
    assert set(report["stage_seconds"]) >= {"perform", "mix", "master", "export"}


def test_midi_lyrics_follow_the_users_words(rendered, short_song):
    out, _ = rendered
    midi = mido.MidiFile(str(out / "song.mid"))
    events = [m.text for t in midi.tracks for m in t if m.type == "lyrics"]
    words, current = [], ""
    for text in events:
        current += text.rstrip("-")
        if not text.endswith("-"):
            words.append(current.lower().strip(",.!?"))
            current = ""
    written = [w.lower() for line in (out / "lyrics.txt").read_text().splitlines() if not line.startswith("[")
               for w in line.replace("(", " ").replace(")", " ").replace(",", " ").split()]
    assert words == written


def test_every_audio_file_is_marked_and_credentialed(rendered):
    """The master carries the render's watermark; every file carries valid C2PA credentials and AI tags."""
    from troubadour.trust.credentials import read_credentials
    from troubadour.trust.tags import read_tags
    from troubadour.trust.verify import verify_file

    out, report = rendered
    result = verify_file(out / "master.wav")
    assert result["watermark"]["detected"]
    assert f"{result['watermark']['payload']}".lower().endswith(report["marks"]["hex"]) or \
        report["marks"]["hex"] in json.dumps(result["watermark"])
    for path in [out / "master.wav", out / "master.mp3", *sorted((out / "stems").glob("*.wav"))]:
        credentials = read_credentials(path)
        assert credentials["present"] and credentials["valid"] and credentials["ai_generated"], path
        tags = read_tags(path)
        assert "AI" in json.dumps(tags).upper(), path


def test_two_fresh_renders_are_identical(short_song, tmp_path):
    """Same document and seed, nothing cached: the same samples in the master and every stem."""
    first = render_song(short_song, tmp_path / "a", use_cache=False)
    second = render_song(short_song, tmp_path / "b", use_cache=False)
    assert first["cache"]["hits"] == 0 and second["cache"]["hits"] == 0
    for name in ["master.wav"] + [f"stems/{p.name}" for p in sorted((tmp_path / "a" / "stems").glob("*.wav"))]:
        a, _ = sf.read(str(tmp_path / "a" / name), dtype="int32")
        b, _ = sf.read(str(tmp_path / "b" / name), dtype="int32")
        assert np.array_equal(a, b), name
