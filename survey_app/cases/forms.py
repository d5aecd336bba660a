"""A case form's page, built from one section of its instrument version with the respondent
form's fields (one per item) plus the case tracker's own: a date, a whole number and the
entries of a repeated group. A value a person could mistype (a date in the future, a number
out of range) is a message on the page; a value no page offers (a code not in the list, a
tampered entry count) is refused whole."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import ValidationError

from ..forms.respondent import FORM_KEYS, AnswerField, CodeField, CodesField, TextField
from ..instruments.model import Item
from ..models.types import today
from ..numbers import whole_number
from ..services.cases import date_problem

REQUIRED = "Please answer this question."


class _TypedAnswer(AnswerField):
    """One typed value. A value she could have mistyped is a ``problem``: a message on the
    page, not a refusal."""

    problem: str | None = None

    def parse(self, raw: list[str]) -> Any:
        value = self._single([v.strip() for v in raw if v.strip()])
        return None if value is None else self.convert(value)

    def convert(self, value: str) -> Any:
        raise NotImplementedError

    def pre_validate(self, form: Any) -> None:
        if self.problem:
            raise ValidationError(self.problem)
        super().pre_validate(form)


class DateAnswer(_TypedAnswer):
    """A date typed as YYYY-MM-DD (what a browser's date box sends)."""

    def convert(self, value: str) -> str | None:
        try:
            date = dt.date.fromisoformat(value)
        except ValueError:
            self.problem = "Please give a date as year-month-day, for example 2022-05-31."
            return None
        self.problem = date_problem(date, today())
        return None if self.problem else date.isoformat()


class IntegerAnswer(_TypedAnswer):
    def convert(self, value: str) -> int | None:
        low, high = self.item.min or 0, self.item.max or 0
        number = whole_number(value, low, high)
        if number is None:
            self.problem = f"Please give a whole number from {low} to {high}."
        return number


def _field_for(item: Item) -> AnswerField:
    kind = {
        "multiple": CodesField,
        "short_text": TextField,
        "long_text": TextField,
        "date": DateAnswer,
        "integer": IntegerAnswer,
    }.get(item.type, CodeField)
    field: AnswerField = kind(item=item, required_message=REQUIRED)
    return field


def entry_name(group: str, index: int, variable: str) -> str:
    return f"{group}-{index}-{variable}"


def count_name(group: str) -> str:
    return f"{group}-count"


class CasePageForm(FlaskForm):  # type: ignore[misc]
    action = HiddenField()

    answer_fields: list[AnswerField]
    groups: dict[str, tuple[Item, int]]  # group variable -> (item, number of entries)
    bad_count: str | None = None

    def entries(self, group: str) -> list[list[AnswerField]]:
        item, count = self.groups[group]
        return [
            [self[entry_name(group, i, sub.variable or "")] for sub in item.items]
            for i in range(count)
        ]

    def answers(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for field in self.answer_fields:
            if "-" not in field.name:
                values[field.name] = field.answer
        for group in self.groups:
            values[group] = [
                {f.item.variable: f.answer for f in entry if f.answer is not None}
                for entry in self.entries(group)
            ] or None
        return values

    def tampered(self) -> list[str]:
        found = [f.tampered for f in self.answer_fields if f.tampered]
        return found + ([self.bad_count] if self.bad_count else [])

    def unknown_keys(self, posted: Iterable[str]) -> list[str]:
        known = {f.name for f in self.answer_fields} | FORM_KEYS | {"revision"}
        known |= {count_name(g) for g in self.groups}
        return sorted(set(posted) - known)


def _posted_count(item: Item, formdata: Any, saved: Any) -> tuple[int, str | None]:
    """The number of entries: the page's hidden count on a POST, else the saved entries."""
    variable = item.variable or ""
    if formdata is None:
        return max(len(saved) if isinstance(saved, list) else 0, item.min_entries, 1), None
    count = whole_number(formdata.get(count_name(variable), ""), high=item.max_entries)
    if count is None:
        return 0, f"{variable}: the number of entries sent is not one this page offers"
    return count, None


def build_case_page_form(
    shown: Iterable[Item], saved: Mapping[str, Any], formdata: Any = None
) -> CasePageForm:
    """A form for the shown items of one section, filled from ``formdata`` (a POST) or from
    the saved answers (a GET)."""

    class SectionForm(CasePageForm):
        pass

    names: list[str] = []
    data: dict[str, Any] = {}
    groups: dict[str, tuple[Item, int]] = {}
    bad_count = None
    for item in shown:
        if item.variable is None:
            continue
        if item.type != "group":
            setattr(SectionForm, item.variable, _field_for(item))
            names.append(item.variable)
            data[item.variable] = saved.get(item.variable)
            continue
        stored = saved.get(item.variable)
        count, problem = _posted_count(item, formdata, stored)
        bad_count = bad_count or problem
        groups[item.variable] = (item, count)
        for i in range(count):
            entry = stored[i] if isinstance(stored, list) and i < len(stored) else {}
            for sub in item.items:
                name = entry_name(item.variable, i, sub.variable or "")
                setattr(SectionForm, name, _field_for(sub))
                names.append(name)
                data[name] = entry.get(sub.variable or "") if isinstance(entry, dict) else None
    form = SectionForm(formdata=formdata, data=data, meta={"csrf": True})
    form.answer_fields = [form[name] for name in names]
    form.groups = groups
    form.bad_count = bad_count
    return form
