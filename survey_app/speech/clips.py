"""What each Read aloud button says, and its audio cached as files.

A clip is one question (its text, help and every answer offered), or one information text, of
one published instrument version, in one language: the same words the page shows. Its file is
named by the version's content hash, the language and the clip's id, under
``<instance>/speech/``: nothing in it or in its URL is about any respondent. A version never
changes, so a file once made serves every later request."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from flask import current_app

from ..config import current_settings
from ..instruments import missing
from ..instruments.model import Instrument, Item, pick
from . import espeak

# The words the page adds to some questions (from the catalogue; here for use outside a request).
_YES_I_AGREE = {"en": "Yes, I agree", "cy": "Ydw, rwy'n cytuno"}
_CHOOSE_ALL = {"en": "Choose all that apply.", "cy": "Dewiswch bob un sy'n berthnasol."}


def clip_ids(instrument: Instrument) -> dict[int, str]:
    """Each readable item's clip id, by the item object's identity (an instrument is parsed
    once per process, see model.from_version): its variable, or for an information text its
    section and place there."""
    cached = _IDS.get(id(instrument))
    if cached is not None and cached[0] is instrument:
        return cached[1]
    ids: dict[int, str] = {}
    for section in instrument.sections:
        for position, item in enumerate(section.items):
            if item.type == "group":
                continue  # a repeated group's entries have no Read aloud button of their own
            ids[id(item)] = item.variable or f"{section.id}.info{position + 1}"
    _IDS[id(instrument)] = (instrument, ids)  # the instrument kept, so its id is not reused
    return ids


_IDS: dict[int, tuple[Instrument, dict[int, str]]] = {}


def _items(instrument: Instrument) -> Iterator[tuple[str, Item]]:
    by_id = {id(item): item for section in instrument.sections for item in section.items}
    for key, clip in clip_ids(instrument).items():
        yield clip, by_id[key]


def find(instrument: Instrument, clip: str) -> Item | None:
    return next((item for found, item in _items(instrument) if found == clip), None)


def words(item: Item, lang: str) -> str:
    """What the Read aloud button of ``item`` says in ``lang``, as the page shows it."""
    parts = [pick(item.text, lang)]
    if item.help:
        parts.append(pick(item.help, lang))
    if item.type == "multiple":
        parts.append(_CHOOSE_ALL[lang])
    if item.type == "rating" and item.min is not None and item.max is not None:
        for code in range(item.min, item.max + 1):
            end = (
                item.low_label
                if code == item.min
                else item.high_label
                if code == item.max
                else None
            )
            parts.append(f"{code} {pick(end, lang)}" if end else str(code))
    elif item.type == "consent":
        parts.append(_YES_I_AGREE[lang])
    else:
        parts.extend(pick(option.label, lang) for option in item.options)
    parts.extend(
        missing.LABELS[code].get(lang) or missing.LABELS[code]["en"] for code in item.offer
    )
    return ". ".join(part.strip().rstrip(".") for part in parts if part.strip()) + "."


def folder() -> Path:
    configured = current_settings().speech_audio_dir
    return Path(configured) if configured else Path(current_app.instance_path) / "speech"


def path_of(content_hash: str, lang: str, clip: str) -> Path:
    return folder() / content_hash / lang / f"{clip}.wav"


def enabled(lang: str) -> bool:
    """Whether pages in ``lang`` get server audio: configured on (the default) and a voice."""
    return current_settings().speech_audio and espeak.available(lang)


def audio_file(content_hash: str, instrument: Instrument, lang: str, clip: str) -> Path | None:
    """The clip's audio file, made now if it is not there yet; None for an unknown clip."""
    item = find(instrument, clip)
    if item is None or lang not in instrument.languages:
        return None
    target = path_of(content_hash, lang, clip)
    if not target.exists():
        audio = espeak.synthesise(words(item, lang), lang)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written aside then renamed: a request at the same moment never reads half a file.
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(audio)
        Path(temporary).replace(target)
    return target


def make_all(content_hash: str, instrument: Instrument) -> list[Path]:
    """Every clip of a version in each of its languages (publishing, or ``flask speech``)."""
    made = []
    for lang in instrument.languages:
        if not enabled(lang):
            continue
        for clip, _item in _items(instrument):
            path = audio_file(content_hash, instrument, lang, clip)
            if path is not None:
                made.append(path)
    return made
