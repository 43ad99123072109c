"""C2PA content credentials and the keys behind them (real c2pa-python signing and reading)."""

from __future__ import annotations

import datetime
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from trust_helpers import needs_tools, run_tool

from troubadour.errors import InputError
from troubadour.trust import credentials, keys

AI = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"


@pytest.fixture
def wav(tmp_path) -> Path:
    t = np.arange(44100 * 3) / 44100
    path = tmp_path / "song.wav"
    sf.write(path, (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 44100, subtype="PCM_16")
    return path


@pytest.fixture
def audio_files(wav, tmp_path) -> dict[str, Path]:
    out = {"wav": wav}
    if shutil.which("ffmpeg"):
        for ext, codec in (("mp3", ["-c:a", "libmp3lame", "-b:a", "128k"]), ("flac", []), ("m4a", ["-c:a", "aac"])):
            path = tmp_path / f"song.{ext}"
            run_tool("ffmpeg", "-y", "-v", "error", "-i", str(wav), *codec, str(path))
            out[ext] = path
    return out


def test_sign_and_read_round_trip(audio_files, trust_config):
    for ext, path in audio_files.items():
        assert credentials.read_credentials(path)["present"] is False
        result = credentials.sign_file(path, title="Walking My Own Walk", voice="rugged_baritone", version="0.1.0",
                                       watermark={"payload": "5eed1234", "key": "test"})
        assert result["signed"] and result["signer"] == "local"
        got = credentials.read_credentials(path)
        assert got["present"] and got["valid"], (ext, got)
        assert got["ai_generated"] and got["digital_source_type"] == AI
        assert got["title"] == "Walking My Own Walk" and got["voice"] == "rugged_baritone"
        assert (got["software"], got["software_version"]) == ("troubadour", "0.1.0")
        assert got["trusted"]                            # our own local root is a trust anchor here
        assert got["watermark"]["payload"] == "5eed1234"
    # The key and certificate were created on first use, in the test's own config folder only.
    assert {p.name for p in (trust_config / "c2pa").iterdir()} >= {"signer.pem", "signer.key", "root.pem"}
    assert oct((trust_config / "c2pa" / "signer.key").stat().st_mode & 0o777) == "0o600"


def test_reading_with_c2pa_python_directly_names_trained_algorithmic_media(audio_files):
    import c2pa

    for ext in ("wav", "mp3"):
        path = audio_files[ext]
        credentials.sign_file(path, title="t", voice="v", version="0.1.0")
        with open(path, "rb") as f, c2pa.Reader(credentials.MIME_BY_SUFFIX["." + ext], f) as reader:
            manifest = reader.get_active_manifest()
        actions = [a for x in manifest["assertions"] if x["label"].startswith("c2pa.actions") for a in x["data"]["actions"]]
        assert any(a["action"] == "c2pa.created" and a["digitalSourceType"] == AI for a in actions)


def test_one_changed_audio_byte_invalidates(wav):
    credentials.sign_file(wav, title="t", voice=None, version="0.1.0")
    data = bytearray(wav.read_bytes())
    i = len(data) // 2                       # well inside the PCM data chunk
    data[i] ^= 0x01
    wav.write_bytes(bytes(data))
    got = credentials.read_credentials(wav)
    assert got["present"] and not got["valid"]
    assert "assertion.dataHash.mismatch" in got["failures"]


@needs_tools("ffmpeg")
def test_tampered_mp3_invalid(audio_files):
    path = audio_files["mp3"]
    credentials.sign_file(path, title="t", voice=None, version="0.1.0")
    data = bytearray(path.read_bytes())
    data[-5000] ^= 0x10
    path.write_bytes(bytes(data))
    assert credentials.read_credentials(path)["valid"] is False


def test_unsupported_format_and_missing_file(tmp_path):
    ogg = tmp_path / "x.ogg"
    ogg.write_bytes(b"OggS" + bytes(100))
    with pytest.raises(InputError):
        credentials.sign_file(ogg, title="t", voice=None, version="0.1.0")
    assert credentials.read_credentials(ogg)["error"]
    with pytest.raises(InputError):
        credentials.sign_file(tmp_path / "missing.wav", title="t", voice=None, version="0.1.0")


def test_failed_signing_leaves_the_file_alone(wav, tmp_path, monkeypatch):
    before = wav.read_bytes()
    bad_key = tmp_path / "bad.key"
    bad_key.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    cert = tmp_path / "cert.pem"
    cert.write_text("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n")
    monkeypatch.setenv(keys.ENV_C2PA_CERT, str(cert))
    monkeypatch.setenv(keys.ENV_C2PA_KEY, str(bad_key))
    with pytest.raises(InputError):
        credentials.sign_file(wav, title="t", voice=None, version="0.1.0")
    assert wav.read_bytes() == before
    assert sorted(p.name for p in wav.parent.iterdir() if p.name.startswith(".")) == []


def _organisation_chain(folder: Path) -> tuple[Path, Path]:
    """An organisation's CA and signing certificate, as a PKI team would issue them."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    name = lambda cn: x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Records")])  # noqa: E731
    ca_key, key = ec.generate_private_key(ec.SECP384R1()), ec.generate_private_key(ec.SECP384R1())
    usage = dict(content_commitment=False, key_encipherment=False, data_encipherment=False, key_agreement=False,
                 encipher_only=False, decipher_only=False)
    ca = (x509.CertificateBuilder().subject_name(name("Example Records CA")).issuer_name(name("Example Records CA"))
          .public_key(ca_key.public_key()).serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, key_cert_sign=True, crl_sign=True, **usage), critical=True)
          .sign(ca_key, hashes.SHA384()))
    cert = (x509.CertificateBuilder().subject_name(name("Example Records signing")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(2).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=False, crl_sign=False, **usage), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA384()))
    pem = serialization.Encoding.PEM
    chain, key_path = folder / "chain.pem", folder / "signing.key"
    chain.write_bytes(cert.public_bytes(pem) + ca.public_bytes(pem))
    key_path.write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (folder / "ca.pem").write_bytes(ca.public_bytes(pem))
    return chain, key_path


def test_organisation_certificate_from_environment(wav, tmp_path, monkeypatch, trust_config):
    chain, key_path = _organisation_chain(tmp_path)
    monkeypatch.setenv(keys.ENV_C2PA_CERT, str(chain))
    monkeypatch.setenv(keys.ENV_C2PA_KEY, str(key_path))
    creds = keys.signing_credentials()
    assert creds.source == "organisation" and creds.alg == "es384"
    credentials.sign_file(wav, title="t", voice="v", version="0.1.0")
    got = credentials.read_credentials(wav)
    assert got["valid"] and got["signer"] == "Example Records" and not got["trusted"]
    monkeypatch.setenv("TROUBADOUR_C2PA_TRUST_ANCHORS", str(tmp_path / "ca.pem"))
    assert credentials.read_credentials(wav)["trusted"]
    assert not (trust_config / "c2pa").exists()          # no local certificate was made


def test_keys_are_stable_and_payloads_split(trust_config):
    first = keys.issuer_key()
    assert keys.issuer_key() == first and len(first) == 32
    payload = keys.render_payload("song-1")
    assert payload >> 16 == keys.issuer_id()
    assert keys.split_payload(payload)["issuer_id"] == f"{keys.issuer_id():04x}"
    assert keys.embedding_key() == (keys.PUBLIC_KEY_NAME, keys.PUBLIC_WATERMARK_KEY)
    os.environ[keys.ENV_WATERMARK_KEY] = "00112233445566778899aabbccddeeff"
    try:
        assert keys.embedding_key() == ("private", bytes.fromhex("00112233445566778899aabbccddeeff"))
        assert set(keys.verification_keys()) == {keys.PUBLIC_KEY_NAME, "private"}
    finally:
        del os.environ[keys.ENV_WATERMARK_KEY]
    with pytest.raises(InputError):
        keys.verification_keys(["not hex"])
