"""Marshmallow schemas for instrument source files, scale libraries and blocks.

These check shape only; ``loader.py`` checks what needs the whole file (unknown scales,
duplicate variables, show-if order) and expands blocks.
"""

from __future__ import annotations

from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from ..kinds import Audience

FORMAT_VERSION = 2
# Format 2: a yes/no question in an instrument in Welsh carries its own Welsh yes and no
# (yes_no_cy). Format 1 files (published versions, kept as they are) are still read, and
# expand exactly as before.
FORMATS = (1, 2)
BLOCK_FORMAT = 1
LIST_FORMAT = 1  # bundled lists (shared/lists/*.yaml) have a format of their own
LANGUAGES = ("en", "cy")
ITEM_TYPES = (
    "likert",
    "rating",
    "single",
    "multiple",
    "yesno",
    "short_text",
    "long_text",
    "consent",
    "info",
    # The case tracker's forms: a date, a whole number within bounds, and a repeated group
    # (one entry per child, each with its own items).
    "date",
    "integer",
    "group",
)
# Types that may stand inside a repeated group's entry.
GROUP_ITEM_TYPES = ("single", "multiple", "yesno", "short_text", "date", "integer")
CHOICE_TYPES = ("likert", "single", "multiple", "yesno")
VARIABLE = validate.Regexp(
    r"^[a-z][a-z0-9_]{0,40}$",
    error="variable names are lower case letters, digits and _ (at most 41), starting with a letter",
)
IDENT = validate.Regexp(r"^[a-z][a-z0-9_]*$", error="use lower case letters, digits and _")


