"""Every bad input on the case pages: a clear message, a 4xx, nothing already saved lost;
role scoping; revisions and a stale correction."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey_app import pseudonyms
from survey_app.extensions import db
from survey_app.models import AuditEvent, Case, CaseCorrection, CaseForm, CaseFormRevision
from tests import case_steps as steps
from tests import factories
from tests.flows import Auth, csrf_token, register, submit_form


def _caseworker(app: Flask, client: FlaskClient) -> None:
    factories.caseworker(app)
    steps.log_in(client)


def test_a_mistyped_or_unknown_id_is_refused(app: Flask, client: FlaskClient) -> None:
    _caseworker(app, client)
    good = register(app)
    mistyped = good[:-1] + ("A" if good[-1] != "A" else "B")
    reply = submit_form(client, "/cases/new", {"existing-pseudonym": mistyped})
    assert reply.status_code == 422 and "not valid" in reply.get_data(as_text=True)
    unknown = pseudonyms.generate("TC")
    reply = submit_form(client, "/cases/new", {"existing-pseudonym": unknown})
    assert reply.status_code == 404 and "No participant has this ID" in reply.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_a_new_id_opens_a_case_at_her_prison(app: Flask, client: FlaskClient) -> None:
    _caseworker(app, client)
    reply = submit_form(client, "/cases/new", {"fresh-site": "send", "fresh-elsewhere": "no"})
    assert reply.status_code == 302
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert case is not None and case.site.code == "send" and case.status == "new"
        assert pseudonyms.is_valid(case.participant.pseudonym)


def test_a_second_open_case_for_one_mother_is_refused(app: Flask, client: FlaskClient) -> None:
    _caseworker(app, client)
    pseudonym = register(app)
    steps.referral(client, pseudonym)
    reply = submit_form(client, "/cases/new", {"existing-pseudonym": pseudonym})
    assert reply.status_code == 409
    assert "already has an open case since 10 January 2022" in reply.get_data(as_text=True)


def test_no_update_on_a_closed_case_and_dates_in_order(app: Flask, client: FlaskClient) -> None:
    _caseworker(app, client)
    case_url = steps.referral(client, register(app))
    first = steps.start_form(client, case_url, "closure").headers["Location"]
    # Before the referral's start: refused on the page that holds the date, nothing saved.
    early = steps.post_page(client, first, {"closure_date": "2021-12-01", "closure_reason": "1"})
    assert early.status_code == 422
    assert "is before the referral of 10 January 2022" in early.get_data(as_text=True)
    assert 'value="2021-12-01"' in early.get_data(as_text=True)  # as she typed it
    with app.app_context():  # the draft is kept, still a draft, without the refused date
        draft = db.session.scalar(select(CaseForm).where(CaseForm.kind == "closure"))
        assert draft is not None and draft.is_draft and "closure_date" not in draft.answers
    assert steps.closure_pages_from(client, first, "2022-02-01").status_code == 302
    refused = steps.start_form(client, case_url, "update")
    assert refused.status_code == 409
    assert "was closed on 01 February 2022: re-open it first" in refused.get_data(as_text=True)


def test_a_date_in_the_future_or_before_the_service_is_a_message(
    app: Flask, client: FlaskClient
) -> None:
    _caseworker(app, client)
    first = steps.open_case(client, register(app))
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    for date, message in (
        (tomorrow, "is in the future"),
        ("1921-05-01", "before the service began (01 April 2019): please check the year"),
    ):
        reply = steps.post_page(client, first, {"start_date": date, "referral_source": "1"})
        assert reply.status_code == 422 and message in reply.get_data(as_text=True)


def test_children_are_added_and_removed_without_javascript_up_to_fifteen(
    app: Flask, client: FlaskClient
) -> None:
    _caseworker(app, client)
    first = steps.open_case(client, register(app))
    children_url = steps.fill_pages(client, first, steps.REFERRAL_PAGES)
    reply = steps.post_page(client, children_url, steps.children_page(1), "group:add:children")
    assert reply.status_code == 302
    page = client.get(children_url).get_data(as_text=True)
    assert "Child 2" in page and "Remove child 2" in page
    full = steps.children_page(15)
    reply = steps.post_page(client, children_url, full, "group:add:children")
    assert reply.status_code == 422 and "At most 15 entries" in reply.get_data(as_text=True)
    sixteen = steps.children_page(16)
    assert steps.post_page(client, children_url, sixteen).status_code == 400
    reply = steps.post_page(client, children_url, full, "group:remove:children:3")
    assert reply.status_code == 302
    with app.app_context():
        form = db.session.scalar(select(CaseForm))
        assert form is not None and len(form.answers["children"]) == 14


def test_a_refused_sixteenth_child_keeps_the_answers_typed_on_the_page(
    app: Flask, client: FlaskClient
) -> None:
    _caseworker(app, client)
    first = steps.open_case(client, register(app))
    children_url = steps.fill_pages(client, first, steps.REFERRAL_PAGES)
    full = steps.children_page(15)
    full["children-14-child_age_band"] = "6"  # the last child, typed just before Add
    reply = steps.post_page(client, children_url, full, "group:add:children")
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422 and "At most 15 entries" in page
    # The page comes back as she filled it: fifteen children, each answer still ticked.
    assert "Child 15" in page and "Remove child 15" in page and "Child 16" not in page
    assert (
        'id="children-14-child_age_band-6" name="children-14-child_age_band" value="6" checked'
        in page
    )
    assert page.count(" checked>") == 15 * 3
    with app.app_context():  # a refused page saves nothing, and loses nothing saved before
        form = db.session.scalar(select(CaseForm))
        assert form is not None and "children" not in form.answers
        assert form.answers["start_date"] == "2022-01-10"
    reply = client.post(children_url, data={"csrf_token": csrf_token(reply), **full})
    assert reply.status_code == 302  # Next on the page that came back saves all fifteen
    with app.app_context():
        form = db.session.scalar(select(CaseForm))
        assert form is not None and len(form.answers["children"]) == 15
        assert form.answers["children"][14]["child_age_band"] == 6


def test_siblings_are_asked_only_with_two_children(app: Flask, client: FlaskClient) -> None:
    _caseworker(app, client)
    first = steps.open_case(client, register(app))
    children_url = steps.fill_pages(client, first, steps.REFERRAL_PAGES)
    family = steps.post_page(client, children_url, steps.children_page(1)).headers["Location"]
    assert "Where do the brothers and sisters live?" not in client.get(family).get_data(
        as_text=True
    )
    steps.post_page(client, children_url, steps.children_page(2))
    assert "Where do the brothers and sisters live?" in client.get(family).get_data(as_text=True)


def test_a_value_not_offered_or_a_tampered_field_is_refused(
    app: Flask, client: FlaskClient
) -> None:
    _caseworker(app, client)
    first = steps.open_case(client, register(app))
    las = steps.fill_pages(client, first, steps.REFERRAL_PAGES[:2])
    assert steps.post_page(client, las, {"local_authorities": ["1", "999"]}).status_code == 400
    assert steps.post_page(client, las, {"someone_else": "1"}).status_code == 400
    assert (
        steps.post_page(
            client, first, {"start_date": "2022-01-10", "referral_source": "77"}
        ).status_code
        == 400
    )
    with app.app_context():  # what was saved before is still there
        form = db.session.scalar(select(CaseForm))
        assert form is not None and form.answers["start_date"] == "2022-01-10"
        assert form.answers["referral_source"] == 1


def test_free_text_boxes_say_no_names(app: Flask, client: FlaskClient) -> None:
    _caseworker(app, client)
    case_url = steps.referral(client, register(app))
    first = steps.start_form(client, case_url, "update").headers["Location"]
    second = steps.fill_pages(
        client, first, [{"update_date": "2022-02-01", "acct": "0", "domestic_abuse": "0"}]
    )
    page = client.get(second).get_data(as_text=True)
    assert page.index("No names or identifying details") < page.index("<textarea")


def test_another_sites_case_is_out_of_reach(app: Flask, client: FlaskClient, auth: Auth) -> None:
    _caseworker(app, client)
    case_url = steps.referral(client, register(app))
    other = app.test_client()
    factories.caseworker(app, sites=("eastwood_park",), email="ep@example.org")
    steps.log_in(other, "ep@example.org")
    assert other.get(case_url).status_code == 403
    assert steps.start_form(client, case_url, "update").status_code == 302
    with app.app_context():
        draft = db.session.scalar(select(CaseForm).where(CaseForm.status == "draft"))
        assert draft is not None
        draft_url = f"{case_url}/forms/{draft.id}/pages/0"
    assert other.get(draft_url).status_code == 403
    assert other.get("/cases/").get_data(as_text=True).count("cases/1") == 0
    foreign = register(app, "send")
    reply = submit_form(other, "/cases/new", {"existing-pseudonym": foreign})
    unknown = submit_form(other, "/cases/new", {"existing-pseudonym": pseudonyms.generate("TC")})
    # Another prison's mother reads as an unknown ID: registered elsewhere is not told.
    assert reply.status_code == unknown.status_code == 404
    said = "No participant has this ID at your prisons"
    assert said in reply.get_data(as_text=True) and said in unknown.get_data(as_text=True)
    reader = app.test_client()
    Auth(app, reader).login("researcher")
    assert reader.get(case_url).status_code == 200
    fieldworker = app.test_client()
    Auth(app, fieldworker).login("fieldworker")
    assert fieldworker.get(case_url).status_code == 403


def test_a_correction_keeps_the_earlier_revision_and_a_stale_one_is_told(
    app: Flask, client: FlaskClient
) -> None:
    factories.caseworker(app, sites=("send",))
    factories.caseworker(app, sites=("send",), email="second@example.org")
    steps.log_in(client)
    second = app.test_client()
    steps.log_in(second, "second@example.org")
    case_url = steps.referral(client, register(app))
    with app.app_context():
        form_id = db.session.scalar(select(CaseForm.id))
    form_url = f"{case_url}/forms/{form_id}"

    def begin(who: FlaskClient) -> None:
        page = who.get(form_url)
        reply = who.post(f"{form_url}/correct", data={"csrf_token": csrf_token(page)})
        assert reply.status_code == 302

    begin(client)
    begin(second)
    page0 = f"{form_url}/correction/pages/0"
    assert (
        steps.post_page(
            client, page0, {"start_date": "2022-01-12", "referral_source": "2"}
        ).status_code
        == 302
    )
    assert (
        steps.post_page(
            second, page0, {"start_date": "2022-01-10", "referral_source": "3"}
        ).status_code
        == 302
    )
    assert steps.send(client, f"{form_url}/correction/send").status_code == 302
    stale = steps.send(second, f"{form_url}/correction/send")
    assert stale.status_code == 409
    assert "caseworker@example.org sent a correction" in stale.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CaseCorrection)) == 1
    page = second.get(f"{form_url}/correction/send")
    rebased = second.post(f"{form_url}/correction/rebase", data={"csrf_token": csrf_token(page)})
    assert rebased.status_code == 302
    assert steps.send(second, f"{form_url}/correction/send").status_code == 302
    with app.app_context():
        form = db.session.get(CaseForm, form_id)
        assert form is not None and form.revision == 3
        # Her change (the source) on top of the first correction (the date).
        assert (form.answers["start_date"], form.answers["referral_source"]) == ("2022-01-12", 3)
        history = db.session.scalars(
            select(CaseFormRevision)
            .where(CaseFormRevision.form_id == form_id)
            .order_by(CaseFormRevision.revision)
        ).all()
        assert [(r.revision, r.answers["referral_source"]) for r in history] == [
            (1, 1),
            (2, 2),
            (3, 3),
        ]
        assert str(form.case.opened_on) == "2022-01-12"
    view = client.get(f"{form_url}?revision=1").get_data(as_text=True)
    assert "Self-referral" in view and "second@example.org" in view


def test_a_tampered_revision_number_is_refused(app: Flask, client: FlaskClient) -> None:
    _caseworker(app, client)
    first = steps.open_case(client, register(app))
    pages = [*steps.REFERRAL_PAGES, steps.children_page(1), steps.FAMILY, {"needs": ["1"]}]
    send_url = steps.fill_pages(client, first, pages)
    page = client.get(send_url)
    assert (
        client.post(send_url, data={"csrf_token": csrf_token(page), "revision": "x"}).status_code
        == 400
    )
    altered = client.post(send_url, data={"csrf_token": csrf_token(page), "revision": "4"})
    assert altered.status_code == 409
    text = altered.get_data(as_text=True)
    # A draft has never been sent: the message says what happened and what to do.
    assert "sent already" not in text
    assert "changed in another window" in text and "check the answers below" in text
    assert "so nothing was sent" in text
    with app.app_context():
        form = db.session.scalar(select(CaseForm))
        assert form is not None and form.is_draft and form.answers["needs"] == [1]
    assert steps.send(client, send_url).status_code == 302  # and it can still be sent


def test_a_closed_case_is_not_reopened_while_she_has_another_open(
    app: Flask, client: FlaskClient
) -> None:
    _caseworker(app, client)
    pseudonym = register(app)
    first_case = steps.referral(client, pseudonym)
    assert steps.closure(client, first_case, "2022-02-01").status_code == 302
    steps.referral(client, pseudonym, start="2022-03-01")  # a new case once the first closed
    refused = steps.start_form(client, first_case, "reopening")
    assert refused.status_code == 409
    assert "already has an open case since 01 March 2022" in refused.get_data(as_text=True)
    with app.app_context():
        statuses = db.session.scalars(select(Case.status).order_by(Case.id)).all()
        assert statuses == ["closed", "open"]


def test_reading_a_case_form_is_audited_without_its_answers(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    _caseworker(app, client)
    case_url = steps.referral(client, register(app))
    with app.app_context():
        form_id = db.session.scalars(select(CaseForm.id)).one()
    reader = app.test_client()
    researcher = Auth(app, reader).login("researcher")
    for url in (f"{case_url}/forms/{form_id}", f"{case_url}/forms/{form_id}?revision=1"):
        assert reader.get(url).status_code == 200
    other = app.test_client()
    factories.caseworker(app, sites=("eastwood_park",), email="ep@example.org")
    steps.log_in(other, "ep@example.org")
    assert other.get(f"{case_url}/forms/{form_id}").status_code == 403  # not a reading
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.kind == "case_form.viewed")
        ).all()
        assert [(e.actor_id, e.target) for e in events] == [
            (researcher.id, f"case_form:{form_id}")
        ] * 2
        assert all(set(e.detail) == {"revision"} for e in events)
