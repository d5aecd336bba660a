"""The page-by-page questionnaire, shared by the kiosk and the anonymous links. A ``Flow``
says where this channel's pages live; everything else is the same for both."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ..extensions import db
from ..forms.respondent import PageForm, build_page_form
from ..i18n import use_language, welsh_setting
from ..instruments import missing
from ..instruments.model import Instrument, Section, pick
from ..models import Channel, Response
from ..services import responses as ops
from ..speech.views import audio_url
from . import layout


@dataclass(frozen=True)
class Flow:
    channel: Channel
    page_url: Callable[[int], str]
    finish_url: str
    submit_url: str
    thanks_url: str
    leave_url: str  # where a refusal of consent goes, once recorded
    decline_url: str  # "are you sure?" after "I do not want to take part"; it records it
    timeout_url: str  # where an idle page, or a draft that no longer takes answers, goes
    stop_url: str | None = None  # a form POST that stops: the draft stays saved
    idle_seconds: int | None = None


def language_of(instrument: Instrument, wanted: str | None) -> str:
    if wanted == "cy" and welsh_setting() == "off":
        return "en"
    return wanted if wanted in instrument.languages else "en"


def progress(instrument: Instrument, index: int) -> tuple[int, int]:
    """Page n of N, where every page keeps its number: a page that skip logic leaves out
    counts as passed, so the total never changes under her ("5 of 8", then "8 of 8"; not
    "5 of 8", then "6 of 6")."""
    return index + 1, len(instrument.sections)


def _consent_gate(instrument: Instrument, answers: dict[str, Any], index: int) -> int | None:
    """Consent first: the consent section's index when a later page is asked for too soon."""
    for position, section in enumerate(instrument.sections):
        if section.is_consent and position < index and not ops.consent_given(instrument, answers):
            return position
    return None


def render_page(
    flow: Flow,
    response: Response,
    index: int,
    lang: str,
    form: PageForm | None = None,
    status: int = 200,
    notice: str | None = None,
) -> ResponseReturnValue:
    use_language(lang)
    instrument = ops.instrument_of(response)
    answers = dict(response.answers or {})
    section = instrument.sections[index]
    items = ops.shown_items(section, answers)
    if form is None:
        form = build_page_form(items, answers, _("Please answer this question."))
    position, total = progress(instrument, index)
    visible = ops.visible_sections(instrument, answers)
    blocks = layout.blocks(items)
    html = render_template(
        "respond/page.html",
        flow=flow,
        instrument=instrument,
        section=section,
        items=items,
        blocks=blocks,
        has_grid=any(isinstance(block, layout.ScaleGrid) for block in blocks),
        form=form,
        index=index,
        lang=lang,
        pick=pick,
        missing_labels=missing.LABELS,
        position=position,
        total=total,
        has_back=bool(visible) and index != visible[0],
        notice=notice,
        can_switch_language="cy" in instrument.languages and welsh_setting() != "off",
        audio_src=lambda item: audio_url(instrument, item, lang),
    )
    return html, status


def pressed(form: Any) -> str:
    """The action of the button pressed. A browser sends the hidden default first and the
    pressed button's value last; the kiosk's timeout sends only the hidden one."""
    actions = form.getlist("action")
    return str(actions[-1]) if actions else "next"


Reply = tuple[ResponseReturnValue, str]  # the reply, and the language now in use


def handle_page(
    flow: Flow, response: Response, index: int, lang: str, force_action: str | None = None
) -> Reply:
    """GET shows the page; POST saves it and moves on. Returns the reply and the language
    now in use (the language switch changes it). ``force_action`` overrides the button (the
    kiosk saves an idle page as a timeout)."""
    instrument = ops.instrument_of(response)
    lang = language_of(instrument, lang)  # a draft begun in Welsh goes on in English if off
    use_language(lang)
    elsewhere = _elsewhere(flow, response, instrument, index)
    if elsewhere is not None:
        return elsewhere, lang
    if request.method == "GET":
        return _show(flow, response, instrument, index, lang), lang
    return _save(flow, response, instrument, index, lang, force_action)


def _elsewhere(
    flow: Flow, response: Response, instrument: Instrument, index: int
) -> ResponseReturnValue | None:
    """Where the page is not hers to see: a sent response, a page that does not exist, a
    page before consent is given."""
    if response.is_complete:
        return redirect(flow.thanks_url)
    if not 0 <= index < len(instrument.sections):
        abort(404)
    gate = _consent_gate(instrument, dict(response.answers or {}), index)
    if gate is not None:
        return redirect(flow.page_url(gate))
    return None


def _show(
    flow: Flow, response: Response, instrument: Instrument, index: int, lang: str
) -> ResponseReturnValue:
    """GET: the page, or the next one shown when skip logic leaves this one out."""
    answers = dict(response.answers or {})
    if index not in ops.visible_sections(instrument, answers):
        return redirect(_forward_url(flow, instrument, answers, index))
    return render_page(flow, response, index, lang)


