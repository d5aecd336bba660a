"""The one row builder behind every export format.

Rows stream from the database (``yield_per``), so memory stays flat as the study grows; a
writer only decides how cells are written. Codes, not labels, go in data cells; the codebook
and the value labels say what they mean."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
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
from .columns import VarColumn, variable_columns
from .filters import ExportFilters

YIELD_PER = 500
# One sheet for each audience answering through links, named for the researchers.
AUDIENCE_SHEETS: dict[Audience, str] = {
    Audience.PRISON_STAFF: "Prison staff",
    Audience.PRACTITIONER: "Community practitioners",
}
WAI_FIELDS = ("task", "goal", "bond", "total", "items_answered")
LINKED_WAI_FIELDS = WAI_FIELDS[:4]  # the scores; the long WAI sheet also counts the items
# SPSS measure levels: answers on a scale are ordered, counts and scores are measurements.
ORDINAL_TYPES = ("likert", "rating")
SCALE_TYPES = ("integer",)


@dataclass(frozen=True)
class ColumnMeta:
    """What a column means, for the codebook and for SPSS labels."""

    name: str
    label: str
    numeric: bool = False
    value_labels: Mapping[int, str] = field(default_factory=dict)
    missing_codes: tuple[int, ...] = ()
    measure: str = "nominal"  # SPSS: nominal, ordinal or scale


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: Sequence[ColumnMeta]
    rows: Callable[[], Iterator[list[Any]]]
    count: int
    finish: Callable[[Any], None] | None = None  # given the written xlsx sheet (charts)

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]


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
    return ColumnMeta(
        name=name or column.name,
        label=column.label,
        numeric=column.is_numeric,
        value_labels=column.value_labels,
        missing_codes=tuple(sorted(c for c in column.value_labels if c < 0)),
        measure="ordinal"
        if column.type in ORDINAL_TYPES
        else "scale"
        if column.type in SCALE_TYPES
        else "nominal",
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
            columns += [alias.completed_on, alias.instrument_version_id, alias.answers, alias.flags]
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
        if not self.waves:
            return
        result = self.session.execute(self._mothers_query().execution_options(yield_per=YIELD_PER))
        for row in result:
            per_wave: list[tuple[WaveSpec, Any] | None] = []
            for index, spec in enumerate(self.waves):
                date, version_id, answers, flags = row[2 + 4 * index : 6 + 4 * index]
                per_wave.append(
                    (spec, (date, version_id, answers or {}, flags or {})) if date else None
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
            ColumnMeta("participant_id", "Pseudonymous participant ID"),
            ColumnMeta("site", "Site where she was registered"),
            ColumnMeta("linkage", "Waves answered: " + self._linkage_values()),
        ]
        for spec in self.waves:
            prefix = spec.wave.code.lower()
            columns.append(ColumnMeta(f"{prefix}_date", f"{spec.wave.code}: date completed"))
            columns.append(
                ColumnMeta(
                    f"{prefix}_version", f"{spec.wave.code}: instrument version", numeric=True
                )
            )
            columns += self._window_columns(spec)
            columns += [_meta(c, f"{prefix}_{c.name}") for c in spec.columns]
            columns += self._linked_wai_columns(spec)
        # Her latest case's referral beside her questionnaires (T1/T2 change by need).
        columns += [
            ColumnMeta("case_id", "Her latest case with a referral: case number", numeric=True),
            ColumnMeta("case_status", "Her latest case: status now"),
            ColumnMeta("case_opened_on", "Her latest case: date opened"),
        ]
        columns += [_meta(c, f"case_{c.name}") for c in self.case_columns.by_kind["referral"]]
        return columns

    def _linked_wai_names(self, spec: WaveSpec) -> list[tuple[str, str, str]]:
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
                numeric=True,
                measure="scale",
            )
            for name, block, score in self._linked_wai_names(spec)
        ]

    @property
    def _baseline(self) -> str:
        return self.study.waves[0].code if self.study.waves else ""

    def _is_followup(self, spec: WaveSpec) -> bool:
        return spec.wave.code in self.mother_waves and spec.wave.code != self._baseline

    def _window_columns(self, spec: WaveSpec) -> list[ColumnMeta]:
        """A follow-up wave's months after the baseline and whether it fell in its window."""
        if not self._is_followup(spec):
            return []
        prefix, base, code = spec.wave.code.lower(), self._baseline, spec.wave.code
        window = followup.Window.of(spec.wave)
        return [
            ColumnMeta(
                f"{prefix}_months_after_{base.lower()}",
                f"{code}: months from {base} to {code} (completion dates, one decimal)",
                numeric=True,
            ),
            ColumnMeta(
                f"{prefix}_in_window",
                f"{code}: completed in its window, {window.start_months} to "
                f"{window.end_months} months after {base} (1 = yes, 0 = no)",
                numeric=True,
                value_labels={1: "yes", 0: "no"},
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
        for pseudonym, site, per_wave in self.mothers():
            present = [s.wave.code.lower() for s, _ in (w for w in per_wave if w)]
            row: list[Any] = [pseudonym, site, self.linkage(present)]
            baseline_on = next(
                (w[1][0] for w in per_wave if w and w[0].wave.code == self._baseline), None
            )
            for spec, entry in zip(self.waves, per_wave, strict=True):
                wai = self._linked_wai_names(spec)
                if entry is None:
                    row += [None, None] + self._window_values(spec, None, None)
                    row += [None] * (len(spec.columns) + len(wai))
                    continue
                date, version_id, answers, _flags = entry[1]
                row += [date, self.version_label[version_id]]
                row += self._window_values(spec, date, baseline_on)
                row += [c.value(answers) for c in spec.columns]
                row += [getattr(score_wai(answers, block), score) for _, block, score in wai]
            row += case_rows.linked_case_cells(her_case.get(pseudonym), self.case_columns)
            yield row

    def long_columns(self) -> list[ColumnMeta]:
        columns = [
            ColumnMeta("participant_id", "Pseudonymous participant ID"),
            ColumnMeta("site", "Site where she was registered"),
            ColumnMeta("wave", "Wave"),
            ColumnMeta("date", "Date completed"),
            ColumnMeta("version", "Instrument version", numeric=True),
            ColumnMeta("flags", self._flags_label()),
        ]
        seen: set[str] = set()
        for spec in self.waves:
            for c in spec.columns:
                if c.name not in seen:
                    seen.add(c.name)
                    columns.append(_meta(c))
        return columns

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
        names = [c.name for c in self.long_columns()[6:]]
        for pseudonym, site, per_wave in self.mothers():
            for entry in per_wave:
                if entry is None:
                    continue
                spec, (date, version_id, answers, flags) = entry
                by_name = {c.name: c.value(answers) for c in spec.columns}
                flag_text = ", ".join(sorted(k for k, v in flags.items() if v)) or None
                yield [
                    pseudonym,
                    site,
                    spec.wave.code,
                    date,
                    self.version_label[version_id],
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
            ColumnMeta("participant_id", "Pseudonymous participant ID"),
            ColumnMeta("site", "Site"),
            ColumnMeta("wave", "Wave"),
            ColumnMeta("block", "WAI-SR block (variable prefix)"),
            ColumnMeta(
                "task",
                "Task subscale mean (items 1, 2, 10, 12); blank if any item missing",
                numeric=True,
                measure="scale",
            ),
            ColumnMeta(
                "goal",
                "Goal subscale mean (items 4, 6, 8, 11); blank if any item missing",
                numeric=True,
                measure="scale",
            ),
            ColumnMeta(
                "bond",
                "Bond subscale mean (items 3, 5, 7, 9); blank if any item missing",
                numeric=True,
                measure="scale",
            ),
            ColumnMeta(
                "total",
                "Mean of all 12 items; blank if any item missing",
                numeric=True,
                measure="scale",
            ),
            ColumnMeta(
                "items_answered",
                "Items answered 1-5 (Not applicable and missing codes excluded)",
                numeric=True,
                measure="scale",
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
    def _audience_query(self, spec: AudienceSpec) -> Select[Any]:
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
            ColumnMeta("response_id", "Random response ID"),
            ColumnMeta("date", "Date completed"),
            ColumnMeta("version", "Instrument version", numeric=True),
            ColumnMeta("link_site", "Site the link was made for (blank: any)"),
        ] + [_meta(c) for c in spec.columns]

    def audience_rows(self, spec: AudienceSpec) -> Iterator[list[Any]]:
        if not spec.version_ids:
            return
        for rid, date, version_id, answers, site in self.session.execute(
            self._audience_query(spec).execution_options(yield_per=YIELD_PER)
        ):
            yield [rid, date, self.version_label[version_id], site] + [
                c.value(answers or {}) for c in spec.columns
            ]

    def audience_count(self, spec: AudienceSpec) -> int:
        if not spec.version_ids:
            return 0
        return (
            self.session.scalar(
                select(func.count()).select_from(self._audience_query(spec).subquery())
            )
            or 0
        )

    # -- the sheets ------------------------------------------------------------------------
    def data_sheets(self) -> list[Sheet]:
        mothers = self.mothers_count()
        sheets = [
            Sheet("Mothers (linked)", self.linked_columns(), self.linked_rows, mothers),
            Sheet("Mothers (long)", self.long_columns(), self.long_rows, self.long_count()),
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
        sheets.append(Sheet("WAI scores", self.wai_columns(), self.wai_rows, wai_count))
        return sheets + self.case_sheets()

    # -- the case tracker ------------------------------------------------------------------
    def case_sheet_columns(self) -> dict[str, list[ColumnMeta]]:
        cols = self.case_columns

        def fixed(spec: list[tuple[str, str, bool]]) -> list[ColumnMeta]:
            return [ColumnMeta(name, label, numeric=n) for name, label, n in spec]

        per_case = [c for kind in ("referral", "closure", "reopening") for c in cols.by_kind[kind]]
        return {
            "Cases": fixed(case_rows.case_fixed()) + [_meta(c) for c in per_case],
            "Case forms (long)": fixed(case_rows.form_fixed())
            + [_meta(c) for c in cols.all_forms()],
            "Children": fixed(case_rows.child_fixed()) + [_meta(c) for c in cols.children],
        }

    def case_sheets(self) -> list[Sheet]:
        columns, cols = self.case_sheet_columns(), self.case_columns
        return [
            Sheet(
                "Cases",
                columns["Cases"],
                lambda: case_rows.case_rows(self.cases, cols),
                len(self.cases),
            ),
            Sheet(
                "Case forms (long)",
                columns["Case forms (long)"],
                lambda: case_rows.form_rows(self.cases, cols),
                sum(len(c.forms) for c in self.cases),
            ),
            Sheet(
                "Children",
                columns["Children"],
                lambda: case_rows.child_rows(self.cases, cols),
                case_rows.child_count(self.cases),
            ),
        ]

    def codebook_rows(self) -> Iterator[list[Any]]:
        per_wave = [f"{c.lower()}_{n}" for c in self.mother_waves for n in ("date", "version")]
        fixed = ["participant_id", "site", "linkage", *per_wave]
        fixed += ["wave", "response_id", "date", "version", "link_site", "flags"]
        yield ["(fixed columns)", ", ".join(fixed), "", "", "", "", "", ""]
        # The last column names each variable's columns as the sheets spell them.
        for spec in self.waves:
            for meta in self._window_columns(spec):
                values = "1 = yes, 0 = no" if meta.name.endswith("_in_window") else ""
                yield [
                    meta.name,
                    meta.label,
                    "linked sheet",
                    "",
                    "numeric",
                    values,
                    spec.wave.code,
                ] + [f"Mothers (linked): {meta.name}"]
        for spec in self.waves:
            prefix = spec.wave.code.lower()
            for c in spec.columns:
                yield _variable_row(
                    c, c.wave, f"Mothers (linked): {prefix}_{c.name}; Mothers (long): {c.name}"
                )
        for audience in self.audiences:
            for c in audience.columns:
                yield _variable_row(c, "once", f"{AUDIENCE_SHEETS[audience.audience]}: {c.name}")
        for meta in self.wai_columns()[4:]:
            linked = [
                n for s in self.waves for n, _, f in self._linked_wai_names(s) if f == meta.name
            ]
            yield [
                meta.name,
                meta.label,
                "WAI scores",
                "",
                "score",
                "",
                ", ".join(s.wave.code for s in self.waves),
                "; ".join(
                    ([f"Mothers (linked): {', '.join(linked)}"] if linked else [])
                    + [f"WAI scores: {meta.name}"]
                ),
            ]
        yield from self._case_codebook_rows()

    def _case_codebook_rows(self) -> Iterator[list[Any]]:
        # Where each name stands, as the sheets spell it (the codebook's last column).
        where: dict[str, list[str]] = {}
        for sheet, metas in self.case_sheet_columns().items():
            for meta in metas:
                where.setdefault(meta.name, []).append(f"{sheet}: {meta.name}")
        linked = {m.name: m.label for m in self.linked_columns() if m.name.startswith("case_")}
        for name in linked:
            where.setdefault(name, []).append(f"Mothers (linked): {name}")
            if name[5:] in self._case_var_names:
                where.setdefault(name[5:], []).append(f"Mothers (linked): {name}")
        seen: set[str] = set()
        for sheet, metas in self.case_sheet_columns().items():
            for meta in metas:
                if meta.name in seen or meta.value_labels or meta.name in self._case_var_names:
                    continue
                seen.add(meta.name)
                yield [
                    meta.name,
                    meta.label,
                    f"case tracker ({sheet})",
                    "",
                    "fixed",
                    "",
                    "case",
                ] + ["; ".join(where[meta.name])]
        cols = self.case_columns
        for c in [*cols.all_forms(), *cols.children]:
            yield _variable_row(c, c.wave, "; ".join(where.get(c.name, [])))
        # Each linked case_ column has a row of its own too (a researcher reading the linked
        # sheet finds it by the name she sees).
        for name, label in linked.items():
            if name not in seen:
                yield [name, label, "case tracker (Mothers (linked))", "", "fixed", "", "case"] + [
                    f"Mothers (linked): {name}"
                ]

    @property
    def _case_var_names(self) -> set[str]:
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
        rows.append(["Multiple choice", "one 0/1 column per option, named <variable>___<code>"])
        rows.append(["Other, please specify", "the text, when Other was chosen: <variable>_other"])
        rows.append(
            [
                "Case tracker",
                "Cases: one row per case (referral, last closure, last re-opening); Case forms "
                "(long): one row per sent form, its current revision; Children: one row per "
                "child on the referral; Mothers (linked): her latest case's referral as "
                "case_<variable>",
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


def _variable_row(c: Any, wave: str, columns: str) -> list[Any]:
    """A codebook row for one variable; ``columns`` names its columns as the sheets spell them."""
    versions = ", ".join(map(str, c.versions))
    return [c.name, c.label, c.instrument, versions, c.type, c.values_text, wave, columns]


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
