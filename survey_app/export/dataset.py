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
from ..models import COMPLETE, InstrumentVersion, Link, Participant, Response, Site, Wave
from ..models.types import DbSession
from ..scoring import score_wai
from ..study import Study, current_study
from .columns import VarColumn, variable_columns
from .filters import ExportFilters

YIELD_PER = 500
AUDIENCE_SHEETS = {"prison_staff": "Prison staff", "practitioner": "Community practitioners"}
WAI_FIELDS = ("task", "goal", "bond", "total", "items_answered")


@dataclass(frozen=True)
class ColumnMeta:
    """What a column means, for the codebook and for SPSS labels."""

    name: str
    label: str
    numeric: bool = False
    value_labels: Mapping[int, str] = field(default_factory=dict)
    missing_codes: tuple[int, ...] = ()


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
    audience: str
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
            key = self.study.instrument_for("mother", wave.code)
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
            columns += [_meta(c, f"{prefix}_{c.name}") for c in spec.columns]
        return columns

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
        for pseudonym, site, per_wave in self.mothers():
            present = [s.wave.code.lower() for s, _ in (w for w in per_wave if w)]
            row: list[Any] = [pseudonym, site, self.linkage(present)]
            for spec, entry in zip(self.waves, per_wave, strict=True):
                if entry is None:
                    row += [None, None] + [None] * len(spec.columns)
                    continue
                date, version_id, answers, _flags = entry[1]
                row += [date, self.version_label[version_id]]
                row += [c.value(answers) for c in spec.columns]
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
            ),
            ColumnMeta(
                "goal",
                "Goal subscale mean (items 4, 6, 8, 11); blank if any item missing",
                numeric=True,
            ),
            ColumnMeta(
                "bond",
                "Bond subscale mean (items 3, 5, 7, 9); blank if any item missing",
                numeric=True,
            ),
            ColumnMeta("total", "Mean of all 12 items; blank if any item missing", numeric=True),
            ColumnMeta(
                "items_answered",
                "Items answered 1-5 (Not applicable and missing codes excluded)",
                numeric=True,
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
        return sheets

    def codebook_rows(self) -> Iterator[list[Any]]:
        per_wave = [f"{c.lower()}_{n}" for c in self.mother_waves for n in ("date", "version")]
        fixed = ["participant_id", "site", "linkage", *per_wave]
        fixed += ["response_id", "date", "version", "link_site", "flags"]
        yield ["(fixed columns)", ", ".join(fixed), "", "", "", "", ""]
        for spec in self.waves:
            for c in spec.columns:
                yield [
                    c.name,
                    c.label,
                    c.instrument,
                    ", ".join(map(str, c.versions)),
                    c.type,
                    c.values_text,
                    c.wave,
                ]
        for audience in self.audiences:
            for c in audience.columns:
                yield [
                    c.name,
                    c.label,
                    c.instrument,
                    ", ".join(map(str, c.versions)),
                    c.type,
                    c.values_text,
                    "once",
                ]
        for meta in self.wai_columns()[4:]:
            yield [
                meta.name,
                meta.label,
                "WAI scores",
                "",
                "score",
                "",
                ", ".join(s.wave.code for s in self.waves),
            ]

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
