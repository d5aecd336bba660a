"""`flask instruments sync|list|diff`: publish by version, refuse silent changes."""

from __future__ import annotations

import copy
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.instruments import model
from survey_app.instruments.diff import diff
from survey_app.instruments.loader import InstrumentError, load_all
from survey_app.instruments.publish import sync_instruments
from survey_app.models import AuditEvent, InstrumentVersion


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(InstrumentVersion)) or 0


def test_sync_is_a_no_op_when_nothing_changed(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["instruments", "sync"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines and all(line.startswith("unchanged") for line in lines)
    assert {"mothers_t1", "mothers_t2", "prison_staff", "practitioners"} <= {
        line.split()[1] for line in lines
    }


def _changed(definitions: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    changed = copy.deepcopy(definitions)
    target = next(d for d in changed if d["key"] == key)
    target["title"]["en"] += " (changed)"
    return changed


def test_the_same_version_with_different_content_is_refused(app: Flask) -> None:
    with app.app_context():
        before = _count()
        changed = _changed(load_all(), "prison_staff")
        try:
            sync_instruments(db.session, changed)
        except InstrumentError as exc:
            message = str(exc)
        else:
            raise AssertionError("a changed file was published under its old version")
        assert "prison_staff v1: the file differs from the published version" in message
        assert "raise the version number" in message
        assert _count() == before


def test_a_raised_version_is_published_and_old_versions_stay(app: Flask) -> None:
    with app.app_context():
        changed = _changed(load_all(), "prison_staff")
        target = next(d for d in changed if d["key"] == "prison_staff")
        target["version"] = 3  # after the bundled versions 1 and 2
        results = sync_instruments(db.session, changed)
        db.session.commit()
        assert [r.status for r in results if r.key == "prison_staff"] == [
            "published",
            "unchanged",
        ]
        versions = db.session.scalars(
            select(InstrumentVersion.version)
            .where(InstrumentVersion.key == "prison_staff")
            .order_by(InstrumentVersion.version)
        ).all()
        assert versions == [1, 2, 3]
        assert (
            db.session.scalar(select(func.count()).where(AuditEvent.kind == "instrument.published"))
            == 1
        )


def test_the_sync_command_exits_1_on_a_conflict(app: Flask, monkeypatch: Any) -> None:
    import survey_app.instruments.publish as publish

    monkeypatch.setattr(publish, "load_all", lambda: _changed(load_all(), "practitioners"))
    result = app.test_cli_runner().invoke(args=["instruments", "sync"])
    assert result.exit_code == 1
    assert "practitioners v1: the file differs from the published version" in result.output


def test_list_shows_key_version_hash_items_and_responses(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["instruments", "list"])
    assert result.exit_code == 0
    with app.app_context():
        version = db.session.scalar(
            select(InstrumentVersion).where(InstrumentVersion.key == "mothers_t1")
        )
        items = len(model.from_version(version).variables)
        expected = f"{'mothers_t1':<16} {1:>7}  {version.content_hash[:12]:<12} {items:>5} {0:>9}"
    assert expected in result.output


def test_diff_names_added_removed_reworded_and_scale_changes(app: Flask) -> None:
    with app.app_context():
        old = max(
            (d for d in load_all() if d["key"] == "practitioners"), key=lambda d: d["version"]
        )
        new = copy.deepcopy(old)
        new["version"] = old["version"] + 1
        items = [i for s in new["sections"] for i in s["items"] if "variable" in i]
        first = next(i for i in items if i["type"] == "likert")
        second = next(i for i in items if i["type"] == "single")
        first["text"]["en"] = first["text"]["en"] + " Really."
        second["options"] = second["options"] + [{"code": 99, "label": {"en": "New"}}]
        removed = new["sections"][-1]["items"].pop()
        assert "variable" in removed
        new["sections"][-1]["items"].append(
            {
                "type": "short_text",
                "variable": "brand_new",
                "text": {"en": "New?"},
                "required": False,
                "max_length": 10,
            }
        )
        sync_instruments(db.session, [new])
        db.session.commit()
        result = diff(model.build(old), model.build(new))
    assert result.added == ("brand_new",)
    assert result.removed == (removed["variable"],)
    assert first["variable"] in result.reworded
    assert second["variable"] in result.scale_changed
    output = (
        app.test_cli_runner().invoke(args=["instruments", "diff", "practitioners", "2", "3"]).output
    )
    assert "added: brand_new" in output and f"removed: {removed['variable']}" in output


def test_diff_of_an_unknown_version_says_so(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["instruments", "diff", "practitioners", "1", "9"])
    assert result.exit_code == 1 and "no published version 9" in result.output
