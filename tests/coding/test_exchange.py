"""The codebook out to and in from REFI-QDA (.qdc) through the codebook page."""

from __future__ import annotations

import io

from defusedxml import ElementTree as ET
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests import coding_steps as steps
from tests.flows import csrf_token, text_of

NS = "{urn:QDA-XML:codebook:1.0}"
QDC = b"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo">
  <Codes>
    <Code guid="d1f0c8a2-1111-4c3e-9e1a-000000000001" name="Relationships" isCodable="true">
      <Description>Family and professional relationships.</Description>
      <Code guid="d1f0c8a2-1111-4c3e-9e1a-000000000002" name="Contact with children" isCodable="true"/>
      <Code guid="d1f0c8a2-1111-4c3e-9e1a-000000000003" name="Carers" isCodable="true">
        <Description>Working with the children's carers.</Description>
        <Code guid="d1f0c8a2-1111-4c3e-9e1a-000000000004" name="Grandparents" isCodable="true"/>
      </Code>
    </Code>
    <Code guid="d1f0c8a2-1111-4c3e-9e1a-000000000005" name="Housing" isCodable="true"/>
  </Codes>
</CodeBook>
"""


def _upload(client: FlaskClient, data: bytes, name: str = "codebook.qdc") -> TestResponse:
    page = client.get(steps.INDEX)
    return client.post(
        "/research/coding/codebook",
        data={"csrf_token": csrf_token(page), "codebook": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_the_codebook_downloads_as_refi_qda_with_stable_guids(
    app: Flask, researcher: FlaskClient, book: steps.Book
) -> None:
    reply = researcher.get("/research/coding/codebook.qdc")
    assert reply.status_code == 200
    assert 'filename="codebook.qdc"' in reply.headers["Content-Disposition"]
    root = ET.fromstring(reply.data)
    assert root.tag == f"{NS}CodeBook"
    tops = root.find(f"{NS}Codes").findall(f"{NS}Code")  # type: ignore[union-attr]
    tree = {c.get("name"): [k.get("name") for k in c.findall(f"{NS}Code")] for c in tops}
    assert tree == {
        "Filling gaps": ["Navigate systems", "Specialist knowledge", "Time for mothers"],
        "Relationships": ["Contact with children", "Working with professionals"],
    }
    first = tops[0].find(f"{NS}Description")
    assert first is not None and first.text == "Filling gaps."
    assert researcher.get("/research/coding/codebook.qdc").data == reply.data


def test_a_refi_qda_codebook_imports_into_key_themes_and_themes(
    app: Flask, researcher: FlaskClient, book: steps.Book
) -> None:
    reply = _upload(researcher, QDC)
    assert reply.status_code == 302
    page = text_of(researcher.get(steps.INDEX).get_data(as_text=True))
    # "Contact with children" is there already: kept, not doubled. "Housing" had nothing
    # under it: a theme of "Ungrouped".
    assert "Codebook imported: 1 key theme and 3 themes added." in page
    themes = steps.theme_ids(app)
    assert {"Carers", "Grandparents", "Housing"} <= set(themes) and len(themes) == 8
    assert set(steps.key_theme_ids(app)) == {"Filling gaps", "Relationships", "Ungrouped"}


def test_a_file_that_is_not_a_codebook_is_refused_with_a_message(
    app: Flask, researcher: FlaskClient
) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE CodeBook [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code name="&b;"/></Codes></CodeBook>'
    )
    for data, words in (
        (b"name,definition\nHousing,Somewhere to live\n", "it is not XML this app can read"),
        (b"<Project/>", "its root is not a CodeBook"),
        (bomb, "it is not XML this app can read"),
    ):
        reply = _upload(researcher, data)
        assert reply.status_code == 422, data
        assert words in text_of(reply.get_data(as_text=True))
    assert steps.theme_ids(app) == {}
