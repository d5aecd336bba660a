"""The query string of an API call, read strictly: an unknown parameter, a date that is not
YYYY-MM-DD, a site or version that does not exist is a 400 naming it (a typo in a pipeline
must not quietly return everything)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from flask import current_app, request
from sqlalchemy import select

from ..export.filters import ExportFilters
from ..extensions import db
from ..models import InstrumentVersion, Site
from ..numbers import whole_number
from ..user_errors import UserError

MAX_LIMIT = 500
DEFAULT_LIMIT = 100
EXPORT_PARAMETERS = ("site", "from", "to", "version", "publication")


def bad(message: str) -> UserError:
    return UserError(message, 400)


def check_names(allowed: Iterable[str]) -> None:
    known = set(allowed)
    unknown = sorted(set(request.args) - known)
    if unknown:
        raise bad(
            f"Unknown parameter {unknown[0]!r}: this call takes {', '.join(sorted(known)) or 'none'}."
        )
    repeated = sorted(name for name in known - {"version"} if len(request.args.getlist(name)) > 1)
    if repeated:
        raise bad(f"Parameter {repeated[0]!r} is given more than once.")


def text(name: str) -> str | None:
    value = request.args.get(name)
    return value if value else None


def date(name: str) -> dt.date | None:
    value = text(name)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else _bad_date(name, value)
    except ValueError:
        return _bad_date(name, value)


def _bad_date(name: str, value: str) -> dt.date:
    raise bad(f"{name}={value[:40]!r} is not a date: write YYYY-MM-DD.")


def dates() -> tuple[dt.date | None, dt.date | None]:
    start, end = date("from"), date("to")
    if start and end and end < start:
        raise bad("'to' is before 'from'.")
    return start, end


def flag(name: str, default: bool) -> bool:
    value = text(name)
    if value is None:
        return default
    if value in ("1", "true", "yes"):
        return True
    if value in ("0", "false", "no"):
        return False
    raise bad(f"{name}={value[:40]!r}: write 1 or 0.")


def limit() -> int:
    value = text("limit")
    if value is None:
        return DEFAULT_LIMIT
    number = whole_number(value, low=1, high=MAX_LIMIT)
    if number is None:
        raise bad(f"limit={value[:40]!r}: a whole number from 1 to {MAX_LIMIT}.")
    return number


def site() -> Site | None:
    code = text("site")
    if code is None:
        return None
    found: Site | None = db.session.scalar(select(Site).where(Site.code == code))
    if found is None:
        codes = ", ".join(db.session.scalars(select(Site.code).order_by(Site.code)))
        raise bad(f"site={code[:40]!r} is not a site of this study ({codes}).")
    return found


def choice(name: str, choices: Iterable[str]) -> str | None:
    value = text(name)
    allowed = list(choices)
    if value is not None and value not in allowed:
        raise bad(f"{name}={value[:40]!r}: one of {', '.join(allowed)}.")
    return value


def export_filters(*, publication_default: bool) -> ExportFilters:
    """The export's and the report's filters: site, from, to, version (key:version, repeated)
    and publication."""
    chosen = site()
    start, end = dates()
    known = {
        f"{key}:{version}"
        for key, version in db.session.execute(
            select(InstrumentVersion.key, InstrumentVersion.version)
        )
    }
    versions = frozenset(request.args.getlist("version"))
    unknown = sorted(versions - known)
    if unknown:
        raise bad(f"version={unknown[0][:60]!r} is not a published version (write key:number).")
    return ExportFilters(
        site=chosen.code if chosen else None,
        date_from=start,
        date_to=end,
        versions=versions,
        publication=flag("publication", publication_default),
        threshold=current_app.config["PUBLICATION_THRESHOLD"],
    )
