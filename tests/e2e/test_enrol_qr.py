"""The two-step set-up QR code is an image a browser draws (it was a broken image: an SVG
without its namespace)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from survey_app.auth import totp


def test_the_enrolment_qr_code_decodes_as_an_image(page: Any) -> None:
    uri = totp.qr_data_uri(SimpleNamespace(email="r@example.org"), totp.new_secret())  # type: ignore[arg-type]
    page.set_content(f'<img id="qr" src="{uri}" alt="QR">')
    page.wait_for_function("document.getElementById('qr').complete")
    assert page.evaluate("document.getElementById('qr').naturalWidth") > 0
