"""The case tracker's rows for every export format: one row per case, one per sent form, one
per child, and each mother's referral beside her questionnaires. Each form counts with its
current revision (``case_forms.answers``); drafts are left out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..instruments.model import Instrument, Item, Section
from ..models import (
    Case,
    CaseForm,
    CaseFormKind,
    CaseFormRevision,
    CaseFormStatus,
    CaseStatus,
    InstrumentVersion,
    Site,
)
from ..models.types import DbSession
from .column_types import ColumnKind, ColumnMeta
from .columns import VarColumn, variable_columns
from .filters import ExportFilters

CHILDREN = "children"  # the referral's repeated group: one row per entry on the Children sheet
AUTHORITIES = "local_authorities"  # the referral's list: one row per authority, a sheet too


@dataclass(frozen=True)
class SentForm:
    id: int
    kind: CaseFormKind
    version: int
    revision: int
    date: dt.date
    answers: Mapping[str, Any]
    sent_at: dt.datetime | None = None  # first sent (UTC)
    reason: str | None = None  # why its latest correction was made (None: never corrected)


@dataclass(frozen=True)
class CaseRecord:
    id: int
    pseudonym: str
    site: str
    status: CaseStatus
    opened_on: dt.date | None
    closed_on: dt.date | None
    forms: tuple[SentForm, ...]  # sent forms, in the order they were sent

    @property
    def key(self) -> list[Any]:
        """The values of the key columns that start each of its rows."""
        return [self.id, self.pseudonym, self.site]

    def of_kind(self, kind: CaseFormKind) -> list[SentForm]:
        return [f for f in self.forms if f.kind == kind]

    @property
    def referral(self) -> SentForm | None:
        return next(iter(self.of_kind(CaseFormKind.REFERRAL)), None)

    def last(self, kind: CaseFormKind) -> SentForm | None:
        found = self.of_kind(kind)
        return found[-1] if found else None


def load_cases(session: DbSession, filters: ExportFilters) -> list[CaseRecord]:
    """The cases the filters leave in: the case's site; forms dated in the date range and on
    a chosen version (a case with no such form is left out)."""
    query = (
        select(Case)
        .options(
            selectinload(Case.forms).joinedload(CaseForm.instrument_version),
            joinedload(Case.participant),
            joinedload(Case.site),
        )
        .order_by(Case.id)
    )
    if filters.site:
        query = query.join(Site, Case.site_id == Site.id).where(Site.code == filters.site)
    # The reason given for each form's current revision (the first has none).
    reasons: dict[int, str | None] = {
        form_id: reason
        for form_id, reason in session.execute(
            select(CaseFormRevision.form_id, CaseFormRevision.reason)
            .join(CaseForm, CaseForm.id == CaseFormRevision.form_id)
            .where(CaseFormRevision.revision == CaseForm.revision, CaseFormRevision.revision > 1)
        )
    }
    records = []
    for case in session.scalars(query).unique():
        forms = tuple(
            SentForm(
                f.id,
                f.kind,
                f.instrument_version.version,
                f.revision,
                f.form_date,
                dict(f.answers or {}),
                f.submitted_at,
                reasons.get(f.id),
            )
            for f in sorted(case.forms, key=lambda f: f.id)
            if f.status == CaseFormStatus.SUBMITTED
            and f.form_date is not None
            and _kept(f, filters)
        )
        if forms:
            records.append(
                CaseRecord(
                    case.id,
                    case.participant.pseudonym,
                    case.site.code,
                    case.status,
                    case.opened_on,
                    case.closed_on,
                    forms,
                )
            )
    return records


def _kept(form: CaseForm, filters: ExportFilters) -> bool:
    date = form.form_date
    assert date is not None  # noqa: S101 - checked by the caller
    version: InstrumentVersion = form.instrument_version
    if filters.versions and f"{version.key}:{version.version}" not in filters.versions:
        return False
    if filters.date_from and date < filters.date_from:
        return False
    return not (filters.date_to and date > filters.date_to)


def _without_group(instrument: Instrument) -> Instrument:
    sections = tuple(
        replace(s, items=tuple(i for i in s.items if i.type != "group"))
        for s in instrument.sections
    )
    return replace(instrument, sections=sections)


def _group_only(instrument: Instrument) -> Instrument:
    items: list[Item] = [
        sub for i in instrument.items() if i.variable == CHILDREN for sub in i.items
    ]
    return replace(
        instrument, sections=(Section("children", {"en": "Children"}, None, tuple(items)),)
    )


@dataclass(frozen=True)
class CaseColumns:
    """The variable columns of each kind of form, over the versions in the export."""

    by_kind: Mapping[CaseFormKind, tuple[VarColumn, ...]]
    children: tuple[VarColumn, ...]
    # Each choice variable's options (code, label), every version's, the newest wording kept.
    options: Mapping[str, tuple[tuple[int, str], ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, parsed: Mapping[str, Sequence[Instrument]]) -> CaseColumns:
        """From each instrument key's parsed versions."""
        by_kind = {
            kind: tuple(
                variable_columns(
                    [_without_group(i) for i in parsed.get(kind.instrument_key, ())], "case"
                )
            )
            for kind in CaseFormKind
        }
        referrals = parsed.get(CaseFormKind.REFERRAL.instrument_key, ())
        children = tuple(variable_columns([_group_only(i) for i in referrals], "case"))
        options: dict[str, dict[int, str]] = {}
        for kind in CaseFormKind:
            for instrument in sorted(parsed.get(kind.instrument_key, ()), key=lambda i: i.version):
                for item in instrument.questions():
                    if item.options and item.variable:
                        found = options.setdefault(item.variable, {})
                        found.update({o.code: o.label["en"] for o in item.options})
        return cls(by_kind, children, {v: tuple(sorted(o.items())) for v, o in options.items()})

    def all_forms(self) -> list[VarColumn]:
        """Every kind's columns once by name, for the long sheet."""
        seen: dict[str, VarColumn] = {}
        for columns in self.by_kind.values():
            for c in columns:
                seen.setdefault(c.name, c)
        return list(seen.values())


