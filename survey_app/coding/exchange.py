"""The codebook in and out of the REFI-QDA codebook exchange format (``.qdc``, the XML that
NVivo, ATLAS.ti and MAXQDA read and write): key themes are top-level codes, themes the codes
under them, each definition a ``Description``. A theme's guid is made from its id, so that a
codebook exported twice names the same theme the same way."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET  # noqa: S405 - writing only; reading goes through defusedxml
from dataclasses import dataclass, field

from defusedxml import ElementTree as SafeET

from ..models import KeyTheme
from ..models.coding import DEFINITION_MAX, NAME_MAX
from ..models.types import DbSession
from ..user_errors import UserError
from . import codebook

NS = "urn:QDA-XML:codebook:1.0"
_GUIDS = uuid.UUID("5b1f3a52-7d0e-4c61-9a38-3f2f0c6e9b11")  # this app's namespace for guids
UNGROUPED = "Ungrouped"  # the key theme of top-level codes with nothing under them
MAX_BYTES = 2_000_000


class CodebookFileError(UserError):
    """A file that is not a REFI-QDA codebook this app can read."""


def _guid(kind: str, number: int) -> str:
    return str(uuid.uuid5(_GUIDS, f"{kind}:{number}"))


def _code(parent: ET.Element, guid: str, name: str, definition: str) -> ET.Element:
    element = ET.SubElement(
        parent, f"{{{NS}}}Code", {"guid": guid, "name": name, "isCodable": "true"}
    )
    if definition:
        ET.SubElement(element, f"{{{NS}}}Description").text = definition
    return element


def export_qdc(session: DbSession) -> bytes:
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}CodeBook", {"origin": "survey_app"})
    codes = ET.SubElement(root, f"{{{NS}}}Codes")
    for key in codebook.key_themes(session):
        parent = _code(codes, _guid("key_theme", key.id), key.name, key.definition)
        for theme in key.themes:
            if theme.is_live:
                _code(parent, _guid("theme", theme.id), theme.name, theme.definition)
    written: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return written


@dataclass
class Read:
    name: str
    definition: str
    children: list[Read] = field(default_factory=list)


def read_qdc(data: bytes) -> list[Read]:
    """The codes of a .qdc file as a tree; refused with a message if it is not one."""
    if len(data) > MAX_BYTES:
        raise CodebookFileError("That file is too large for a codebook (2 MB at most).", 413)
    try:
        root = SafeET.fromstring(data)
    except Exception:  # noqa: BLE001 - any parse failure (bad XML, entities refused) is one message
        raise CodebookFileError(
            "That file is not a REFI-QDA codebook (.qdc): it is not XML this app can read."
        ) from None
    if root.tag != f"{{{NS}}}CodeBook":
        raise CodebookFileError(
            "That file is XML but not a REFI-QDA codebook: its root is not a CodeBook."
        )
    codes = root.find(f"{{{NS}}}Codes")
    return [_read(c) for c in codes.findall(f"{{{NS}}}Code")] if codes is not None else []


def _read(element: ET.Element) -> Read:
    description = element.find(f"{{{NS}}}Description")
    return Read(
        " ".join((element.get("name") or "").split())[:NAME_MAX],
        ((description.text or "") if description is not None else "").strip()[:DEFINITION_MAX],
        [_read(c) for c in element.findall(f"{{{NS}}}Code")],
    )


def _flatten(codes: list[Read]) -> list[Read]:
    # Codes deeper than two levels become themes of their key theme.
    return [item for c in codes for item in [c, *_flatten(c.children)]]


def import_qdc(session: DbSession, data: bytes, *, actor_id: int) -> tuple[int, int]:
    """Add the file's codes that the codebook lacks (by name, ignoring case); existing themes
    are kept as they are. Returns (key themes added, themes added)."""
    keys = {k.name.lower(): k for k in codebook.key_themes(session)}
    taken = {t.name.lower() for t in codebook.live_themes(session)}
    added = [0, 0]

    def key_theme(name: str, definition: str) -> KeyTheme:
        if name.lower() not in keys:
            keys[name.lower()] = codebook.add_key_theme(
                session, name, definition, actor_id=actor_id
            )
            added[0] += 1
        return keys[name.lower()]

    for top in read_qdc(data):
        if not top.name:
            continue
        themes = _flatten(top.children) if top.children else [top]
        parent = key_theme(top.name, top.definition) if top.children else key_theme(UNGROUPED, "")
        for theme in themes:
            if theme.name and theme.name.lower() not in taken:
                codebook.add_theme(session, parent, theme.name, theme.definition, actor_id=actor_id)
                taken.add(theme.name.lower())
                added[1] += 1
    return added[0], added[1]
