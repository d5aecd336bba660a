"""Coding open answers into themes: the study's codebook (key themes and their themes), the
open questions being coded, and each coder's coding of an answer with its themes and quotes.

An answer is named by ``answer_ref``: ``r<response id>`` for a questionnaire's answer,
``f<case form id>`` for a case form's. Codings keep only that reference, never the text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    delete,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import DbSession, utcnow
from .users import User

NAME_MAX, DEFINITION_MAX, QUOTE_MAX = 120, 500, 2000
# Who holds a coding of an answer: the one coder of a question coded once; each of the two
# coders of a question coded twice ("a", "b"), and the settled coding of their disagreement.
SLOT_MAIN, SLOT_A, SLOT_B, SLOT_SETTLED = "main", "a", "b", "settled"
SLOTS = (SLOT_MAIN, SLOT_A, SLOT_B, SLOT_SETTLED)
_LIVE_THEME = "merged_into_id IS NULL"


class KeyTheme(db.Model):  # type: ignore[name-defined,misc]
    """The upper level of the codebook: a group of themes."""

    __tablename__ = "coding_key_themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    definition: Mapped[str] = mapped_column(String(DEFINITION_MAX), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    themes: Mapped[list[Theme]] = relationship(back_populates="key_theme", order_by="Theme.name")


class Theme(db.Model):  # type: ignore[name-defined,misc]
    """A theme under a key theme. Renamed, it keeps its id (its codings and audit history);
    merged into another, it stays as a row pointing at the theme that took its codings."""

    __tablename__ = "coding_themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_theme_id: Mapped[int] = mapped_column(ForeignKey("coding_key_themes.id"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    definition: Mapped[str] = mapped_column(String(DEFINITION_MAX), default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("coding_themes.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    key_theme: Mapped[KeyTheme] = relationship(back_populates="themes")

    __table_args__ = (
        CheckConstraint("merged_into_id IS NULL OR merged_into_id <> id", name="merged_elsewhere"),
        # Two live themes never share a name; a merged theme's old name may be used again.
        Index(
            "uq_coding_themes_live_name",
            "name",
            unique=True,
            sqlite_where=text(_LIVE_THEME),
            postgresql_where=text(_LIVE_THEME),
        ),
    )

    @property
    def is_live(self) -> bool:
        return self.merged_into_id is None


class CodingQuestion(db.Model):  # type: ignore[name-defined,misc]
    """An open question being coded (an instrument's text item, by key and variable), and
    whether two coders code it, blind to each other."""

    __tablename__ = "coding_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_key: Mapped[str] = mapped_column(String(80))
    variable: Mapped[str] = mapped_column(String(80))
    coder_a_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    coder_b_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    coder_a: Mapped[User | None] = relationship(foreign_keys=[coder_a_id])
    coder_b: Mapped[User | None] = relationship(foreign_keys=[coder_b_id])

    __table_args__ = (
        UniqueConstraint("instrument_key", "variable", name="uq_coding_questions_item"),
        CheckConstraint("(coder_a_id IS NULL) = (coder_b_id IS NULL)", name="both_coders"),
        CheckConstraint("coder_a_id IS NULL OR coder_a_id <> coder_b_id", name="two_coders"),
    )

    @property
    def is_double(self) -> bool:
        return self.coder_a_id is not None


class Coding(db.Model):  # type: ignore[name-defined,misc]
    """One coder's coding of one answer: the themes it carries (``marks``). The unique
    constraint makes a second coding of the same answer and slot fail, not overwrite."""

    __tablename__ = "coding_codings"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("coding_questions.id", ondelete="CASCADE"), index=True
    )
    answer_ref: Mapped[str] = mapped_column(String(40))
    slot: Mapped[str] = mapped_column(String(10))
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Raised at every save: a form made on an older version is refused, not applied.
    version: Mapped[int] = mapped_column(default=1)
    coded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    coder: Mapped[User | None] = relationship()
    marks: Mapped[list[CodingMark]] = relationship(
        back_populates="coding", cascade="all, delete-orphan", order_by="CodingMark.theme_id"
    )

    __table_args__ = (
        UniqueConstraint("question_id", "answer_ref", "slot", name="uq_coding_codings_answer_slot"),
        CheckConstraint("slot IN ('main', 'a', 'b', 'settled')", name="slot"),
    )

    @property
    def theme_ids(self) -> frozenset[int]:
        return frozenset(mark.theme_id for mark in self.marks)


class CodingMark(db.Model):  # type: ignore[name-defined,misc]
    """A theme an answer carries in one coding, with the passage quoted for it (optional)."""

    __tablename__ = "coding_marks"

    coding_id: Mapped[int] = mapped_column(
        ForeignKey("coding_codings.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(ForeignKey("coding_themes.id"), primary_key=True)
    quote: Mapped[str | None] = mapped_column(Text)

    coding: Mapped[Coding] = relationship(back_populates="marks")
    theme: Mapped[Theme] = relationship()


def forget_responses(session: DbSession, response_ids: Sequence[str]) -> None:
    """Delete the codings of answers whose responses are being deleted (a withdrawal that
    deletes her answers): their quotes are her words, and go with them."""
    refs = [f"r{rid}" for rid in response_ids]
    if refs:
        session.execute(
            delete(Coding)
            .where(Coding.answer_ref.in_(refs))
            .execution_options(synchronize_session="fetch")
        )
