"""Keys and identities for trust marks, created on first use in the user's config folder.

Folder: ``$TROUBADOUR_CONFIG_DIR``, else ``$XDG_CONFIG_HOME/troubadour``, else
``~/.config/troubadour``. It holds:

* ``issuer.key`` -- 32 random bytes naming this installation. Its 16-bit
  fingerprint (the *issuer id*) goes into every watermark payload, so a mark
  says who rendered the file without revealing anything else.
* ``c2pa/signer.pem`` and ``c2pa/signer.key`` -- a local certificate chain
  (a self-made root CA and an ES256 signing certificate) for C2PA manifests.
  Manifests signed with it are cryptographically valid but not *trusted* by
  third parties; an organisation uses its own certificate instead by setting
  ``TROUBADOUR_C2PA_CERT`` (PEM chain, signer first) and ``TROUBADOUR_C2PA_KEY``
  (PEM private key) -- see ``docs/trust.md``.

Watermarks are embedded with troubadour's *public* key so that anyone can
verify them; ``TROUBADOUR_WATERMARK_KEY`` (hex, or a path to a key file)
replaces it for private marks, which only holders of that key can detect.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from troubadour.errors import DependencyError, InputError, OutputError

ENV_CONFIG_DIR = "TROUBADOUR_CONFIG_DIR"
ENV_WATERMARK_KEY = "TROUBADOUR_WATERMARK_KEY"
ENV_C2PA_CERT = "TROUBADOUR_C2PA_CERT"
ENV_C2PA_KEY = "TROUBADOUR_C2PA_KEY"
ENV_C2PA_ALG = "TROUBADOUR_C2PA_ALG"
ENV_C2PA_TSA = "TROUBADOUR_C2PA_TSA_URL"

#: The key every troubadour verifies with; public by design (anyone must be able to check).
PUBLIC_WATERMARK_KEY = b"troubadour/watermark/public/v1"
PUBLIC_KEY_NAME = "troubadour-public"


def config_dir() -> Path:
    """The configuration folder (not created here)."""
    if os.environ.get(ENV_CONFIG_DIR):
        return Path(os.environ[ENV_CONFIG_DIR]).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "troubadour"


def _write_once(path: Path, data: bytes, *, private: bool) -> bytes:
    """Create ``path`` atomically unless it exists; return what is on disk (a racing writer wins)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(tmp, 0o600 if private else 0o644)
            try:
                os.link(tmp, path)                       # fails if another process got there first
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
        return path.read_bytes()
    except OSError as exc:
        raise OutputError(f"cannot create {str(path)!r} ({exc.strerror}); set {ENV_CONFIG_DIR} to a writable folder") from exc


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(f"cannot read {str(path)!r} ({exc.strerror})") from exc


def issuer_key() -> bytes:
    """This installation's secret issuer key (32 bytes), created on first use."""
    path = config_dir() / "issuer.key"
    data = _read(path)
    if data is None:
        data = _write_once(path, secrets.token_bytes(32), private=True)
    if len(data) < 16:
        raise InputError(f"{str(path)!r} is damaged (too short); delete it to make a new one")
    return data


def issuer_id() -> int:
    """16-bit public fingerprint of the issuer key (goes into watermark payloads)."""
    return int.from_bytes(hashlib.blake2b(issuer_key(), digest_size=2, person=b"troubadour-iss").digest(), "big")


def render_payload(render_id: str | bytes, issuer: int | None = None) -> int:
    """The 32-bit watermark payload: issuer id (high 16 bits) and a render id hash (low 16 bits)."""
    issuer = issuer_id() if issuer is None else int(issuer)
    if not 0 <= issuer < 2**16:
        raise InputError(f"issuer id must be in [0, 65535], got {issuer!r}")
    raw = render_id.encode() if isinstance(render_id, str) else bytes(render_id)
    low = int.from_bytes(hashlib.blake2b(raw, digest_size=2, person=b"troubadour-rnd").digest(), "big")
    return (issuer << 16) | low


def split_payload(payload: int) -> dict:
    """Payload as shown to people: hex, issuer id and render id hash."""
    return {"hex": f"{payload:08x}", "issuer_id": f"{payload >> 16:04x}", "render_id": f"{payload & 0xFFFF:04x}"}


def _parse_key(value: str, what: str) -> bytes:
    value = value.strip()
    path = Path(value).expanduser()
    if path.is_file():
        data = path.read_bytes().strip()
        if not data:
            raise InputError(f"{what}: key file {value!r} is empty")
        return data
    try:
        data = bytes.fromhex(value)
    except ValueError:
        raise InputError(f"{what} must be hex digits or a path to a key file, got {value!r}") from None
    if len(data) < 8:
        raise InputError(f"{what} is too short ({len(data)} bytes); use at least 16 random bytes")
    return data


