"""The mothers' data as a REDCap project imports it: one data CSV and the data dictionary it
matches, in one zip.

The project is longitudinal: one event per wave (``t1_arm_1`` ...) holding the wave's details
and the mothers' questionnaire, and one event for the case tracker (``case_tracker_arm_1``) whose
forms (referral, update, closure, re-opening, and the referral's children) are repeating
instruments. REDCap wants each field name once in a project, and the waves' questionnaires share
most of their questions: they are one form, ``mothers``, its fields the union of every version's
in the export. The dictionary's rows come from the instruments' own dictionary writer
(instruments/redcap.py); the data's columns are made from the dictionary (a checkbox field as one
``<field>___<code>`` column per choice), so that the two always match.

The values are the typed cells of the Mothers (long), Case forms (long) and Children sheets:
codes, not labels; dates as YYYY-MM-DD; "Not applicable" (a question skipped by its show-if) as
blank, as REDCap leaves a field its branching logic hides."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from ..instruments import missing
from ..instruments.redcap import (
    ANNOTATION,
    BRANCHING,
    CHOICES,
    COLUMNS,
    FORM,
    LABEL,
    NAME,
    RECORD_ID,
    TYPE,
    VALIDATION,
    export_redcap,
)
from ..kinds import CaseFormKind
from .cases import CHILDREN
from .dataset import Dataset
from .safe import csv_cell
from .sheet_names import CASE_FORMS, MOTHERS_LONG
from .sheet_names import CHILDREN as CHILDREN_SHEET
from .workbook import Export

DATA_FILE = "redcap_data.csv"
DICTIONARY_FILE = "redcap_data_dictionary.csv"
DESIGNATION_FILE = "redcap_instrument_designation.csv"
README_FILE = "readme.txt"
ABOUT_FILE = "about.txt"

MOTHERS_FORM = "mothers"
WAVE_FORM = "wave_details"
CASE_LABEL = "Case tracker"
SYSTEM_COLUMNS = (
    RECORD_ID,
    "redcap_event_name",
    "redcap_repeat_instrument",
    "redcap_repeat_instance",
)
# The wave's details, per wave: the long sheet's column each is read from.
WAVE_FIELDS = {
    "wave_site": "site",
    "wave_date": "date",
    "wave_version": "version",
    "wave_language": "language",
}
# The case forms' own details, before each form's questions: the sheet's column each is read from.
CASE_FIELDS = {"case_id": "case_id", "date": "date", "version": "version"}
CHILD_FIELDS = {"case_id": "case_id", "entry": "child"}

Row = dict[str, str]


def event_name(label: str) -> str:
    """REDCap's unique name of the event labelled ``label`` in arm 1 (T1 -> t1_arm_1)."""
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_") + "_arm_1"


CASE_EVENT = event_name(CASE_LABEL)  # case_tracker_arm_1


def checkbox_column(field: str, code: str) -> str:
    """REDCap's column for one choice of a checkbox: any character but a letter or digit of the
    code becomes _ (needs, -2 -> needs____2)."""
    return f"{field}___{re.sub(r'[^a-z0-9]', '_', code.lower())}"


YESNO_CHOICES = "1, Yes | 0, No"  # what REDCap's yesno field holds


def _choices(row: Mapping[str, str]) -> list[str]:
    """A choice field's ``code, Label`` parts."""
    text = YESNO_CHOICES if row.get(TYPE) == "yesno" else row.get(CHOICES, "")
    return [p.strip() for p in text.split("|") if p.strip()]


def choice_codes(row: Mapping[str, str]) -> list[str]:
    """The codes of a choice field's ``1, Label | 2, Label`` (yes/no: 1 and 0, as REDCap)."""
    return [p.split(",", 1)[0].strip() for p in _choices(row)]


def _field(name: str, form: str, label: str, kind: str = "text", **more: str) -> Row:
    return {NAME: name, FORM: form, TYPE: kind, LABEL: label, **more}


def _definition_rows(definition: Mapping[str, Any]) -> list[Row]:
    return list(csv.DictReader(io.StringIO(export_redcap(definition))))


