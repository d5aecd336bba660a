"""What the browser tests share: the accounts, the kiosk and link steps a person takes, and the
checks made on every respondent page (axe-core, target and text sizes, zoom, read-aloud)."""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp
from flask import Flask

from survey_app.extensions import db
from survey_app.services import links as link_ops
from survey_app.services import participants as participant_ops
from tests import factories
from tests.flows import register as register  # re-exported: the browser tests import it here

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = factories.PASSWORD
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# The field trial's screens: a tablet and a phone.
VIEWPORTS = {"1024x768": {"width": 1024, "height": 768}, "390x844": {"width": 390, "height": 844}}
NEXT = "button[name=action][value=next]"
# How long a step may take before it fails: the two suites run at once, each with its browser and
# servers, on two cores, and a page once took over 10 s there. Speed is measured by make bench.
STEP_TIMEOUT_MS = 30_000
SEND = "form.submit-form button[type=submit]"


@dataclass(frozen=True)
class Accounts:
    fieldworker: str
    researcher: str


def make_accounts(app: Flask) -> Accounts:
    tag = secrets.token_hex(4)
    accounts = Accounts(
        fieldworker=f"fw-{tag}@example.org", researcher=f"researcher-{tag}@example.org"
    )
    factories.user(app, "fieldworker", accounts.fieldworker)
    factories.user(app, "researcher", accounts.researcher)
    return accounts


def create_link(app: Flask, instrument_key: str, site: str | None = "send") -> str:
    """What ``flask links create`` does: an open anonymous link; its token."""
    with app.app_context():
        site_row = participant_ops.site_by_code(db.session, site) if site else None
        link = link_ops.create(db.session, instrument_key, site=site_row)
        db.session.commit()
        return link.token


enrolled_researcher = factories.enrolled_researcher


def next_code(secret: str) -> str:
    """The code her phone shows half a minute from now: accepted (one step of clock drift is
    allowed) and never the step of a code used a moment ago."""
    return pyotp.TOTP(secret).at(time.time() + 30)


# --- steps a person takes ------------------------------------------------------------------


def press(page: Any, name: str) -> None:
    """Press a form's button. The POST it sends must not be refused: a 4xx fails here, with
    the error page's words (a CSRF refusal says the page "had expired")."""
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.request.is_navigation_request()
    ) as sent:
        page.get_by_role("button", name=name).click()
    reply = sent.value
    if reply.status >= 400:
        page.wait_for_load_state()
        raise AssertionError(
            f"POST {reply.url} answered {reply.status}: {page.locator('h1').inner_text()}"
        )


def log_in(page: Any, email: str, password: str = PASSWORD, code_secret: str | None = None) -> None:
    """Log in at /login; with ``code_secret``, also give the second step's code."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    press(page, "Log in")
    if code_secret is not None:
        page.wait_for_url("**/login/code")
        page.get_by_label(re.compile("^Code")).fill(next_code(code_secret))
        press(page, "Log in")
    page.wait_for_url(re.compile(r"/research/"))


def unlock_kiosk(page: Any, accounts: Accounts, wave: str = "T1") -> None:
    """The fieldworker logs in, picks the site and wave; the kiosk shows its lock screen."""
    log_in(page, accounts.fieldworker)
    page.get_by_role("link", name="Start the kiosk").click()
    page.get_by_label("Site").select_option("send")
    page.get_by_label("Wave").select_option(wave)
    press(page, "Start kiosk mode")
    page.wait_for_url("**/kiosk/lock")


def enter_id(page: Any, pseudonym: str, on_notice: Any = None) -> None:
    """From the lock screen to her first page, past the fieldworker's note if there is one
    (``on_notice(page)`` looks at it first)."""
    page.get_by_role("link", name=re.compile("^Start")).click()
    page.get_by_label(re.compile("Participant ID")).fill(pseudonym)
    page.get_by_role("button", name="Next").click()
    page.wait_for_url(re.compile(r"/kiosk/(page/\d+|notice)$"))
    if page.url.endswith("/notice"):
        if on_notice is not None:
            on_notice(page)
        if page.locator("#password").count():  # outside a follow-up window: she types it
            page.locator("#password").fill(PASSWORD)
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url("**/kiosk/page/0")


def on_question_page(page: Any) -> bool:
    return page.locator("form.questionnaire").count() > 0


def answer_page(page: Any, text: str = "An answer typed in the browser") -> None:
    """Answer every question not yet answered on the page, as a person would with a mouse:
    tick each consent, the last real option of each single choice (so that no section is
    skipped), the first of each multiple choice, and type into each empty text box."""
    for question in page.locator("form.questionnaire .question").all():
        if question.locator("input:checked").count():
            continue
        boxes = question.locator(".options:not(.missing-options) input[type=checkbox]")
        radios = question.locator(".options:not(.missing-options) input[type=radio]")
        if boxes.count():
            if not boxes.first.is_checked():
                boxes.first.check()
        elif radios.count():
            radios.last.check()
        else:
            box = question.locator("textarea, input[type=text]")
            if not box.input_value():
                box.fill(text)


def next_page(page: Any) -> None:
    before = page.url
    page.locator(NEXT).click()
    page.wait_for_url(lambda url: url != before)


def answer_to_finish(page: Any, *, visit: Any = None, text: str | None = None) -> int:
    """Answer each page and press Next until the finish page; ``visit(page)`` first looks at
    each. Returns the number of question pages."""
    pages = 0
    while on_question_page(page):
        pages += 1
        assert pages < 20, "never reached the finish page"
        if visit is not None:
            visit(page)
        answer_page(page, *([text] if text else []))
        next_page(page)
    assert re.search(r"/finish$", page.url), page.url
    return pages


def send(page: Any) -> None:
    page.locator(SEND).click()
    page.wait_for_url(re.compile(r"/thanks$"))


# --- checks on every page -------------------------------------------------------------------


def axe_violations(page: Any, high_contrast: bool = False) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 AA rules; with ``high_contrast`` also the AAA contrast rule
    (7:1), which the respondent pages meet."""
    from axe_playwright_python.sync_playwright import Axe

    options: dict[str, Any] = {
        "runOnly": {"type": "tag", "values": AXE_TAGS},
        "resultTypes": ["violations"],
    }
    if high_contrast:
        options["rules"] = {"color-contrast-enhanced": {"enabled": True}}
    results = Axe().run(page, options=options)
    return list(results.response["violations"])


