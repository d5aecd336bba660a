"""`flask demo load`: the demo study fills an empty database through the services, every
table of the Report page then has something in it, every page says the data is made up, and
a database holding real data (or the demo already) is refused with nothing added."""

from __future__ import annotations

from html.parser import HTMLParser

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey_app.coding.codebook import add_key_theme
from survey_app.demo import load_demo
from survey_app.extensions import db
from survey_app.models import Case, Decline, Participant, Response, User
from survey_app.study import current_study
from tests import factories
from tests.flows import Auth

BANNER = "every participant, case and answer here is made up"


class _Tables(HTMLParser):
    """The report's tables: per table id, the text of each data cell (<td>) of its body."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[str]] = {}
        self._current: str | None = None
        self._in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "h2" and (found.get("id") or "").startswith("table-"):
            self._current = found["id"]
            self.tables[self._current or ""] = []
        elif tag == "td" and self._current:
            self._in_cell = True
            self.tables[self._current].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._in_cell = False

    def handle_data(self, data: str) -> None:
        if self._in_cell and self._current:
            self.tables[self._current][-1] += data.strip()


def _has_something(cells: list[str]) -> bool:
    """A cell other than nothing, 0 or 0%: a count, a mean, a label of an answer."""
    return any(cell not in ("", "0", "0%", "0.0", "—") for cell in cells)


def _load(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["demo", "load", "--seed", "7"])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_load_fills_every_report_table_and_marks_every_page(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    before = client.get("/login").get_data(as_text=True)
    assert BANNER not in before
    output = _load(app)
    assert "80 cases" in output
    with app.app_context():
        assert db.session.scalar(select(func.count(Case.id))) == 80
        sites = set(db.session.scalars(select(Participant.site_id).distinct()))
        assert len(sites) == 2  # both prisons
        assert db.session.scalar(select(func.count(Decline.id))) > 0
        assert db.session.scalar(select(func.count(Response.id))) > 60
        # The demo's caseworker sent the forms and cannot log in.
        worker = db.session.scalar(select(User).where(User.role == "caseworker"))
        assert worker is not None and not worker.active
    auth.login("researcher")
    page = client.get("/research/report")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert BANNER in html
    parsed = _Tables()
    parsed.feed(html)
    assert len(parsed.tables) > 30
    empty = [key for key, cells in parsed.tables.items() if not _has_something(cells)]
    assert empty == []
    # The banner is on the other pages too: staff pages and the respondent side.
    for url in ("/research/", "/cases/", "/login"):
        assert BANNER in client.get(url, follow_redirects=True).get_data(as_text=True), url


def test_demo_refused_on_a_database_with_data(app: Flask) -> None:
    factories.participants(app, 1, "send")
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 1
    assert "holds data (participants: 1)" in result.output
    assert "Nothing was added" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Participant.id))) == 1
        assert db.session.scalar(select(func.count(Case.id))) == 0


def test_demo_refused_on_a_database_with_only_a_codebook(app: Flask) -> None:
    with app.app_context():
        add_key_theme(db.session, "Working with families", "", actor_id=None)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 1
    assert "holds data (codebook key themes: 1)" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Participant.id))) == 0


def test_demo_refused_twice(app: Flask) -> None:
    with app.app_context():
        load_demo(db.session, current_study(), seed=3, cases=6)  # a small one will do
        db.session.commit()
        responses = db.session.scalar(select(func.count(Response.id)))
    again = app.test_cli_runner().invoke(args=["demo", "load"])
    assert again.exit_code == 1
    assert "holds the demo study already" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == responses


def test_demo_refused_on_a_field_laptop_even_before_its_first_participant(app: Flask) -> None:
    # Its answers would be sealed and carried back to the study's server as real ones.
    import datetime as dt

    from survey_app.models.field import FieldInstance

    with app.app_context():
        db.session.add(
            FieldInstance(
                laptop_id="l" * 36,
                study_id="s" * 36,
                site_code="send",
                public_key="k" * 44,
                bundle_id="b" * 36,
                bundle_created=dt.datetime(2026, 1, 1),
            )
        )
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 1
    assert "field laptop" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 0
        assert db.session.scalar(select(func.count(Case.id))) == 0
