"""The kiosk for mothers, driven through its pages as a browser would."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.instruments import missing
from survey_app.models import Participant, Response
from tests import factories
from tests.flows import (
    PASSWORD,
    Auth,
    answer_pages,
    complete_wave,
    csrf_token,
    enter_id,
    instrument,
    kiosk_finish,
    past_consent,
    past_notice,
    question_names,
    register,
    responses,
    second_page,
    send,
    submission_key,
    submit_form,
    unlock,
)


def test_a_mother_completes_t1_and_then_t2(app: Flask, client: FlaskClient, auth: Auth) -> None:
    pseudonym = register(app)
    unlock(auth, client, "T1")
    done = complete_wave(
        app, client, pseudonym.lower().replace("-", " "), "mothers_t1", css_trust="4"
    )
    assert done.status_code == 302 and done.headers["Location"] == "/kiosk/thanks"
    thanks = client.get("/kiosk/thanks")
    assert "Thank you" in thanks.get_data(as_text=True)
    assert 'http-equiv="refresh"' in thanks.get_data(as_text=True)

    # Six months later: the fieldworker switches the kiosk to T2.
    client.get("/kiosk/exit")
    submit_form(client, "/kiosk/exit", {"password": PASSWORD})
    assert submit_form(client, "/kiosk/", {"site": "send", "wave": "T2"}).status_code == 302
    done = complete_wave(app, client, pseudonym, "mothers_t2", css_trust="2")
    assert done.headers["Location"] == "/kiosk/thanks"

    stored = responses(app)
    assert len(stored) == 2 and all(r.status == "complete" for r in stored)
    assert len({r.participant_id for r in stored}) == 1
    by_wave = {r.answers["css_trust"]: r for r in stored}
    assert set(by_wave) == {4, 2}
    t1 = by_wave[4]
    assert t1.answers["consent_take_part"] == 1
    assert t1.answers["wai_csw_01"] in range(1, 6)  # she has met her social worker
    assert t1.flags == {}


def test_an_id_with_a_typo_is_refused_as_not_valid(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    pseudonym = register(app)
    unlock(auth, client)
    body = pseudonym.replace("-", "")
    wrong = body[:4] + ("Z" if body[4] != "Z" else "Y") + body[5:]
    reply = enter_id(client, wrong)
    assert reply.status_code == 422
    assert "This ID is not valid: please check it" in reply.get_data(as_text=True)
    swapped = body[:3] + body[4] + body[3] + body[5:]
    if swapped != body:
        assert "This ID is not valid" in enter_id(client, swapped).get_data(as_text=True)
    assert responses(app) == []


def test_a_valid_but_unregistered_id_is_not_found(client: FlaskClient, auth: Auth) -> None:
    from survey_app import pseudonyms

    unlock(auth, client)
    reply = enter_id(client, pseudonyms.generate("TC"))
    assert reply.status_code == 422
    assert "No participant has this ID" in reply.get_data(as_text=True)


def test_a_second_t1_is_refused_with_the_date_of_the_first(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    pseudonym = register(app)
    unlock(auth, client)
    complete_wave(app, client, pseudonym, "mothers_t1")
    reply = enter_id(client, pseudonym)
    body = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert "already completed on" in body and "a researcher can void it" in body
    assert len(responses(app)) == 1


def test_t2_without_t1_warns_the_fieldworker_and_is_flagged(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    pseudonym = register(app)
    unlock(auth, client, "T2")
    started = enter_id(client, pseudonym)
    assert started.headers["Location"] == "/kiosk/notice"
    assert "no completed T1" in client.get("/kiosk/notice").get_data(as_text=True)
    complete_wave_after_notice = answer_pages(
        client, past_notice(client), instrument(app, "mothers_t2")
    )
    send(client, complete_wave_after_notice, "/kiosk/submit")
    [stored] = responses(app)
    assert stored.status == "complete" and stored.flags == {"t2_without_t1": True}


def test_consent_comes_first(app: Flask, client: FlaskClient, auth: Auth) -> None:
    unlock(auth, client)
    enter_id(client, register(app))
    assert client.get("/kiosk/page/3").headers["Location"] == "/kiosk/page/0"
    page = client.get("/kiosk/page/0")
    names = question_names(page)
    data = {"csrf_token": csrf_token(page), "action": "next", names[0]: "1"}
    reply = client.post("/kiosk/page/0", data=data)
    body = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert "Please tick this box if you agree" in body
    assert 'aria-describedby="q-' + names[1] + '-error"' in body
    assert f'name="{names[0]}" value="1" checked' in body  # her tick is kept
    assert client.get("/kiosk/page/2").headers["Location"] == "/kiosk/page/0"


def test_declining_consent_keeps_nothing(app: Flask, client: FlaskClient, auth: Auth) -> None:
    unlock(auth, client)
    enter_id(client, register(app))
    page = client.get("/kiosk/page/0")
    reply = client.post("/kiosk/page/0", data={"csrf_token": csrf_token(page), "action": "decline"})
    assert reply.headers["Location"] == "/kiosk/decline"  # are you sure?
    sure = client.get("/kiosk/decline")
    reply = client.post("/kiosk/decline", data={"csrf_token": csrf_token(sure), "confirm": "yes"})
    assert reply.headers["Location"] == "/kiosk/lock"
    assert responses(app) == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("99", "not one of the answers offered"),
        ("-3", "not one of the answers offered"),
        ("four", "not one of the answers offered"),
    ],
)
def test_out_of_scale_values_are_refused_and_nothing_is_saved(
    app: Flask, client: FlaskClient, auth: Auth, value: str, message: str
) -> None:
    at = second_page(app, client, auth)
    names = at.names
    reply = at.post(client, "next", {names[0]: "4", names[1]: value})
    assert reply.status_code == 400
    assert message in reply.get_data(as_text=True)
    [draft] = responses(app)
    assert draft.answers.get("consent_take_part") == 1  # the earlier page is kept
    assert names[0] not in draft.answers  # nothing from the refused request


def test_a_variable_that_is_not_on_the_page_is_refused(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    at = second_page(app, client, auth)
    reply = client.post(at.url, data={"csrf_token": csrf_token(at.page), "tac_hopes": "sneaked in"})
    assert reply.status_code == 400
    assert "not on it" in reply.get_data(as_text=True)
    [draft] = responses(app)
    assert "tac_hopes" not in draft.answers


def test_a_text_over_its_limit_is_refused(app: Flask, client: FlaskClient, auth: Auth) -> None:
    unlock(auth, client)
    enter_id(client, register(app))
    t1 = instrument(app, "mothers_t1")
    hopes = t1.item("tac_hopes")
    assert hopes is not None and hopes.max_length
    index = next(i for i, s in enumerate(t1.sections) if hopes in s.items)
    past_consent(app, client)
    page = client.get(f"/kiosk/page/{index}")
    reply = client.post(
        f"/kiosk/page/{index}",
        data={"csrf_token": csrf_token(page), "tac_hopes": "x" * (hopes.max_length + 1)},
    )
    assert reply.status_code == 400 and "longer than this question allows" in reply.get_data(
        as_text=True
    )


def test_an_expired_page_keeps_her_answers_on_screen(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    unlock(auth, client)
    enter_id(client, register(app))
    second = past_consent(app, client)
    names = question_names(client.get(second))
    reply = client.post(
        second, data={"csrf_token": "expired-token", "action": "next", names[0]: "2"}
    )
    body = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert "This page was open for a long time" in body
    assert f'name="{names[0]}" value="2" checked' in body
    assert names[0] not in responses(app)[0].answers


def test_a_replayed_final_submit_makes_one_response(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    finish = kiosk_finish(app, client, auth)
    key = submission_key(finish)
    token = csrf_token(finish)
    replies = [
        client.post("/kiosk/submit", data={"csrf_token": token, "submission_key": key})
        for _ in range(3)
    ]
    assert [r.headers["Location"] for r in replies] == ["/kiosk/thanks"] * 3
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_after_thanks_nothing_of_her_answers_can_be_seen(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    finish = kiosk_finish(app, client, auth, {"tac_hopes": "my private hope"})
    assert send(client, finish, "/kiosk/submit").headers["Location"] == "/kiosk/thanks"
    client.get("/kiosk/thanks")
    for url in ("/kiosk/page/0", "/kiosk/page/3", "/kiosk/page/6", "/kiosk/finish"):
        reply = client.get(url)
        assert reply.status_code == 302 and reply.headers["Location"] == "/kiosk/lock", url
    lock = client.get("/kiosk/lock")
    assert "my private hope" not in lock.get_data(as_text=True)
    assert lock.headers["Cache-Control"] == "no-store"


def test_respondent_pages_are_never_cached(app: Flask, client: FlaskClient, auth: Auth) -> None:
    unlock(auth, client)
    enter_id(client, register(app))
    for url in ("/kiosk/lock", "/kiosk/start", "/kiosk/page/0"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url


def test_the_welsh_switch_keeps_her_answers(app: Flask, client: FlaskClient, auth: Auth) -> None:
    at = second_page(app, client, auth)
    second, names = at.url, at.names
    reply = at.post(client, "lang:cy", {names[0]: "5"})
    assert reply.status_code == 302 and reply.headers["Location"] == second
    welsh = client.get(second).get_data(as_text=True)
    t1 = instrument(app, "mothers_t1")
    item = t1.item(names[0])
    assert item is not None and item.text["cy"] in welsh.replace("&#39;", "'")
    assert 'lang="cy"' in welsh and "Nesaf" in welsh
    assert f'name="{names[0]}" value="5" checked' in welsh


def test_the_idle_timeout_returns_to_the_lock_screen_and_loses_nothing(
    app: Flask, client: FlaskClient, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    pseudonym = register(app)
    unlock(auth, client)
    enter_id(client, pseudonym)
    second = past_consent(app, client)
    later = time.time() + app.config["KIOSK_IDLE_SECONDS"] + 5
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get(second).headers["Location"] == "/kiosk/lock"
    # The fieldworker resumes the draft by ID, with the password.
    assert enter_id(client, pseudonym).headers["Location"] == "/kiosk/resume"
    wrong = submit_form(client, "/kiosk/resume", {"password": "not the password"})
    assert wrong.status_code == 422
    resumed = submit_form(client, "/kiosk/resume", {"password": PASSWORD})
    assert resumed.status_code == 302 and resumed.headers["Location"] == second
    [draft] = responses(app)
    assert draft.answers["consent_take_part"] == 1


def test_the_timeout_action_saves_the_page_she_was_on(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    at = second_page(app, client, auth)
    second, names = at.url, at.names
    reply = at.post(client, "timeout", {names[0]: "3"})
    assert reply.headers["Location"] == "/kiosk/lock"
    assert responses(app)[0].answers[names[0]] == 3
    assert client.get(second).headers["Location"] == "/kiosk/lock"


def test_never_met_skips_the_wai_and_codes_it_not_applicable(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    finish = kiosk_finish(app, client, auth, {"csw_contact": "1"})
    send(client, finish, "/kiosk/submit")
    [stored] = responses(app)
    wai = {k: v for k, v in stored.answers.items() if k.startswith("wai_csw_")}
    assert len(wai) == 12 and set(wai.values()) == {missing.NOT_APPLICABLE}


def test_prefer_not_to_say_is_stored_as_its_code(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    finish = kiosk_finish(app, client, auth, {"css_trust": str(missing.PREFER_NOT_TO_SAY)})
    send(client, finish, "/kiosk/submit")
    assert responses(app)[0].answers["css_trust"] == missing.PREFER_NOT_TO_SAY


def test_skipped_questions_are_left_blank(app: Flask, client: FlaskClient, auth: Auth) -> None:
    finish = kiosk_finish(app, client, auth, {"css_trust": None, "tac_hopes": None})
    send(client, finish, "/kiosk/submit")
    answers = responses(app)[0].answers
    assert "css_trust" not in answers and "tac_hopes" not in answers


def test_kiosk_mode_leads_to_no_research_page(app: Flask, client: FlaskClient, auth: Auth) -> None:
    unlock(auth, client)
    for url in ("/research/", "/login", "/kiosk/"):
        reply = client.get(url)
        assert reply.status_code == 302 and reply.headers["Location"] == "/kiosk/lock", url
    lock = client.get("/kiosk/lock").get_data(as_text=True)
    assert "/research" not in lock and "/login" not in lock


def test_leaving_kiosk_mode_needs_the_fieldworkers_password(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    unlock(auth, client)
    wrong = submit_form(client, "/kiosk/exit", {"password": "guess guess guess"})
    assert wrong.status_code == 422 and "not right" in wrong.get_data(as_text=True)
    assert client.get("/research/").headers["Location"] == "/kiosk/lock"
    right = submit_form(client, "/kiosk/exit", {"password": PASSWORD})
    assert right.headers["Location"] == "/research/"
    assert client.get("/research/").status_code == 200


def test_the_kiosk_needs_a_logged_in_fieldworker(app: Flask, client: FlaskClient) -> None:
    assert client.get("/kiosk/").headers["Location"].startswith("/login")
    assert client.get("/kiosk/lock").headers["Location"] == "/kiosk/"
    assert client.get("/kiosk/page/0").headers["Location"] == "/kiosk/"


def test_a_withdrawn_participant_cannot_start(app: Flask, client: FlaskClient, auth: Auth) -> None:
    import datetime as dt

    pseudonym = register(app)
    with app.app_context():
        participant = db.session.scalar(
            select(Participant).where(Participant.pseudonym == pseudonym)
        )
        participant.withdrawn_at = dt.datetime(2026, 1, 1)
        db.session.commit()
    unlock(auth, client)
    reply = enter_id(client, pseudonym)
    assert reply.status_code == 422 and "withdrawn" in reply.get_data(as_text=True)


def test_participants_create_prints_valid_ids(app: Flask) -> None:
    from survey_app import pseudonyms

    result = app.test_cli_runner().invoke(
        args=["participants", "create", "--site", "eastwood_park", "--count", "3"]
    )
    assert result.exit_code == 0, result.output
    ids = result.output.split()
    assert len(ids) == 3 and len(set(ids)) == 3
    assert all(pseudonyms.is_valid(i) for i in ids)
    bad = app.test_cli_runner().invoke(args=["participants", "create", "--site", "nowhere"])
    assert bad.exit_code == 1 and "Unknown site 'nowhere'" in bad.output
    factories.site_id(app, "eastwood_park")
