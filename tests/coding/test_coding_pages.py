"""Coding one answer at a time through the pages: the question, the site and the answer on
the page; themes ticked as labelled boxes with shortcuts; progress; quotes that must be words
of the answer; answers voided since dropping out; two coders saving the same answer at once."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditEvent, Coding, CodingMark
from tests import case_data, factories
from tests import coding_steps as steps
from tests.flows import csrf_token, text_of

CODE = steps.STAFF_QUESTION + "/code"
TEXTS = [
    "She knows the family courts and the local authority inside out.",
    "Time to sit with mothers.",
    "She chases social workers in the community.",
]


def _codings(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Coding)) or 0


def test_the_index_lists_every_open_question_with_the_case_trackers_notes_and_summaries(
    app: Flask, researcher: FlaskClient
) -> None:
    page = researcher.get(steps.INDEX).get_data(as_text=True)
    for path in (
        "/questions/prison_staff/gaps_filled",
        "/questions/mothers_t1/tac_hopes",
        "/questions/practitioners/",
        "/questions/case_update/update_note",
        "/questions/case_closure/closure_summary",
    ):
        assert path in page, path
    assert '/questions/prison_staff/prison"' not in page  # a choice, not an open question


def test_one_answer_at_a_time_with_question_site_progress_and_labelled_shortcut_boxes(
    app: Flask, researcher: FlaskClient, book: steps.Book
) -> None:
    refs = steps.staff_answers(app, TEXTS, sites=["send", "eastwood_park", None])
    page = researcher.get(CODE)
    body = page.get_data(as_text=True)
    words = text_of(body)
    assert (
        "In your view, what gaps within the prison does the role of the TaC social worker fill?"
        in words
    )
    assert "0 of 3 coded" in words
    assert f"Answer 1 of 3 · HMP Send {TEXTS[0]}" in words
    # A real box per theme, tied to its label, with its key as an accesskey.
    knowledge = book.themes["Specialist knowledge"]
    assert re.search(
        rf'<label class="option" for="theme-{knowledge}"><input type="checkbox" '
        rf'id="theme-{knowledge}" name="themes" value="{knowledge}" accesskey="(\w)"',
        body,
    )
    assert '<script src="/static/js/coding.js" defer></script>' in body
    script = researcher.get("/static/js/coding.js")
    script.close()  # static files stream from an open file
    assert script.status_code == 200

    saved = steps.code_answer(researcher, refs[0], [knowledge], {knowledge: "the family  courts"})
    assert saved.status_code == 302
    assert f"answer={refs[1]}" in saved.headers["Location"]  # on to the next answer
    following = text_of(researcher.get(saved.headers["Location"]).get_data(as_text=True))
    assert "1 of 3 coded" in following and "HMP Eastwood Park" in following
    with app.app_context():
        mark = db.session.scalar(select(CodingMark))
        assert mark is not None and mark.quote == "the family courts"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "coding.saved"))
        assert event is not None and event.actor_id is not None
        assert "courts" not in str(event.detail) and TEXTS[0] not in str(event.detail)

    steps.code_answer(researcher, refs[1], [])  # no theme applies: still coded
    steps.code_answer(researcher, refs[2], [book.themes["Navigate systems"]])
    done = text_of(researcher.get(CODE).get_data(as_text=True))
    assert "3 of 3 coded" in done and "Every answer is coded." in done
    assert "Site not given" in text_of(
        researcher.get(f"{CODE}?answer={refs[2]}").get_data(as_text=True)
    )


def test_a_quote_that_is_not_a_passage_of_the_answer_is_refused_and_nothing_saved(
    app: Flask, researcher: FlaskClient, book: steps.Book
) -> None:
    [ref] = steps.staff_answers(app, TEXTS[:1])
    knowledge = book.themes["Specialist knowledge"]
    reply = steps.code_answer(researcher, ref, [knowledge], {knowledge: "she knows everything"})
    assert reply.status_code == 422
    assert "is not a passage of this answer" in text_of(reply.get_data(as_text=True))
    assert "she knows everything" in reply.get_data(as_text=True)  # her words kept on the page
    unticked = steps.code_answer(researcher, ref, [], {knowledge: "family courts"})
    assert unticked.status_code == 422
    assert "which is not ticked" in text_of(unticked.get_data(as_text=True))
    assert _codings(app) == 0


def test_an_answer_voided_since_drops_out_and_the_counts_say_so(
    app: Flask, researcher: FlaskClient, book: steps.Book
) -> None:
    question = "/research/coding/questions/mothers_t1/tac_hopes"
    [first, second] = factories.participants(app, 2)
    kept = factories.complete_response(app, first, "T1", {"tac_hopes": "Seeing my kids."})
    voided = factories.complete_response(app, second, "T1", {"tac_hopes": "Help with court."})
    theme = book.themes["Contact with children"]
    steps.code_answer(researcher, f"r{voided}", [theme], url=question + "/code")
    page = f"/research/participants/{second}"
    reply = steps.post_form(
        researcher, page, f"{page}/responses/{voided}/void", {"reason": "Entered twice."}
    )
    assert reply.status_code == 302

    words = text_of(researcher.get(question + "/code").get_data(as_text=True))
    assert "0 of 1 coded" in words
    assert "1 coding of answers withdrawn or voided since is left out." in words
    assert "Help with court." not in words and "Seeing my kids." in words
    # A page opened before the void, sent after it: refused with a message, nothing saved.
    gone = researcher.post(
        question + "/code",
        data={
            "csrf_token": csrf_token(researcher.get(question + "/code")),
            "answer": f"r{voided}",
            "version": "1",
            "themes": [str(theme)],
        },
    )
    assert gone.status_code == 410
    assert "withdrawn or voided" in text_of(gone.get_data(as_text=True))
    assert f"r{kept}" in researcher.get(question).get_data(as_text=True)


def test_two_coders_saving_the_same_answer_at_once_lose_nothing(
    app: Flask, researcher: FlaskClient, book: steps.Book
) -> None:
    [ref] = steps.staff_answers(app, TEXTS[:1])
    other = steps.login(app, "coder.two@example.org")
    knowledge, gaps = book.themes["Specialist knowledge"], book.themes["Navigate systems"]
    pages = [c.get(f"{CODE}?answer={ref}") for c in (researcher, other)]  # both open it
    first = researcher.post(
        CODE,
        data={
            "csrf_token": csrf_token(pages[0]),
            "answer": ref,
            "version": "0",
            "themes": [str(knowledge)],
        },
    )
    assert first.status_code == 302
    second = other.post(
        CODE,
        data={
            "csrf_token": csrf_token(pages[1]),
            "answer": ref,
            "version": "0",
            "themes": [str(gaps)],
        },
    )
    assert second.status_code == 409
    body = second.get_data(as_text=True)
    assert "Another coder saved this answer while you were coding it" in text_of(body)
    assert f'value="{gaps}" checked' in body  # her ticks stay on the page
    assert "Saved" in text_of(body) and "by coder.one@example.org: Specialist knowledge" in text_of(
        body
    )
    with app.app_context():
        [coding] = db.session.scalars(select(Coding)).all()
        assert coding.theme_ids == {knowledge}
    # Saving again from the refusal page replaces the coding knowingly.
    again = other.post(
        CODE,
        data={
            "csrf_token": csrf_token(second),
            "answer": ref,
            "version": str(steps.version_of(second)),
            "themes": [str(gaps)],
        },
    )
    assert again.status_code == 302
    with app.app_context():
        [coding] = db.session.scalars(select(Coding)).all()
        assert coding.theme_ids == {gaps} and coding.version == 2
    # A page opened before that second save is refused in turn.
    stale = researcher.post(
        CODE,
        data={"csrf_token": csrf_token(pages[0]), "answer": ref, "version": "1", "themes": []},
    )
    assert stale.status_code == 409


def test_closure_summaries_are_coded_with_the_cases_site(
    app: Flask, researcher: FlaskClient, book: steps.Book
) -> None:
    case_data.add_case(
        app,
        "eastwood_park",
        [
            ("referral", "2022-07-01", {"needs": [3]}),
            ("closure", "2023-02-01", {"closure_summary": "Contact plan agreed with the carer."}),
        ],
    )
    url = "/research/coding/questions/case_closure/closure_summary/code"
    words = text_of(researcher.get(url).get_data(as_text=True))
    assert "0 of 1 coded" in words
    assert "HMP Eastwood Park Contact plan agreed with the carer." in words
    with app.app_context():
        from survey_app.models import CaseForm

        form_id = db.session.scalar(select(CaseForm.id).where(CaseForm.kind == "closure"))
    theme = book.themes["Contact with children"]
    saved = steps.code_answer(
        researcher, f"f{form_id}", [theme], {theme: "Contact plan agreed"}, url=url
    )
    assert saved.status_code == 302
    assert "1 of 1 coded" in text_of(researcher.get(url).get_data(as_text=True))


def test_a_withdrawal_that_deletes_her_answers_deletes_their_codings_and_quotes(
    app: Flask, researcher: FlaskClient, book: steps.Book
) -> None:
    question = "/research/coding/questions/mothers_t1/tac_hopes"
    [leaving, staying] = factories.participants(app, 2)
    gone = factories.complete_response(app, leaving, "T1", {"tac_hopes": "Seeing my kids."})
    kept = factories.complete_response(app, staying, "T1", {"tac_hopes": "Help with court."})
    theme = book.themes["Contact with children"]
    steps.code_answer(researcher, f"r{gone}", [theme], {theme: "my kids"}, url=question + "/code")
    steps.code_answer(researcher, f"r{kept}", [theme], url=question + "/code")
    page = f"/research/participants/{leaving}"
    reply = steps.post_form(
        researcher, page, f"{page}/withdraw", {"mode": "delete", "reason": "She asked us to."}
    )
    assert reply.status_code == 302, text_of(reply.get_data(as_text=True))[:400]
    with app.app_context():
        assert db.session.scalars(select(Coding.answer_ref)).all() == [f"r{kept}"]
        assert db.session.scalar(select(func.count()).select_from(CodingMark)) == 1
        assert db.session.scalar(select(CodingMark.quote)) is None


def test_a_question_no_one_answered_says_there_is_nothing_to_code_not_that_all_is_coded(
    app: Flask, researcher: FlaskClient, book: steps.Book
) -> None:
    words = text_of(researcher.get(CODE).get_data(as_text=True))
    assert "0 of 0 coded" in words
    assert "No answer to this question says anything yet: there is nothing to code." in words
    assert "Every answer is coded" not in words
