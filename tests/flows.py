"""Drive the respondent flows through the real HTML pages, as a browser would: GET a page,
read its CSRF token and questions, POST the answers, follow the redirect."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from survey_app.extensions import db
from survey_app.instruments import model
from survey_app.instruments.model import Instrument, Item
from survey_app.models import InstrumentVersion
from tests.conftest import csrf_token

_NAMES = re.compile(r'<(?:input|textarea|select)[^>]*\sname="([a-z][a-z0-9_]*)"')
_KEY = re.compile(r'name="submission_key" value="([^"]+)"')


def instrument(app: Flask, key: str) -> Instrument:
    with app.app_context():
        version = db.session.scalar(
            select(InstrumentVersion)
            .where(InstrumentVersion.key == key)
            .order_by(InstrumentVersion.version.desc())
        )
        assert version is not None, key
        return model.from_version(version)


def default_answer(item: Item) -> Any:
    """A valid answer for any item: the kind of answer a respondent gives."""
    if item.type == "consent":
        return "1"
    if item.type == "rating":
        return str(item.max - 2 if item.max else 5)
    if item.type == "multiple":
        return [str(item.options[0].code), str(item.options[-1].code)]
    if item.type in ("short_text", "long_text"):
        return f"Answer to {item.variable}"
    return str(item.options[-1].code)


def question_names(page: TestResponse) -> list[str]:
    names = []
    for name in _NAMES.findall(page.get_data(as_text=True)):
        if name not in ("csrf_token", "action", "submission_key") and name not in names:
            names.append(name)
    return names


def answer_pages(
    client: FlaskClient,
    first_url: str,
    instrument: Instrument,
    answers: Mapping[str, Any] | None = None,
    *,
    answer: Callable[[Item], Any] = default_answer,
) -> TestResponse:
    """Answer every page from ``first_url`` until the finish page; return the finish page."""
    url = first_url
    for _ in range(len(instrument.sections) + 2):
        page = client.get(url)
        assert page.status_code == 200, (url, page.status_code)
        if "submission_key" in page.get_data(as_text=True):
            return page
        data: dict[str, Any] = {"csrf_token": csrf_token(page), "action": "next"}
        for name in question_names(page):
            item = instrument.item(name)
            if item is None and name.endswith("_other"):
                continue  # the text box of an "Other" option: left empty
            assert item is not None, name
            value = (answers or {}).get(name, answer(item))
            if value is not None:
                data[name] = value
        reply = client.post(url, data=data)
        assert reply.status_code == 302, (
            url,
            reply.status_code,
            reply.get_data(as_text=True)[:2000],
        )
        url = reply.headers["Location"]
    raise AssertionError("never reached the finish page")


def send(client: FlaskClient, finish_page: TestResponse, submit_url: str) -> TestResponse:
    body = finish_page.get_data(as_text=True)
    match = _KEY.search(body)
    assert match, "finish page has no submission key"
    return client.post(
        submit_url, data={"csrf_token": csrf_token(finish_page), "submission_key": match.group(1)}
    )


def submission_key(page: TestResponse) -> str:
    match = _KEY.search(page.get_data(as_text=True))
    assert match
    return match.group(1)
