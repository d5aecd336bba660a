"""The field bundle: what a laptop needs to run the kiosk at one site, and nothing more (the
published instruments and the study, the site's pseudonyms with the waves done and
withdrawals, the fieldworker accounts as password hashes, the study's public key). No
answers. ``apply`` makes a database a field laptop's, or refreshes it."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from nacl.signing import SigningKey
from sqlalchemy import select

from ..instruments.publish import latest_version
from ..models import (
    Audience,
    Channel,
    InstrumentVersion,
    Participant,
    Response,
    ResponseStatus,
    Role,
    Site,
    User,
    UserSite,
    Wave,
)
from ..models.field import FieldInstance, SealedResponse
from ..models.types import DbSession, utcnow
from ..models.users import new_session_token
from ..services.responses import live_response, new_submission_key
from ..study import current_study, study_file
from ..user_errors import UserError
from . import jsonfile, signing
from .sealing import KEY_FORMAT, StudyKey, StudyKeyError, b64

FORMAT = "survey_app-field-bundle"
VERSION = 2  # 2: signed by the study's signing key (issue 21)


class BundleError(UserError, ValueError):
    """A bundle that cannot be written or taken; the message says why in one line."""


def study_file_digest() -> str:
    # The laptop runs its own copy of survey_app: its study file must be the server's.
    return hashlib.sha256(study_file().read_bytes()).hexdigest()


def when(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def build(session: DbSession, site: Site, key: StudyKey, signer: SigningKey) -> dict[str, Any]:
    """The bundle for ``site`` as a JSON-ready mapping, signed with the study's signing key."""
    return signing.sign(_contents(session, site, key, signer), signer)


def _contents(session: DbSession, site: Site, key: StudyKey, signer: SigningKey) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "bundle_id": str(uuid.uuid4()),
        "created": when(utcnow()),
        "study_id": key.study_id,
        "public_key": b64(key.public_key),
        "signing_key": signing.public_of(signer),
        "study_file_sha256": study_file_digest(),
        "site": {"code": site.code, "name": site.name, "kind": site.kind},
        "waves": [
            {
                "code": w.code,
                "label": w.label,
                "position": w.position,
                "offset_months": w.offset_months,
                "window_start_months": w.window_start_months,
                "window_end_months": w.window_end_months,
            }
            for w in session.scalars(select(Wave).order_by(Wave.position))
        ],
        "instruments": [
            {
                "key": v.key,
                "version": v.version,
                "audience": v.audience.value,
                "title": v.title,
                "content_hash": v.content_hash,
                "definition": v.definition,
                "published_at": when(v.published_at),
            }
            for v in session.scalars(
                select(InstrumentVersion).order_by(InstrumentVersion.key, InstrumentVersion.version)
            )
        ],
        "participants": _site_participants(session, site),
        # Fieldworker accounts only, as password hashes: no researcher or admin can log in
        # on a laptop, and no two-step secret leaves the server.
        "users": [
            {"email": u.email, "password_hash": u.password_hash}
            for u in site_fieldworkers(session, site)
        ],
    }


def site_fieldworkers(session: DbSession, site: Site) -> list[User]:
    """The active fieldworkers granted ``site`` on the Users page, and those granted no site
    at all (accounts made before grants, which the Users page shows as "every site")."""
    granted = select(UserSite.user_id).where(UserSite.user_id == User.id)
    return list(
        session.scalars(
            select(User)
            .where(User.role == Role.FIELDWORKER, User.active.is_(True))
            .where(granted.where(UserSite.site_id == site.id).exists() | ~granted.exists())
            .order_by(User.email)
        )
    )


def _site_participants(session: DbSession, site: Site) -> list[dict[str, Any]]:
    """The site's participants, each with the waves she has done (and when)."""
    participants = session.scalars(
        select(Participant).where(Participant.site_id == site.id).order_by(Participant.pseudonym)
    ).all()
    done: dict[int, dict[str, str | None]] = {}
    for participant_id, wave_code, completed_on in session.execute(
        select(Response.participant_id, Wave.code, Response.completed_on)
        .join(Wave, Response.wave_id == Wave.id)
        .join(Participant, Response.participant_id == Participant.id)
        .where(
            Participant.site_id == site.id,
            Response.status == ResponseStatus.COMPLETE,
            Response.voided_at.is_(None),
        )
    ):
        if participant_id is not None:
            done.setdefault(participant_id, {})[wave_code] = when(completed_on)
    return [
        {
            "pseudonym": p.pseudonym,
            "registered": when(p.created_at),
            "withdrawn": when(p.withdrawn_at),
            "waves_done": done.get(p.id, {}),
        }
        for p in participants
    ]


