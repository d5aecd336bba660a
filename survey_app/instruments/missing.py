"""Missing-data codes. A blank means skipped; the others are answers about not answering."""

from __future__ import annotations

from typing import Final

DONT_KNOW: Final = -1
PREFER_NOT_TO_SAY: Final = -2
NOT_APPLICABLE: Final = -3  # set by skip logic only, never offered to a respondent

# name used in instrument files -> code
OFFERABLE: Final[dict[str, int]] = {"dont_know": DONT_KNOW, "prefer_not_to_say": PREFER_NOT_TO_SAY}

LABELS: Final[dict[int, dict[str, str]]] = {
    DONT_KNOW: {"en": "Don't know", "cy": "Ddim yn gwybod"},
    PREFER_NOT_TO_SAY: {"en": "Prefer not to say", "cy": "Gwell gen i beidio â dweud"},
    NOT_APPLICABLE: {"en": "Not applicable", "cy": "Ddim yn berthnasol"},
}

ALL_CODES: Final = frozenset(LABELS)


def is_missing(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, int) and value in ALL_CODES)
