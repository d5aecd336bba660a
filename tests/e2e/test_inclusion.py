"""Ways of answering other than a mouse and good eyesight: the keyboard alone, read-aloud in
English and Welsh, no JavaScript; the idle timeouts of the kiosk and the links; and the end of
kiosk mode."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.instruments.missing import LABELS as MISSING_LABELS
from survey_app.instruments.model import pick
from survey_app.models import Link, Participant, Response
from tests.e2e.helpers import (
    Accounts,
    PageChecker,
    answer_page,
    answer_to_finish,
    create_link,
    enter_id,
    log_in,
    make_accounts,
    next_page,
    register,
    send,
    unlock_kiosk,
)
from tests.flows import instrument
from tests.liveserver import LiveServer, live_server

# --- keyboard ------------------------------------------------------------------------------

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const question = el.closest(".question");
  return {
    tag: el.tagName.toLowerCase(), type: el.type || "", name: el.name || "",
    value: el.value || "", question: question ? question.id : "",
    text: (el.textContent || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 40),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== "none",
  };
}"""


def tab(page: Any, seen: list[str]) -> dict[str, Any] | None:
    """Press Tab; the focused element, which must show that it has the focus."""
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED)
    if focused is not None:
        seen.append(f"{focused['tag']} {focused['text']!r}")
        assert focused["outline"] or focused["shadow"], f"focus not visible on {focused}"
    return focused


def tab_to(page: Any, seen: list[str], wanted: Any, limit: int = 30) -> None:
    for _ in range(limit):
        focused = tab(page, seen)
        if focused is not None and wanted(focused):
            return
    raise AssertionError(f"Tab never reached it; focus went through {seen[-limit:]}")


def answer_page_by_keyboard(page: Any, seen: list[str]) -> None:
    """Tab once round the whole page (every stop must show its focus), answering on the way:
    Space on the first choice of each question, typing into each text box; then Tab to Next
    and press Enter."""
    answered: set[str] = set()
    wrapped = False
    for _ in range(200):
        focused = tab(page, seen)
        if focused is None:
            wrapped = True  # past the last stop: the next Tab starts again at the top
            continue
        if wrapped and focused["name"] == "action" and focused["value"] == "next":
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
        question = focused["question"]
        if not question or question in answered:
            continue
        if focused["type"] in ("radio", "checkbox"):
            page.keyboard.press("Space")
            answered.add(question)
        elif focused["tag"] in ("textarea", "input"):
            page.keyboard.type("Typed with the keyboard.")
            answered.add(question)
    raise AssertionError(f"never reached Next; focus went through {seen[-60:]}")