def parse(raw: bytes) -> dict[str, Any]:
    try:
        doc = jsonfile.loads(raw)
    except ValueError:
        raise BundleError("This file is not a field bundle (it is not readable JSON).") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BundleError("This file is not a field bundle.")
    if doc.get("version") != VERSION:
        raise BundleError(
            f"This bundle has format version {str(doc.get('version'))[:8]!r}; expected {VERSION}: "
            "make a new one on the server."
        )
    try:
        server_key = signing.verify_key_of(doc.get("signing_key"))
    except signing.SignatureError:
        raise BundleError("This field bundle is damaged or incomplete.") from None
    if not signing.verifies(doc, server_key):
        raise BundleError(
            "This bundle was altered after the server made it (its signature does not match): "
            "refused. Ask the data manager for a new one."
        )
    try:
        StudyKey.from_json(
            {"format": KEY_FORMAT, "study_id": doc["study_id"], "public_key": doc["public_key"]}
        )
        dt.datetime.fromisoformat(doc["created"])
        for name in ("site", "waves", "instruments", "participants", "users"):
            doc[name]  # noqa: B018 - presence check
    except (KeyError, TypeError, ValueError, StudyKeyError):
        raise BundleError("This field bundle is damaged or incomplete.") from None
    return doc


@dataclass(frozen=True)
class Applied:
    participants_added: int
    withdrawals: int
    users: int
    instruments_added: int


# A server's clock may run a little ahead of the laptop's; a bundle "made" later than this is
# refused, since it would make every real bundle look older than it until that time.
CLOCK_SKEW = dt.timedelta(hours=1)


def apply(session: DbSession, doc: dict[str, Any], *, laptop_id: str | None) -> Applied:
    """Take a bundle: ``laptop_id`` given makes a new field laptop (``field init``); None
    refreshes the laptop this database already is (``field refresh``). A bundle whose parts
    have the wrong shape is refused whole with one line."""
    try:
        return _apply(session, doc, laptop_id=laptop_id)
    except BundleError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError):
        raise BundleError("This field bundle is damaged or incomplete.") from None


def _apply(session: DbSession, doc: dict[str, Any], *, laptop_id: str | None) -> Applied:
    created = _created(doc)
    instance = session.get(FieldInstance, 1)
    if laptop_id is not None:
        _new_laptop(session, instance, doc, laptop_id, created)
    else:
        _refresh_laptop(instance, doc, created)
    site = _site(session, doc["site"])
    waves = _waves(session, doc["waves"])
    added_versions = _instruments(session, doc["instruments"])
    users = _users(session, doc["users"])
    added, withdrawals = _participants(session, site, waves, doc["participants"])
    session.flush()
    return Applied(added, withdrawals, users, added_versions)


def _created(doc: dict[str, Any]) -> dt.datetime:
    """When the bundle was made, once it is known to come from this version of survey_app."""
    if doc["study_file_sha256"] != study_file_digest():
        raise BundleError(
            "This laptop's survey_app has a different study file from the server's: "
            "install the same version of survey_app on both."
        )
    created = dt.datetime.fromisoformat(doc["created"])
    if created.tzinfo is not None or created > utcnow() + CLOCK_SKEW:
        raise BundleError(
            f"This bundle says it was made in the future ({created:%Y-%m-%d %H:%M} UTC): "
            "check this laptop's clock, or ask for a new bundle."
        )
    return created


def _new_laptop(
    session: DbSession,
    instance: FieldInstance | None,
    doc: dict[str, Any],
    laptop_id: str,
    created: dt.datetime,
) -> None:
    """``field init``: an empty database becomes a field laptop."""
    if instance is not None:
        raise BundleError("This database is a field laptop already: use `field refresh`.")
    if session.scalar(select(User.id).limit(1)) or session.scalar(select(Participant.id).limit(1)):
        raise BundleError(
            "This database holds data already: a field laptop starts from an empty one."
        )
    session.add(
        FieldInstance(
            id=1,
            laptop_id=laptop_id,
            study_id=doc["study_id"],
            site_code=doc["site"]["code"],
            public_key=doc["public_key"],
            bundle_id=doc["bundle_id"],
            bundle_created=created,
            server_key=doc["signing_key"],
            signing_key=signing.seed_of(signing.new_key()),
        )
    )


def _refresh_laptop(
    instance: FieldInstance | None, doc: dict[str, Any], created: dt.datetime
) -> None:
    """``field refresh``: a newer bundle for this laptop's study, key and site."""
    if instance is None:
        raise BundleError("This database is not a field laptop: use `field init` first.")
    if doc["study_id"] != instance.study_id:
        raise BundleError("This bundle is for another study than this laptop's.")
    if instance.server_key is None or doc["signing_key"] != instance.server_key:
        # Signed, but not by the key this laptop pinned at init: not the study's server.
        raise BundleError(
            "This bundle is not signed by the study's signing key this laptop was set up with: "
            "refused. If the key really changed, send what the laptop holds, then set it up "
            "again with `field init`."
        )
    if doc["public_key"] != instance.public_key:
        # Sealing to a key the laptop was not set up with would send her answers to
        # whoever made that key: a new study key means a new `field init`.
        raise BundleError(
            "This bundle carries a different study key from the laptop's: refused. "
            "If the study's key really changed, send what the laptop holds, then set it up "
            "again with `field init`."
        )
    if doc["site"]["code"] != instance.site_code:
        raise BundleError(
            f"This bundle is for site {doc['site']['code']!r}; "
            f"this laptop is for {instance.site_code!r}."
        )
    if created <= instance.bundle_created:
        raise BundleError(
            f"This bundle (made {created:%Y-%m-%d %H:%M}) is not newer than the laptop's "
            f"(made {instance.bundle_created:%Y-%m-%d %H:%M}): nothing changed."
        )
    instance.bundle_id = doc["bundle_id"]
    instance.bundle_created = created


