"""The study's key pair: answers sealed on a laptop with the public key (a libsodium sealed
box), opened on the server with the private key, which is kept in a file encrypted under a
passphrase (argon2id, then a secret box). The app never stores the passphrase."""

from __future__ import annotations

import base64
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import nacl.exceptions
import nacl.pwhash
import nacl.secret
import nacl.utils
from flask import has_app_context
from nacl.public import PrivateKey, PublicKey, SealedBox

from ..config import current_settings
from ..user_errors import UserError

PUBLIC_FILE = "study_public.json"
PRIVATE_FILE = "study_private.json"
KEY_FORMAT = "survey_app-study-key"


class StudyKeyError(UserError, ValueError):
    """A key file that cannot be used; the message says why."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass(frozen=True)
class StudyKey:
    study_id: str
    public_key: bytes

    def seal(self, plaintext: bytes) -> bytes:
        return SealedBox(PublicKey(self.public_key)).encrypt(plaintext)

    def as_json(self) -> dict[str, str]:
        return {"format": KEY_FORMAT, "study_id": self.study_id, "public_key": b64(self.public_key)}

    @classmethod
    def from_json(cls, data: object) -> StudyKey:
        if not isinstance(data, dict) or data.get("format") != KEY_FORMAT:
            raise StudyKeyError("not a survey_app study key")
        try:
            key = unb64(data["public_key"])
            study_id = str(uuid.UUID(str(data["study_id"])))
        except (KeyError, ValueError):
            raise StudyKeyError("the study key file is damaged") from None
        if len(key) != PublicKey.SIZE:
            raise StudyKeyError("the study key file is damaged")
        return cls(study_id, key)


class Opener:
    """The unlocked private key: opens sealed items. Lives only in memory."""

    def __init__(self, study_id: str, private_key: PrivateKey) -> None:
        self.study_id = study_id
        self._box = SealedBox(private_key)

    def open(self, sealed: bytes) -> bytes:
        return self._box.decrypt(sealed)


def _write_new(path: Path, text: str) -> None:
    # 0600 and never over an existing file: a lost private key loses every sealed answer.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def generate(out_dir: Path, passphrase: str) -> StudyKey:
    """A new study identity and key pair in ``out_dir`` (public and encrypted private file)."""
    if len(passphrase) < 12:
        raise StudyKeyError("the passphrase must be at least 12 characters long")
    for name in (PUBLIC_FILE, PRIVATE_FILE):
        if (out_dir / name).exists():
            raise StudyKeyError(f"{out_dir / name} exists already: a key pair is never overwritten")
    out_dir.mkdir(parents=True, exist_ok=True)
    private = PrivateKey.generate()
    key = StudyKey(str(uuid.uuid4()), bytes(private.public_key))
    salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
    ops, mem = kdf_limits()
    wrapping = nacl.pwhash.argon2id.kdf(
        nacl.secret.SecretBox.KEY_SIZE, passphrase.encode(), salt, opslimit=ops, memlimit=mem
    )
    sealed = nacl.secret.SecretBox(wrapping).encrypt(bytes(private))
    private_doc = {
        "format": KEY_FORMAT + "-private",
        "study_id": key.study_id,
        "kdf": "argon2id",
        "salt": b64(salt),
        "opslimit": ops,
        "memlimit": mem,
        "box": b64(bytes(sealed)),
    }
    _write_new(out_dir / PRIVATE_FILE, json.dumps(private_doc, indent=1))
    _write_new(out_dir / PUBLIC_FILE, json.dumps(key.as_json(), indent=1))
    return key


def kdf_limits() -> tuple[int, int]:
    """argon2id's cost for the passphrase that wraps the private key: libsodium's "moderate"
    (256 MiB, about a second), except in the test suite's own apps, which make dozens of keys
    (SURVEY_APP_ENV=testing: the minimum). The file records the cost, so unlock reads it there."""
    if has_app_context() and current_settings().env == "testing":
        return nacl.pwhash.argon2id.OPSLIMIT_MIN, nacl.pwhash.argon2id.MEMLIMIT_MIN
    return nacl.pwhash.argon2id.OPSLIMIT_MODERATE, nacl.pwhash.argon2id.MEMLIMIT_MODERATE


def read_public(path: Path) -> StudyKey:
    try:
        return StudyKey.from_json(json.loads(path.read_text()))
    except FileNotFoundError:
        raise StudyKeyError(
            f"no study public key at {path}: run `flask --app survey_app field keygen`"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise StudyKeyError(f"{path} is not a study key file") from None


def unlock(path: Path, passphrase: str) -> Opener:
    """The private key from its file; a wrong passphrase is one clear error."""
    try:
        doc = json.loads(path.read_text())
        if doc.get("format") != KEY_FORMAT + "-private" or doc.get("kdf") != "argon2id":
            raise StudyKeyError(f"{path} is not a study private key file")
        wrapping = nacl.pwhash.argon2id.kdf(
            nacl.secret.SecretBox.KEY_SIZE,
            passphrase.encode(),
            unb64(doc["salt"]),
            opslimit=int(doc["opslimit"]),
            memlimit=int(doc["memlimit"]),
        )
        secret = nacl.secret.SecretBox(wrapping).decrypt(unb64(doc["box"]))
        return Opener(str(doc["study_id"]), PrivateKey(secret))
    except FileNotFoundError:
        raise StudyKeyError(f"no private key at {path}") from None
    except nacl.exceptions.CryptoError:
        raise StudyKeyError("wrong passphrase for the study's private key") from None
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, ValueError, AttributeError):
        raise StudyKeyError(f"{path} is not a study private key file") from None
