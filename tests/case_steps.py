"""Shared steps of the case tracker tests, through the real pages."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from tests.flows import PASSWORD, csrf_token, submit_form


def log_in(client: FlaskClient, email: str = "caseworker@example.org") -> None:
    reply = submit_form(client, "/login", {"email": email, "password": PASSWORD})
    assert reply.status_code == 302, reply.get_data(as_text=True)


REFERRAL_PAGES: list[dict[str, Any]] = [
    {"start_date": "2022-01-10", "referral_source": "1"},
    {"ethnicity": "1", "age_band": "3", "care_experience": "1", "relationship_status": "1"},
    {"local_authorities": ["1", "2"]},
    {"offence_category": "4", "sentence_length": "2", "child_related_offence": "0"},
]
CHILD = {"child_age_band": "2", "child_care_arrangement": "1", "child_has_social_worker": "1"}
FAMILY = {
    "on_mbu": "0",
    "children_social_workers": "1",
    "family_court": "1",
    "contact_at_referral": "1",
}


def post_page(client: FlaskClient, url: str, data: dict[str, Any], action: str = "next") -> Any:
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return client.post(url, data={"csrf_token": csrf_token(page), "action": action, **data})


def children_page(n: int) -> dict[str, Any]:
    data: dict[str, Any] = {"children-count": str(n)}
    for i in range(n):
        data.update({f"children-{i}-{k}": v for k, v in CHILD.items()})
    return data


def open_case(client: FlaskClient, pseudonym: str) -> str:
    """New case for a registered ID: the URL of the referral's first page."""
    reply = submit_form(client, "/cases/new", {"existing-pseudonym": pseudonym})
    assert reply.status_code == 302, reply.get_data(as_text=True)
    return str(reply.headers["Location"])


def fill_pages(client: FlaskClient, first: str, pages: list[dict[str, Any]]) -> str:
    """Answer page after page from ``first``; return where the last one leads."""
    url = first
    for data in pages:
        reply = post_page(client, url, data)
        assert reply.status_code == 302, (url, reply.status_code, reply.get_data(as_text=True))
        url = reply.headers["Location"]
    return url


def send(client: FlaskClient, send_url: str, reason: str = "A mistyped answer.") -> Any:
    """Press Send on the check page; a correction's page asks why, answered with ``reason``."""
    page = client.get(send_url)
    assert page.status_code == 200, page.get_data(as_text=True)
    revision = re.search(r'name="revision" value="(\d+)"', page.get_data(as_text=True))
    assert revision, "no revision field"
    data = {"csrf_token": csrf_token(page), "revision": revision.group(1)}
    if 'name="reason"' in page.get_data(as_text=True):
        data["reason"] = reason
    return client.post(send_url, data=data)


def referral(
    client: FlaskClient, pseudonym: str, start: str = "2022-01-10", children: int = 2
) -> str:
    """A sent referral; return the case page's URL."""
    pages = [
        dict(REFERRAL_PAGES[0], start_date=start),
        *REFERRAL_PAGES[1:],
        children_page(children),
    ]
    family = dict(FAMILY, siblings="2") if children >= 2 else dict(FAMILY)
    send_url = fill_pages(
        client, open_case(client, pseudonym), [*pages, family, {"needs": ["1", "3"]}]
    )
    reply = send(client, send_url)
    assert reply.status_code == 302, reply.get_data(as_text=True)
    return str(reply.headers["Location"])


def start_form(client: FlaskClient, case_url: str, kind: str) -> Any:
    page = client.get(case_url)
    return client.post(f"{case_url}/forms/new", data={"csrf_token": csrf_token(page), "kind": kind})


def update(client: FlaskClient, case_url: str, date: str) -> Any:
    first = start_form(client, case_url, "update").headers["Location"]
    send_url = fill_pages(
        client, first,
        [{"update_date": date, "acct": "1", "domestic_abuse": "0"},
         {"mbu_application": "1", "contact_now": "2", "in_proceedings": "1", "update_note": "Calls weekly."}],
    )  # fmt: skip
    return send(client, send_url)


def closure(client: FlaskClient, case_url: str, date: str) -> Any:
    first = start_form(client, case_url, "closure").headers["Location"]
    return closure_pages_from(client, first, date)


def closure_pages_from(client: FlaskClient, first: str, date: str) -> Any:
    """A closure's pages answered from ``first``, then sent."""
    send_url = fill_pages(
        client, first,
        [{"closure_date": date, "closure_reason": "1"}, {"outcomes": ["1", "5"]},
         {"barriers": ["2"]}, {"contact_outcome": "1", "closure_summary": "Released."}],
    )  # fmt: skip
    return send(client, send_url)


def reopening(client: FlaskClient, case_url: str, date: str) -> Any:
    first = start_form(client, case_url, "reopening").headers["Location"]
    send_url = fill_pages(client, first, [{"reopen_date": date, "reopen_reason": "1"}])
    return send(client, send_url)