def _site(session: DbSession, data: dict[str, Any]) -> Site:
    site = session.scalar(select(Site).where(Site.code == data["code"]))
    if site is None:
        site = Site(code=data["code"])
        session.add(site)
    site.name, site.kind = data["name"], data["kind"]
    return site


def _waves(session: DbSession, rows: list[dict[str, Any]]) -> dict[str, Wave]:
    waves = {w.code: w for w in session.scalars(select(Wave))}
    for data in rows:
        wave = waves.get(data["code"])
        if wave is None:
            wave = waves[data["code"]] = Wave(code=data["code"])
            session.add(wave)
        for name in ("label", "position", "offset_months"):
            setattr(wave, name, data[name])
        wave.window_start_months = data.get("window_start_months")
        wave.window_end_months = data.get("window_end_months")
    return waves


def _instruments(session: DbSession, rows: list[dict[str, Any]]) -> int:
    added = 0
    for data in rows:
        version = session.scalar(
            select(InstrumentVersion).where(
                InstrumentVersion.key == data["key"],
                InstrumentVersion.version == data["version"],
            )
        )
        if version is not None:
            if version.content_hash != data["content_hash"]:
                raise BundleError(
                    f"{data['key']} v{data['version']} differs on this laptop from the "
                    "server's: a published version never changes."
                )
            continue
        session.add(
            InstrumentVersion(
                key=data["key"],
                version=data["version"],
                audience=Audience(data["audience"]),
                title=data["title"],
                content_hash=data["content_hash"],
                definition=data["definition"],
                published_at=dt.datetime.fromisoformat(data["published_at"]),
            )
        )
        added += 1
    session.flush()
    return added


def _users(session: DbSession, rows: list[dict[str, Any]]) -> int:
    """The bundle's fieldworkers, and only they, can log in on the laptop."""
    listed = {data["email"]: data["password_hash"] for data in rows}
    for user in session.scalars(select(User)):
        wanted = listed.pop(user.email, None)
        if wanted is None:
            if user.active:
                user.active = False
                user.revoke_sessions()
        elif user.password_hash != wanted or not user.active:
            user.password_hash, user.active = wanted, True
            user.revoke_sessions()
    for email, password_hash in listed.items():
        session.add(
            User(
                email=email,
                password_hash=password_hash,
                role=Role.FIELDWORKER,
                session_token=new_session_token(),
            )
        )
    return len(rows)


def _participants(
    session: DbSession, site: Site, waves: dict[str, Wave], rows: list[dict[str, Any]]
) -> tuple[int, int]:
    known = {p.pseudonym: p for p in session.scalars(select(Participant))}
    sealed = {
        (row[0], row[1])
        for row in session.execute(select(SealedResponse.pseudonym, SealedResponse.wave_code))
    }
    added = withdrawals = 0
    for data in rows:
        participant = known.get(data["pseudonym"])
        if participant is None:
            participant = Participant(
                pseudonym=data["pseudonym"],
                site=site,
                created_at=dt.datetime.fromisoformat(data["registered"]),
            )
            session.add(participant)
            added += 1
        if data["withdrawn"] and participant.withdrawn_at is None:
            participant.withdrawn_at = dt.datetime.fromisoformat(data["withdrawn"])
            participant.withdrawal_reason = "withdrawn on the server"
            withdrawals += 1
        session.flush()
        for wave_code, completed in data["waves_done"].items():
            wave = waves.get(wave_code)
            if wave is None or (data["pseudonym"], wave_code) in sealed:
                continue
            if live_response(session, participant, wave) is not None:
                continue
            _mark_done(session, participant, wave, dt.date.fromisoformat(completed))
    return added, withdrawals


def _mark_done(session: DbSession, participant: Participant, wave: Wave, on: dt.date) -> None:
    """A wave done on the server: a complete response with no answers, so that the laptop's
    kiosk refuses a second one and warns of a missing earlier wave as the server does."""
    key = current_study().instrument_for(Audience.MOTHER, wave.code)
    version = latest_version(session, key) if key else None
    if version is None:
        return
    session.add(
        Response(
            instrument_version=version,
            channel=Channel.KIOSK,
            participant=participant,
            wave=wave,
            status=ResponseStatus.COMPLETE,
            submission_key=new_submission_key(),
            answers={},
            started_on=on,
            completed_on=on,
            flags={"done_elsewhere": True},
        )
    )