def serious(violations: list[dict[str, Any]], where: str) -> list[str]:
    return [
        f"{where}: axe {v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(n["target"]) for n in v["nodes"][:4])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


_MEASURE = """() => {
  const problems = [];
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  const name = (el) => el.tagName.toLowerCase() + (el.className ? "." + el.className.split(" ").join(".") : "")
    + " '" + el.textContent.trim().replace(/\\s+/g, " ").slice(0, 40) + "'";
  for (const el of document.querySelectorAll("label.option, button, a.button")) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 44 || r.height < 44) {
      problems.push(`target ${name(el)} is ${r.width.toFixed(1)} x ${r.height.toFixed(1)} px`);
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || !el || !shown(el)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 18) problems.push(`text ${name(el)} is ${size} px`);
  }
  return problems;
}"""

_SCROLLS = "() => document.scrollingElement.scrollWidth > window.innerWidth"

_READ_ALOUD = """() => [...document.querySelectorAll(".question")]
  .filter((q) => { const b = q.querySelector("button.read-aloud");
                   return !b || b.hidden || b.getBoundingClientRect().height === 0; })
  .map((q) => q.id)"""


# Every page axe looked at in this run, with its count of violations (all impacts), for the
# summary line at the end of the run.
AXE_SCANS: list[tuple[str, int]] = []


@dataclass
class PageChecker:
    """Runs the checks on each page it is shown, collecting every problem for one report.
    ``respondent`` pages also get the size, zoom and read-aloud checks."""

    page: Any
    problems: list[str] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)
    all_violations: list[str] = field(default_factory=list)

    def __call__(self, where: str, respondent: bool = True) -> None:
        page = self.page
        # Measured as she sees it: with its stylesheet applied (a page checked on a loaded
        # machine before its CSS arrived had unstyled, too-small targets).
        page.wait_for_load_state("load")
        size = page.viewport_size
        where = (
            f"{where} [{page.url.split('/', 3)[-1]}, lang={page.locator('html').get_attribute('lang')}"
            f", {size['width']}x{size['height']}]"
        )
        self.seen.append(where)
        violations = axe_violations(page, high_contrast=respondent)
        AXE_SCANS.append((where, len(violations)))
        self.all_violations += [f"{where}: {v['id']} ({v['impact']})" for v in violations]
        self.problems += serious(violations, where)
        if not respondent:
            return
        self.problems += [f"{where}: {p}" for p in dict.fromkeys(page.evaluate(_MEASURE))]
        viewport = page.viewport_size
        if page.evaluate(_SCROLLS):
            self.problems.append(
                f"{where}: scrolls sideways at {viewport['width']} x {viewport['height']}"
            )
        # 200% zoom of the screen: of a 1024 x 768 tablet, 512 x 384; of a phone, WCAG's
        # reflow width of 320 CSS px.
        zoomed = (
            {"width": viewport["width"] // 2, "height": viewport["height"] // 2}
            if viewport["width"] >= 768
            else {"width": 320, "height": viewport["height"]}
        )
        page.set_viewport_size(zoomed)
        try:
            if page.evaluate(_SCROLLS):
                self.problems.append(
                    f"{where}: scrolls sideways at {zoomed['width']} x {zoomed['height']}"
                )
        finally:
            page.set_viewport_size(viewport)
        if on_question_page(page):
            missing = page.evaluate(_READ_ALOUD)
            self.problems += [f"{where}: no read-aloud button on #{q}" for q in missing]

    def assert_clean(self) -> None:
        assert not self.problems, "\n".join(self.problems)
