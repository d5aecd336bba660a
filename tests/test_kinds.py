"""Audience, channel, role, site kind, the response, case and case form statuses and the case
form kind are each one enum (survey_app/kinds.py): the columns, the study file, the instrument
files, the config and the code read them from there, never as a string written out."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections import Counter
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from survey_app.config import ConfigError, load_settings
from survey_app.extensions import db
from survey_app.instruments import model
from survey_app.instruments.loader import load_all
from survey_app.kinds import (
    LINK_AUDIENCES,
    Audience,
    CaseFormKind,
    CaseFormStatus,
    CaseStatus,
    Channel,
    ResponseStatus,
    Role,
    SiteKind,
)
from survey_app.models import Case, CaseForm, InstrumentVersion, Response, Site, User
from survey_app.study import load_study
from tests import case_data, factories


def test_the_columns_read_back_as_members_of_their_enums(app: Flask) -> None:
    factories.user(app, "caseworker")
    factories.complete_response(app, "TC-AAA-AAAA", "T1", {})
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "caseworker@example.org"))
        response = db.session.scalar(select(Response).limit(1))
        assert user is not None and response is not None
        assert user.role is Role.CASEWORKER
        assert response.channel is Channel.KIOSK
        assert response.instrument_version.audience is Audience.MOTHER
        # Stored as the same plain strings as before the enums.
        stored = db.session.execute(text('SELECT role FROM "user" WHERE id = :id'), {"id": user.id})
        assert stored.scalar() == "caseworker"


@pytest.mark.parametrize(
    ("make", "value"),
    [
        (lambda: User(email="x@example.org", password_hash="x", role="boss"), "boss"),
        (
            lambda: InstrumentVersion(
                key="x", version=1, audience="visitor", title="x", content_hash="0", definition={}
            ),
            "visitor",
        ),
    ],
)
def test_a_string_outside_its_enum_is_refused_before_it_reaches_the_database(
    app: Flask, make: object, value: str
) -> None:
    with app.app_context():
        db.session.add(make())  # type: ignore[operator]
        with pytest.raises(StatementError) as caught:
            db.session.flush()
        # Refused by the column type (a LookupError naming the value), not by the CHECK.
        assert isinstance(caught.value.orig, LookupError)
        assert repr(value) in str(caught.value.orig)
        db.session.rollback()


def test_the_study_schedule_and_the_instruments_carry_audiences() -> None:
    study = load_study()
    assert {type(entry.audience) for entry in study.schedule} == {Audience}
    definitions = load_all()
    # The stored definition keeps the file's plain string (its content hash is unchanged)...
    assert {type(d["audience"]) for d in definitions} == {str}
    # ...and the parsed instrument holds the member.
    assert {type(model.build(d).audience) for d in definitions} == {Audience}


def test_staff_and_practitioners_answer_through_links_mothers_on_the_kiosk() -> None:
    assert LINK_AUDIENCES == (Audience.PRISON_STAFF, Audience.PRACTITIONER)
    assert Audience.MOTHER.channel is Channel.KIOSK
    assert Audience.CASEWORKER.channel is None


def test_totp_required_roles_are_read_into_roles(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, {"SECRET_KEY": "x", "TOTP_REQUIRED_ROLES": " fieldworker,"})
    assert settings.totp_required_roles == (Role.FIELDWORKER,)
    assert type(settings.totp_required_roles[0]) is Role
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path, {"SECRET_KEY": "x", "TOTP_REQUIRED_ROLES": "admin,Researcher"})
    assert str(caught.value) == (
        "survey_app: TOTP_REQUIRED_ROLES: unknown role 'Researcher'"
        " (the roles are admin, researcher, fieldworker, caseworker)"
    )


def test_the_case_site_and_status_columns_read_back_as_members_of_their_enums(app: Flask) -> None:
    factories.complete_response(app, "TC-AAA-AAAA", "T1", {})
    case_data.add_case(app, "send", [("referral", "2021-05-10", {}), ("closure", "2021-12-01", {})])
    with app.app_context():
        case = db.session.scalar(select(Case).limit(1))
        response = db.session.scalar(select(Response).limit(1))
        assert case is not None and response is not None
        assert case.status is CaseStatus.CLOSED
        assert [(f.kind, f.status) for f in case.forms] == [
            (CaseFormKind.REFERRAL, CaseFormStatus.SUBMITTED),
            (CaseFormKind.CLOSURE, CaseFormStatus.SUBMITTED),
        ]
        assert case.site.kind is SiteKind.PRISON
        assert response.status is ResponseStatus.COMPLETE
        # Stored as the same plain strings as before the enums.
        stored = db.session.execute(
            text("SELECT c.status, f.kind, f.status, s.kind FROM cases c"
                 " JOIN case_forms f ON f.case_id = c.id JOIN site s ON s.id = c.site_id"
                 " WHERE c.id = :id ORDER BY f.id"),
            {"id": case.id},
        )  # fmt: skip
        assert [tuple(row) for row in stored] == [
            ("closed", "referral", "submitted", "prison"),
            ("closed", "closure", "submitted", "prison"),
        ]


@pytest.mark.parametrize(
    ("make", "value"),
    [
        (lambda: Site(code="x", name="x", kind="hospital"), "hospital"),
        (lambda: Case(participant_id=1, site_id=1, status="pending"), "pending"),
        (lambda: CaseForm(case_id=1, kind="assessment", instrument_version_id=1), "assessment"),
        (
            lambda: CaseForm(case_id=1, kind="update", instrument_version_id=1, status="sent"),
            "sent",
        ),
    ],
)
def test_a_kind_or_status_outside_its_enum_is_refused_before_it_reaches_the_database(
    app: Flask, make: object, value: str
) -> None:
    with app.app_context():
        db.session.add(make())  # type: ignore[operator]
        with pytest.raises(StatementError) as caught:
            db.session.flush()
        assert isinstance(caught.value.orig, LookupError)
        assert repr(value) in str(caught.value.orig)
        db.session.rollback()


def test_each_case_form_kind_is_written_on_its_own_bundled_instrument() -> None:
    by_key = {d["key"]: d for d in load_all()}
    for kind in CaseFormKind:
        definition = by_key[kind.instrument_key]
        assert definition["audience"] == Audience.CASEWORKER
        assert kind.date_variable in {i["variable"] for i in _items(definition)}, kind


def _items(definition: dict[str, object]) -> list[dict[str, object]]:
    return [
        item
        for section in definition["sections"]  # type: ignore[attr-defined]
        for item in section["items"]
        if "variable" in item
    ]


# The values of the kinds the code must name through their enums.
SCANNED = (CaseFormKind, CaseStatus, CaseFormStatus, ResponseStatus, SiteKind)
PACKAGE = Path(__file__).resolve().parent.parent / "survey_app"
# The same words with another meaning, each counted: one more of them fails the test as surely
# as a kind written out. (file, word): (count, what it is there)
OTHER_MEANINGS: dict[tuple[str, str], tuple[int, str]] = {
    ("survey_app/cli.py", "new"): (1, "instruments diff's argument: the newer version"),
    ("survey_app/forms/admin.py", "new"): (1, "the new password field"),
    ("survey_app/respond/kiosk.py", "new"): (2, "the session's unsaved draft of a new mother"),
    ("survey_app/models/cases.py", "submitted"): (1, "a constraint's name"),
    ("survey_app/services/drafts.py", "draft"): (1, "the key of a response's progress flag"),
    ("survey_app/study.py", "draft"): (1, "study.yaml's welsh setting"),
    ("survey_app/export/dataset.py", "draft"): (1, "study.yaml's welsh setting"),
    ("survey_app/templates/respond/lock.html", "draft"): (1, "study.yaml's welsh setting"),
    ("survey_app/templates/research/links.html", "open"): (2, "a link open for answers"),
    ("survey_app/templates/research/links.html", "closed"): (2, "a link closed for answers"),
    ("survey_app/api/openapi.py", "in_progress"): (2, "the API's name for a participant's drafts"),
    ("survey_app/api/reads.py", "in_progress"): (1, "the API's name for a participant's drafts"),
    ("survey_app/coding/answers.py", "prison"): (1, "the staff questionnaire's variable"),
    ("survey_app/report/flow.py", "complete"): (3, "the participant flow's box of T1 complete"),
    ("survey_app/report/questionnaires/link_tables.py", "prison"): (
        3,
        "the staff questionnaire's variable",
    ),
}


def _python_strings(path: Path) -> list[str]:
    """Each string literal of ``path``: its value, or for an f-string its source."""
    found = []
    for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
        if token.type == tokenize.STRING:
            try:
                found.append(str(ast.literal_eval(token.string)))
            except ValueError:
                found.append(token.string)
    return found


# A Jinja expression or statement, and a quoted word in it.
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_QUOTED = re.compile(r"""'(\w+)'|"(\w+)\"""")


