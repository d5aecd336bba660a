"""Shared steps of the coding tests, through the real pages: a codebook made on the coding page,
staff answers made through the models, a coder's ticks sent as her browser sends them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from survey_app.extensions import db
from survey_app.models import KeyTheme, Theme, User
from tests import factories
from tests.flows import PASSWORD, csrf_token

INDEX = "/research/coding/"
STAFF_QUESTION = "/research/coding/questions/prison_staff/gaps_filled"


def login(app: Flask, email: str, role: str = "researcher") -> FlaskClient:
    """A browser of its own, logged in as a new user."""
    factories.user(app, role=role, email=email)
    client = app.test_client()
    page = client.get("/login")
    reply = client.post(
        "/login", data={"csrf_token": csrf_token(page), "email": email, "password": PASSWORD}
    )
    assert reply.status_code == 302, reply.get_data(as_text=True)
    return client


def post_form(
    client: FlaskClient, page_url: str, action: str, data: dict[str, object]
) -> TestResponse:
    """Open ``page_url`` and send one of its forms to ``action`` with its CSRF token."""
    page = client.get(page_url)
    assert page.status_code == 200, page.status_code
    return client.post(action, data={"csrf_token": csrf_token(page), **data})


def theme_ids(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {t.name: t.id for t in db.session.scalars(select(Theme))}


def key_theme_ids(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {k.name: k.id for k in db.session.scalars(select(KeyTheme))}


@dataclass(frozen=True)
class Book:
    """The codebook the tests code with: two key themes, five themes."""

    themes: dict[str, int]
    keys: dict[str, int]


CODEBOOK = {
    "Filling gaps": ["Specialist knowledge", "Time for mothers", "Navigate systems"],
    "Relationships": ["Contact with children", "Working with professionals"],
}


def make_codebook(app: Flask, client: FlaskClient) -> Book:
    for key, themes in CODEBOOK.items():
        reply = post_form(
            client, INDEX, "/research/coding/key-themes", {"name": key, "definition": f"{key}."}
        )
        assert reply.status_code == 302, reply.get_data(as_text=True)
        for name in themes:
            reply = post_form(
                client,
                INDEX,
                "/research/coding/themes",
                {
                    "key_theme": key_theme_ids(app)[key],
                    "name": name,
                    "definition": f"About {name.lower()}.",
                },
            )
            assert reply.status_code == 302, reply.get_data(as_text=True)
    return Book(theme_ids(app), key_theme_ids(app))


def staff_answers(
    app: Flask, texts: Sequence[str], sites: Sequence[str | None] | None = None
) -> list[str]:
    """Complete prison staff responses through links, each answering gaps_filled; their
    answer references (``r<response id>``), in the coding pages' order (completion date: one
    a day)."""
    refs = []
    for i, text in enumerate(texts):
        site = sites[i] if sites else "send"
        rid = factories.link_response(
            app,
            "prison_staff",
            {"gaps_filled": text},
            site=site,
            completed_on=dt.date(2026, 2, 1) + dt.timedelta(days=i),
        )
        refs.append(f"r{rid}")
    return refs


_VERSION = re.compile(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"')


def version_of(page: TestResponse) -> int:
    match = _VERSION.search(page.get_data(as_text=True))
    assert match, "no version field"
    return int(match.group(1) or match.group(2))


def code_answer(
    client: FlaskClient,
    ref: str,
    themes: Sequence[int],
    quotes: dict[int, str] | None = None,
    url: str = STAFF_QUESTION + "/code",
) -> TestResponse:
    """Open the answer's coding page, tick ``themes`` (with quotes) and save."""
    page = client.get(f"{url}?answer={ref}")
    assert page.status_code == 200, page.get_data(as_text=True)
    data: dict[str, object] = {
        "csrf_token": csrf_token(page),
        "answer": ref,
        "version": version_of(page),
        "themes": [str(t) for t in themes],
    }
    data.update({f"quote_{t}": q for t, q in (quotes or {}).items()})
    return client.post(url, data=data)


def user_id(app: Flask, email: str) -> int:
    with app.app_context():
        found = db.session.scalar(select(User.id).where(User.email == email))
        assert found is not None
        return found


def double(app: Flask, researcher: FlaskClient, book: Book) -> tuple[FlaskClient, list[str]]:
    """Eleven answers (1-6 at Send, 7-11 at Eastwood Park) and the question set for two
    coders: the researcher and a second coder."""
    sites = ["send"] * 6 + ["eastwood_park"] * 5
    refs = staff_answers(app, [f"Answer number {i}." for i in range(1, 12)], sites)
    second = login(app, "coder.two@example.org")
    reply = post_form(
        researcher,
        STAFF_QUESTION,
        STAFF_QUESTION,
        {
            "coder_a": user_id(app, "coder.one@example.org"),
            "coder_b": user_id(app, "coder.two@example.org"),
        },
    )
    assert reply.status_code == 302, reply.get_data(as_text=True)
    return second, refs


def code_all(client: FlaskClient, refs: list[str], given: dict[int, set[int]]) -> None:
    for i, ref in enumerate(refs, start=1):
        themes = [t for t, answers in given.items() if i in answers]
        assert code_answer(client, ref, themes).status_code == 302


def code_both(app: Flask, researcher: FlaskClient, book: Book) -> tuple[FlaskClient, list[str]]:
    second, refs = double(app, researcher, book)
    knowledge, systems = book.themes["Specialist knowledge"], book.themes["Navigate systems"]
    code_all(researcher, refs, {knowledge: set(range(1, 8)), systems: {1, 2, 3}})
    code_all(second, refs, {knowledge: {1, 2, 3, 4, 5, 8}, systems: {1, 2, 3}})
    return second, refs


def settle(client: FlaskClient, refs: list[str], book: Book) -> None:
    """Settle the three disagreements of ``code_both``: answers 6 and 8 carry Specialist
    knowledge, answer 7 nothing."""
    knowledge = book.themes["Specialist knowledge"]
    url = STAFF_QUESTION + "/settle"
    for ref, themes in ((refs[5], [knowledge]), (refs[6], []), (refs[7], [knowledge])):
        reply = code_answer(client, ref, themes, url=url)
        assert reply.status_code == 302, reply.get_data(as_text=True)
        assert reply.headers["Location"].endswith("/agreement")
