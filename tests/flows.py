"""Shared test steps, in one place: the password, logging in, the kiosk and link steps, a
frozen clock, and driving the respondent pages as a browser would (GET a page, read its CSRF
token and questions, POST the answers, follow the redirect). Test modules import these from
here, never from one another."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from survey_app.downloads.export_workbook import build_export
from survey_app.export.filters import ExportFilters
from survey_app.export.formats import FORMATS
from survey_app.extensions import db
from survey_app.instruments import model
from survey_app.instruments.loader import InstrumentError, load_all
from survey_app.instruments.model import Instrument, Item
from survey_app.models import InstrumentVersion, Response, User
from survey_app.models import types as model_types
from survey_app.services import participants as participant_ops
from survey_app.services.followup import add_months
from tests import factories

PASSWORD = factories.PASSWORD  # every test account's password (factories.user sets it)

# --- pages and forms ------------------------------------------------------------------------

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(page: TestResponse) -> str:
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, "page has no CSRF token"
    return match.group(1)


def submit_form(
    client: FlaskClient, url: str, data: dict[str, Any], *, follow: bool = False
) -> TestResponse:
    """GET the page, take its CSRF token, POST the form: as a browser does."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return client.post(url, data={"csrf_token": csrf_token(page), **data}, follow_redirects=follow)


