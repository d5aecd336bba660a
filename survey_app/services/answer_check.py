"""What a stored answer may be: the one rule for a page save and a field batch's item (issue
21). The page's fields parse text into values; a batch carries values already parsed; both
are held to what the pages offer here before anything is written."""

from __future__ import annotations

from collections.abc import Mapping

from ..characters import FORBIDDEN
from ..instruments import missing
from ..instruments.model import Instrument, Item

TEXT_LIMIT = 2000  # a text question with no max_length of its own
OTHER_LIMIT = 200  # the "please specify" box of an "Other" option
CODE_TYPES = frozenset({"likert", "single", "yesno", "consent", "rating"})
TEXT_TYPES = frozenset({"short_text", "long_text"})


def _is_code(value: object) -> bool:
    # JSON's true is a Python bool, an int subclass: never a code.
    return isinstance(value, int) and not isinstance(value, bool)


def _text_problem(value: object, limit: int) -> str | None:
    if not isinstance(value, str):
        return "is not text"
    if len(value) > limit:
        return f"is longer than {limit} characters"
    if FORBIDDEN.search(value):
        return "holds characters no answer may hold"
    if not value.strip():
        return "is blank text (a skipped question is left out)"
    return None


def _codes_problem(item: Item, value: object) -> str | None:
    """A multiple choice: a sorted list of distinct offered codes, or one offered missing code."""
    if _is_code(value):
        return None if value in item.offer else f"{value} is not one of the answers offered"
    if not isinstance(value, list) or not value or not all(_is_code(v) for v in value):
        return "is not a list of answer codes"
    if value != sorted(set(value)):
        return "lists its answers out of order or twice"
    if not set(value) <= {o.code for o in item.options}:
        return "holds an answer that is not offered"
    return None


def value_problem(item: Item, value: object) -> str | None:
    """Why ``value`` is not an answer the pages could store for ``item``; None when it is
    (None itself is "not answered", and Not applicable is the skip logic's code)."""
    if value is None or (_is_code(value) and value == missing.NOT_APPLICABLE):
        return None
    if item.type in CODE_TYPES:
        if not _is_code(value):
            return "is not an answer code"
        return None if value in item.valid_codes() else f"{value} is not one of the answers offered"
    if item.type == "multiple":
        return _codes_problem(item, value)
    if item.type in TEXT_TYPES:
        return _text_problem(value, item.max_length or TEXT_LIMIT)
    return f"is an answer to a {item.type} question, which this form does not take"


def answers_problem(instrument: Instrument, answers: object) -> str | None:
    """The first answer in ``answers`` the pages could not have stored, named, or None."""
    if not isinstance(answers, Mapping):
        return "the answers are not a mapping of questions to answers"
    others = {item.other_variable: item for item in instrument.questions() if item.other_variable}
    for variable, value in answers.items():
        item = instrument.item(str(variable))
        if item is not None:
            problem = value_problem(item, value)
        elif variable in others:
            problem = None if value is None else _text_problem(value, OTHER_LIMIT)
            if problem is None and not others[variable].other_chosen(
                answers.get(others[variable].variable)
            ):
                problem = "is kept only while 'Other' is chosen"
        else:
            return f"{str(variable)[:40]!r} is not a question of {instrument.key}"
        if problem is not None:
            return f"{variable} {problem}"
    return None
