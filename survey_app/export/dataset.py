"""The one row builder behind every export format.

Rows stream from the database (``yield_per``), so memory stays flat as the study grows; a
writer only decides how cells are written. Codes, not labels, go in data cells; the codebook
and the value labels say what they mean."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from ..instruments import missing, model
from ..instruments.model import Instrument
from ..models import COMPLETE, Audience, InstrumentVersion, Link, Participant, Response, Site, Wave
from ..models.types import DbSession
from ..scoring import score_wai
from ..services import followup
from ..study import Study, current_study
from . import cases as case_rows
from .column_types import BadValues, ColumnKind
from .column_types import ColumnMeta as ColumnMeta  # the sheets' columns, imported from here
from .columns import VarColumn, variable_columns
from .filters import ExportFilters
from .sheet_names import (
    CASE_AUTHORITIES,
    CASE_FORMS,
    CASES,
    CHILDREN,
    MOTHERS_LINKED,
    MOTHERS_LONG,
    PRACTITIONERS,
    PRISON_STAFF,
    WAI_SCORES,
)

YIELD_PER = 500
# One sheet for each audience answering through links, named for the researchers.
AUDIENCE_SHEETS: dict[Audience, str] = {
    Audience.PRISON_STAFF: PRISON_STAFF,
    Audience.PRACTITIONER: PRACTITIONERS,
}
LANGUAGE_LABEL = "language she answered in (en = English, cy = Welsh)"
# The study's Welsh at the time of the export (study.yaml's welsh), for the About sheet.
WELSH_STATUS = {
    "on": "reviewed: the Welsh wording was reviewed (answers in Welsh: language = cy)",
    "draft": "draft: the Welsh wording awaits review; answers given in Welsh (language = cy) "
    "were given on the draft",
    "off": "not offered (every answer since is in English; language = cy only before)",
}
WAI_FIELDS = ("task", "goal", "bond", "total", "items_answered")
LINKED_WAI_FIELDS = WAI_FIELDS[:4]  # the scores; the long WAI sheet also counts the items


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: Sequence[ColumnMeta]
    rows: Callable[[], Iterator[list[Any]]]
    count: int
    finish: Callable[[Any], None] | None = None  # given the written xlsx sheet (charts)
    # Written after the sheets that come before it, in its place: the About sheet reports
    # what writing the data sheets found.
    after_data: bool = False

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def frozen_columns(self) -> int:
        """How many leading columns are IDs (and site), frozen with the header."""
        count = 0
        for column in self.columns:
            if not column.key:
                break
            count += 1
        return count


@dataclass(frozen=True)
class WaveSpec:
    wave: Wave
    instruments: tuple[Instrument, ...]
    version_ids: tuple[int, ...]
    columns: tuple[VarColumn, ...]
    blocks: tuple[str, ...]  # WAI block prefixes asked at this wave


@dataclass(frozen=True)
class AudienceSpec:
    audience: Audience
    instruments: tuple[Instrument, ...]
    version_ids: tuple[int, ...]
    columns: tuple[VarColumn, ...]


def _meta(column: VarColumn, name: str | None = None) -> ColumnMeta:
    kind = column.kind
    coded = kind in (ColumnKind.CODE, ColumnKind.ORDERED_CODE) and bool(column.value_labels)
    return ColumnMeta(
        name=name or column.name,
        label=column.label,
        kind=kind,
        value_labels=column.value_labels,
        missing_codes=tuple(sorted(c for c in column.value_labels if c < 0)),
        codes=frozenset(column.value_labels) if coded else None,
    )


class Dataset:
    """Everything an export contains, for one set of filters."""

    def __init__(
        self, session: DbSession, filters: ExportFilters, study: Study | None = None
    ) -> None:
        self.session = session
        self.filters = filters
        self.study = study or current_study()
        self.versions = self._versions()
        self.version_label = {v.id: v.version for v in self.versions}
        parsed = {v.id: model.from_version(v) for v in self.versions}
        self.waves = self._wave_specs(parsed)
        self.audiences = self._audience_specs(parsed)
        # The mothers' waves of the study, in order: they name the linked sheet's columns and
        # its linkage values, whichever of them this export's filters leave in.
        self.mother_waves = [w.code for w in self.study.waves if w.code in self.study.kiosk_waves]
        by_key: dict[str, list[Instrument]] = {}
        for version in self.versions:
            by_key.setdefault(version.key, []).append(parsed[version.id])
        self.case_columns = case_rows.CaseColumns.of(by_key)
        # Each kind of case form's versions in this export (the report's "not asked" notes).
        self.case_instruments = {
            kind: tuple(by_key.get(key, ())) for kind, key in case_rows.FORM_KEYS.items()
        }
        self._cases: list[case_rows.CaseRecord] | None = None
        self.bad_values = BadValues()

    @property
    def cases(self) -> list[case_rows.CaseRecord]:
        """The case tracker's cases the filters leave in (read once)."""
        if self._cases is None:
            self._cases = case_rows.load_cases(self.session, self.filters)
        return self._cases

    # -- what is included ------------------------------------------------------------------
    def _versions(self) -> list[InstrumentVersion]:
        rows = self.session.scalars(
            select(InstrumentVersion).order_by(InstrumentVersion.key, InstrumentVersion.version)
        ).all()
        wanted = self.filters.versions
        return [v for v in rows if not wanted or f"{v.key}:{v.version}" in wanted]

    def _wave_specs(self, parsed: Mapping[int, Instrument]) -> list[WaveSpec]:
        specs = []
        waves = self.session.scalars(select(Wave).order_by(Wave.position)).all()
        for wave in waves:
            key = self.study.instrument_for(Audience.MOTHER, wave.code)
            chosen = [v for v in self.versions if v.key == key]
            instruments = tuple(parsed[v.id] for v in chosen)
            blocks = sorted({p for i in instruments for p in i.blocks})
            specs.append(
                WaveSpec(
                    wave=wave,
                    instruments=instruments,
                    version_ids=tuple(v.id for v in chosen),
                    columns=tuple(variable_columns(instruments, wave.code)),
                    blocks=tuple(blocks),
                )
            )
        return [s for s in specs if s.instruments]

    def _audience_specs(self, parsed: Mapping[int, Instrument]) -> list[AudienceSpec]:
        specs = []
        for audience in AUDIENCE_SHEETS:
            key = self.study.instrument_for(audience, None)
            chosen = [v for v in self.versions if v.key == key]
            instruments = tuple(parsed[v.id] for v in chosen)
            specs.append(
                AudienceSpec(
                    audience=audience,
                    instruments=instruments,
                    version_ids=tuple(v.id for v in chosen),
                    columns=tuple(variable_columns(instruments, "once")),
                )
            )
        return specs

    def _dates(self, completed_on: Any) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.filters.date_from:
            conditions.append(completed_on >= self.filters.date_from)
        if self.filters.date_to:
            conditions.append(completed_on <= self.filters.date_to)
        return conditions

    # -- mothers ---------------------------------------------------------------------------
    def _mothers_query(self) -> Select[Any]:
        aliases = [aliased(Response, name=f"r_{spec.wave.code.lower()}") for spec in self.waves]
        columns: list[Any] = [Participant.pseudonym, Site.code]
        query_parts = []
        for spec, alias in zip(self.waves, aliases, strict=True):
            columns += [
                alias.completed_on,
                alias.instrument_version_id,
                alias.answers,
                alias.flags,
                alias.language,
            ]
            query_parts.append((spec, alias))
        query = select(*columns).join(Site, Participant.site_id == Site.id)
        for spec, alias in query_parts:
            query = query.outerjoin(
                alias,
                and_(
                    alias.participant_id == Participant.id,
                    alias.wave_id == spec.wave.id,
                    alias.status == COMPLETE,
                    alias.voided_at.is_(None),
                    alias.instrument_version_id.in_(spec.version_ids),
                    *self._dates(alias.completed_on),
                ),
            )
        query = query.where(or_(*(alias.id.is_not(None) for _, alias in query_parts)))
        if self.filters.site:
            query = query.where(Site.code == self.filters.site)
        return query.order_by(Participant.pseudonym)

    def mothers(self) -> Iterator[tuple[str, str, list[tuple[WaveSpec, Any] | None]]]:
        """(participant_id, site, per wave: (spec, (date, version_id, answers, flags)) or None)."""
        for pseudonym, site, per_wave in self.mothers_in_language():
            yield pseudonym, site, [(e[0], e[1][:4]) if e else None for e in per_wave]

    def mothers_in_language(
        self,
    ) -> Iterator[tuple[str, str, list[tuple[WaveSpec, Any] | None]]]:
        """As ``mothers``, each wave's tuple ending with the language she answered in:
        (date, version_id, answers, flags, language)."""
        if not self.waves:
            return
        result = self.session.execute(self._mothers_query().execution_options(yield_per=YIELD_PER))
        width = 5
        for row in result:
            per_wave: list[tuple[WaveSpec, Any] | None] = []
            for index, spec in enumerate(self.waves):
                start = 2 + width * index
                date, version_id, answers, flags, lang = row[start : start + width]
                per_wave.append(
                    (spec, (date, version_id, answers or {}, flags or {}, lang)) if date else None
                )
            yield row[0], row[1], per_wave

    def mothers_count(self) -> int:
        if not self.waves:
            return 0
        return (
            self.session.scalar(select(func.count()).select_from(self._mothers_query().subquery()))
            or 0
        )

    def linked_columns(self) -> list[ColumnMeta]:
        columns = [
            ColumnMeta("participant_id", "Pseudonymous participant ID", key=True),
            ColumnMeta("site", "Site where she was registered", key=True),
            ColumnMeta("linkage", "Waves answered: " + self._linkage_values()),
        ]
        for spec in self.waves:
            prefix = spec.wave.code.lower()
            code = spec.wave.code
            columns += [
                ColumnMeta(f"{prefix}_date", f"{code}: date completed", ColumnKind.DATE),
                ColumnMeta(f"{prefix}_version", f"{code}: instrument version", ColumnKind.CODE),
                ColumnMeta(f"{prefix}_language", f"{code}: {LANGUAGE_LABEL}"),
            ]
            columns += self.window_columns(spec)
            columns += [_meta(c, f"{prefix}_{c.name}") for c in spec.columns]
            columns += self._linked_wai_columns(spec)
        # Her latest case's referral beside her questionnaires (T1/T2 change by need).
        columns += [
            ColumnMeta("case_id", "Her latest case with a referral: case number", ColumnKind.CODE),
            ColumnMeta("case_status", "Her latest case: status now"),
            ColumnMeta("case_opened_on", "Her latest case: date opened", ColumnKind.DATE),
        ]
        columns += [_meta(c, f"case_{c.name}") for c in self.case_columns.by_kind["referral"]]
        return columns

    def linked_wai_names(self, spec: WaveSpec) -> list[tuple[str, str, str]]:
        """(column, block prefix, score) for a wave's WAI scores on the linked sheet:
        t1_wai_task ... when the wave asks one WAI block, t1_<block>_task ... when several."""
        wave = spec.wave.code.lower()
        return [
            (
                f"{wave}_wai_{score}" if len(spec.blocks) == 1 else f"{wave}_{block}_{score}",
                block,
                score,
            )
            for block in spec.blocks
            for score in LINKED_WAI_FIELDS
        ]

    def _linked_wai_columns(self, spec: WaveSpec) -> list[ColumnMeta]:
        labels = {m.name: m.label for m in self.wai_columns()}
        return [
            ColumnMeta(
                name,
                f"{spec.wave.code} WAI-SR ({block}): {labels[score]}",
                ColumnKind.SCORE,
            )
            for name, block, score in self.linked_wai_names(spec)
        ]

    @property
    def _baseline(self) -> str:
        return self.study.waves[0].code if self.study.waves else ""

    def _is_followup(self, spec: WaveSpec) -> bool:
        return spec.wave.code in self.mother_waves and spec.wave.code != self._baseline

    def window_columns(self, spec: WaveSpec) -> list[ColumnMeta]:
        """A follow-up wave's months after the baseline and whether it fell in its window."""
        if not self._is_followup(spec):
            return []
        prefix, base, code = spec.wave.code.lower(), self._baseline, spec.wave.code
        window = followup.Window.of(spec.wave)
        return [
            ColumnMeta(
                f"{prefix}_months_after_{base.lower()}",
                f"{code}: months from {base} to {code} (completion dates, one decimal)",
                ColumnKind.SCORE,
            ),
            ColumnMeta(
                f"{prefix}_in_window",
                f"{code}: completed in its window, {window.start_months} to "
                f"{window.end_months} months after {base} (1 = yes, 0 = no)",
                ColumnKind.CODE,
                value_labels={1: "yes", 0: "no"},
                codes=frozenset({0, 1}),
            ),
        ]

    def _window_values(self, spec: WaveSpec, date: Any, baseline_on: Any) -> list[Any]:
        if not self._is_followup(spec):
            return []
        if date is None or baseline_on is None:
            return [None, None]
        return [
            followup.months_between(baseline_on, date),
            int(followup.in_window(spec.wave, baseline_on, date)),
        ]

    @property
    def _two_waves(self) -> bool:
        # A two-wave study keeps the values its analyses were written for: both, t1_only ...
        return len(self.mother_waves) == 2

    def _linkage_values(self) -> str:
        codes = [c.lower() for c in self.mother_waves]
        if self._two_waves:
            return f"both, {codes[0]}_only, {codes[1]}_only"
        values = _joined(codes)
        if len(values) > 15:  # five waves or more: the single waves, then all of them
            values = [*values[: len(codes)], "...", values[-1]]
        return f"the codes of the waves she answered, joined by + ({', '.join(values)})"

    def linkage(self, present: Sequence[str]) -> str:
        """The linkage value of a row whose waves ``present`` (lower-case codes) hold answers:
        both, t1_only or t2_only in a two-wave study, else the codes joined by + (t1+t3)."""
        if self._two_waves:
            return "both" if len(present) == 2 else f"{present[0]}_only"
        return "+".join(present)

    def linkage_text(self) -> str:
        """What the linkage values mean, for the About sheet."""
        codes = self.mother_waves
        if self._two_waves:
            first, second = codes
            return (
                f"both = {first} and {second}; {first.lower()}_only = {first} only; "
                f"{second.lower()}_only = {second} only"
            )
        if not codes:
            return ""
        examples = dict.fromkeys([(codes[0],), (codes[0], codes[-1]), tuple(codes)])
        return "the waves answered, their codes in lower case joined by +, e.g. " + "; ".join(
            f"{'+'.join(c.lower() for c in chosen)} = {_and(chosen)}" for chosen in examples
        )

    def linked_rows(self) -> Iterator[list[Any]]:
        her_case = case_rows.her_case(self.cases)
        for pseudonym, site, per_wave in self.mothers_in_language():
            present = [s.wave.code.lower() for s, _ in (w for w in per_wave if w)]
            row: list[Any] = [pseudonym, site, self.linkage(present)]
            baseline_on = next(
                (w[1][0] for w in per_wave if w and w[0].wave.code == self._baseline), None
            )
            for spec, entry in zip(self.waves, per_wave, strict=True):
                wai = self.linked_wai_names(spec)
                if entry is None:
                    row += [None, None, None] + self._window_values(spec, None, None)
                    row += [None] * (len(spec.columns) + len(wai))
                    continue
                date, version_id, answers, _flags, lang = entry[1]
                row += [date, self.version_label[version_id], lang]
                row += self._window_values(spec, date, baseline_on)
                row += [c.value(answers) for c in spec.columns]
                row += [getattr(score_wai(answers, block), score) for _, block, score in wai]
            row += case_rows.linked_case_cells(her_case.get(pseudonym), self.case_columns)
            yield row

    def long_columns(self) -> list[ColumnMeta]:
        return [
            ColumnMeta("participant_id", "Pseudonymous participant ID", key=True),
            ColumnMeta("site", "Site where she was registered", key=True),
            ColumnMeta("wave", "Wave"),
            ColumnMeta("date", "Date completed", ColumnKind.DATE),
            ColumnMeta("version", "Instrument version", ColumnKind.CODE),
            ColumnMeta("language", LANGUAGE_LABEL),
            ColumnMeta("flags", self._flags_label()),
        ] + [_meta(c) for c in self._long_variables()]

    def _long_variables(self) -> list[VarColumn]:
        """Each wave's variable columns once by name (the waves share most of them)."""
        seen: dict[str, VarColumn] = {}
        for spec in self.waves:
            for c in spec.columns:
                seen.setdefault(c.name, c)
        return list(seen.values())

    def _flags_label(self) -> str:
        codes = self.mother_waves
        if len(codes) < 2:
            return "Flags"
        first, second = codes[:2]
        more = ", and so on for each later wave" if len(codes) > 2 else ""
        return (
            f"Flags: {second.lower()}_without_{first.lower()} = {second} answered with no "
            f"complete {first} at the time{more}"
        )

    def long_rows(self) -> Iterator[list[Any]]:
        names = [c.name for c in self._long_variables()]
        for pseudonym, site, per_wave in self.mothers_in_language():
            for entry in per_wave:
                if entry is None:
                    continue
                spec, (date, version_id, answers, flags, lang) = entry
                by_name = {c.name: c.value(answers) for c in spec.columns}
                flag_text = ", ".join(sorted(k for k, v in flags.items() if v)) or None
                yield [
                    pseudonym,
                    site,
                    spec.wave.code,
                    date,
                    self.version_label[version_id],
                    lang,
                    flag_text,
                ] + [by_name.get(n) for n in names]

    def long_count(self) -> int:
        return sum(self._wave_count(spec) for spec in self.waves)

    def _wave_count(self, spec: WaveSpec) -> int:
        return (
            self.session.scalar(
                select(func.count())
                .select_from(Response)
                .join(Participant)
                .join(Site)
                .where(
                    Response.wave_id == spec.wave.id,
                    Response.status == COMPLETE,
                    Response.voided_at.is_(None),
                    Response.instrument_version_id.in_(spec.version_ids),
                    *self._dates(Response.completed_on),
                    *([Site.code == self.filters.site] if self.filters.site else []),
                )
            )
            or 0
        )

    # -- WAI scores ------------------------------------------------------------------------
    def wai_columns(self) -> list[ColumnMeta]:
        return [
            ColumnMeta("participant_id", "Pseudonymous participant ID", key=True),
            ColumnMeta("site", "Site", key=True),
            ColumnMeta("wave", "Wave"),
            ColumnMeta("block", "WAI-SR block (variable prefix)"),
            ColumnMeta(
                "task",
                "Task subscale mean (items 1, 2, 10, 12); blank if any item missing",
                ColumnKind.SCORE,
            ),
            ColumnMeta(
                "goal",
                "Goal subscale mean (items 4, 6, 8, 11); blank if any item missing",
                ColumnKind.SCORE,
            ),
            ColumnMeta(
                "bond",
                "Bond subscale mean (items 3, 5, 7, 9); blank if any item missing",
                ColumnKind.SCORE,
            ),
            ColumnMeta(
                "total",
                "Mean of all 12 items; blank if any item missing",
                ColumnKind.SCORE,
            ),
            ColumnMeta(
                "items_answered",
                "Items answered 1-5 (Not applicable and missing codes excluded)",
                ColumnKind.COUNT,
            ),
        ]

    def wai_rows(self) -> Iterator[list[Any]]:
        for pseudonym, site, per_wave in self.mothers():
            for entry in per_wave:
                if entry is None:
                    continue
                spec, (_date, _version, answers, _flags) = entry
                for prefix in spec.blocks:
                    scores = score_wai(answers, prefix)
                    yield [pseudonym, site, spec.wave.code, prefix] + [
                        getattr(scores, f) for f in WAI_FIELDS
                    ]

    # -- staff and practitioners -----------------------------------------------------------
    def audience_query(self, spec: AudienceSpec) -> Select[Any]:
        """The audience's sent responses under the filters: (id, date, version, answers, site);
        the report reads its questionnaires with it too."""
        query = (
            select(
                Response.id,
                Response.completed_on,
                Response.instrument_version_id,
                Response.answers,
                Site.code,
            )
            .join(Link, Response.link_id == Link.id)
            .outerjoin(Site, Link.site_id == Site.id)
            .where(
                Response.status == COMPLETE,
                Response.voided_at.is_(None),
                Response.instrument_version_id.in_(spec.version_ids),
                *self._dates(Response.completed_on),
            )
        )
        if self.filters.site:
            query = query.where(Site.code == self.filters.site)
        # Random IDs: this order says nothing about when people answered.
        return query.order_by(Response.id)

    def audience_columns(self, spec: AudienceSpec) -> list[ColumnMeta]:
        return [
            ColumnMeta("response_id", "Random response ID", key=True),
            ColumnMeta("date", "Date completed", ColumnKind.DATE),
            ColumnMeta("version", "Instrument version", ColumnKind.CODE),
            ColumnMeta("language", LANGUAGE_LABEL),
            ColumnMeta("link_site", "Site the link was made for (blank: any)"),
        ] + [_meta(c) for c in spec.columns]

    def audience_rows(self, spec: AudienceSpec) -> Iterator[list[Any]]:
        if not spec.version_ids:
            return
        query = self.audience_query(spec).add_columns(Response.language)
        for rid, date, version_id, answers, site, lang in self.session.execute(
            query.execution_options(yield_per=YIELD_PER)
        ):
            yield [rid, date, self.version_label[version_id], lang, site] + [
                c.value(answers or {}) for c in spec.columns
            ]

    def audience_count(self, spec: AudienceSpec) -> int:
        if not spec.version_ids:
            return 0
        return (
            self.session.scalar(
                select(func.count()).select_from(self.audience_query(spec).subquery())
            )
            or 0
        )

    # -- the sheets ------------------------------------------------------------------------
    def data_sheets(self) -> list[Sheet]:
        mothers = self.mothers_count()
        sheets = [
            Sheet(MOTHERS_LINKED, self.linked_columns(), self.linked_rows, mothers),
            Sheet(MOTHERS_LONG, self.long_columns(), self.long_rows, self.long_count()),
        ]
        for spec in self.audiences:
            sheets.append(
                Sheet(
                    AUDIENCE_SHEETS[spec.audience],
                    self.audience_columns(spec),
                    partial(self.audience_rows, spec),
                    self.audience_count(spec),
                )  # type: ignore[misc]
            )
        wai_count = sum(self._wave_count(spec) * len(spec.blocks) for spec in self.waves)
        sheets.append(Sheet(WAI_SCORES, self.wai_columns(), self.wai_rows, wai_count))
        return [self._typed(s) for s in sheets + self.case_sheets()]

    def _typed(self, sheet: Sheet) -> Sheet:
        """The sheet with each cell taken to its column's type (bad values counted)."""
        raw = sheet.rows
        return replace(sheet, rows=lambda: self.bad_values.typed(sheet.name, sheet.columns, raw()))

    # -- the case tracker ------------------------------------------------------------------
    def case_sheet_columns(self) -> dict[str, list[ColumnMeta]]:
        cols = self.case_columns
        per_case = [c for kind in ("referral", "closure", "reopening") for c in cols.by_kind[kind]]
        return {
            CASES: case_rows.case_fixed() + [_meta(c) for c in per_case],
            CASE_FORMS: case_rows.form_fixed() + [_meta(c) for c in cols.all_forms()],
            CHILDREN: case_rows.child_fixed() + [_meta(c) for c in cols.children],
            CASE_AUTHORITIES: case_rows.authority_columns(cols),
        }

    def case_sheets(self) -> list[Sheet]:
        columns, cols = self.case_sheet_columns(), self.case_columns
        return [
            Sheet(
                CASES,
                columns[CASES],
                lambda: case_rows.case_rows(self.cases, cols),
                len(self.cases),
            ),
            Sheet(
                CASE_FORMS,
                columns[CASE_FORMS],
                lambda: case_rows.form_rows(self.cases, cols),
                sum(len(c.forms) for c in self.cases),
            ),
            Sheet(
                CHILDREN,
                columns[CHILDREN],
                lambda: case_rows.child_rows(self.cases, cols),
                case_rows.child_count(self.cases),
            ),
            Sheet(
                CASE_AUTHORITIES,
                columns[CASE_AUTHORITIES],
                lambda: case_rows.authority_rows(self.cases),
                case_rows.authority_count(self.cases),
            ),
        ]

    @property
    def case_var_names(self) -> set[str]:
        cols = self.case_columns
        return {c.name for c in [*cols.all_forms(), *cols.children]}

    def about_rows(
        self, made_by: str, sheets: Sequence[Sheet], made_at: dt.datetime
    ) -> list[list[Any]]:
        rows: list[list[Any]] = [
            ["Study", self.study.name],
            ["Made at (UTC)", made_at.strftime("%Y-%m-%d %H:%M")],
            ["Made by", made_by],
        ]
        rows += [[f"Filter: {k}", v] for k, v in self.filters.describe().items()]
        for v in self.versions:
            rows.append(
                ["Instrument version", f"{v.key} v{v.version} (hash {v.content_hash[:12]})"]
            )
        for sheet in sheets:
            rows.append([f"Rows: {sheet.name}", sheet.count])
        rows.append(["Missing data", "blank = skipped"])
        for code, labels in missing.LABELS.items():
            rows.append(["Missing data", f"{code} = {labels['en']}"])
        prefixes = [f"{c} as {c.lower()}_<variable>" for c in self.mother_waves]
        if prefixes:
            prefixes[0] = prefixes[0].replace(" as ", " variables as ", 1)
        rows.append(["Linked sheet", "; ".join(["one row per participant", ", ".join(prefixes)])])
        rows.append(["Linkage", self.linkage_text()])
        rows.append(["Welsh", WELSH_STATUS[self.study.welsh]])
        rows.append(["Multiple choice", "one 0/1 column per option, named <variable>___<code>"])
        rows.append(["Other, please specify", "the text, when Other was chosen: <variable>_other"])
        rows.append(
            [
                "Case tracker",
                f"{CASES}: one row per case (referral, last closure, last re-opening); "
                f"{CASE_FORMS}: one row per sent form, its current revision; {CHILDREN}: one "
                f"row per child on the referral; {MOTHERS_LINKED}: her latest case's referral "
                "as case_<variable>",
            ]
        )
        rows.append(
            [
                "Case tracker filters",
                "site: the case's site; dates and versions: the forms' dates and versions",
            ]
        )
        rows.append(
            [
                "Small numbers",
                "case counts identify people more than anything: publish the Report sheet's "
                "case tables in publication mode only (counts under the threshold hidden)",
            ]
        )
        return rows


def _joined(codes: Sequence[str]) -> list[str]:
    """Every non-empty choice of waves, in wave order, joined by +: t1, t2, t1+t2 ..."""
    choices = [
        "+".join(c for i, c in enumerate(codes) if mask >> i & 1)
        for mask in range(1, 2 ** len(codes))
    ]
    return sorted(choices, key=lambda v: (v.count("+"), [codes.index(c) for c in v.split("+")]))


def _and(codes: Sequence[str]) -> str:
    if len(codes) == 1:
        return f"{codes[0]} only"
    return ", ".join(codes[:-1]) + " and " + codes[-1]