def _save(
    flow: Flow,
    response: Response,
    instrument: Instrument,
    index: int,
    lang: str,
    force_action: str | None,
) -> Reply:
    """POST: check the page, save what is valid, then go where the button says."""
    section = instrument.sections[index]
    form = _posted_form(section, dict(response.answers or {}))
    valid = form.validate()
    expired = _refuse_bad_post(flow, response, index, lang, form)
    if expired is not None:
        return expired, lang
    action = force_action or pressed(request.form)
    if action == "timeout" and flow.idle_seconds is None:
        action = "back_here"  # no idle timeout on this channel: keep the page, stay on it
    if action == "decline" and section.is_consent:
        # Asked once to confirm; nothing from the page is saved, nothing is recorded yet.
        return redirect(flow.decline_url), lang
    if (action == "next" and not valid) or (action != "timeout" and form.other_conflicts()):
        # Text in an "Other" box beside another answer is never dropped: she says which.
        return render_page(
            flow, response, index, lang, form, 422, _("Please look at the questions marked below.")
        ), lang
    # Back, a language switch and a timeout keep what is valid without asking for the rest.
    try:
        ops.save_page(db.session, response, section, form.answers(), lang)
    except ops.RespondentError:
        # The draft closed meanwhile (her withdrawal, say): nothing more is saved to it.
        return redirect(flow.timeout_url), lang
    if action.startswith("lang:"):
        lang = language_of(instrument, action.removeprefix("lang:"))
    return redirect(_destination(flow, instrument, dict(response.answers), index, action)), lang


def _posted_form(section: Section, answers: dict[str, Any]) -> PageForm:
    items = ops.shown_items(section, answers)
    required_message = (
        _("Please tick this box if you agree. If you do not agree, you do not have to take part.")
        if section.is_consent
        else _("Please answer this question.")
    )
    return build_page_form(items, answers, required_message, formdata=request.form)


def _refuse_bad_post(
    flow: Flow, response: Response, index: int, lang: str, form: PageForm
) -> ResponseReturnValue | None:
    """An expired page is shown again (400); a tampered one is refused outright (400).
    Either way nothing from the page is saved. Call after ``form.validate()``."""
    if "csrf_token" in form.errors:
        # An expired page: show her answers again, unsaved, with a fresh token.
        form.csrf_token.errors = []
        return render_page(
            flow,
            response,
            index,
            lang,
            form,
            400,
            _(
                "This page was open for a long time, so your answers on it were not saved yet. Please check them and press the button again."
            ),
        )
    if form.unknown_keys(request.form.keys()):
        abort(
            400,
            description="The page sent a question that is not on it. Nothing from this page was saved.",
        )
    if form.tampered():
        too_long = any(f.too_long for f in form.answer_fields)
        abort(
            400,
            description=(
                "An answer was longer than this question allows. Nothing from this page was saved."
                if too_long
                else "An answer was sent that is not one of the answers offered. Nothing from this page was saved."
            ),
        )
    return None


def _destination(
    flow: Flow, instrument: Instrument, answers: dict[str, Any], index: int, action: str
) -> str:
    """Where a saved page goes: by the button pressed, else on to the next page shown."""
    if action == "timeout":
        return flow.timeout_url
    if action == "back_here" or action.startswith("lang:"):
        return flow.page_url(index)
    if action == "back":
        return flow.page_url(_previous_visible(instrument, answers, index))
    return _forward_url(flow, instrument, answers, index)


def _forward_url(flow: Flow, instrument: Instrument, answers: dict[str, Any], index: int) -> str:
    """The next page shown after this one, or the finish page after the last."""
    following = _next_visible(instrument, answers, index)
    if following >= len(instrument.sections):
        return flow.finish_url
    return flow.page_url(following)


def _next_visible(instrument: Instrument, answers: dict[str, Any], index: int) -> int:
    later = [i for i in ops.visible_sections(instrument, answers) if i > index]
    return later[0] if later else len(instrument.sections)


def _previous_visible(instrument: Instrument, answers: dict[str, Any], index: int) -> int:
    earlier = [i for i in ops.visible_sections(instrument, answers) if i < index]
    return earlier[-1] if earlier else 0


def resume_index(response: Response) -> int:
    """Where a resumed draft picks up: the first page with a required answer missing,
    else the first page she has not reached."""
    instrument = ops.instrument_of(response)
    answers = dict(response.answers or {})
    gap = ops.first_missing_required(instrument, answers)
    if gap is not None:
        return gap
    for index in ops.visible_sections(instrument, answers):
        section = instrument.sections[index]
        if not any(item.variable in answers for item in section.items if item.variable):
            return index
    visible = ops.visible_sections(instrument, answers)
    return visible[-1] if visible else 0


def render_decline(flow: Flow, lang: str, back_url: str, form: Any) -> ResponseReturnValue:
    """The "are you sure?" page after "I do not want to take part"."""
    use_language(lang)
    return render_template(
        "respond/decline_confirm.html", flow=flow, lang=lang, back_url=back_url, form=form
    )


def render_finish(flow: Flow, response: Response, lang: str) -> ResponseReturnValue:
    from flask_wtf import FlaskForm

    instrument = ops.instrument_of(response)
    answers = dict(response.answers or {})
    gap = ops.first_missing_required(instrument, answers)
    if gap is not None:
        return redirect(flow.page_url(gap))
    lang = language_of(instrument, lang)
    use_language(lang)
    visible = ops.visible_sections(instrument, answers)
    return render_template(
        "respond/finish.html",
        flow=flow,
        response=response,
        form=FlaskForm(),
        lang=lang,
        back_url=flow.page_url(visible[-1] if visible else 0),
        instrument=instrument,
        pick=pick,
    )


def submit(flow: Flow, response: Response | None) -> ResponseReturnValue:
    """The final submit: one response however often it is sent."""
    if response is None:
        abort(404)
    if not response.is_complete:
        try:
            ops.complete(db.session, response)
        except ops.RespondentError:
            return redirect(flow.page_url(resume_index(response)))
    return redirect(flow.thanks_url)