class LangText(fields.Field):  # type: ignore[type-arg]
    """Text per language: a mapping {en: ..., cy: ...} (en required) or a plain string for en."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> dict[str, str]:
        if isinstance(value, str):
            value = {"en": value}
        if not isinstance(value, dict):
            raise ValidationError("expected text, or a mapping of language to text")
        unknown = sorted(set(value) - set(LANGUAGES))
        if unknown:
            raise ValidationError(f"unknown language {unknown[0]!r} (use en or cy)")
        if not value.get("en"):
            raise ValidationError("missing 'en' text")
        out: dict[str, str] = {}
        for lang, text in value.items():
            if not isinstance(text, str) or not text.strip():
                raise ValidationError(f"'{lang}' text must be a non-empty string")
            out[lang] = text.strip()
        return out


class Strict(Schema):
    class Meta:
        unknown = RAISE


class OptionSchema(Strict):
    code = fields.Integer(required=True, strict=True)
    label = LangText(required=True)


class ItemOptionSchema(OptionSchema):
    # "Other": a text box beneath it asks her to say what, kept as <variable>_other.
    other_text = fields.Boolean()


class CollapsedSchema(Strict):
    label = LangText(required=True)
    codes = fields.List(fields.Integer(strict=True), required=True, validate=validate.Length(min=1))


def _duplicate_codes(options: list[dict[str, Any]]) -> dict[int, list[str]]:
    seen: set[int] = set()
    errors: dict[int, list[str]] = {}
    for i, option in enumerate(options):
        if option["code"] in seen:
            errors[i] = [f"duplicate code {option['code']}"]
        seen.add(option["code"])
    return errors


class ScaleSchema(Strict):
    label = LangText()
    options = fields.List(
        fields.Nested(OptionSchema), required=True, validate=validate.Length(min=2)
    )
    collapsed = fields.List(fields.Nested(CollapsedSchema))

    @validates_schema
    def _codes(self, data: dict[str, Any], **kwargs: Any) -> None:
        duplicates = _duplicate_codes(data["options"])
        if duplicates:
            raise ValidationError({"options": {i: {"code": m} for i, m in duplicates.items()}})
        for code in data["options"]:
            if code["code"] < 0:
                raise ValidationError("negative codes are reserved for missing data", "options")
        known = {o["code"] for o in data["options"]}
        for i, group in enumerate(data.get("collapsed", [])):
            for code in group["codes"]:
                if code not in known:
                    raise ValidationError(
                        {"collapsed": {i: {"codes": [f"code {code} is not in the scale"]}}}
                    )


class ScaleLibrarySchema(Strict):
    scales = fields.Dict(
        keys=fields.String(validate=IDENT), values=fields.Nested(ScaleSchema), required=True
    )


class ShowIfSchema(Strict):
    variable = fields.String(required=True, validate=VARIABLE)
    in_ = fields.List(fields.Integer(strict=True), data_key="in")
    not_in = fields.List(fields.Integer(strict=True))
    # On a repeated group: shown when it has at least this many entries.
    count_at_least = fields.Integer(strict=True, validate=validate.Range(min=1, max=100))

    @validates_schema
    def _one_rule(self, data: dict[str, Any], **kwargs: Any) -> None:
        if sum(key in data for key in ("in_", "not_in", "count_at_least")) != 1:
            raise ValidationError("give exactly one of 'in', 'not_in' or 'count_at_least'")


class ItemSchema(Strict):
    type = fields.String(validate=validate.OneOf(ITEM_TYPES, error="unknown item type {input!r}"))
    variable = fields.String(validate=VARIABLE)
    text = LangText()
    help = LangText()
    required = fields.Boolean()
    scale = fields.String(validate=IDENT)
    options = fields.List(fields.Nested(ItemOptionSchema), validate=validate.Length(min=1))
    min = fields.Integer(strict=True)
    max = fields.Integer(strict=True)
    low_label = LangText()
    high_label = LangText()
    max_length = fields.Integer(strict=True, validate=validate.Range(min=1, max=20000))
    offer = fields.List(
        fields.String(validate=validate.OneOf(["dont_know", "prefer_not_to_say"])),
    )
    show_if = fields.Nested(ShowIfSchema)
    # A multiple choice from a bundled list (shared/lists/<name>.yaml) instead of options.
    choices_from = fields.String(validate=IDENT)
    # A repeated group: its entry's items and how many entries it takes.
    items = fields.List(fields.Nested(lambda: ItemSchema()), validate=validate.Length(min=1))
    min_entries = fields.Integer(strict=True, validate=validate.Range(min=0, max=100))
    max_entries = fields.Integer(strict=True, validate=validate.Range(min=1, max=100))
    entry_label = LangText()
    # Welsh answers yes and no with the question's verb: [Ydw, Nac ydw], [Oes, Nac oes] ...
    yes_no_cy = fields.List(
        fields.String(validate=validate.Length(min=1)),
        validate=validate.Length(equal=2, error="give the Welsh yes, then the Welsh no"),
    )
    # A use of a reusable block instead of an item.
    block = fields.String(validate=IDENT)
    prefix = fields.String(validate=VARIABLE)
    params = fields.Dict(keys=fields.String(validate=IDENT), values=LangText())

    @validates_schema
    def _by_type(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "block" in data:
            extra = set(data) - {"block", "prefix", "params", "show_if", "offer"}
            if extra:
                raise ValidationError(f"not allowed in a block use: {', '.join(sorted(extra))}")
            if "prefix" not in data:
                raise ValidationError("a block use needs a variable prefix", "prefix")
            return
        kind = data.get("type")
        if kind is None:
            raise ValidationError("missing item type (or a 'block' to use)", "type")
        if kind != "info" and "variable" not in data:
            raise ValidationError("missing variable name", "variable")
        if kind == "info" and "variable" in data:
            raise ValidationError("information text has no variable", "variable")
        if "text" not in data:
            raise ValidationError("missing text", "text")
        if kind == "likert" and "scale" not in data:
            raise ValidationError("a likert item needs a named scale", "scale")
        self._case_types(kind, data)
        if kind == "single" and ("options" in data) == ("scale" in data):
            raise ValidationError("give either options or a scale", "options")
        if kind == "multiple" and sum(k in data for k in ("options", "scale", "choices_from")) != 1:
            raise ValidationError("give one of options, a scale or choices_from", "options")
        if "options" in data:
            duplicates = _duplicate_codes(data["options"])
            if duplicates:
                raise ValidationError({"options": {i: {"code": m} for i, m in duplicates.items()}})
            others = [o for o in data["options"] if o.get("other_text")]
            if others and kind not in ("single", "multiple"):
                raise ValidationError("only a single or multiple choice has other_text", "options")
            if len(others) > 1:
                raise ValidationError("only one option can have other_text", "options")
        if kind == "rating":
            low, high = data.get("min", 1), data.get("max", 10)
            if low >= high:
                raise ValidationError("min must be below max", "max")
        if "offer" in data and kind not in CHOICE_TYPES + ("rating",):
            raise ValidationError("only choice and rating items can offer missing codes", "offer")
        if "yes_no_cy" in data and kind != "yesno":
            raise ValidationError("only a yes/no question has a Welsh yes and no", "yes_no_cy")
        if kind == "consent" and data.get("required") is False:
            raise ValidationError("consent items are always required", "required")

    @staticmethod
    def _case_types(kind: str, data: dict[str, Any]) -> None:
        """The date, integer and group items, and what belongs to them only."""
        if kind == "integer":
            if "min" not in data or "max" not in data:
                raise ValidationError("a whole-number item needs min and max", "max")
            if data["min"] >= data["max"]:
                raise ValidationError("min must be below max", "max")
        if "choices_from" in data and kind != "multiple":
            raise ValidationError("only a multiple choice item takes choices_from", "choices_from")
        group_only = {"items", "min_entries", "max_entries", "entry_label"}
        if kind != "group":
            extra = sorted(group_only & set(data))
            if extra:
                raise ValidationError(f"only a repeated group has {extra[0]}", extra[0])
            return
        for name in ("items", "min_entries", "max_entries"):
            if name not in data:
                raise ValidationError(f"a repeated group needs {name}", name)
        if data["min_entries"] > data["max_entries"]:
            raise ValidationError("min_entries must not be above max_entries", "max_entries")
        for i, item in enumerate(data["items"]):
            if item.get("type") not in GROUP_ITEM_TYPES:
                raise ValidationError(
                    {"items": {i: {"type": [f"not allowed in a group: {item.get('type')!r}"]}}}
                )
            if "show_if" in item:
                raise ValidationError({"items": {i: {"show_if": ["not allowed in a group"]}}})


class SectionSchema(Strict):
    id = fields.String(required=True, validate=IDENT)
    title = LangText(required=True)
    intro = LangText()
    items = fields.List(fields.Nested(ItemSchema), required=True, validate=validate.Length(min=1))


class InstrumentSchema(Strict):
    format = fields.Integer(
        required=True,
        validate=validate.OneOf(
            FORMATS, error="unsupported format {input}; this app reads 1 and 2"
        ),
    )
    key = fields.String(required=True, validate=IDENT)
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    title = LangText(required=True)
    description = LangText()
    audience = fields.Enum(Audience, required=True, by_value=True)
    # Case forms have no waves: they follow the case, not the study's schedule.
    waves = fields.List(fields.String(), validate=validate.Length(min=1))
    languages = fields.List(
        fields.String(validate=validate.OneOf(LANGUAGES)), load_default=lambda: ["en"]
    )
    translation_note = fields.String()
    citation = fields.String()
    licence = fields.String()
    notes = fields.String()
    scales = fields.Dict(keys=fields.String(validate=IDENT), values=fields.Nested(ScaleSchema))
    sections = fields.List(
        fields.Nested(SectionSchema), required=True, validate=validate.Length(min=1)
    )

    @validates_schema
    def _waves(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("audience") == Audience.CASEWORKER:
            if "waves" in data:
                raise ValidationError("case forms follow the case: leave out waves", "waves")
        elif "waves" not in data:
            raise ValidationError("missing", "waves")


class ListEntrySchema(Strict):
    code = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    country = fields.String(validate=validate.OneOf(["England", "Wales"]))


class ListSchema(Strict):
    """A bundled list of choices (shared/lists/<key>.yaml): codes never change meaning."""

    format = fields.Integer(required=True, validate=validate.Equal(LIST_FORMAT))
    key = fields.String(required=True, validate=IDENT)
    title = fields.String(required=True)
    source = fields.String()
    entries = fields.List(
        fields.Nested(ListEntrySchema), required=True, validate=validate.Length(min=1)
    )

    @validates_schema
    def _unique(self, data: dict[str, Any], **kwargs: Any) -> None:
        codes: set[int] = set()
        names: set[str] = set()
        for i, entry in enumerate(data["entries"]):
            if entry["code"] in codes:
                raise ValidationError(
                    {"entries": {i: {"code": [f"duplicate code {entry['code']}"]}}}
                )
            folded = " ".join(entry["name"].split()).casefold()
            if folded in names:
                raise ValidationError(
                    {"entries": {i: {"name": [f"duplicate name {entry['name']!r}"]}}}
                )
            codes.add(entry["code"])
            names.add(folded)


class BlockItemSchema(Strict):
    number = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=99))
    text = LangText(required=True)
    original = fields.String()
    adapted = fields.Boolean(load_default=False)


class BlockSchema(Strict):
    format = fields.Integer(required=True, validate=validate.Equal(BLOCK_FORMAT))
    key = fields.String(required=True, validate=IDENT)
    title = fields.String(required=True)
    citation = fields.String(required=True)
    licence = fields.String(required=True)
    adaptation = fields.String()
    params = fields.List(fields.String(validate=IDENT), load_default=list)
    scale = fields.String(required=True, validate=IDENT)
    subscales = fields.Dict(
        keys=fields.String(validate=IDENT), values=fields.List(fields.Integer())
    )
    items = fields.List(
        fields.Nested(BlockItemSchema), required=True, validate=validate.Length(min=1)
    )
