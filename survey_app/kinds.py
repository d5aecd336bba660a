"""The fixed kinds the app is built around: who answers (audience), how (channel) and what an
account may do (role). Each is defined here once; the models store their values as columns,
and the study file, instrument files, config, forms and exports read them from here.

This module imports nothing else of the app, so that config and the instrument schemas can use
it without pulling in the database layer.
"""

from __future__ import annotations

import enum


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


def values(kind: type[enum.StrEnum]) -> list[str]:
    """The stored strings of ``kind``, in definition order (for columns and messages)."""
    return [member.value for member in kind]
