"""Cursor pagination: walking every page of a list sees each row once, in the list's order,
also when rows arrive between pages; a bad cursor, limit or filter is a 400 with the reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tests.case_data import add_case


@pytest.fixture
def call(app: Flask, client: FlaskClient) -> Callable[..., Any]:
    owner = factories.user(app, "researcher")
    token = factories.api_token(app, owner.id)

    def get(url: str, **query: Any) -> Any:
        return client.get(url, query_string=query, headers={"Authorization": f"Bearer {token}"})

    return get


def walk(
    call: Callable[..., Any], url: str, start: str | None = None, **query: Any
) -> list[list[dict[str, Any]]]:
    pages, cursor = [], start
    while True:
        reply = call(url, **query, **({"cursor": cursor} if cursor else {}))
        assert reply.status_code == 200, reply.get_json()
        body = reply.get_json()
        pages.append(body["data"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 100, "the walk does not end"


def test_walking_the_participants_sees_each_once_newest_first(
    app: Flask, call: Callable[..., Any]
) -> None:
    made = factories.participants(app, 7) + factories.participants(app, 3, site="eastwood_park")
    pages = walk(call, "/api/v1/participants", limit=3)
    assert [len(p) for p in pages] == [3, 3, 3, 1]
    ids = [row["id"] for page in pages for row in page]
    whole = call("/api/v1/participants", limit=500).get_json()
    assert whole["next_cursor"] is None
    assert ids == [row["id"] for row in whole["data"]]
    assert sorted(ids) == sorted(made)
    only_send = [
        r["id"] for p in walk(call, "/api/v1/participants", limit=2, site="send") for r in p
    ]
    assert sorted(only_send) == sorted(made[:7])


def test_participants_registered_during_a_walk_neither_repeat_nor_shift_it(
    app: Flask, call: Callable[..., Any]
) -> None:
    made = factories.participants(app, 5)
    first = call("/api/v1/participants", limit=2).get_json()
    factories.participants(app, 4)  # new ones go to the top of the list, before the cursor
    rest = walk(call, "/api/v1/participants", first["next_cursor"], limit=2)
    seen = [r["id"] for r in first["data"]] + [r["id"] for p in rest for r in p]
    assert sorted(seen) == sorted(made)


def test_walking_the_responses_sees_each_once_by_date_then_id(
    app: Flask, call: Callable[..., Any]
) -> None:
    days = [dt.date(2026, 1, d) for d in (3, 1, 3, 2, 3, 1, 5)]
    made = {
        factories.complete_response(app, p, "T1", {"consent_take_part": 1}, day): day
        for p, day in zip(factories.participants(app, len(days)), days, strict=True)
    }
    factories.link_response(app, "prison_staff", {}, completed_on=dt.date(2026, 1, 4))
    pages = walk(call, "/api/v1/responses", limit=2, instrument="mothers_t1")
    rows = [r for p in pages for r in p]
    assert [r["id"] for r in rows] == sorted(made, key=lambda i: (made[i], i))
    assert [len(p) for p in pages] == [2, 2, 2, 1]
    dated = walk(call, "/api/v1/responses", limit=1, **{"from": "2026-01-02", "to": "2026-01-04"})
    assert sorted(r[0]["completed_on"] for r in dated) == [
        "2026-01-02", "2026-01-03", "2026-01-03", "2026-01-03", "2026-01-04",
    ]  # fmt: skip


def test_walking_the_cases_sees_each_once(app: Flask, call: Callable[..., Any]) -> None:
    for _ in range(5):
        add_case(app, "send", [("referral", "2022-01-10", {"needs": [1]})])
    pages = walk(call, "/api/v1/cases", limit=2)
    ids = [c["id"] for p in pages for c in p]
    assert len(ids) == 5 == len(set(ids))
    assert ids == sorted(ids)


@pytest.mark.parametrize(
    ("url", "query", "reason"),
    [
        ("/api/v1/participants", {"cursor": "nonsense"}, "cursor"),
        ("/api/v1/responses", {"cursor": "W10.abc"}, "cursor"),
        ("/api/v1/participants", {"limit": "0"}, "limit"),
        ("/api/v1/participants", {"limit": "501"}, "limit"),
        ("/api/v1/participants", {"limit": "ten"}, "limit"),
        ("/api/v1/participants", {"status": "late"}, "status"),
        ("/api/v1/participants", {"wave": "T9", "status": "due"}, "wave"),
        ("/api/v1/participants", {"site": "nowhere"}, "site"),
        ("/api/v1/participants", {"sit": "send"}, "sit"),
        ("/api/v1/responses", {"from": "2026-13-01"}, "from"),
        ("/api/v1/responses", {"to": "yesterday"}, "to"),
        ("/api/v1/responses", {"from": "2026-02-01", "to": "2026-01-01"}, "before"),
        ("/api/v1/responses", {"instrument": "no_such"}, "instrument"),
        ("/api/v1/responses", {"wave": "T7"}, "wave"),
        ("/api/v1/cases", {"status": "lost"}, "status"),
        ("/api/v1/report", {"version": "mothers_t1:99"}, "version"),
        ("/api/v1/report", {"publication": "maybe"}, "publication"),
        ("/api/v1/exports/csv", {"by_period": "1"}, "by_period"),
        ("/api/v1/codebook", {"limit": "5"}, "limit"),
    ],
)
def test_a_bad_cursor_limit_or_filter_is_a_400_naming_it(
    call: Callable[..., Any], url: str, query: dict[str, str], reason: str
) -> None:
    reply = call(url, **query)
    assert reply.status_code == 400, reply.get_data(as_text=True)
    assert reason in reply.get_json()["error"]["message"]


def test_a_cursor_of_one_list_is_refused_by_another(app: Flask, call: Callable[..., Any]) -> None:
    factories.participants(app, 3)
    cursor = call("/api/v1/participants", limit=1).get_json()["next_cursor"]
    assert cursor
    assert call("/api/v1/participants", limit=1, cursor=cursor).status_code == 200
    for other in ("/api/v1/responses", "/api/v1/cases"):
        reply = call(other, cursor=cursor)
        assert reply.status_code == 400
        assert "cursor" in reply.get_json()["error"]["message"]
    edited = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    assert call("/api/v1/participants", cursor=edited).status_code == 400
