"""The read-aloud audio route: a published question's words as sound, the same for everyone.

Public, as the respondent pages are (the links need no login): the URL names an instrument
version, a language and a question, never a respondent, a response or a session, and the
file holds nothing but the published wording."""

from __future__ import annotations

from flask import Blueprint, abort, send_file, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from ..extensions import db
from ..instruments import model
from ..models import InstrumentVersion
from . import clips, espeak

bp = Blueprint("speech", __name__)


@bp.route("/<key>/<number:version>/<lang>/<clip>.wav")
def clip_audio(key: str, version: int, lang: str, clip: str) -> ResponseReturnValue:
    row = db.session.scalar(
        select(InstrumentVersion).where(
            InstrumentVersion.key == key, InstrumentVersion.version == version
        )
    )
    if row is None or not clips.enabled(lang):
        abort(404)
    try:
        path = clips.audio_file(row.content_hash, model.from_version(row), lang, clip)
    except espeak.SpeechUnavailable:
        abort(404)
    if path is None:
        abort(404)
    # A version never changes: the browser may keep its audio as long as it likes.
    return send_file(path, mimetype="audio/wav", max_age=7 * 24 * 3600)


def audio_url(instrument: model.Instrument, item: model.Item, lang: str) -> str | None:
    """Where the page's Read aloud button finds ``item``'s audio, or None without a voice."""
    clip = clips.clip_ids(instrument).get(id(item))
    if clip is None or not clips.enabled(lang):
        return None
    return url_for(
        "speech.clip_audio", key=instrument.key, version=instrument.version, lang=lang, clip=clip
    )
