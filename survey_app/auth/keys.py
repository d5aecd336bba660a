"""Security keys and platform authenticators (WebAuthn) as a second factor beside the
authenticator app, through py_webauthn (Duo Labs): registration from the account page, an
assertion at login instead of a code.

What is refused: an assertion signed by a key of another account (the key is looked up among
the pending user's own only); one for a challenge not issued to this browser, or issued before
her last accepted key login (a replay, even with the old session cookie: ``key_challenge_at``
moves forward by a guarded update, as the TOTP step does); and one whose signature counter did
not move forward, when the authenticator keeps one (a cloned key)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select, update
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    parse_authentication_credential_json,
)
from webauthn.helpers.exceptions import (
    InvalidAuthenticationResponse,
    InvalidJSONStructure,
    InvalidRegistrationResponse,
)
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from ..models import SecurityKey, User, record_audit
from ..models.types import DbSession, utcnow
from . import totp

RP_NAME = "survey_app"
NAME_LENGTH = 60
CHALLENGE_SECONDS = 300  # as long as the password step lasts


class KeyRefused(Exception):
    """The browser's answer is not accepted; the message is for her."""


@dataclass(frozen=True)
class Party:
    """Who the browser must think it is talking to: the RP ID (a host name) and the origin."""

    rp_id: str
    origin: str


def keys_of(session: DbSession, user: User) -> list[SecurityKey]:
    return list(
        session.scalars(
            select(SecurityKey).where(SecurityKey.user_id == user.id).order_by(SecurityKey.id)
        )
    )


def _descriptors(keys: list[SecurityKey]) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=key.credential_id) for key in keys]


def _now_us() -> int:
    return time.time_ns() // 1000


def registration_options(
    session: DbSession, user: User, party: Party
) -> tuple[str, dict[str, Any]]:
    """(options as JSON for the browser, state to keep in her session)."""
    options = generate_registration_options(
        rp_id=party.rp_id,
        rp_name=RP_NAME,
        user_id=f"user-{user.id}".encode(),
        user_name=user.email,
        user_display_name=user.email,
        exclude_credentials=_descriptors(keys_of(session, user)),
        # No resident key: the password names her first; a key without a PIN is a second
        # factor, like the code.
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.DISCOURAGED,
        ),
        attestation=AttestationConveyancePreference.NONE,
    )
    state = {"challenge": bytes_to_base64url(options.challenge), "at": _now_us()}
    return options_to_json(options), state


def _fresh_challenge(state: object) -> tuple[bytes, int]:
    if not isinstance(state, dict) or not isinstance(state.get("challenge"), str):
        raise KeyRefused("The page had expired. Please try again.")
    issued = int(state.get("at", 0))
    if _now_us() - issued > CHALLENGE_SECONDS * 1_000_000:
        raise KeyRefused("The page had expired. Please try again.")
    return base64url_to_bytes(state["challenge"]), issued


def register(
    session: DbSession, user: User, party: Party, state: object, answer: str, name: str
) -> SecurityKey:
    """Check the browser's new credential against the challenge in ``state``; the key added."""
    name = " ".join(name.split())
    if not name or len(name) > NAME_LENGTH:
        raise KeyRefused(f"Please give the key a name of up to {NAME_LENGTH} characters.")
    challenge, _ = _fresh_challenge(state)
    try:
        verified = verify_registration_response(
            credential=answer,
            expected_challenge=challenge,
            expected_rp_id=party.rp_id,
            expected_origin=party.origin,
        )
    except (InvalidRegistrationResponse, InvalidJSONStructure, ValueError, KeyError) as exc:
        record_audit(
            session, "webauthn.register_failed", actor_id=user.id, detail={"why": str(exc)[:200]}
        )
        raise KeyRefused("The key's answer could not be checked. Please try again.") from exc
    taken = session.scalar(
        select(SecurityKey.id).where(SecurityKey.credential_id == verified.credential_id)
    )
    if taken is not None:
        raise KeyRefused("That key is registered already.")
    key = SecurityKey(
        user_id=user.id,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        name=name,
    )
    session.add(key)
    session.flush()
    record_audit(
        session,
        "webauthn.registered",
        actor_id=user.id,
        target=f"user:{user.id}",
        detail={"key": key.id, "name": name},
    )
    return key


