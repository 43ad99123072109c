"""C2PA content credentials: sign audio files and read what they claim.

A manifest says the recording was *created* by a trained algorithm
(``c2pa.actions`` / ``c2pa.created`` with the IPTC digital source type
``trainedAlgorithmicMedia``), which software and version made it, the voice
profile and the song title. It is signed with the organisation's certificate
or a local one (see :mod:`troubadour.trust.keys`) and hashes every byte of the
file outside itself, so changing one byte of audio makes it invalid.

Supported containers (those c2pa-python embeds in): WAV, MP3, FLAC, M4A.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from troubadour.errors import DependencyError, InputError, OutputError
from troubadour.trust import keys as trust_keys

TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
_AI_SOURCE_TYPES = ("trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia", "compositeSynthetic")
ASSERTION_LABEL = "org.troubadour.provenance"
MIME_BY_SUFFIX = {".wav": "audio/wav", ".wave": "audio/wav", ".mp3": "audio/mpeg", ".flac": "audio/flac", ".m4a": "audio/mp4"}
# Verifying never goes to the network (OCSP, remote manifests): troubadour works offline.
_OFFLINE = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}


def _c2pa():
    try:
        import c2pa
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise DependencyError("content credentials need c2pa-python (pip install c2pa-python)") from exc
    return c2pa


def supported(path: str | os.PathLike) -> bool:
    """True when content credentials can be embedded in this file type."""
    return Path(path).suffix.lower() in MIME_BY_SUFFIX


def manifest_definition(
    *, title: str, voice: str | None, software: str, version: str, mime: str, watermark: dict | None = None,
    author: str | None = None, extra: dict | None = None,
) -> dict:
    """The manifest troubadour signs (a plain dict, JSON-serialisable)."""
    parameters: dict[str, Any] = {"title": title}
    if voice:
        parameters["voice"] = voice
    provenance: dict[str, Any] = {
        "ai_generated": True,
        "title": title,
        "voice": voice,
        "software": software,
        "version": version,
    }
    if author:
        provenance["artist"] = author
    if watermark:
        provenance["watermark"] = watermark
    if extra:
        provenance.update(extra)
    return {
        "claim_generator_info": [{"name": software, "version": version}],
        "title": title,
        "format": mime,
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": TRAINED_ALGORITHMIC_MEDIA,
                            "softwareAgent": {"name": software, "version": version},
                            "parameters": parameters,
                        }
                    ]
                },
            },
            {"label": ASSERTION_LABEL, "data": provenance},
        ],
    }


def sign_file(
    path: str | os.PathLike,
    *,
    title: str,
    voice: str | None,
    software: str = "troubadour",
    version: str,
    author: str | None = None,
    watermark: dict | None = None,
    extra: dict | None = None,
    credentials: trust_keys.SigningCredentials | None = None,
    source: BinaryIO | None = None,
) -> dict:
    """Embed a signed C2PA manifest in a WAV/MP3/FLAC/M4A file, in place and atomically.

    Parameters
    ----------
    path : path-like
        The audio file; it is replaced only when signing succeeded.
    title, voice, software, version, author : str
        What the manifest claims (``voice`` may be None for instrumentals).
    watermark : dict, optional
        Watermark facts to record (e.g. ``{"payload": "9a1ab88e", "key": "troubadour-public"}``).
    credentials : SigningCredentials, optional
        Defaults to :func:`troubadour.trust.keys.signing_credentials`.
    source : binary stream, optional
        The unsigned file's bytes, when they are in memory: `path` is then
        written (signed) without writing and re-reading an unsigned copy.

    Returns
    -------
    dict
        ``{"signed": True, "format": mime, "signer": "local" | "organisation", "bytes": int}``.
    """
    c2pa = _c2pa()
    target = Path(path)
    mime = MIME_BY_SUFFIX.get(target.suffix.lower())
    if mime is None:
        raise InputError(
            f"cannot embed content credentials in {target.suffix or 'extensionless'!r} files; "
            f"use one of {', '.join(sorted(MIME_BY_SUFFIX))}"
        )
    if source is None and not target.is_file():
        raise InputError(f"cannot sign {str(target)!r}: no such file")
    creds = credentials or trust_keys.signing_credentials()
    definition = manifest_definition(
        title=title, voice=voice, software=software, version=version, mime=mime,
        watermark=watermark, author=author, extra=extra,
    )
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        try:
            signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(creds.alg, creds.cert_chain_pem, creds.private_key_pem, creds.tsa_url))
        except c2pa.C2paError as exc:
            raise InputError(f"the C2PA signing certificate or key was rejected ({exc}); see docs/trust.md") from exc
        with signer, c2pa.Builder(definition) as builder, open(tmp, "w+b") as dst:
            if source is not None:
                builder.sign(signer, mime, source, dst)
            else:
                with open(target, "rb") as src:
                    builder.sign(signer, mime, src, dst)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except c2pa.C2paError as exc:
        raise InputError(f"cannot add content credentials to {str(target)!r}: {exc}") from exc
    except OSError as exc:
        raise OutputError(f"cannot write {str(target)!r} ({exc.strerror})") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return {"signed": True, "format": mime, "signer": creds.source, "bytes": target.stat().st_size}


def _reader_context(c2pa: Any):
    anchors = []
    root = trust_keys.config_dir() / "c2pa" / "root.pem"
    if root.is_file():
        anchors.append(root.read_text())
    env = os.environ.get("TROUBADOUR_C2PA_TRUST_ANCHORS")
    if env and Path(env).expanduser().is_file():
        anchors.append(Path(env).expanduser().read_text())
    settings = json.loads(json.dumps(_OFFLINE))
    if anchors:
        settings["trust"] = {"user_anchors": "\n".join(anchors)}
    return c2pa.Context(settings=c2pa.Settings.from_dict(settings))


def read_credentials(path: str | os.PathLike) -> dict:
    """What the file's C2PA manifest claims and whether it holds.

    Returns
    -------
    dict
        ``present`` (a manifest was found), ``valid`` (signature and hashes check;
        False when a byte was changed), ``trusted`` (the certificate chains to a
        trust anchor: your own local root or ``TROUBADOUR_C2PA_TRUST_ANCHORS``),
        ``ai_generated``, ``digital_source_type``, ``title``, ``software``,
        ``software_version``, ``voice``, ``signer``, ``validation_state``,
        ``failures`` (codes) and ``error`` (why nothing could be read).
    """
    out: dict[str, Any] = {
        "present": False, "valid": False, "trusted": False, "ai_generated": False,
        "digital_source_type": None, "title": None, "software": None, "software_version": None,
        "voice": None, "signer": None, "validation_state": None, "failures": [], "error": None,
    }
    p = Path(path)
    mime = MIME_BY_SUFFIX.get(p.suffix.lower())
    if mime is None:
        out["error"] = f"content credentials are not supported in {p.suffix or 'extensionless'!r} files"
        return out
    c2pa = _c2pa()
    try:
        with open(p, "rb") as stream:
            reader = c2pa.Reader.try_create(mime, stream, None, _reader_context(c2pa))
            if reader is None:
                return out
            with reader:
                manifest = reader.get_active_manifest() or {}
                state = reader.get_validation_state()
                results = reader.get_validation_results() or {}
    except c2pa.C2paError as exc:
        out["present"] = "ManifestNotFound" not in type(exc).__name__
        out["error"] = f"{type(exc).__name__.lstrip('_')}: {exc}".strip()
        return out
    except OSError as exc:
        out["error"] = f"cannot read file ({exc.strerror})"
        return out
    active = results.get("activeManifest", {}) if isinstance(results, dict) else {}
    failures = [c.get("code") for c in active.get("failure", [])]
    out.update(present=True, validation_state=state, failures=failures)
    out["valid"] = state in ("Valid", "Trusted")
    out["trusted"] = state == "Trusted"
    out["title"] = manifest.get("title")
    gen = (manifest.get("claim_generator_info") or [{}])[0]
    out["software"], out["software_version"] = gen.get("name"), gen.get("version")
    out["signer"] = (manifest.get("signature_info") or {}).get("issuer")
    for assertion in manifest.get("assertions", []):
        label, data = assertion.get("label", ""), assertion.get("data") or {}
        if label.startswith("c2pa.actions"):
            for action in data.get("actions", []):
                dst = action.get("digitalSourceType") or ""
                if action.get("action") == "c2pa.created" and dst:
                    out["digital_source_type"] = dst
                    out["ai_generated"] = out["ai_generated"] or dst.rsplit("/", 1)[-1] in _AI_SOURCE_TYPES
                out["voice"] = out["voice"] or (action.get("parameters") or {}).get("voice")
        elif label == ASSERTION_LABEL:
            out["voice"] = data.get("voice") or out["voice"]
            if data.get("watermark"):
                out["watermark"] = data["watermark"]
    return out