class MergedDictionary:
    """Dictionary rows merged from several definitions, each field once, each form's fields
    together (REDCap wants both)."""

    def __init__(self) -> None:
        self.rows: list[Row] = []

    def _index(self, name: str) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r[NAME] == name), None)

    def _end_of(self, form: str) -> int:
        at = [i for i, r in enumerate(self.rows) if r[FORM] == form]
        return at[-1] + 1 if at else len(self.rows)

    def add(self, rows: Iterable[Row], forms: Mapping[str, str] | None = None) -> None:
        """A definition's rows, their forms renamed by ``forms``. A field already in keeps its
        place (a choice field gains the codes it lacked: an older version's); a new one goes
        after the field it follows in ``rows`` (an older version's or a later wave's question
        beside its neighbours)."""
        previous: str | None = None
        for given in rows:
            if given[NAME] == RECORD_ID:
                continue
            row = {**given, FORM: (forms or {}).get(given[FORM], given[FORM])}
            found = self._index(row[NAME])
            if found is not None:
                self._merge_choices(self.rows[found], row)
            else:
                at = self._index(previous) if previous is not None else None
                if at is not None and self.rows[at][FORM] == row[FORM]:
                    self.rows.insert(at + 1, row)
                else:
                    self.rows.insert(self._end_of(row[FORM]), row)
            previous = row[NAME]

    @staticmethod
    def _merge_choices(kept: Row, other: Row) -> None:
        kinds = {kept.get(TYPE), other.get(TYPE)}
        if not (kinds <= {"radio", "yesno"} or kinds == {"checkbox"}):
            return
        have = set(choice_codes(kept))
        extra = [p for p in _choices(other) if p.split(",", 1)[0].strip() not in have]
        if extra:
            # A yes/no that another version offered "Don't know" for: a radio with both.
            kept[CHOICES] = " | ".join([*_choices(kept), *extra])
            kept[TYPE] = "checkbox" if kept[TYPE] == "checkbox" else "radio"


@dataclass(frozen=True)
class Project:
    """The dictionary, the events and the forms each event holds."""

    dictionary: list[Row]
    events: dict[str, list[str]]  # unique event name -> its forms
    labels: dict[str, str]  # unique event name -> the event's label
    repeating: tuple[str, ...]  # the forms that repeat (in the case tracker's event)


def _newest_first(data: Dataset, version_ids: Iterable[int]) -> list[Mapping[str, Any]]:
    wanted = set(version_ids)
    chosen = [v for v in data.versions if v.id in wanted]
    return [v.definition for v in sorted(chosen, key=lambda v: v.version, reverse=True)]


def build_project(data: Dataset) -> Project:
    merged = MergedDictionary()
    record = _field(RECORD_ID, WAVE_FORM, "Participant ID (pseudonym)")
    merged.rows.append(record)
    merged.add(
        [
            _field("wave_site", WAVE_FORM, "Site where she was registered"),
            _field("wave_date", WAVE_FORM, "Date completed", **{VALIDATION: "date_ymd"}),
            _field("wave_version", WAVE_FORM, "Instrument version", **{VALIDATION: "integer"}),
            _field(
                "wave_language",
                WAVE_FORM,
                "Language she answered in",
                "radio",
                **{CHOICES: "en, English | cy, Welsh"},
            ),
        ]
    )
    events: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for spec in data.waves:
        for definition in _newest_first(data, spec.version_ids):
            merged.add(_definition_rows(definition), {definition["key"]: MOTHERS_FORM})
        events[event_name(spec.wave.code)] = [WAVE_FORM, MOTHERS_FORM]
        labels[event_name(spec.wave.code)] = spec.wave.code
    repeating: list[str] = []
    for key in (kind.instrument_key for kind in CaseFormKind):
        ids = [v.id for v in data.versions if v.key == key]
        if not ids:
            continue
        label = key.replace("_", " ")
        merged.add(
            [
                _field(f"{key}_case_id", key, "Case number", **{VALIDATION: "integer"}),
                _field(f"{key}_date", key, f"Date of the {label} form", **{VALIDATION: "date_ymd"}),
                _field(f"{key}_version", key, "Form version", **{VALIDATION: "integer"}),
            ]
        )
        for definition in _newest_first(data, ids):
            merged.add(_definition_rows(definition))
        repeating.append(key)
        if CHILDREN in {r[FORM] for r in merged.rows} and CHILDREN not in repeating:
            # The referral's repeated group is a form of its own: one instance per child.
            at = next(i for i, r in enumerate(merged.rows) if r[FORM] == CHILDREN)
            merged.rows[at:at] = [
                _field(f"{CHILDREN}_case_id", CHILDREN, "Case number", **{VALIDATION: "integer"}),
                _field(
                    f"{CHILDREN}_entry",
                    CHILDREN,
                    "Child's entry number on the referral",
                    **{VALIDATION: "integer"},
                ),
            ]
            repeating.append(CHILDREN)
    if repeating:
        events[CASE_EVENT] = repeating
        labels[CASE_EVENT] = CASE_LABEL
    return Project(merged.rows, events, labels, tuple(repeating))


