"""Publishing instrument versions and the study's sites and waves into the database.

Operations flush; the caller (a CLI command or a request) commits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from ..kinds import Audience
from ..models import CaseForm, CaseFormStatus, InstrumentVersion, Response, Site, Wave, record_audit
from ..models.types import DbSession
from ..study import Study
from .loader import InstrumentError, content_hash, load_all


@dataclass(frozen=True)
class SyncResult:
    key: str
    version: int
    content_hash: str
    status: str  # "published" or "unchanged"


def sync_study(session: DbSession, study: Study) -> None:
    sites = {s.code: s for s in session.scalars(select(Site))}
    for config in study.sites:
        site = sites.get(config.code) or Site(code=config.code)
        site.name, site.kind = config.name, config.kind
        session.add(site)
    waves = {w.code: w for w in session.scalars(select(Wave))}
    for position, wconf in enumerate(study.waves, start=1):
        wave = waves.get(wconf.code) or Wave(code=wconf.code)
        wave.label = wconf.label
        wave.position = position
        wave.offset_months = wconf.offset_months
        wave.window_start_months = wconf.window_start_months
        wave.window_end_months = wconf.window_end_months
        session.add(wave)
    session.flush()


def sync_instruments(
    session: DbSession, definitions: list[dict[str, Any]] | None = None, study: Study | None = None
) -> list[SyncResult]:
    """Publish each file's (key, version). Unchanged content is a no-op; the same (key,
    version) with different content is refused as a whole, before anything is written."""
    definitions = load_all() if definitions is None else definitions
    if study is not None:
        _check_schedule(study, definitions)
    results = _compare(session, definitions)
    _publish(session, definitions, results)
    session.flush()
    return results


def _check_schedule(study: Study, definitions: list[dict[str, Any]]) -> None:
    """Every instrument the study's schedule names is among the definitions."""
    keys = {d["key"] for d in definitions}
    unknown = [e.instrument for e in study.schedule if e.instrument not in keys]
    if unknown:
        raise InstrumentError(
            [f"{study.source}: schedule: unknown instrument {k!r}" for k in unknown]
        )


def _compare(session: DbSession, definitions: list[dict[str, Any]]) -> list[SyncResult]:
    """Each definition against the published versions: new or unchanged; any (key, version)
    published with other content refuses the lot."""
    published = {(v.key, v.version): v for v in session.scalars(select(InstrumentVersion))}
    results: list[SyncResult] = []
    conflicts: list[str] = []
    for definition in definitions:
        ident = (definition["key"], definition["version"])
        digest = content_hash(definition)
        existing = published.get(ident)
        if existing is None:
            results.append(SyncResult(*ident, digest, "published"))
        elif existing.content_hash == digest:
            results.append(SyncResult(*ident, digest, "unchanged"))
        else:
            conflicts.append(
                f"{ident[0]} v{ident[1]}: the file differs from the published version "
                f"(hash {digest[:12]} vs {existing.content_hash[:12]}): "
                f"raise the version number to publish a change"
            )
    if conflicts:
        raise InstrumentError(conflicts)
    return results


def _publish(
    session: DbSession, definitions: list[dict[str, Any]], results: list[SyncResult]
) -> None:
    """Add the new versions, each with its audit record."""
    by_ident = {(d["key"], d["version"]): d for d in definitions}
    for result in results:
        if result.status != "published":
            continue
        definition = by_ident[(result.key, result.version)]
        session.add(
            InstrumentVersion(
                key=result.key,
                version=result.version,
                audience=Audience(definition["audience"]),
                title=definition["title"]["en"][:300],
                content_hash=result.content_hash,
                definition=definition,
            )
        )
        record_audit(
            session,
            kind="instrument.published",
            target=f"{result.key} v{result.version}",
            detail={"hash": result.content_hash},
        )


def version_table(session: DbSession) -> list[tuple[InstrumentVersion, int]]:
    """Every published version with its count of responses; a case form's version, with its
    count of sent forms (case forms are not responses)."""
    responses = select(Response.instrument_version_id, func.count()).group_by(
        Response.instrument_version_id
    )
    forms = (
        select(CaseForm.instrument_version_id, func.count())
        .where(CaseForm.status == CaseFormStatus.SUBMITTED)
        .group_by(CaseForm.instrument_version_id)
    )
    counts: dict[int, int] = {}
    for query in (responses, forms):
        for version_id, count in session.execute(query):
            counts[version_id] = counts.get(version_id, 0) + count
    versions = session.scalars(
        select(InstrumentVersion).order_by(InstrumentVersion.key, InstrumentVersion.version)
    )
    return [(v, counts.get(v.id, 0)) for v in versions]


def latest_version(session: DbSession, key: str) -> InstrumentVersion | None:
    return session.scalar(
        select(InstrumentVersion)
        .where(InstrumentVersion.key == key)
        .order_by(InstrumentVersion.version.desc())
        .limit(1)
    )
