"""Light pages for old kiosk laptops with no internet: no request leaves the server, and a
respondent page with all its assets stays under 100 KB."""

from __future__ import annotations

from typing import Any

from tests.e2e.helpers import (
    Accounts,
    answer_page,
    enter_id,
    next_page,
    on_question_page,
    register,
    unlock_kiosk,
)
from tests.liveserver import LiveServer

PAGE_BUDGET = 100 * 1024


def test_no_outside_request_and_every_page_under_100_kb(
    page: Any, server: LiveServer, accounts: Accounts
) -> None:
    requests: list[str] = []
    sizes: dict[str, int] = {}

    def seen(request: Any) -> None:
        requests.append(request.url)

    def loaded(response: Any) -> None:
        try:
            sizes[response.url] = len(response.body())
        except Exception:  # noqa: BLE001 - redirects have no body to measure
            sizes[response.url] = 0

    page.on("request", seen)
    page.on("response", loaded)
    unlock_kiosk(page, accounts)
    enter_id(page, register(server.app))
    weights: dict[str, int] = {}
    while on_question_page(page):
        # Each page is measured cold, as a kiosk that has cleared its cache would load it.
        sizes.clear()
        page.reload()
        page.wait_for_load_state("networkidle")
        weights[page.url] = sum(sizes.values())
        answer_page(page)
        next_page(page)
    outside = [url for url in requests if not url.startswith(server.url)]
    assert outside == []
    heaviest = max(weights.values())
    assert weights and heaviest <= PAGE_BUDGET, weights
    print(f"\nheaviest respondent page: {heaviest} bytes of {len(weights)} pages")