class Auth:
    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.app, self.client = app, client

    def login(self, role: str = "researcher", email: str | None = None) -> User:
        user = factories.user(self.app, role=role, email=email or f"{role}@example.org")
        response = submit_form(self.client, "/login", {"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return user


# --- the clock ------------------------------------------------------------------------------


class Clock:
    """The date the app sees as today, frozen, and moved on by tests in which time passes.

    Every ``today()`` of the app (imported by name or used as a column default) reads
    ``survey_app.models.types.utcnow`` when called, so replacing that one function moves
    them all; timestamps taken with ``utcnow`` imported elsewhere keep the real time."""

    def __init__(self, day: dt.date) -> None:
        self.day = day

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real = model_types.utcnow
        monkeypatch.setattr(
            model_types, "utcnow", lambda: dt.datetime.combine(self.day, real().time())
        )

    def set(self, day: dt.date) -> dt.date:
        self.day = day
        return day

    def advance(self, *, months: int = 0, days: int = 0) -> dt.date:
        """Calendar months (as the follow-up windows count them), then days."""
        return self.set(add_months(self.day, months) + dt.timedelta(days=days))


# --- data -----------------------------------------------------------------------------------


def register(app: Flask, site: str = "send") -> str:
    """A new participant at ``site``; her pseudonymous ID."""
    with app.app_context():
        [made] = participant_ops.register(
            db.session, participant_ops.site_by_code(db.session, site)
        )
        db.session.commit()
        return made.pseudonym


def responses(app: Flask) -> list[Response]:
    """Every stored response, detached from the session."""
    with app.app_context():
        found = list(db.session.scalars(select(Response)))
        for response in found:
            db.session.expunge(response)
        return found


def instrument(app: Flask, key: str) -> Instrument:
    with app.app_context():
        version = db.session.scalar(
            select(InstrumentVersion)
            .where(InstrumentVersion.key == key)
            .order_by(InstrumentVersion.version.desc())
        )
        assert version is not None, key
        return model.from_version(version)


# --- answering questionnaires --------------------------------------------------------------

_NAMES = re.compile(r'<(?:input|textarea|select)[^>]*\sname="([a-z][a-z0-9_]*)"')
_KEY = re.compile(r'name="submission_key" value="([^"]+)"')


def default_answer(item: Item) -> Any:
    """A valid answer for any item: the kind of answer a respondent gives."""
    if item.type == "consent" or item.variable == "consent_recontact":
        return "1"  # she agrees (to be asked again, too: a "no" keeps her follow-ups shut)
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


# --- research pages -----------------------------------------------------------------------

_ROW = re.compile(
    r'<th scope="row"><a class="pseudonym" href="[^"]*">([^<]+)</a></th>(.*?)</tr>', re.S
)
_CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)
_TAG = re.compile(r"<[^>]+>")


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


def list_rows(body: str) -> dict[str, list[str]]:
    """The participants table: ID -> [site, registered, baseline date, then the status and
    the window of each follow-up wave]."""
    return {
        pseudonym: [text_of(cell) for cell in _CELL.findall(rest)]
        for pseudonym, rest in _ROW.findall(body)
    }


# --- the kiosk ------------------------------------------------------------------------------


def unlock(auth: Auth, client: FlaskClient, wave: str = "T1", site: str = "send") -> None:
    """A fieldworker logs in and unlocks the kiosk for a site and wave."""
    auth.login("fieldworker", email="fw@example.org")
    reply = submit_form(client, "/kiosk/", {"site": site, "wave": wave})
    assert reply.status_code == 302 and reply.headers["Location"] == "/kiosk/lock"


def switch_wave(client: FlaskClient, wave: str, site: str = "send") -> None:
    """The fieldworker leaves kiosk mode with her password and unlocks it for another wave."""
    client.get("/kiosk/exit")
    left = submit_form(client, "/kiosk/exit", {"password": PASSWORD})
    assert left.status_code == 302, left.get_data(as_text=True)
    reply = submit_form(client, "/kiosk/", {"site": site, "wave": wave})
    assert reply.status_code == 302 and reply.headers["Location"] == "/kiosk/lock"


def enter_id(client: FlaskClient, pseudonym: str) -> Any:
    return submit_form(client, "/kiosk/start", {"participant_id": pseudonym})


def past_notice(client: FlaskClient) -> str:
    """The fieldworker goes on past her notice (with her password, which an out-of-window
    follow-up asks for); the URL of the first page."""
    notice = client.get("/kiosk/notice")
    reply = client.post(
        "/kiosk/notice", data={"csrf_token": csrf_token(notice), "password": PASSWORD}
    )
    assert reply.status_code == 302, reply.get_data(as_text=True)
    return str(reply.headers["Location"])


def past_consent(app: Flask, client: FlaskClient, key: str = "mothers_t1") -> str:
    """Agree on the consent page (and nothing else on it); the URL of the next page."""
    page = client.get("/kiosk/page/0")
    data: dict[str, Any] = {"csrf_token": csrf_token(page), "action": "next"}
    questionnaire = instrument(app, key)
    for name in question_names(page):
        item = questionnaire.item(name)
        data[name] = "1" if item and item.type in ("consent", "yesno") else ""
    reply = client.post("/kiosk/page/0", data=data)
    assert reply.status_code == 302, reply.get_data(as_text=True)
    return reply.headers["Location"]


@dataclass(frozen=True)
class SecondPage:
    """A new mother's kiosk page after consent, as it was shown: its URL, the page and the
    form names of its questions."""

    url: str
    page: TestResponse
    names: list[str]

    def post(
        self, client: FlaskClient, action: str | list[str], answers: dict[str, str]
    ) -> TestResponse:
        """Press ``action`` with these answers, under the page's CSRF token."""
        data: dict[str, Any] = {"csrf_token": csrf_token(self.page), "action": action}
        return client.post(self.url, data=data | answers)


def second_page(app: Flask, client: FlaskClient, auth: Auth) -> SecondPage:
    """The kiosk unlocked, a new participant's ID entered, past her consent."""
    unlock(auth, client)
    enter_id(client, register(app))
    url = past_consent(app, client)
    page = client.get(url)
    return SecondPage(url, page, question_names(page))


def kiosk_finish(
    app: Flask, client: FlaskClient, auth: Auth, answers: Mapping[str, Any] | None = None
) -> TestResponse:
    """The kiosk unlocked, a new participant's ID entered and every page of her T1 answered
    (``answers`` where given): the finish page, not sent."""
    unlock(auth, client)
    enter_id(client, register(app))
    return answer_pages(client, "/kiosk/page/0", instrument(app, "mothers_t1"), answers)


def complete_wave(app: Flask, client: FlaskClient, pseudonym: str, key: str, **answers: Any) -> Any:
    """Enter the ID (past the fieldworker's notice, with her password if it asks, if one
    shows), answer every page of ``key``, send; the reply to the send."""
    started = enter_id(client, pseudonym)
    assert started.status_code == 302, started.get_data(as_text=True)
    first = started.headers["Location"]
    if first == "/kiosk/notice":
        first = past_notice(client)
    finish = answer_pages(client, first, instrument(app, key), answers)
    return send(client, finish, "/kiosk/submit")


# --- anonymous links ------------------------------------------------------------------------


def create_link(app: Flask, key: str = "prison_staff", *options: str) -> str:
    """`flask links create KEY [options]`, as a researcher runs it; the new link's token."""
    result = app.test_cli_runner().invoke(args=["links", "create", key, *options])
    assert result.exit_code == 0, result.output
    match = re.fullmatch(r"/s/([A-Za-z0-9_-]+)\n", result.stdout)
    assert match, result.stdout
    return match.group(1)


def hidden_inputs(page: TestResponse) -> list[tuple[str, str]]:
    """The hidden inputs of the page's forms, in document order, whatever the attribute order."""
    fields = []
    for tag in re.findall(r"<input\b[^>]*>", page.get_data(as_text=True)):
        attrs = dict(re.findall(r'([a-z_-]+)="([^"]*)"', tag))
        if attrs.get("type") == "hidden" and "name" in attrs:
            fields.append((attrs["name"], html.unescape(attrs.get("value", ""))))
    return fields


_KEEP = object()


def click(
    client: FlaskClient,
    url: str,
    answers: dict[str, Any] | None = None,
    button: str = "next",
    *,
    csrf: Any = _KEEP,
) -> TestResponse:
    """Open the page at ``url``, fill in ``answers`` and press the button whose
    ``name="action"`` value is ``button``. Like a browser, the request carries every hidden
    input of the form, then the answers, then the pressed button's name and value.
    ``csrf`` replaces the page's CSRF token (None leaves it out)."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    assert f'name="action" value="{button}"' in page.get_data(as_text=True), (url, button)
    data: MultiDict[str, Any] = MultiDict()
    for name, value in hidden_inputs(page):
        if name == "csrf_token" and csrf is not _KEEP:
            if csrf is not None:
                data.add(name, csrf)
        else:
            data.add(name, value)
    for name, value in (answers or {}).items():
        for one in value if isinstance(value, list) else [value]:
            data.add(name, one)
    data.add("action", button)
    return client.post(url, data=data)


def start_link(client: FlaskClient, token: str) -> str:
    """The landing page, then Start: the URL of the first page."""
    landing = client.get(f"/s/{token}")
    assert landing.status_code == 200, landing.status_code
    assert "Start" in landing.get_data(as_text=True)
    data = MultiDict(hidden_inputs(landing))
    started = client.post(f"/s/{token}", data=data)
    assert started.status_code == 302, started.get_data(as_text=True)[:500]
    assert started.headers["Location"] == f"/s/{token}/page/0"
    return started.headers["Location"]


def link_consent(client: FlaskClient, token: str) -> None:
    """Agree on a link questionnaire's consent page."""
    reply = click(
        client, f"/s/{token}/page/0", {"consent_info_sheet": "1", "consent_take_part": "1"}
    )
    assert reply.status_code == 302 and reply.headers["Location"] == f"/s/{token}/page/1"


def consented_link(app: Flask, client: FlaskClient, key: str = "prison_staff") -> str:
    """A new link for ``key``, started in this browser and past its consent page; the token."""
    token = create_link(app, key)
    start_link(client, token)
    link_consent(client, token)
    return token


# Instrument files, for the loader


def instrument_tree(tmp_path: Path, instrument: str, shared: Mapping[str, str]) -> Path:
    """``files/demo.yaml`` and the shared files (path under ``shared/``: text), dedented, under
    ``tmp_path``; the root the loader reads."""
    for name, text in shared.items():
        path = tmp_path / "shared" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "demo.yaml").write_text(textwrap.dedent(instrument))
    return tmp_path


def changed(good: str, change: tuple[str, str]) -> str:
    """``good`` with one change (old, new) made once; the old text must be in it."""
    old, new = change
    assert old in good, old
    return good.replace(old, new, 1)


def loader_problems(root: Path) -> list[str]:
    """The loader refuses the tree at ``root``: its problem lines."""
    with pytest.raises(InstrumentError) as caught:
        load_all(root / "files", root / "shared")
    return caught.value.problems


# Exports, read back


def workbook(app: Flask, filters: ExportFilters | None = None) -> openpyxl.Workbook:
    with app.app_context():
        built = build_export(db.session, filters or ExportFilters(), made_by="tester@example.org")
        out = io.BytesIO()
        FORMATS["xlsx"].write(built, out)
    out.seek(0)
    return openpyxl.load_workbook(out)


def rows(book: openpyxl.Workbook, sheet: str) -> list[dict[str, Any]]:
    values = list(book[sheet].iter_rows(values_only=True))
    header = values[0]
    return [dict(zip(header, row, strict=True)) for row in values[1:]]


def only_response(app: Flask) -> Response:
    [response] = responses(app)
    return response
