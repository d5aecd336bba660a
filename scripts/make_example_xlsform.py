"""Write docs/examples/wellbeing_check.xlsx: a small questionnaire written the way a researcher
writes one in Excel (XLSForm, as for ODK or KoboToolbox), with no real data. The README walks
through importing it; tests/instruments/test_instrument_exchange.py checks that it imports and converts.

Run: .venv/bin/python scripts/make_example_xlsform.py"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

OUT = Path(__file__).resolve().parent.parent / "docs" / "examples" / "wellbeing_check.xlsx"

EN, CY = "label::English (en)", "label::Welsh (cy)"
SURVEY = [
    [
        "type",
        "name",
        EN,
        CY,
        "hint::English (en)",
        "hint::Welsh (cy)",
        "required",
        "relevant",
        "appearance",
        "constraint",
    ],
    ["begin group", "sleep", "Sleep", "Cwsg"],
    [
        "integer",
        "sleep_hours",
        "How many hours did you sleep last night?",
        "Sawl awr wnaethoch chi gysgu neithiwr?",
        "A whole number",
        "Rhif cyfan",
        "yes",
        "",
        "",
        ". >= 0 and . <= 24",
    ],
    [
        "select_one quality",
        "sleep_rating",
        "How well do you sleep most nights?",
        "Pa mor dda ydych chi'n cysgu y rhan fwyaf o nosweithiau?",
        "",
        "",
        "yes",
    ],
    ["end group"],
    ["begin group", "help", "Help and support", "Help a chymorth"],
    [
        "text",
        "sleep_trouble",
        "What makes it hard to sleep?",
        "Beth sy'n ei gwneud hi'n anodd cysgu?",
        "",
        "",
        "",
        "${sleep_rating} = '1' or ${sleep_rating} = '2'",
        "multiline",
        "string-length(.) <= 1000",
    ],
    [
        "select_multiple support",
        "support_from",
        "Who do you talk to when things are hard?",
        "Gyda phwy ydych chi'n siarad pan fo pethau'n anodd?",
        "Choose all that apply",
        "Dewiswch bob un sy'n berthnasol",
    ],
    [
        "text",
        "support_from_other",
        "Someone else",
        "Rhywun arall",
        "",
        "",
        "",
        "selected(${support_from}, '4')",
    ],
    ["end group"],
]
CHOICES = [
    ["list_name", "name", EN, CY],
    ["quality", 1, "Badly", "Yn wael"],
    ["quality", 2, "Not very well", "Ddim yn dda iawn"],
    ["quality", 3, "Well", "Yn dda"],
    ["quality", 4, "Very well", "Yn dda iawn"],
    ["quality", -2, "Prefer not to say", "Gwell gen i beidio â dweud"],
    ["support", 1, "Family", "Teulu"],
    ["support", 2, "Friends", "Ffrindiau"],
    ["support", 3, "Staff", "Staff"],
    ["support", 4, "Someone else", "Rhywun arall"],
]
SETTINGS = [
    ["form_title", "title_cy", "form_id", "version", "default_language", "audience", "waves"],
    [
        "Wellbeing check (example)",
        "Gwiriad lles (enghraifft)",
        "wellbeing_check",
        1,
        "English (en)",
        "prison_staff",
        "T1",
    ],
]


def main() -> None:
    book = Workbook()
    first = book.active
    assert first is not None  # noqa: S101 - a new workbook has its sheet
    book.remove(first)
    for name, rows in (("survey", SURVEY), ("choices", CHOICES), ("settings", SETTINGS)):
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    book.save(OUT)
    print(f"wrote {OUT}")  # noqa: T201 - a script's one line of output


if __name__ == "__main__":
    main()