def embedding_key() -> tuple[str, bytes]:
    """(name, key) used to embed: ``TROUBADOUR_WATERMARK_KEY`` if set, else the public key."""
    env = os.environ.get(ENV_WATERMARK_KEY)
    if env:
        return "private", _parse_key(env, ENV_WATERMARK_KEY)
    return PUBLIC_KEY_NAME, PUBLIC_WATERMARK_KEY


def verification_keys(extra: list[str] | None = None) -> dict[str, bytes]:
    """Keys ``verify`` looks for: the public key, the configured private key, and ``extra`` (hex or paths)."""
    keys = {PUBLIC_KEY_NAME: PUBLIC_WATERMARK_KEY}
    env = os.environ.get(ENV_WATERMARK_KEY)
    if env:
        keys["private"] = _parse_key(env, ENV_WATERMARK_KEY)
    for i, value in enumerate(extra or []):
        keys[f"key{i + 1}"] = _parse_key(value, "--key")
    return keys


# --------------------------------------------------------------------------- C2PA signing identity


@dataclass(frozen=True)
class SigningCredentials:
    """A C2PA signer: PEM certificate chain (signer first), PEM private key, algorithm."""

    cert_chain_pem: bytes
    private_key_pem: bytes
    alg: str
    tsa_url: str | None
    source: str            # "organisation" or "local"
    root_pem: bytes | None = None


def _alg_for_key(key_pem: bytes) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise InputError(f"the C2PA private key is not an unencrypted PEM key ({exc})") from exc
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return {256: "es256", 384: "es384", 521: "es512"}.get(key.curve.key_size, "es256")
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519"
    if isinstance(key, rsa.RSAPrivateKey):
        return "ps256"
    raise InputError("the C2PA private key must be EC (P-256/384/521), Ed25519 or RSA")


def signing_credentials() -> SigningCredentials:
    """The organisation's certificate (environment) or the local one (created on first use)."""
    cert_env, key_env = os.environ.get(ENV_C2PA_CERT), os.environ.get(ENV_C2PA_KEY)
    tsa = os.environ.get(ENV_C2PA_TSA) or None
    if cert_env or key_env:
        if not (cert_env and key_env):
            raise InputError(f"set both {ENV_C2PA_CERT} (PEM chain) and {ENV_C2PA_KEY} (PEM key), or neither")
        cert, key = _read(Path(cert_env).expanduser()), _read(Path(key_env).expanduser())
        if cert is None or key is None:
            missing = cert_env if cert is None else key_env
            raise InputError(f"C2PA certificate file {missing!r} does not exist")
        alg = os.environ.get(ENV_C2PA_ALG) or _alg_for_key(key)
        return SigningCredentials(cert, key, alg.lower(), tsa, "organisation")
    folder = config_dir() / "c2pa"
    cert, key, root = _read(folder / "signer.pem"), _read(folder / "signer.key"), _read(folder / "root.pem")
    if cert is None or key is None:
        cert, key, root = _create_local_chain(folder)
    return SigningCredentials(cert, key, "es256", tsa, "local", root)


def _create_local_chain(folder: Path) -> tuple[bytes, bytes, bytes]:
    """A local root CA and an ES256 end-entity certificate shaped as C2PA requires."""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    except ImportError as exc:  # pragma: no cover - cryptography comes with c2pa-python
        raise DependencyError("creating a C2PA certificate needs 'cryptography' (pip install cryptography)") from exc

    now = datetime.datetime.now(datetime.timezone.utc)
    tag = secrets.token_hex(4)

    def name(cn: str) -> x509.Name:
        return x509.Name([
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "troubadour (local, self-issued)"),
        ])

    def usage(**on: bool) -> x509.KeyUsage:
        flags = dict.fromkeys(
            ["digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
             "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"], False)
        flags.update(on)
        return x509.KeyUsage(**flags)

    root_key = ec.generate_private_key(ec.SECP256R1())
    root = (
        x509.CertificateBuilder().subject_name(name(f"troubadour local root {tag}")).issuer_name(name(f"troubadour local root {tag}"))
        .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    signer_key = ec.generate_private_key(ec.SECP256R1())
    signer = (
        x509.CertificateBuilder().subject_name(name(f"troubadour signer {tag}")).issuer_name(root.subject)
        .public_key(signer_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage(digital_signature=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(signer_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    root_pem = root.public_bytes(pem)
    chain = signer.public_bytes(pem) + root_pem
    key_pem = signer_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    # The key is written first: a chain on disk always has its key next to it.
    key_pem = _write_once(folder / "signer.key", key_pem, private=True)
    chain = _write_once(folder / "signer.pem", chain, private=False)
    root_pem = _write_once(folder / "root.pem", root_pem, private=False)
    return chain, key_pem, root_pem
