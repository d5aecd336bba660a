"""The respondent's page form, built from one section of an instrument version (as Indico's
``make_survey_form`` builds one field per question). Each field parses its own answer and
tells a missing answer (shown again with a message) from a tampered one (refused with 400)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, HiddenField
from wtforms.validators import ValidationError

from ..characters import strip_forbidden
from ..i18n import current_language, t
from ..instruments import missing
from ..instruments.model import Item, pick
from ..numbers import whole_number
from ..services.answer_check import OTHER_LIMIT, TEXT_LIMIT, value_problem
from .translations import CachedTranslations, translations

FORM_KEYS = frozenset({"csrf_token", "action"})


class AnswerField(Field):  # type: ignore[misc]
    """A field for one item. ``answer`` is the parsed value (None when not answered);
    ``tampered`` holds a message when the request sent something no page offers."""

    def __init__(self, item: Item, required_message: str, **kwargs: Any) -> None:
        # The page shows the item's own wording; a label given here spares WTForms a
        # translation look-up per field per request.
        kwargs.setdefault("label", item.variable or "")
        super().__init__(**kwargs)
        self.item = item
        self.required_message = required_message
        self.answer: Any = None
        self.tampered: str | None = None
        self.too_long = False

    def process_data(self, value: Any) -> None:
        # A saved draft answer; Not applicable is the skip logic's, never shown as chosen.
        self.answer = None if value in (None, "", missing.NOT_APPLICABLE) else value
        self.data = self.answer

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.answer = self.parse([str(v) for v in valuelist])
        self.data = self.answer

    def parse(self, raw: list[str]) -> Any:
        raise NotImplementedError

    def pre_validate(self, form: Any) -> None:
        if self.item.required and self.answer is None and self.tampered is None:
            raise ValidationError(self.required_message)

    def _refuse(self, message: str) -> None:
        self.tampered = message

    def _single(self, values: list[str]) -> str | None:
        """The one value sent; None when none was, or (refused) when several were."""
        if not values:
            return None
        if len(values) > 1:
            self._refuse(f"{self.name}: more than one answer was sent")
            return None
        return values[0]


def _code(raw: str) -> int | None:
    """An answer code as a page posts it: ASCII digits, or a missing-data code (-1, -2)."""
    if raw.startswith("-"):
        number = whole_number(raw[1:])
        return None if number is None else -number
    return whole_number(raw)


class CodeField(AnswerField):
    """One code: a Likert point, a rating, a single choice, yes/no, or a consent tick."""

    def parse(self, raw: list[str]) -> int | None:
        value = self._single([v for v in raw if v != ""])
        if value is None:
            return None
        code = _code(value)
        if code is None:
            self._refuse(f"{self.name}: {value[:20]!r} is not one of the answers offered")
            return None
        # Not applicable is the skip logic's code, stored but never offered on a page.
        if code == missing.NOT_APPLICABLE or value_problem(self.item, code) is not None:
            self._refuse(f"{self.name}: {code} is not one of the answers offered")
            return None
        return code


class CodesField(AnswerField):
    """Several codes (multiple choice): a sorted list, or a single offered missing code."""

    def parse(self, raw: list[str]) -> list[int] | int | None:
        values = [v for v in raw if v != ""]
        if not values:
            return None
        found = [_code(v) for v in values]
        if None in found:
            self._refuse(f"{self.name}: an answer was sent that is not offered")
            return None
        codes = sorted({c for c in found if c is not None})
        allowed = {o.code for o in self.item.options}
        offered_missing = [c for c in codes if c in self.item.offer]
        if offered_missing:
            if len(codes) > 1:
                self._refuse(
                    f"{self.name}: choose answers or '{missing.LABELS[offered_missing[0]]['en']}', not both"
                )
                return None
            return offered_missing[0]
        if not set(codes) <= allowed:
            self._refuse(f"{self.name}: an answer was sent that is not offered")
            return None
        return codes


class TextField(AnswerField):
    def parse(self, raw: list[str]) -> str | None:
        if len(raw) > 1:
            self._refuse(f"{self.name}: more than one answer was sent")
            return None
        # Characters XML forbids (controls, U+FFFE, U+FFFF) are invisible to her and would
        # break the workbook: dropped quietly, since a refusal would name nothing she can see.
        text = strip_forbidden(raw[0] if raw else "").replace("\r\n", "\n").replace("\r", "\n")
        text = text.strip()
        limit = self.item.max_length or TEXT_LIMIT
        if len(text) > limit:
            self.too_long = True
            self._refuse(f"{self.name}: the answer is longer than {limit} characters")
            return None
        return text or None


class OtherTextField(TextField):
    """The "please specify" box of a question's "Other" option, kept as <variable>_other;
    never required, and kept only while "Other" is chosen."""

    OTHER_MAX = OTHER_LIMIT

    def parse(self, raw: list[str]) -> str | None:
        text = super().parse(raw)
        if text is not None and len(text) > self.OTHER_MAX:
            self.too_long = True
            self._refuse(f"{self.name}: the answer is longer than {self.OTHER_MAX} characters")
            return None
        return text

    def pre_validate(self, form: Any) -> None:
        # Text typed in the box is her answer: PageForm.validate ticked "Other" for her where
        # that changes no other choice; where she chose another answer, ask her which.
        main = form[self.item.variable]
        if self.answer is None or main.tampered or self.item.other_chosen(main.answer):
            return
        raise ValidationError(other_conflict_message(self.item))


def other_conflict_message(item: Item) -> str:
    other = item.other_option
    label = pick(other.label, current_language()) if other else ""
    return t("other_conflict", current_language(), other=label)


def with_other(item: Item, answer: Any) -> Any:
    """Her answer with "Other" ticked as well, or None where that would replace a choice she
    made (another single answer, or a "prefer not to say")."""
    other = item.other_option
    if other is None:
        return None
    if item.type == "multiple" and (answer is None or isinstance(answer, list)):
        return sorted({*(answer or []), other.code})
    if item.type != "multiple" and answer is None:
        return other.code
    return None


def _field_for(item: Item, required_message: str) -> Any:
    kind = {"multiple": CodesField, "short_text": TextField, "long_text": TextField}.get(
        item.type, CodeField
    )
    return kind(item=item, required_message=required_message)


class PageForm(FlaskForm):  # type: ignore[misc]
    class Meta:
        def get_translations(self, form: Any) -> CachedTranslations:
            return translations

    action = HiddenField()

    answer_fields: list[AnswerField]

    def validate(self, extra_validators: Any = None) -> bool:
        self.tick_other()
        return bool(super().validate(extra_validators))

    def tick_other(self) -> None:
        """Text typed in an "Other, please specify" box ticks "Other" for her, as a mother
        who wrote her answer there expects; unless she chose another answer instead (then
        the box asks her which: see OtherTextField.pre_validate)."""
        for field in self.answer_fields:
            if not isinstance(field, OtherTextField) or field.answer is None:
                continue
            main = self[field.item.variable]
            if main.tampered or field.item.other_chosen(main.answer):
                continue
            ticked = with_other(field.item, main.answer)
            if ticked is not None:
                main.answer = main.data = ticked

    def other_conflicts(self) -> list[str]:
        return [f.name for f in self.answer_fields if isinstance(f, OtherTextField) and f.errors]

    def answers(self) -> dict[str, Any]:
        found = {field.name: field.answer for field in self.answer_fields}
        for field in self.answer_fields:
            if isinstance(field, OtherTextField) and not field.item.other_chosen(
                found.get(field.item.variable or "")
            ):
                found[field.name] = None  # "Other" not chosen: no text kept for it
        return found

    def tampered(self) -> list[str]:
        return [field.tampered for field in self.answer_fields if field.tampered]

    def unknown_keys(self, posted: Iterable[str]) -> list[str]:
        known = {field.name for field in self.answer_fields} | FORM_KEYS
        return sorted(set(posted) - known)

    def missing_required(self) -> list[str]:
        return [
            field.name
            for field in self.answer_fields
            if field.item.required
            and field.answer is None
            and not field.tampered
            and not isinstance(field, OtherTextField)
        ]


def build_page_form(
    shown: Iterable[Item],
    saved: Mapping[str, Any],
    required_message: str,
    formdata: Any = None,
) -> PageForm:
    """A form for the items of a section that are shown, filled from ``formdata`` (a POST)
    or from the saved draft answers (a GET)."""
    items = tuple(shown)
    key = (tuple(map(id, items)), required_message)
    made = _FORM_CLASSES.get(key)
    if made is None or made[0] != items:
        if len(_FORM_CLASSES) >= 1024:
            _FORM_CLASSES.clear()
        made = _FORM_CLASSES[key] = (items, *_page_form_class(items, required_message))
    _, form_class, names = made
    form = form_class(formdata=formdata, data={n: saved.get(n) for n in names}, meta={"csrf": True})
    form.answer_fields = [form[name] for name in names]
    return form


# Form classes by the identity of their items (dicts inside make items unhashable); the items
# are kept in the entry, so an id is not reused while its entry lives.
_FORM_CLASSES: dict[
    tuple[tuple[int, ...], str], tuple[tuple[Item, ...], type[PageForm], tuple[str, ...]]
] = {}


def _page_form_class(
    shown: tuple[Item, ...], required_message: str
) -> tuple[type[PageForm], tuple[str, ...]]:
    """The form class for these items, made once: items are immutable parts of a published
    instrument version, and a class per request was a tenth of a question page's time."""

    class SectionPageForm(PageForm):
        pass

    names = []
    for item in shown:
        if item.variable is None:
            continue
        setattr(SectionPageForm, item.variable, _field_for(item, required_message))
        names.append(item.variable)
        if item.other_variable is not None:
            setattr(
                SectionPageForm,
                item.other_variable,
                OtherTextField(item=item, required_message=required_message),
            )
            names.append(item.other_variable)
    return SectionPageForm, tuple(names)