def test_a_mother_completes_t1_with_the_keyboard_alone(
    page: Any, server: LiveServer, accounts: Accounts
) -> None:
    pseudonym = register(server.app)
    unlock_kiosk(page, accounts, "T1")  # the fieldworker's part
    seen: list[str] = []

    tab_to(page, seen, lambda f: f["tag"] == "a" and f["text"].startswith("Start"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/kiosk/start")
    tab_to(page, seen, lambda f: f["name"] == "participant_id")
    page.keyboard.type(pseudonym)
    page.keyboard.press("Enter")
    page.wait_for_url("**/kiosk/page/0")

    pages = 0
    while "/kiosk/page/" in page.url:
        pages += 1
        assert pages < 12
        answer_page_by_keyboard(page, seen)
    assert page.url.endswith("/kiosk/finish"), page.url
    tab_to(page, seen, lambda f: f["tag"] == "button" and f["text"] == "Send my answers")
    page.keyboard.press("Enter")
    page.wait_for_url("**/kiosk/thanks")

    with server.app.app_context():
        stored = db.session.scalar(
            select(Response).join(Participant).where(Participant.pseudonym == pseudonym)
        )
        assert stored is not None and stored.status == "complete"
        assert stored.answers["consent_take_part"] == 1
        assert stored.answers["tac_hopes"] == "Typed with the keyboard."
    assert pages >= 6


# --- read-aloud ----------------------------------------------------------------------------

SPEECH_SPY = """
window.__spoken = [];
(function () {
  const record = (u) => window.__spoken.push({ text: u.text, lang: u.lang });
  // A device with an English and a Welsh voice.
  const voices = [{ lang: "en-GB", name: "spy" }, { lang: "cy-GB", name: "spy" }];
  if ("speechSynthesis" in window) {
    window.speechSynthesis.speak = record;
    window.speechSynthesis.cancel = () => {};
    window.speechSynthesis.getVoices = () => voices;
  } else {
    window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ""; };
    window.speechSynthesis = { speak: record, cancel: () => {}, getVoices: () => voices };
  }
})();
"""


def read_aloud(page: Any, group_name: str) -> dict[str, str]:
    page.get_by_role("group", name=group_name).get_by_role("button").click()
    spoken = page.evaluate("window.__spoken")
    assert spoken, "nothing was spoken"
    return dict(spoken[-1])


def test_read_aloud_reads_the_question_and_its_options_in_its_language(
    page: Any, server: LiveServer, accounts: Accounts
) -> None:
    t1 = instrument(server.app, "mothers_t1")
    page.add_init_script(SPEECH_SPY)
    unlock_kiosk(page, accounts, "T1")
    enter_id(page, register(server.app))

    consent = t1.item("consent_take_part")
    said = read_aloud(page, pick(consent.text, "en"))
    assert said["lang"] == "en-GB"
    assert pick(consent.text, "en") in said["text"] and "Yes, I agree" in said["text"]
    recontact = t1.item("consent_recontact")
    said = read_aloud(page, pick(recontact.text, "en"))
    assert pick(recontact.help, "en") in said["text"]  # the question's help is read too
    answer_page(page)
    next_page(page)

    trust = t1.item("css_trust")
    for lang, switch in (("en", None), ("cy", "Newid i'r Gymraeg")):
        if switch:
            page.get_by_role("button", name=switch).click()
            expect(page.locator("html")).to_have_attribute("lang", lang)
        said = read_aloud(page, pick(trust.text, lang))
        assert said["lang"] == f"{lang}-GB"
        expected = [pick(trust.text, lang)] + [pick(o.label, lang) for o in trust.options]
        expected += [MISSING_LABELS[code][lang] for code in trust.offer]
        for words in expected:
            assert words in said["text"], (words, said["text"])


ENGLISH_VOICE_ONLY = """
window.speechSynthesis.getVoices = () => [{ lang: "en-GB", name: "spy" }];
"""


PLAYED = """() => {
  const audio = document.getElementById("read-aloud-audio");
  return audio && audio.src ? { src: audio.src, duration: audio.duration } : null;
}"""


def played_audio(page: Any, button: Any) -> dict[str, Any]:
    """Press a Read aloud button; what the page's audio element then holds, once loaded."""
    button.click()
    page.wait_for_function(
        "() => { const a = document.getElementById('read-aloud-audio');"
        " return a && a.src && a.duration > 0 && isFinite(a.duration); }"
    )
    return dict(page.evaluate(PLAYED))


def test_with_no_device_voice_read_aloud_plays_the_servers_audio_in_english_and_welsh(
    page: Any, server: LiveServer, accounts: Accounts
) -> None:
    # Debian's Chromium has no speech voice at all: the set-up page tells the fieldworker,
    # and that the server's voice reads instead.
    log_in(page, accounts.fieldworker)
    page.get_by_role("link", name="Start the kiosk").click()
    assert page.evaluate("speechSynthesis.getVoices().length") == 0
    expect(page.locator("#voice-check")).to_have_text(
        "This device has no speech voice for: English, Welsh. "
        "The questions can be read aloud in English and Welsh."
    )
    expect(page.locator("#server-voice")).to_contain_text(
        "This server has its own voice (eSpeak NG) for: English, Welsh"
    )
    check = PageChecker(page)
    for size in ({"width": 1024, "height": 768}, {"width": 390, "height": 844}):
        page.set_viewport_size(size)
        check("kiosk set-up", respondent=False)
    page.set_viewport_size({"width": 1024, "height": 768})
    page.get_by_role("button", name="Start kiosk mode").click()
    page.wait_for_url("**/kiosk/lock")
    enter_id(page, register(server.app))
    t1 = instrument(server.app, "mothers_t1")
    for lang, switch in (("en", None), ("cy", "Newid i'r Gymraeg")):
        if switch:
            page.get_by_role("button", name=switch).click()
            expect(page.locator("html")).to_have_attribute("lang", lang)
        buttons = page.locator("button.read-aloud")
        assert buttons.count() >= 2
        for button in buttons.all():
            expect(button).to_be_visible()
            expect(button).to_be_enabled()
        consent = t1.item("consent_take_part")
        assert consent is not None
        button = page.get_by_role("group", name=pick(consent.text, lang)).get_by_role("button")
        expect(button).to_have_text("Read aloud" if lang == "en" else "Darllen yn uchel")
        played = played_audio(page, button)
        assert played["src"].endswith(
            f"/speech/mothers_t1/{t1.version}/{lang}/consent_take_part.wav"
        )
        assert played["duration"] > 0.5
        for size in ({"width": 1024, "height": 768}, {"width": 390, "height": 844}):
            page.set_viewport_size(size)
            check(f"consent page ({lang})")
        page.set_viewport_size({"width": 1024, "height": 768})
    check.assert_clean()


def test_with_neither_voice_there_is_no_button_and_set_up_says_so(
    browser: Any, tmp_path_factory: Any, throttle_store: dict[str, str]
) -> None:
    # A server of its own with its voice turned off (SPEECH_AUDIO=0), as one without eSpeak NG.
    with live_server(
        tmp_path_factory.mktemp("mute"),
        workers=1,
        extra_env={**throttle_store, "SPEECH_AUDIO": "0"},
    ) as server:
        context = browser.new_context(base_url=server.url, viewport={"width": 1024, "height": 768})
        try:
            _neither_voice(context.new_page(), server, make_accounts(server.app))
        finally:
            context.close()


def _neither_voice(page: Any, server: LiveServer, accounts: Accounts) -> None:
    log_in(page, accounts.fieldworker)
    page.get_by_role("link", name="Start the kiosk").click()
    expect(page.locator("#voice-check")).to_have_text(
        "This device has no speech voice for: English, Welsh. So the questions have no Read"
        " aloud button in: English, Welsh: please read them with her if she wants."
    )
    expect(page.locator("#server-voice")).to_have_text(
        "This server has no voice for: English, Welsh."
    )
    page.get_by_role("button", name="Start kiosk mode").click()
    page.wait_for_url("**/kiosk/lock")
    enter_id(page, register(server.app))
    buttons = page.locator("button.read-aloud")
    assert buttons.count() >= 2
    for button in buttons.all():
        expect(button).to_be_hidden()  # never a button that is silent


def test_an_english_voice_does_not_read_welsh_pages(
    page: Any, server: LiveServer, accounts: Accounts
) -> None:
    page.add_init_script(SPEECH_SPY + ENGLISH_VOICE_ONLY)
    unlock_kiosk(page, accounts, "T1")
    enter_id(page, register(server.app))
    first = page.locator("button.read-aloud").first
    expect(first).to_be_enabled()
    expect(first).to_have_text("Read aloud")
    first.click()
    assert page.evaluate("window.__spoken")[-1]["lang"] == "en-GB"  # the device's own voice
    assert page.evaluate(PLAYED) is None
    page.get_by_role("button", name="Newid i'r Gymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    page.evaluate("window.__spoken = []")
    played = played_audio(page, page.locator("button.read-aloud").first)
    assert "/cy/" in played["src"]  # the server's Welsh, not the device's English
    assert page.evaluate("window.__spoken") == []  # never read in the wrong voice


# --- without JavaScript --------------------------------------------------------------------


def test_without_javascript_the_pages_work_and_read_aloud_is_hidden(
    browser: Any, server: LiveServer, accounts: Accounts
) -> None:
    context = browser.new_context(
        base_url=server.url, viewport={"width": 1024, "height": 768}, java_script_enabled=False
    )
    try:
        page = context.new_page()
        unlock_kiosk(page, accounts, "T1")
        enter_id(page, register(server.app))
        buttons = page.locator("button.read-aloud")
        assert buttons.count() >= 4
        for button in buttons.all():
            expect(button).to_be_hidden()
        answer_page(page)
        next_page(page)
        expect(page).to_have_url(re.compile(r"/kiosk/page/1$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Children's Social Services")
        expect(page.locator("button.read-aloud").first).to_be_hidden()
        answer_to_finish(page)
        send(page)
        # The thank-you page still goes back to the lock screen by itself.
        refresh = page.locator('meta[http-equiv="refresh"]')
        expect(refresh).to_have_attribute("content", "10;url=/kiosk/lock")
    finally:
        context.close()


# --- the idle timeout ----------------------------------------------------------------------


def test_an_idle_kiosk_warns_a_minute_before_then_saves_the_page_and_locks(
    page: Any, server: LiveServer, accounts: Accounts
) -> None:
    idle_ms = server.app.config["KIOSK_IDLE_SECONDS"] * 1000
    t1 = instrument(server.app, "mothers_t1")
    page.clock.install()
    pseudonym = register(server.app)
    unlock_kiosk(page, accounts, "T1")
    enter_id(page, pseudonym)
    answer_page(page)
    next_page(page)
    trust = page.get_by_role("group", name=pick(t1.item("css_trust").text, "en"))
    trust.get_by_label("Agree", exact=True).check()  # her last action

    # The warning comes a minute before the timeout (with a few seconds' margin either side).
    warning = page.get_by_role("dialog", name="Are you still there?")
    page.clock.fast_forward(idle_ms - 70_000)
    expect(warning).to_be_hidden()
    page.clock.fast_forward(15_000)
    expect(warning).to_be_visible()
    page.get_by_role("button", name="I'm still here").click()  # starts the wait again
    expect(warning).to_be_hidden()
    page.clock.fast_forward(idle_ms - 55_000)
    expect(warning).to_be_visible()
    page.clock.fast_forward(60_000)
    page.wait_for_url("**/kiosk/lock")
    expect(page.get_by_role("link", name=re.compile("^Start"))).to_be_visible()

    with server.app.app_context():
        draft = db.session.scalar(
            select(Response).join(Participant).where(Participant.pseudonym == pseudonym)
        )
        assert draft is not None and draft.status != "complete"
        assert draft.answers["css_trust"] == 4  # the page was saved at the timeout
    # Her ID alone does not open her answers again: the fieldworker's password is asked for.
    page.get_by_role("link", name=re.compile("^Start")).click()
    page.get_by_label(re.compile("Participant ID")).fill(pseudonym)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Resume saved answers")
    check = PageChecker(page)
    check("resume saved answers")
    check.assert_clean()


def _link_drafts(server: LiveServer, token: str) -> list[Response]:
    with server.app.app_context():
        found = list(
            db.session.scalars(
                select(Response).join(Link, Response.link_id == Link.id).where(Link.token == token)
            )
        )
        for response in found:
            db.session.expunge(response)
        return found


def test_a_link_page_left_alone_saves_itself_and_lets_go_of_the_draft(
    page: Any, server: LiveServer
) -> None:
    idle_ms = server.app.config["LINK_IDLE_MINUTES"] * 60_000
    token = create_link(server.app, "prison_staff")
    stopped = "This questionnaire is closed in this browser"
    page.clock.install()
    page.goto(f"/s/{token}")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(f"**/s/{token}/page/0")
    answer_page(page)
    next_page(page)
    answer_page(page)  # her last action, not sent with Next

    warning = page.get_by_role("dialog", name="Are you still there?")
    page.clock.fast_forward(idle_ms - 70_000)
    expect(warning).to_be_hidden()
    page.clock.fast_forward(15_000)
    expect(warning).to_be_visible()
    page.clock.fast_forward(60_000)
    page.wait_for_url(f"**/s/{token}/stopped")
    expect(page.get_by_role("heading", level=1)).to_have_text(stopped)
    check = PageChecker(page)
    check("stopped")
    [draft] = _link_drafts(server, token)
    assert draft.status == "in_progress" and "prison" in draft.answers  # saved at the timeout

    # The next person to open the link starts afresh; Back shows nothing of hers.
    page.go_back()
    expect(page.locator("input:checked")).to_have_count(0)
    page.goto(f"/s/{token}")
    expect(page.get_by_role("button", name="Start")).to_be_visible()

    # The finish page, left alone, presses Stop by itself.
    page.get_by_role("button", name="Start").click()
    answer_to_finish(page)
    page.clock.fast_forward(idle_ms + 1_000)
    page.wait_for_url(f"**/s/{token}/stopped")

    # And Stop, pressed on any page, does the same at once.
    page.goto(f"/s/{token}")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(f"**/s/{token}/page/0")
    page.get_by_role("button", name="Stop and close this questionnaire").click()
    page.wait_for_url(f"**/s/{token}/stopped")
    page.goto(f"/s/{token}")
    expect(page.get_by_role("button", name="Start")).to_be_visible()
    assert [d.status for d in _link_drafts(server, token)] == ["in_progress"] * 3
    check.assert_clean()


def test_kiosk_mode_ends_when_the_fieldworker_logs_out_elsewhere_and_says_so(
    browser: Any, page: Any, server: LiveServer, accounts: Accounts
) -> None:
    pseudonym = register(server.app)
    unlock_kiosk(page, accounts, "T1")
    enter_id(page, pseudonym)
    answer_page(page)
    next_page(page)  # consent given and saved
    office = browser.new_context(base_url=server.url)  # her office computer
    try:
        other = office.new_page()
        log_in(other, accounts.fieldworker)
        other.get_by_role("button", name="Log out").click()
    finally:
        office.close()
    page.locator("button[name=action][value=next]").click()
    page.wait_for_url("**/kiosk/ended")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiosk mode has ended")
    expect(page.get_by_role("alert")).to_contain_text("please log in again")
    check = PageChecker(page)
    check("kiosk mode has ended")
    with server.app.app_context():
        draft = db.session.scalar(
            select(Response).join(Participant).where(Participant.pseudonym == pseudonym)
        )
        assert draft is not None and draft.answers["consent_take_part"] == 1
    page.get_by_role("link", name="Log in and unlock the kiosk").click()
    page.wait_for_url(re.compile(r"/login"))
    check.assert_clean()