# --- the data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    name: str
    field: Row
    code: str | None  # a checkbox's choice


def data_columns(dictionary: Sequence[Row]) -> list[_Column]:
    """The data file's columns after the system columns: each field that holds data, a
    checkbox as one column per choice."""
    columns = []
    for row in dictionary:
        if row[NAME] == RECORD_ID or row[TYPE] == "descriptive":
            continue
        if row[TYPE] == "checkbox":
            columns += [_Column(checkbox_column(row[NAME], c), row, c) for c in choice_codes(row)]
        else:
            columns.append(_Column(row[NAME], row, None))
    return columns


def _skippable(field: Row) -> bool:
    return bool(field.get(BRANCHING)) or '"show_if"' in field.get(ANNOTATION, "")


def _not_applicable(field: Row, value: Any) -> bool:
    return _skippable(field) and value in (missing.NOT_APPLICABLE, str(missing.NOT_APPLICABLE))


def _checkbox(field: Row, source: Mapping[str, Any]) -> dict[str, Any]:
    """Each choice of a checkbox, 0/1. The sheets hold a tick-all question as one 0/1 column per
    option (a missing-data code given for the whole question in each of them), a consent as one
    column holding its code."""
    name, codes = field[NAME], choice_codes(field)
    options = [source[k] for k in (f"{name}___{c}" for c in codes) if k in source]
    if not options:
        value = source.get(name)
        if value is None or _not_applicable(field, value):
            return dict.fromkeys(codes)
        return {c: int(str(value) == c) for c in codes}
    given = [v for v in options if v is not None and not _not_applicable(field, v)]
    if not given:
        return dict.fromkeys(codes)
    whole = [v for v in given if v < 0]
    if whole:  # a missing-data code for the whole question: that choice ticked
        return {c: int(c == str(whole[0])) for c in codes}
    return {c: source.get(f"{name}___{c}", 0) for c in codes}


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return csv_cell(value)


def _values(columns: Sequence[_Column], source: Mapping[str, Any]) -> list[Any]:
    out = []
    ticked: dict[str, dict[str, Any]] = {}  # each checkbox's choices, worked out once a row
    for column in columns:
        field = column.field
        if column.code is not None:
            if field[NAME] not in ticked:
                ticked[field[NAME]] = _checkbox(field, source)
            out.append(_cell(ticked[field[NAME]][column.code]))
            continue
        value = source.get(column.name)
        out.append("" if _not_applicable(field, value) else _cell(value))
    return out


def _sheet_dicts(export: Export, name: str) -> Iterator[dict[str, Any]]:
    sheet = export.data_sheet(name)
    header = sheet.header
    for row in sheet.rows():
        yield dict(zip(header, row, strict=False))