def _template_strings(path: Path) -> list[str]:
    return [a or b for block in _JINJA.findall(path.read_text()) for a, b in _QUOTED.findall(block)]


def _kinds_written_out() -> Counter[tuple[str, str]]:
    """(file, value) for each kind's value written as a string literal, or quoted inside one
    (SQL such as "status = 'draft'"), outside kinds.py; templates' expressions too."""
    values = {member.value for kind in SCANNED for member in kind}
    found: Counter[tuple[str, str]] = Counter()
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "kinds.py":
            continue
        name = str(path.relative_to(PACKAGE.parent))
        for string in _python_strings(path):
            words = [string] if string in values else re.findall(r"'(\w+)'", string)
            found.update((name, w) for w in words if w in values)
    for path in sorted(PACKAGE.rglob("*.html")):
        name = str(path.relative_to(PACKAGE.parent))
        found.update((name, w) for w in _template_strings(path) if w in values)
    return found


def test_no_kind_or_status_is_written_out_as_a_string_outside_kinds_py() -> None:
    found = _kinds_written_out()
    unexplained = {
        f"{name}: {value!r} x{count}": count
        for (name, value), count in sorted(found.items())
        if count != OTHER_MEANINGS.get((name, value), (0, ""))[0]
    }
    assert not unexplained, "use the enums of survey_app/kinds.py"


def test_the_scan_finds_a_kind_written_out(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "if form.kind == 'closure' and case.status in ('new',):\n"
        "    q = text(\"status = 'draft'\")\n"
        'f"{x}"\n'
    )
    assert _python_strings(sample)[:3] == ["closure", "new", "status = 'draft'"]
    page = tmp_path / "page.html"
    page.write_text("""<p class="draft">{% if c.status == 'new' %}{{ "open" }}{% endif %}</p>""")
    assert _template_strings(page) == ["new", "open"]
