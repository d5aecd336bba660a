"""The answers of the case tracker's forms as the report reads them: each case's latest
referral, its children's entries, a variable's options over the form's versions and the
versions that did not ask it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...export.cases import CHILDREN
from ...instruments.model import Instrument, Item
from ..data import ReportData, code_of
from ..questionnaires.link_tables import NOT_ANSWERED

Answers = Mapping[str, Any]


def referrals(data: ReportData) -> list[tuple[str, Answers]]:
    """(site, answers) of each case's latest referral."""
    return [(c.site, form.answers) for c in data.cases if (form := c.last("referral"))]


def entries(answers: Answers) -> list[Answers]:
    value = answers.get(CHILDREN)
    if not isinstance(value, list):
        return []
    return [e if isinstance(e, dict) else {} for e in value]


def item_in(instrument: Instrument, variable: str) -> Item | None:
    """A variable's item, at the top of the form or inside a repeated group."""
    found = instrument.item(variable)
    if found is not None:
        return found
    subs = (sub for item in instrument.items() for sub in item.items)
    return next((sub for sub in subs if sub.variable == variable), None)


def option_labels(data: ReportData, kind: str, variable: str) -> dict[int, str]:
    """A variable's options over the form's versions: the newest version's, in its order and
    wording, then any that only an older version offered."""
    labels: dict[int, str] = {}
    for instrument in sorted(data.case_instruments.get(kind, ()), key=lambda i: -i.version):
        item = item_in(instrument, variable)
        for option in item.options if item else ():
            labels.setdefault(option.code, option.label["en"])
    return labels


def not_asked(data: ReportData, kind: str, variable: str) -> list[str]:
    instruments = data.case_instruments.get(kind, ())
    versions = sorted(i.version for i in instruments if item_in(i, variable) is None)
    if not versions:
        return []
    return [f"{variable}: not asked in version {', '.join(str(v) for v in versions)}"]


def label_of(answers: Answers, variable: str, labels: Mapping[int, str]) -> str:
    code = code_of(answers, variable)
    return labels.get(code, NOT_ANSWERED) if code is not None else NOT_ANSWERED
