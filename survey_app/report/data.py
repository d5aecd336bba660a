"""The answers a report counts, read once through the export's row builder (so the export's
filters apply) and kept in memory: a study's questionnaires number in the hundreds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..export.cases import CaseRecord
from ..export.dataset import Dataset
from ..export.filters import ExportFilters
from ..instruments import missing
from ..instruments.model import Instrument, Item
from ..kinds import Audience, CaseFormKind
from ..models.types import DbSession
from ..study import Period, Study
from . import participation as participation_data


@dataclass(frozen=True)
class Answered:
    """One complete questionnaire."""

    date: dt.date
    version: int
    answers: Mapping[str, Any]
    site: str | None  # the link's site (staff, practitioners) or where she was registered


@dataclass(frozen=True)
class Mother:
    pseudonym: str
    site: str
    waves: Mapping[str, Answered]  # wave code -> her questionnaire at that wave


@dataclass(frozen=True)
class Questionnaires:
    """The versions of one instrument in the report and the questionnaires answered on them."""

    instruments: tuple[Instrument, ...]
    answered: tuple[Answered, ...] = ()
    blocks: tuple[str, ...] = ()  # WAI block prefixes asked

    def item(self, variable: str) -> Item | None:
        """The newest version's wording of a variable."""
        for instrument in sorted(self.instruments, key=lambda i: i.version, reverse=True):
            found = instrument.item(variable)
            if found is not None:
                return found
        return None

    def versions_without(self, variable: str) -> tuple[int, ...]:
        return tuple(sorted(i.version for i in self.instruments if i.item(variable) is None))


@dataclass(frozen=True)
class WaveQuestionnaires:
    """The mothers' questionnaires of one wave (the model's Wave is the study's row)."""

    code: str
    label: str
    questionnaires: Questionnaires


@dataclass(frozen=True)
class ReportData:
    study: Study
    filters: ExportFilters
    waves: tuple[WaveQuestionnaires, ...]
    mothers: tuple[Mother, ...]
    staff: Questionnaires
    practitioners: Questionnaires
    period: str | None = None  # the study period the data was cut to, if any
    cases: tuple[CaseRecord, ...] = ()  # the case tracker's cases
    case_options: Mapping[str, tuple[tuple[int, str], ...]] = field(default_factory=dict)
    # Each kind of case form -> its versions in the report.
    case_instruments: Mapping[CaseFormKind, tuple[Instrument, ...]] = field(default_factory=dict)
    # Where each mother got to (the participant flow, attrition): the whole study only.
    participation: participation_data.Participation | None = None

    @property
    def threshold(self) -> int:
        return self.filters.threshold if self.filters.publication else 0

    def site_name(self, code: str) -> str:
        return next((s.name for s in self.study.sites if s.code == code), code)

    def answered_at(self, wave: str) -> list[Answered]:
        return [m.waves[wave] for m in self.mothers if wave in m.waves]

    def within(self, period: Period) -> ReportData:
        """The same data cut to one study period (by the date each questionnaire was done)."""

        def keep(a: Answered) -> bool:
            return period.start <= a.date <= period.end

        mothers = []
        for mother in self.mothers:
            waves = {code: a for code, a in mother.waves.items() if keep(a)}
            if waves:
                mothers.append(replace(mother, waves=waves))
        return replace(
            self,
            mothers=tuple(mothers),
            staff=replace(self.staff, answered=tuple(filter(keep, self.staff.answered))),
            practitioners=replace(
                self.practitioners, answered=tuple(filter(keep, self.practitioners.answered))
            ),
            period=period.label,
            cases=(),  # the case tables are by period already
            participation=None,  # the flow follows each mother over the periods
        )

    @property
    def empty(self) -> bool:
        return not (
            self.mothers or self.staff.answered or self.practitioners.answered or self.cases
        )


def code_of(answers: Mapping[str, Any], variable: str) -> int | None:
    """A single answer's code; None when skipped or a missing-data code."""
    value = answers.get(variable)
    if isinstance(value, bool) or not isinstance(value, int) or value in missing.ALL_CODES:
        return None
    return value


def codes_of(answers: Mapping[str, Any], variable: str) -> list[int] | None:
    """The codes ticked in a multiple-choice answer; None when skipped."""
    value = answers.get(variable)
    if not isinstance(value, list):
        return None
    return [c for c in value if isinstance(c, int) and c not in missing.ALL_CODES]


def period_of(date: dt.date, periods: Sequence[Period]) -> str | None:
    return next((p.label for p in periods if p.start <= date <= p.end), None)


def _audience(data: Dataset, audience: Audience) -> Questionnaires:
    spec = next(s for s in data.audiences if s.audience == audience)
    if not spec.version_ids:
        return Questionnaires(spec.instruments)
    rows: Iterable[Any] = data.session.execute(data.audience_query(spec))
    return Questionnaires(
        spec.instruments,
        tuple(
            Answered(date, data.version_label[version_id], answers or {}, site)
            for _rid, date, version_id, answers, site in rows
        ),
    )


def _mothers(data: Dataset) -> Iterator[Mother]:
    for pseudonym, site, per_wave in data.mothers():
        waves = {}
        for entry in per_wave:
            if entry is not None:
                spec, (date, version_id, answers, _flags) = entry
                waves[spec.wave.code] = Answered(
                    date, data.version_label[version_id], answers, site
                )
        yield Mother(pseudonym, site, waves)


def load(session: DbSession, filters: ExportFilters, study: Study | None = None) -> ReportData:
    data = Dataset(session, filters, study)
    return ReportData(
        study=data.study,
        filters=filters,
        waves=tuple(
            WaveQuestionnaires(
                spec.wave.code,
                spec.wave.label,
                Questionnaires(spec.instruments, blocks=spec.blocks),
            )
            for spec in data.waves
        ),
        mothers=tuple(_mothers(data)),
        staff=_audience(data, Audience.PRISON_STAFF),
        practitioners=_audience(data, Audience.PRACTITIONER),
        cases=tuple(data.cases),
        case_options=data.case_columns.options,
        case_instruments=data.case_instruments,
        participation=participation_data.load(session, filters, data.study),
    )
