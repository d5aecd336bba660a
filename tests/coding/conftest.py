"""Fixtures of the coding tests: a researcher logged in, and the codebook she made."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import coding_steps as steps


@pytest.fixture
def researcher(app: Flask) -> FlaskClient:
    return steps.login(app, "coder.one@example.org")


@pytest.fixture
def book(app: Flask, researcher: FlaskClient) -> steps.Book:
    return steps.make_codebook(app, researcher)
