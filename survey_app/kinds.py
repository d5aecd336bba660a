"""The fixed kinds the app is built around: who answers (audience), how (channel), what an
account may do (role), what a site is, where a response, a case and a case form stand, and
which kind each case form is. Each is defined here once; the models store their values as
columns (with a CHECK), and the study file, instrument files, config, forms, pages, exports
and the report read them from here (tests/test_kinds.py finds any value written out elsewhere).

This module imports nothing else of the app, so that config and the instrument schemas can use
it without pulling in the database layer.
"""

from __future__ import annotations

import enum
from typing import TypeVar

K = TypeVar("K", bound=enum.StrEnum)


class Channel(enum.StrEnum):
    """How a response reaches the server."""

    KIOSK = "kiosk"  # supervised, under a participant's pseudonym
    LINK = "link"  # anonymous, through a link


class Audience(enum.StrEnum):
    """Who answers an instrument."""

    MOTHER = "mother"
    PRISON_STAFF = "prison_staff"
    PRACTITIONER = "practitioner"
    # The case tracker's forms, written by the prison-based social worker.
    CASEWORKER = "caseworker"

    @property
    def channel(self) -> Channel | None:
        """Where this audience answers: None for case forms (written on the case pages)."""
        return _CHANNELS.get(self)


_CHANNELS = {
    Audience.MOTHER: Channel.KIOSK,
    Audience.PRISON_STAFF: Channel.LINK,
    Audience.PRACTITIONER: Channel.LINK,
}

LINK_AUDIENCES = tuple(a for a in Audience if a.channel == Channel.LINK)


class Role(enum.StrEnum):
    """What an account may do (``User.has_role`` says which roles include which)."""

    ADMIN = "admin"
    RESEARCHER = "researcher"
    FIELDWORKER = "fieldworker"
    # The prison-based social worker: the cases of the sites granted to her, nothing else.
    CASEWORKER = "caseworker"


class SiteKind(enum.StrEnum):
    """What a site of the study is (study.yaml's ``kind``); the case tracker covers prisons."""

    PRISON = "prison"
    COMMUNITY = "community"
    OTHER = "other"


class ResponseStatus(enum.StrEnum):
    """Where a questionnaire response stands."""

    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"


class CaseStatus(enum.StrEnum):
    """Where a case stands: new from the moment its referral draft starts until the referral
    is sent, then open, closed by a closure and open again after a re-opening."""

    NEW = "new"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        """As the case pages show it."""
        return "referral in progress" if self is CaseStatus.NEW else self.value


class CaseFormStatus(enum.StrEnum):
    """A case form is a draft until it is sent (submitted); then it is only ever corrected."""

    DRAFT = "draft"
    SUBMITTED = "submitted"

    @property
    def label(self) -> str:
        """As the case page shows it."""
        return "draft" if self is CaseFormStatus.DRAFT else "sent"


class CaseFormKind(enum.StrEnum):
    """The four forms of a case, in the order of a case's life; each is the instrument
    ``case_<kind>`` (survey_app/instruments/files)."""

    REFERRAL = "referral"
    UPDATE = "update"
    CLOSURE = "closure"
    REOPENING = "reopening"

    @property
    def label(self) -> str:
        return _FORM_LABELS[self]

    @property
    def instrument_key(self) -> str:
        """The key of the instrument this kind of form is written on."""
        return f"case_{self.value}"

    @property
    def date_variable(self) -> str:
        """The variable of that instrument holding the form's date."""
        return _FORM_DATES[self]


_FORM_LABELS = {
    CaseFormKind.REFERRAL: "Referral",
    CaseFormKind.UPDATE: "Progress update",
    CaseFormKind.CLOSURE: "Closure",
    CaseFormKind.REOPENING: "Re-opening",
}
_FORM_DATES = {
    CaseFormKind.REFERRAL: "start_date",
    CaseFormKind.UPDATE: "update_date",
    CaseFormKind.CLOSURE: "closure_date",
    CaseFormKind.REOPENING: "reopen_date",
}


def parse(kind: type[K], raw: str) -> K | None:
    """The member of ``kind`` whose value is ``raw``, or None (for values from a request)."""
    try:
        return kind(raw)
    except ValueError:
        return None


def values(kind: type[enum.StrEnum]) -> list[str]:
    """The stored strings of ``kind``, in definition order (for columns and messages)."""
    return [member.value for member in kind]
