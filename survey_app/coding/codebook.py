"""The codebook's operations: key themes and themes added, renamed, merged and deleted. No
Flask here; each operation flushes and audits (names only), the request commits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update

from ..models import Coding, CodingMark, KeyTheme, Theme, record_audit
from ..models.coding import DEFINITION_MAX, NAME_MAX
from ..models.types import DbSession
from ..user_errors import UserError


class CodebookError(UserError):
    """A codebook change refused, with what to do instead."""


@dataclass(frozen=True)
class Entry:
    """A theme as the pages list it: its codings counted."""

    theme: Theme
    uses: int


def key_themes(session: DbSession) -> list[KeyTheme]:
    return list(session.scalars(select(KeyTheme).order_by(KeyTheme.name)))


def live_themes(session: DbSession) -> list[Theme]:
    """Every theme that can be ticked, by key theme then name."""
    return list(
        session.scalars(
            select(Theme)
            .join(KeyTheme)
            .where(Theme.merged_into_id.is_(None))
            .order_by(KeyTheme.name, Theme.name)
        )
    )


def uses(session: DbSession) -> dict[int, int]:
    """How many codings carry each theme."""
    rows = session.execute(
        select(CodingMark.theme_id, func.count()).group_by(CodingMark.theme_id)
    ).all()
    return {theme_id: count for theme_id, count in rows}


def _clean(name: str, definition: str) -> tuple[str, str]:
    name, definition = " ".join(name.split()), definition.strip()
    if not name:
        raise CodebookError("Please give the theme a name.")
    if len(name) > NAME_MAX or len(definition) > DEFINITION_MAX:
        raise CodebookError(
            f"A name is at most {NAME_MAX} characters and a definition {DEFINITION_MAX}."
        )
    return name, definition


def _key_name_taken(session: DbSession, name: str, but: int | None = None) -> bool:
    query = select(KeyTheme.id).where(func.lower(KeyTheme.name) == name.lower())
    return any(found != but for found in session.scalars(query))


def _theme_name_taken(session: DbSession, name: str, but: int | None = None) -> bool:
    query = select(Theme.id).where(
        func.lower(Theme.name) == name.lower(), Theme.merged_into_id.is_(None)
    )
    return any(found != but for found in session.scalars(query))


def add_key_theme(
    session: DbSession, name: str, definition: str, *, actor_id: int | None
) -> KeyTheme:
    name, definition = _clean(name, definition)
    if _key_name_taken(session, name):
        raise CodebookError(f"There is a key theme called “{name}” already.", 409)
    made = KeyTheme(name=name, definition=definition)
    session.add(made)
    session.flush()
    record_audit(
        session, "coding.key_theme_added", actor_id=actor_id, target=f"key_theme:{made.id}"
    )
    return made


def edit_key_theme(
    session: DbSession, key_theme: KeyTheme, name: str, definition: str, *, actor_id: int | None
) -> None:
    name, definition = _clean(name, definition)
    if _key_name_taken(session, name, but=key_theme.id):
        raise CodebookError(f"There is a key theme called “{name}” already.", 409)
    detail = {"from": key_theme.name, "to": name} if name != key_theme.name else {}
    key_theme.name, key_theme.definition = name, definition
    session.flush()
    record_audit(
        session,
        "coding.key_theme_edited",
        actor_id=actor_id,
        target=f"key_theme:{key_theme.id}",
        detail=detail,
    )


def add_theme(
    session: DbSession, key_theme: KeyTheme, name: str, definition: str, *, actor_id: int | None
) -> Theme:
    name, definition = _clean(name, definition)
    if _theme_name_taken(session, name):
        raise CodebookError(f"There is a theme called “{name}” already.", 409)
    made = Theme(key_theme=key_theme, name=name, definition=definition)
    session.add(made)
    session.flush()
    record_audit(session, "coding.theme_added", actor_id=actor_id, target=f"theme:{made.id}")
    return made


def edit_theme(
    session: DbSession,
    theme: Theme,
    key_theme: KeyTheme,
    name: str,
    definition: str,
    *,
    actor_id: int | None,
) -> None:
    """Rename, redefine or move a theme: its id stays, so its codings and history stay."""
    if not theme.is_live:
        raise CodebookError("This theme was merged into another; edit that one instead.", 409)
    name, definition = _clean(name, definition)
    if _theme_name_taken(session, name, but=theme.id):
        raise CodebookError(f"There is a theme called “{name}” already.", 409)
    detail: dict[str, str] = {}
    if name != theme.name:
        detail.update({"from": theme.name, "to": name})
    if key_theme.id != theme.key_theme_id:
        detail["key_theme"] = key_theme.name
    theme.name, theme.definition, theme.key_theme = name, definition, key_theme
    session.flush()
    record_audit(
        session, "coding.theme_edited", actor_id=actor_id, target=f"theme:{theme.id}", detail=detail
    )


def merge_theme(session: DbSession, theme: Theme, into: Theme, *, actor_id: int | None) -> int:
    """Move ``theme``'s codings to ``into`` (a coding that carries both keeps one mark, with
    the first quote it has) and keep ``theme`` as merged. Returns the codings moved."""
    if theme.id == into.id or not theme.is_live or not into.is_live:
        raise CodebookError("Please choose another theme, one still in the codebook.", 422)
    both = select(CodingMark.coding_id).where(CodingMark.theme_id == into.id)
    doubles = list(
        session.scalars(
            select(CodingMark).where(
                CodingMark.theme_id == theme.id, CodingMark.coding_id.in_(both)
            )
        )
    )
    for mark in doubles:
        kept = session.get(CodingMark, (mark.coding_id, into.id))
        if kept is not None and not kept.quote:
            kept.quote = mark.quote
        session.delete(mark)
    session.flush()
    moved = session.execute(
        update(CodingMark).where(CodingMark.theme_id == theme.id).values(theme_id=into.id)
    ).rowcount  # type: ignore[attr-defined]
    theme.merged_into_id = into.id
    _touch_codings(session, into.id)
    session.flush()
    record_audit(
        session,
        "coding.theme_merged",
        actor_id=actor_id,
        target=f"theme:{theme.id}",
        detail={"name": theme.name, "into": into.id, "into_name": into.name},
    )
    return int(moved or 0) + len(doubles)


def _touch_codings(session: DbSession, theme_id: int) -> None:
    # A coding form opened before the merge names the old theme: its save must be refused.
    carrying = select(CodingMark.coding_id).where(CodingMark.theme_id == theme_id)
    session.execute(
        update(Coding).where(Coding.id.in_(carrying)).values(version=Coding.version + 1)
    )


def delete_theme(session: DbSession, theme: Theme, *, actor_id: int | None) -> None:
    """Delete an unused theme; a theme that codings carry is refused (merge it instead)."""
    count = session.scalar(select(func.count()).where(CodingMark.theme_id == theme.id)) or 0
    if count:
        raise CodebookError(
            f"“{theme.name}” is used in {count} coding{'' if count == 1 else 's'}, so it cannot "
            "be deleted. Merge it into another theme instead: its codings follow the merge.",
            409,
        )
    if session.scalar(select(func.count()).where(Theme.merged_into_id == theme.id)):
        raise CodebookError(
            f"Other themes were merged into “{theme.name}”, so it stays; rename it instead.", 409
        )
    record_audit(
        session,
        "coding.theme_deleted",
        actor_id=actor_id,
        target=f"theme:{theme.id}",
        detail={"name": theme.name},
    )
    session.execute(delete(Theme).where(Theme.id == theme.id))
    session.flush()


def delete_key_theme(session: DbSession, key_theme: KeyTheme, *, actor_id: int | None) -> None:
    if session.scalar(select(func.count()).where(Theme.key_theme_id == key_theme.id)):
        raise CodebookError(
            f"“{key_theme.name}” still holds themes: move or delete them first.", 409
        )
    record_audit(
        session,
        "coding.key_theme_deleted",
        actor_id=actor_id,
        target=f"key_theme:{key_theme.id}",
        detail={"name": key_theme.name},
    )
    session.execute(delete(KeyTheme).where(KeyTheme.id == key_theme.id))
    session.flush()
