"""The study configuration (study.yaml, or the file named by the STUDY_FILE setting): sites,
waves and which instrument each audience answers at each wave. Data, not code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from flask import has_app_context
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from .config import BUNDLED_STUDY_FILE, current_settings
from .instruments.yaml_files import read_yaml, validated
from .kinds import Audience, SiteKind, values

WELSH_SETTINGS = ("on", "draft", "off")


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class _SiteSchema(_Strict):
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]*$"))
    name = fields.String(required=True)
    kind = fields.String(
        load_default=SiteKind.PRISON.value, validate=validate.OneOf(values(SiteKind))
    )


class _WaveSchema(_Strict):
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Z][A-Z0-9]*$"))
    label = fields.String(required=True)
    offset_months = fields.Integer(load_default=0, validate=validate.Range(min=0))
    window_start_months = fields.Integer(validate=validate.Range(min=0))
    window_end_months = fields.Integer(validate=validate.Range(min=0))


class _ScheduleSchema(_Strict):
    audience = fields.Enum(Audience, required=True, by_value=True)
    wave = fields.String()
    instrument = fields.String(required=True)


class _PeriodSchema(_Strict):
    label = fields.String(required=True, validate=validate.Length(min=1, max=60))
    start = fields.Date(required=True)
    end = fields.Date(required=True)

    @validates_schema
    def _order(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["end"] < data["start"]:
            raise ValidationError("end is before start", "end")


class _RecontactSchema(_Strict):
    variable = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]*$"))
    declined = fields.Integer(load_default=0, strict=True)


class _StudySchema(_Strict):
    name = fields.String(required=True)
    pseudonym_prefix = fields.String(load_default="TC", validate=validate.Regexp(r"^[A-Z]{1,4}$"))
    sites = fields.List(fields.Nested(_SiteSchema), required=True, validate=validate.Length(min=1))
    waves = fields.List(fields.Nested(_WaveSchema), required=True, validate=validate.Length(min=1))
    schedule = fields.List(fields.Nested(_ScheduleSchema), required=True)
    # The case tracker: no form date before the study started; an open case is "update due"
    # this many days after its last form; the reporting periods of the report's tables.
    study_start = fields.Date(required=True)
    # The earliest date a case form may carry: support that began before the study (a case
    # carried into it, counted as "Pre-Y1"). Defaults to study_start.
    service_start = fields.Date()
    case_update_due_days = fields.Integer(
        load_default=90, strict=True, validate=validate.Range(min=1, max=730)
    )
    periods = fields.List(fields.Nested(_PeriodSchema), load_default=list)
    # The respondents' Welsh: "on" (reviewed), "draft" (awaiting review: the kiosk's lock
    # screen tells the fieldworker) or "off" (no Welsh offered).
    welsh = fields.String(
        load_default="on", validate=validate.OneOf(WELSH_SETTINGS, error="use on, draft or off")
    )
    # The baseline item that records her consent to be asked again, and its "no" code.
    recontact = fields.Nested(_RecontactSchema, load_default=None)

    @validates_schema
    def _references(self, data: dict[str, Any], **kwargs: Any) -> None:
        waves = {w["code"] for w in data["waves"]}
        for i, entry in enumerate(data["schedule"]):
            if "wave" in entry and entry["wave"] not in waves:
                raise ValidationError(
                    {"schedule": {i: {"wave": [f"unknown wave {entry['wave']!r}"]}}}
                )
        if data.get("service_start", data["study_start"]) > data["study_start"]:
            raise ValidationError("after study_start", "service_start")
        for i, period in enumerate(data.get("periods", [])):
            if period["start"] < data["study_start"]:
                raise ValidationError({"periods": {i: {"start": ["before study_start"]}}})
        for kind in ("sites", "waves"):
            codes = [x["code"] for x in data[kind]]
            if len(codes) != len(set(codes)):
                raise ValidationError(f"duplicate code in {kind}", kind)


@dataclass(frozen=True)
class SiteConfig:
    code: str
    name: str
    kind: SiteKind


@dataclass(frozen=True)
class WaveConfig:
    code: str
    label: str
    offset_months: int
    window_start_months: int | None
    window_end_months: int | None


@dataclass(frozen=True)
class ScheduleEntry:
    audience: Audience
    wave: str | None
    instrument: str


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Recontact:
    """The baseline item that records consent to be asked again: ``declined`` is its "no"."""

    variable: str
    declined: int = 0


@dataclass(frozen=True)
class Study:
    name: str
    pseudonym_prefix: str
    sites: tuple[SiteConfig, ...]
    waves: tuple[WaveConfig, ...]
    schedule: tuple[ScheduleEntry, ...]
    source: str = "study.yaml"  # the file's name, for messages
    study_start: dt.date = dt.date(2021, 4, 1)
    service_start: dt.date = dt.date(2021, 4, 1)
    case_update_due_days: int = 90
    periods: tuple[Period, ...] = ()
    welsh: str = "on"
    recontact: Recontact | None = None

    def instrument_for(self, audience: Audience, wave: str | None) -> str | None:
        for entry in self.schedule:
            if entry.audience == audience and entry.wave == wave:
                return entry.instrument
        return None

    def site_name(self, code: str) -> str:
        return next((s.name for s in self.sites if s.code == code), code)

    def wave_name(self, code: str) -> str:
        """e.g. "Start of support (T1)"."""
        return next((f"{w.label} ({w.code})" for w in self.waves if w.code == code), code)

    @property
    def kiosk_waves(self) -> tuple[str, ...]:
        return tuple(e.wave for e in self.schedule if e.audience == Audience.MOTHER and e.wave)


def load_study(path: Path = BUNDLED_STUDY_FILE) -> Study:
    raw = validated(_StudySchema(), read_yaml(path), path.name)
    return Study(
        name=raw["name"],
        pseudonym_prefix=raw["pseudonym_prefix"],
        sites=tuple(SiteConfig(s["code"], s["name"], SiteKind(s["kind"])) for s in raw["sites"]),
        waves=tuple(
            WaveConfig(
                code=w["code"],
                label=w["label"],
                offset_months=w["offset_months"],
                window_start_months=w.get("window_start_months"),
                window_end_months=w.get("window_end_months"),
            )
            for w in raw["waves"]
        ),
        schedule=tuple(
            ScheduleEntry(s["audience"], s.get("wave"), s["instrument"]) for s in raw["schedule"]
        ),
        source=path.name,
        study_start=raw["study_start"],
        service_start=raw.get("service_start", raw["study_start"]),
        case_update_due_days=raw["case_update_due_days"],
        periods=tuple(Period(p["label"], p["start"], p["end"]) for p in raw["periods"]),
        welsh=raw["welsh"],
        recontact=Recontact(**raw["recontact"]) if raw["recontact"] else None,
    )


def study_file() -> Path:
    """The running app's STUDY_FILE; the bundled study.yaml outside an app."""
    if has_app_context():
        return current_settings().study_file
    return BUNDLED_STUDY_FILE


def current_study() -> Study:
    """The study of the running app, read once per file."""
    return _cached_study(study_file())


@cache
def _cached_study(path: Path) -> Study:
    return load_study(path)
