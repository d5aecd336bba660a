"""Any form sent to a coding page, however odd, is answered below 500 (a message and a 4xx,
or a redirect): fuzzed with hypothesis over the coding pages' field names."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tests import coding_steps as steps
from tests.flows import PASSWORD

FIELDS = ["answer", "version", "themes", "quote_1", "quote_2", "name", "definition",
          "key_theme", "into", "coder_a", "coder_b"]  # fmt: skip
VALUE = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "0", "1", "2", "-1", "999999", "r", "f1", "r" + "0" * 32, "x" * 200,
                     "1e9", "\u00a0", "  ", "=1+1"]),
)  # fmt: skip
FORMS = st.dictionaries(
    keys=st.one_of(st.sampled_from(FIELDS), st.text(min_size=1, max_size=10)),
    values=st.lists(VALUE, min_size=1, max_size=3),
    max_size=6,
)
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def test_coding_forms_never_answer_500(
    app: Flask, researcher: FlaskClient, book: steps.Book, make_app: Callable[..., Flask]
) -> None:
    refs = steps.staff_answers(app, ["She knows the courts.", "Time to listen."])
    steps.code_answer(researcher, refs[0], [book.themes["Specialist knowledge"]])
    # The same database, CSRF off: the fuzz reaches the forms' own checks.
    client = make_app(WTF_CSRF_ENABLED=False).test_client()
    login = {"email": "coder.one@example.org", "password": PASSWORD}
    assert client.post("/login", data=login).status_code == 302
    theme, key = book.themes["Time for mothers"], book.keys["Relationships"]
    question = steps.STAFF_QUESTION
    urls = [
        "/research/coding/key-themes",
        "/research/coding/themes",
        f"/research/coding/key-themes/{key}",
        f"/research/coding/themes/{theme}",
        f"/research/coding/themes/{theme}/merge",
        question,
        question + "/code",
        question + "/settle",
        "/research/coding/codebook",
    ]

    @FUZZ
    @given(form=FORMS, which=st.sampled_from(urls))
    def run(form: dict[str, list[str]], which: str) -> None:
        data = MultiDict([(k, v) for k, values in form.items() for v in values if "\x00" not in v])
        reply = client.post(which, data=data)
        reply.close()
        assert reply.status_code < 500, (which, form)

    run()
