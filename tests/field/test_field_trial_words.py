"""Words the field trial asked for, through the real pages: names on the lock screen, "device"
on the thank-you page, the anonymity sentence once on a link's landing page, and "Other,
please specify" kept as <variable>_other and exported beside its question."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from survey_app.export.columns import variable_columns
from tests.flows import (
    Auth,
    answer_pages,
    click,
    create_link,
    csrf_token,
    enter_id,
    instrument,
    link_consent,
    only_response,
    register,
    rows,
    send,
    start_link,
    unlock,
    workbook,
)


def text(page: object) -> str:
    body = html.unescape(page.get_data(as_text=True))  # type: ignore[attr-defined]
    return re.sub(r"\s+", " ", body)


@pytest.mark.parametrize(
    ("wave", "expected"),
    [("T1", "Kiosk: HMP Send, Start of support (T1)."), ("T2", "Kiosk: HMP Send, Six months")],
)
def test_the_lock_screen_names_the_site_and_the_wave(
    client: FlaskClient, auth: Auth, wave: str, expected: str
) -> None:
    unlock(auth, client, wave)
    lock = text(client.get("/kiosk/lock"))
    assert expected in lock
    assert f"Kiosk: send, {wave}" not in lock


@pytest.mark.parametrize(
    ("lang", "words", "not_words"),
    [("en", "give the device back", "laptop"), ("cy", "Rhowch y ddyfais yn ôl", "gliniadur")],
)
def test_the_thank_you_page_asks_for_the_device_back(
    app: Flask, client: FlaskClient, auth: Auth, lang: str, words: str, not_words: str
) -> None:
    unlock(auth, client)
    enter_id(client, register(app))
    if lang == "cy":
        page = client.get("/kiosk/page/0")
        client.post("/kiosk/page/0", data={"csrf_token": csrf_token(page), "action": "lang:cy"})
    send(
        client,
        answer_pages(client, "/kiosk/page/0", instrument(app, "mothers_t1")),
        "/kiosk/submit",
    )
    thanks = text(client.get("/kiosk/thanks"))
    assert words in thanks and not_words not in thanks


@pytest.mark.parametrize("key", ["prison_staff", "practitioners"])
def test_a_link_s_landing_page_says_it_is_anonymous_once(
    app: Flask, client: FlaskClient, key: str
) -> None:
    landing = text(client.get(f"/s/{create_link(app, key)}"))
    main = landing.split('<main id="main"')[1]
    assert len(re.findall(r"anonymous", main, flags=re.I)) == 1
    assert "We do not record your name" in main


def test_other_please_specify_is_kept_and_exported_as_variable_other(
    app: Flask, client: FlaskClient
) -> None:
    token = create_link(app, "prison_staff")
    start_link(client, token)
    link_consent(client, token)
    page = client.get(f"/s/{token}/page/1")
    body = text(page)
    # A text box beneath each "Other", labelled with it.
    for variable in ("prison_other", "department_other"):
        assert f'<label for="{variable}">Other: please specify</label>' in body
        assert f'name="{variable}" maxlength="200"' in body
    answers = {
        "prison": "3",
        "prison_other": "  HMP Styal  ",
        "role_level": "2",
        "department": "1",  # not Other, yet text typed beside Other: she is asked which
        "department_other": "typed, then changed her mind",
    }
    asked = click(client, f"/s/{token}/page/1", answers)
    assert asked.status_code == 422
    assert "chose another answer. Tick “Other”, or clear the box." in text(asked)
    assert 'value="typed, then changed her mind"' in text(asked)  # nothing dropped
    reply = click(client, f"/s/{token}/page/1", answers | {"department_other": ""})
    assert reply.status_code == 302, reply.get_data(as_text=True)[:500]
    again = text(client.get(f"/s/{token}/page/1"))
    assert 'name="prison_other" maxlength="200" value="HMP Styal"' in again
    assert 'name="department_other" maxlength="200" value=""' in again
    # Multiple choice: the text goes with "Other" among her ticks.
    reply = click(
        client,
        f"/s/{token}/page/2",
        {"contact_frequency": "2", "contact_purpose": ["1", "6"], "contact_purpose_other": "ACCT"},
    )
    assert reply.status_code == 302
    finish = answer_pages(client, reply.headers["Location"], instrument(app, "prison_staff"))
    send(client, finish, f"/s/{token}/submit")
    answers = only_response(app).answers
    assert answers["prison"] == 3 and answers["prison_other"] == "HMP Styal"
    assert answers["department"] == 1 and "department_other" not in answers
    assert answers["contact_purpose"] == [1, 6] and answers["contact_purpose_other"] == "ACCT"

    book = workbook(app)
    [row] = rows(book, "Prison staff")
    header = list(row)
    assert header.index("prison_other") == header.index("prison") + 1
    assert header.index("contact_purpose_other") == header.index("contact_purpose___6") + 1
    assert row["prison_other"] == "HMP Styal" and row["department_other"] is None
    assert row["contact_purpose_other"] == "ACCT"
    codebook = {r["variable"]: r for r in rows(book, "Codebook")}
    assert codebook["prison_other"]["label"].endswith("[Other: please specify]")


def test_other_text_over_its_limit_is_refused_and_nothing_is_saved(
    app: Flask, client: FlaskClient
) -> None:
    token = create_link(app, "prison_staff")
    start_link(client, token)
    link_consent(client, token)
    reply = click(client, f"/s/{token}/page/1", {"prison": "3", "prison_other": "x" * 201})
    assert reply.status_code == 400
    assert "longer than this question allows" in text(reply)
    assert "prison" not in only_response(app).answers


def test_an_other_column_holds_text_only_when_other_was_chosen(app: Flask) -> None:
    staff = instrument(app, "prison_staff")
    columns = {c.name: c for c in variable_columns([staff], "once")}
    other = columns["department_other"]
    assert other.value({"department": 7, "department_other": "Chaplaincy"}) == "Chaplaincy"
    assert other.value({"department": 2, "department_other": "Chaplaincy"}) is None
    assert not other.is_numeric and other.value_labels == {}