# The columns that start every case sheet's row (the values: CaseRecord.key).
_KEY_COLUMNS = (
    ColumnMeta("case_id", "Case number", ColumnKind.CODE, key=True),
    ColumnMeta("participant_id", "Pseudonymous participant ID", key=True),
    ColumnMeta("site", "Site of the case", key=True),
)


def case_fixed() -> list[ColumnMeta]:
    code, count, date = ColumnKind.CODE, ColumnKind.COUNT, ColumnKind.DATE
    return [
        *_KEY_COLUMNS,
        ColumnMeta("status", "Status now: new, open or closed"),
        ColumnMeta("opened_on", "Date the case opened (the referral's start date)", date),
        ColumnMeta("closed_on", "Date the case closed (blank while open)", date),
        ColumnMeta("referral_version", "Referral form version", code),
        ColumnMeta("n_updates", "Number of progress updates sent", count),
        ColumnMeta("n_closures", "Number of closure forms sent", count),
        ColumnMeta("n_reopenings", "Number of re-opening forms sent", count),
        ColumnMeta("n_children", "Number of children entered on the referral", count),
        ColumnMeta("closure_version", "Last closure form's version", code),
        ColumnMeta("reopening_version", "Last re-opening form's version", code),
    ]


def case_rows(records: Sequence[CaseRecord], columns: CaseColumns) -> Iterator[list[Any]]:
    """One row per case: its referral, its last closure and its last re-opening."""
    for record in records:
        referral, closure, reopening = (
            record.referral,
            record.last(CaseFormKind.CLOSURE),
            record.last(CaseFormKind.REOPENING),
        )
        children = referral.answers.get(CHILDREN) if referral else None
        row: list[Any] = [
            *record.key,
            record.status.value,  # plain strings in the sheets
            record.opened_on,
            record.closed_on,
            referral.version if referral else None,
            len(record.of_kind(CaseFormKind.UPDATE)),
            len(record.of_kind(CaseFormKind.CLOSURE)),
            len(record.of_kind(CaseFormKind.REOPENING)),
            len(children) if isinstance(children, list) else None,
            closure.version if closure else None,
            reopening.version if reopening else None,
        ]
        for kind, form in (
            (CaseFormKind.REFERRAL, referral),
            (CaseFormKind.CLOSURE, closure),
            (CaseFormKind.REOPENING, reopening),
        ):
            row += [c.value(form.answers) if form else None for c in columns.by_kind[kind]]
        yield row