def remove(session: DbSession, user: User, key_id: int) -> SecurityKey | None:
    key: SecurityKey | None = session.scalar(
        select(SecurityKey).where(SecurityKey.id == key_id, SecurityKey.user_id == user.id)
    )
    if key is None:
        return None
    session.delete(key)
    record_audit(
        session,
        "webauthn.removed",
        actor_id=user.id,
        target=f"user:{user.id}",
        detail={"key": key_id, "name": key.name},
    )
    return key


def authentication_options(
    session: DbSession, user: User, party: Party
) -> tuple[str, dict[str, Any]] | None:
    """(options as JSON, state to keep), or None when she has no key."""
    keys = keys_of(session, user)
    if not keys:
        return None
    options = generate_authentication_options(
        rp_id=party.rp_id,
        allow_credentials=_descriptors(keys),
        user_verification=UserVerificationRequirement.DISCOURAGED,
    )
    state = {"challenge": bytes_to_base64url(options.challenge), "at": _now_us()}
    return options_to_json(options), state


def authenticate(
    session: DbSession, user: User, party: Party, state: object, answer: str
) -> SecurityKey:
    """Check an assertion for ``user``; the key that signed it, or KeyRefused (audited).
    Counted with her wrong codes, before it is checked: the tenth refusal in a row locks
    two-step login as the tenth wrong code does (totp.Locked), and a lock refuses keys too."""
    attempt = totp.count_attempt(session, user)
    try:
        challenge, issued = _fresh_challenge(state)
        key = _check(session, user, party, challenge, issued, answer)
    except KeyRefused as exc:
        record_audit(session, "webauthn.failed", actor_id=user.id, detail={"why": str(exc)})
        totp.attempt_failed(session, user, attempt)
        raise
    totp.attempt_passed(session, user)
    record_audit(session, "webauthn.used", actor_id=user.id, detail={"key": key.id})
    return key


REFUSED = "That key's answer was not accepted. Try again, or use a code from your app."


def _check(
    session: DbSession, user: User, party: Party, challenge: bytes, issued: int, answer: str
) -> SecurityKey:
    try:
        credential = parse_authentication_credential_json(answer)
    except (
        InvalidJSONStructure,
        InvalidAuthenticationResponse,
        ValueError,
        KeyError,
        TypeError,
        json.JSONDecodeError,
    ) as exc:
        raise KeyRefused(REFUSED) from exc
    # Among her own keys only: a key of another account signs nothing for her.
    key: SecurityKey | None = session.scalar(
        select(SecurityKey).where(
            SecurityKey.credential_id == credential.raw_id, SecurityKey.user_id == user.id
        )
    )
    if key is None:
        raise KeyRefused("That key is not registered to this account.")
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=party.rp_id,
            expected_origin=party.origin,
            credential_public_key=key.public_key,
            credential_current_sign_count=key.sign_count,
        )
    except InvalidAuthenticationResponse as exc:
        raise KeyRefused(REFUSED) from exc
    # Each challenge once, even with an old session cookie or two requests at one moment.
    claimed = session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.key_challenge_at.is_(None), User.key_challenge_at < issued),
        )
        .values(key_challenge_at=issued)
        .execution_options(synchronize_session="fetch")
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise KeyRefused("That key's answer was used already. Please try again.")
    counted = session.execute(
        update(SecurityKey)
        .where(
            SecurityKey.id == key.id,
            or_(SecurityKey.sign_count < verified.new_sign_count, SecurityKey.sign_count == 0),
        )
        .values(sign_count=verified.new_sign_count, last_used_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    if counted.rowcount != 1:  # type: ignore[attr-defined]
        raise KeyRefused("That key's answer was used already. Please try again.")
    return key
