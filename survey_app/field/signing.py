"""Who made a file (issue 21): Ed25519 signatures (PyNaCl). The server signs every bundle with
the study's signing key, whose fingerprint a laptop pins at ``field init``; each laptop signs
its batches with a key of its own, made at ``init`` and enrolled on the server. A signature
covers the whole document but its own field, in one canonical JSON form."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import nacl.exceptions
from nacl.signing import SigningKey, VerifyKey

from ..user_errors import UserError
from .sealing import b64, unb64

SIGNING_FILE = "study_signing.json"
SIGNING_FORMAT = "survey_app-study-signing-key"
FIELD = "signature"


class SignatureError(UserError, ValueError):
    """A signature, or a key, that cannot be used; the message says why."""


def fingerprint(verify_key: bytes) -> str:
    """What two people read to each other: the SHA-256 of the public key, 16 bytes in groups."""
    digest = hashlib.sha256(verify_key).hexdigest()[:32]
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def _canonical(doc: dict[str, Any]) -> bytes:
    body = {k: v for k, v in doc.items() if k != FIELD}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def sign(doc: dict[str, Any], key: SigningKey) -> dict[str, Any]:
    """``doc`` with its signature added."""
    return {**doc, FIELD: b64(key.sign(_canonical(doc)).signature)}


def verifies(doc: dict[str, Any], verify_key: bytes) -> bool:
    """True when ``doc`` carries a signature by ``verify_key`` over all else it holds."""
    try:
        VerifyKey(verify_key).verify(_canonical(doc), unb64(doc.get(FIELD)))
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, ValueError, TypeError):
        return False
    return True


def verify_key_of(text: object) -> bytes:
    """A public signing key from its base64 text, or SignatureError."""
    try:
        raw = unb64(text)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise SignatureError("this is not a signing key")
    return raw


def new_key() -> SigningKey:
    return SigningKey.generate()


def key_from_seed(seed: str) -> SigningKey:
    return SigningKey(unb64(seed))


def seed_of(key: SigningKey) -> str:
    return b64(bytes(key))


def public_of(key: SigningKey) -> str:
    return b64(bytes(key.verify_key))


def write_study_key(out_dir: Path) -> SigningKey:
    """The study's signing key, in a new file readable by its owner only. It signs bundles and
    nothing else: kept beside the server's database, which holds more than it protects."""
    path = out_dir / SIGNING_FILE
    out_dir.mkdir(parents=True, exist_ok=True)
    key = new_key()
    text = json.dumps({"format": SIGNING_FORMAT, "seed": seed_of(key)})
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise SignatureError(f"{path} exists already: a signing key is never overwritten") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    return key


def read_study_key(key_dir: Path) -> SigningKey:
    path = key_dir / SIGNING_FILE
    try:
        doc = json.loads(path.read_text())
        if doc.get("format") != SIGNING_FORMAT:
            raise ValueError
        return key_from_seed(doc["seed"])
    except FileNotFoundError:
        raise SignatureError(
            f"no study signing key at {path}: run `flask --app survey_app field signing-key`"
        ) from None
    except (ValueError, KeyError, TypeError, AttributeError, nacl.exceptions.ValueError):
        raise SignatureError(f"{path} is not a study signing key file") from None