def data_rows(export: Export, project: Project) -> Iterator[list[Any]]:
    columns = data_columns(project.dictionary)
    forms = {r[NAME]: r[FORM] for r in project.dictionary}
    by_form: dict[str, list[_Column]] = {}
    for column in columns:
        by_form.setdefault(forms[column.field[NAME]], []).append(column)
    width = len(columns)
    place = {c.name: i for i, c in enumerate(columns)}

    def line(
        record: str, event: str, forms: Sequence[str], instance: int | None, source: Any
    ) -> list[Any]:
        row: list[Any] = [""] * width
        for form in forms:
            mine = by_form.get(form, [])
            for column, value in zip(mine, _values(mine, source), strict=True):
                row[place[column.name]] = value
        repeat = [forms[0], instance] if instance is not None else ["", ""]
        return [_cell(record), event, *repeat, *row]

    for source in _sheet_dicts(export, MOTHERS_LONG):
        source.update({field: source[column] for field, column in WAVE_FIELDS.items()})
        event = event_name(source["wave"])
        yield line(source["participant_id"], event, (WAVE_FORM, MOTHERS_FORM), None, source)
    if not project.repeating:
        return
    instances: Counter[tuple[str, str]] = Counter()
    for source in _sheet_dicts(export, CASE_FORMS):
        form = CaseFormKind(source["form"]).instrument_key
        source.update({f"{form}_{field}": source[c] for field, c in CASE_FIELDS.items()})
        instances[(source["participant_id"], form)] += 1
        number = instances[(source["participant_id"], form)]
        yield line(source["participant_id"], CASE_EVENT, (form,), number, source)
    if CHILDREN in project.repeating:
        for source in _sheet_dicts(export, CHILDREN_SHEET):
            source.update({f"{CHILDREN}_{field}": source[c] for field, c in CHILD_FIELDS.items()})
            instances[(source["participant_id"], CHILDREN)] += 1
            number = instances[(source["participant_id"], CHILDREN)]
            yield line(source["participant_id"], CASE_EVENT, (CHILDREN,), number, source)


# --- the zip -------------------------------------------------------------------------------


def _csv_text(rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _readme(project: Project) -> str:
    events = "\n".join(f"  {name}: {', '.join(forms)}" for name, forms in project.events.items())
    return f"""A REDCap project's data, with the data dictionary it matches.

To load it into a new REDCap project:
1. Project Setup: enable longitudinal data collection; define one arm with the events
   labelled {", ".join(project.labels.values())} (REDCap names them
   {", ".join(project.labels)}).
2. Upload {DICTIONARY_FILE} (Dictionary, Upload).
3. Designate the instruments for the events: upload {DESIGNATION_FILE}, or by hand:
{events}
4. Make these repeating instruments in {CASE_EVENT}: {", ".join(project.repeating) or "none"}.
5. Data Import Tool: import {DATA_FILE} (format: rows are records; dates Y-M-D).

Each participant is one record, record_id her pseudonym. Codes, not labels; blank: skipped or
not applicable (a question its branching logic hides). A text that starts like a formula
(=, +, -, @) starts with an apostrophe, so that no spreadsheet runs it.
{ABOUT_FILE}: the filters, versions and any values not exported.
"""


def write_redcap_zip(export: Export, out: IO[bytes]) -> None:
    project = build_project(export.dataset)
    header = [*SYSTEM_COLUMNS, *(c.name for c in data_columns(project.dictionary))]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            DICTIONARY_FILE,
            _csv_text([COLUMNS, *([r.get(c, "") for c in COLUMNS] for r in project.dictionary)]),
        )
        with archive.open(DATA_FILE, "w") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            writer = csv.writer(text, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(data_rows(export, project))
            text.flush()
            text.detach()
        designation: list[list[Any]] = [
            ["arm_num", "unique_event_name", "form"],
            *([1, event, form] for event, forms in project.events.items() for form in forms),
        ]
        archive.writestr(DESIGNATION_FILE, _csv_text(designation))
        archive.writestr(README_FILE, _readme(project).encode("utf-8"))
        about = "".join(f"{item}: {value}\n" for item, value in export.data_sheet("About").rows())
        archive.writestr(ABOUT_FILE, about.encode("utf-8"))
