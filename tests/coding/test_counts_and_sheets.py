"""The theme counts for publication, and the workbook's Themes and Codings sheets read back
with openpyxl after eleven staff answers were coded by two coders and settled."""

from __future__ import annotations

import io
import re

import openpyxl
from flask import Flask
from flask.testing import FlaskClient

from tests import coding_steps as steps
from tests.flows import csrf_token, rows, text_of


def _coded(app: Flask, researcher: FlaskClient, book: steps.Book) -> list[str]:
    second, refs = steps.code_both(app, researcher, book)
    steps.settle(second, refs, book)
    return refs


def _download(client: FlaskClient, publication: bool = False) -> openpyxl.Workbook:
    page = client.get("/research/export")
    data = {"csrf_token": csrf_token(page), "format": "xlsx"}
    if publication:
        data["publication"] = "y"
    reply = client.post("/research/export", data=data)
    assert reply.status_code == 200, text_of(reply.get_data(as_text=True))[:500]
    data_ = reply.data
    reply.close()  # the WSGI server closes the streamed file; the test client leaves it to us
    return openpyxl.load_workbook(io.BytesIO(data_))


def test_the_themes_and_codings_sheets_read_back(
    app: Flask, researcher: FlaskClient, book: steps.Book
) -> None:
    refs = _coded(app, researcher, book)
    book_ = _download(researcher)
    names = book_.sheetnames
    assert names.index("Themes") == names.index("Case local authorities") + 1
    assert names.index("Codings") == names.index("Themes") + 1

    themes = rows(book_, "Themes")
    knowledge = [r for r in themes if r["theme"] == "Specialist knowledge"]
    assert [(r["site"], r["n"], r["percent"], r["base"]) for r in knowledge] == [
        ("HMP Eastwood Park", 1, 20, 5),
        ("HMP Send", 6, 100, 6),
        ("Total", 7, 64, 11),
    ]
    assert all(r["questionnaire"] == "prison_staff" for r in themes)
    key_total = next(r for r in themes if r["level"] == "key theme" and r["site"] == "Total"
                     and r["key_theme"] == "Filling gaps")  # fmt: skip
    assert (key_total["n"], key_total["definition"]) == (7, "Filling gaps.")

    codings = rows(book_, "Codings")
    ids = {ref[1:] for ref in refs}
    assert {r["answer_id"] for r in codings} == ids  # the staff sheet's response_id
    # One row per answer and theme for each coding: first coder 7 + 3 marks, second 6 + 3,
    # answers without a theme a blank row each (first: 4, second: 5), three settled (2 marks
    # and one blank row).
    by_slot = {
        s: [r for r in codings if r["coding"] == s]
        for s in ("first coder", "second coder", "settled")
    }
    assert [len(v) for v in by_slot.values()] == [14, 14, 3]
    settled = [r for r in by_slot["settled"] if r["theme"]]
    assert {r["answer_id"] for r in settled} == {refs[5][1:], refs[7][1:]}
    assert all(
        r["coder"] == "coder.two@example.org" and r["counts"] == 1 for r in by_slot["settled"]
    )
    # The first coder's coding counts where both agreed (8 answers), the second's never.
    assert {r["answer_id"] for r in by_slot["first coder"] if r["counts"]} == ids - {
        refs[5][1:],
        refs[6][1:],
        refs[7][1:],
    }
    assert not any(r["counts"] for r in by_slot["second coder"])
    staff_ids = {r["response_id"] for r in rows(book_, "Prison staff")}
    assert ids <= staff_ids


def test_quotes_and_coders_are_in_the_codings_sheet(
    app: Flask, researcher: FlaskClient, book: steps.Book
) -> None:
    [ref] = steps.staff_answers(app, ["She knows the family courts inside out."])
    knowledge = book.themes["Specialist knowledge"]
    steps.code_answer(researcher, ref, [knowledge], {knowledge: "knows the family courts"})
    [row] = rows(_download(researcher), "Codings")
    assert (row["coding"], row["theme"], row["quote"], row["coder"], row["counts"]) == (
        "single", "Specialist knowledge", "knows the family courts", "coder.one@example.org", 1
    )  # fmt: skip


def test_for_publication_small_counts_are_hidden_on_the_page_and_in_the_sheet(
    app: Flask, researcher: FlaskClient, book: steps.Book
) -> None:
    _coded(app, researcher, book)
    page = researcher.get("/research/coding/counts?publication=1").get_data(as_text=True)
    row = next(
        [text_of(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)]
        for r in re.findall(r'<tr class="theme">(.*?)</tr>', page, re.S)
        if ">Specialist knowledge<" in r
    )
    # Eastwood Park's 1 is hidden, and with it another cell of the row, so that the total
    # cannot give it back.
    assert row[1:3] == ["[c]", "[c]"]
    assert row[1:].count("[c]") >= 4
    assert "[c]: confidential" in text_of(page)
    themes = rows(_download(researcher, publication=True), "Themes")
    ep = next(
        r
        for r in themes
        if r["theme"] == "Specialist knowledge" and r["site"] == "HMP Eastwood Park"
    )
    assert ep["n"] == "[c]"
    shown = [int(r["n"]) for r in themes if r["n"] not in ("[c]", None)]
    assert all(n == 0 or n >= 5 for n in shown)