def form_fixed() -> list[ColumnMeta]:
    return [
        *_KEY_COLUMNS,
        ColumnMeta("form", "Form: referral, update, closure or reopening"),
        ColumnMeta("form_id", "Form number", ColumnKind.CODE),
        ColumnMeta("version", "Form version", ColumnKind.CODE),
        ColumnMeta(
            "revision", "Revision (1 = as first sent; more after corrections)", ColumnKind.COUNT
        ),
        ColumnMeta("date", "The form's date", ColumnKind.DATE),
        ColumnMeta("sent_at", "When the form was first sent (UTC)", ColumnKind.DATETIME),
        ColumnMeta("correction_reason", "Reason given for the latest correction (blank: none)"),
    ]


def form_rows(records: Sequence[CaseRecord], columns: CaseColumns) -> Iterator[list[Any]]:
    everything = columns.all_forms()
    for record in records:
        for form in record.forms:
            mine = {c.name for c in columns.by_kind[form.kind]}
            yield [
                *record.key,
                form.kind.value,
                form.id,
                form.version,
                form.revision,
                form.date,
                form.sent_at,
                form.reason,
            ] + [c.value(form.answers) if c.name in mine else None for c in everything]


def child_fixed() -> list[ColumnMeta]:
    return [
        *_KEY_COLUMNS,
        ColumnMeta("child", "Child's entry number on the referral", ColumnKind.CODE),
    ]


def child_rows(records: Sequence[CaseRecord], columns: CaseColumns) -> Iterator[list[Any]]:
    for record in records:
        referral = record.referral
        entries = referral.answers.get(CHILDREN) if referral else None
        if not isinstance(entries, list):
            continue
        for number, entry in enumerate(entries, start=1):
            values = entry if isinstance(entry, dict) else {}
            yield [*record.key, number] + [c.value(values) for c in columns.children]


def child_count(records: Sequence[CaseRecord]) -> int:
    return sum(1 for _ in child_rows(records, CaseColumns({}, ())))


def authority_columns(columns: CaseColumns) -> list[ColumnMeta]:
    """The long form of the referral's local authorities: one row per case and authority, so
    that nobody has to read one 0/1 column per authority."""
    labels = dict(columns.options.get(AUTHORITIES, ()))
    return [
        *_KEY_COLUMNS,
        ColumnMeta(
            "local_authority",
            "A local authority of her children's social workers, as ticked on the referral "
            "(one row each)",
            ColumnKind.CODE,
            value_labels=labels,
            codes=frozenset(labels) or None,
        ),
    ]


def authority_rows(records: Sequence[CaseRecord]) -> Iterator[list[Any]]:
    for record in records:
        ticked = record.referral.answers.get(AUTHORITIES) if record.referral else None
        if isinstance(ticked, list):
            for code in ticked:
                yield [*record.key, code]


def authority_count(records: Sequence[CaseRecord]) -> int:
    return sum(1 for _ in authority_rows(records))


def her_case(records: Sequence[CaseRecord]) -> dict[str, CaseRecord]:
    """Each mother's latest case with a referral, for the linked sheet."""
    mine: dict[str, CaseRecord] = {}
    for record in records:  # in case order: a later case replaces an earlier one
        if record.referral is not None:
            mine[record.pseudonym] = record
    return mine


def linked_case_cells(record: CaseRecord | None, columns: CaseColumns) -> list[Any]:
    if record is None or record.referral is None:
        return [None] * (3 + len(columns.by_kind[CaseFormKind.REFERRAL]))
    answers = record.referral.answers
    return [record.id, record.status.value, record.opened_on] + [
        c.value(answers) for c in columns.by_kind[CaseFormKind.REFERRAL]
    ]
