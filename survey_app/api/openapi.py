"""The API's OpenAPI 3.1 description, served at /api/v1/openapi.json. Written by hand, beside
the endpoints it describes; tests/api/test_openapi.py checks that it names every route of
the blueprint and that the answers match their schemas."""

from __future__ import annotations

from typing import Any

from ..export.formats import FORMATS
from ..kinds import CaseFormKind, CaseStatus
from ..services.followup import FILTERS
from .params import DEFAULT_LIMIT, MAX_LIMIT

CASE_STATUSES = [s.value for s in CaseStatus]

VERSION = "1.0.0"


def _param(name: str, where: str, schema: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "schema": schema,
        "description": text,
    }


def _query(name: str, text: str, **schema: Any) -> dict[str, Any]:
    return _param(name, "query", schema or {"type": "string"}, text)


LIST = [
    _query(
        "limit",
        f"rows per page, 1 to {MAX_LIMIT}",
        type="integer",
        minimum=1,
        maximum=MAX_LIMIT,
        default=DEFAULT_LIMIT,
    ),
    _query("cursor", "next_cursor of the previous page (opaque); absent for the first page"),
]
DATES = [
    _query("from", "completed on or after (YYYY-MM-DD)", type="string", format="date"),
    _query("to", "completed on or before (YYYY-MM-DD)", type="string", format="date"),
]
EXPORT_FILTERS = [
    _query("site", "a site's code"),
    *DATES,
    _param(
        "version",
        "query",
        {"type": "array", "items": {"type": "string"}},
        "instrument versions as key:number (repeat for several); none: all",
    ),
]

NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "message"],
                "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
            }
        },
    },
    "Participant": {
        "type": "object",
        "required": ["id", "site", "registered_on", "followups", "in_progress"],
        "properties": {
            "id": {"type": "string", "description": "pseudonymous ID"},
            "site": {"type": "string"},
            "registered_on": {"type": "string", "format": "date"},
            "baseline_completed_on": NULLABLE_DATE,
            "declined_recontact": {"type": "boolean"},
            "followups": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["wave", "status"],
                    "properties": {
                        "wave": {"type": "string"},
                        "status": {
                            "enum": [
                                "not_yet_due",
                                "due",
                                "overdue",
                                "done",
                                "withdrawn",
                                "declined_recontact",
                                "no_baseline",
                            ]
                        },
                        "due_from": NULLABLE_DATE,
                        "due_until": NULLABLE_DATE,
                    },
                },
            },
            "in_progress": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "wave": {"type": "string"},
                        "saved_on": {"type": "string", "format": "date"},
                        "page": {"type": ["integer", "null"]},
                        "pages": {"type": ["integer", "null"]},
                    },
                },
            },
        },
    },
    "Response": {
        "type": "object",
        "required": ["id", "instrument", "version", "channel", "completed_on", "answers"],
        "properties": {
            "id": {"type": "string"},
            "instrument": {"type": "string"},
            "version": {"type": "integer"},
            "channel": {"enum": ["kiosk", "link"]},
            "wave": {"type": ["string", "null"]},
            "participant": {"type": ["string", "null"]},
            "site": {"type": ["string", "null"]},
            "language": {"type": "string"},
            "completed_on": {"type": "string", "format": "date"},
            "flags": {"type": "object"},
            "answers": {"type": "object", "description": "codes by variable (see the codebook)"},
        },
    },
    "CaseForm": {
        "type": "object",
        "required": ["id", "kind", "instrument", "version", "revision"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"enum": [k.value for k in CaseFormKind]},
            "instrument": {"type": "string"},
            "version": {"type": "integer"},
            "form_date": NULLABLE_DATE,
            "revision": {"type": "integer"},
            "sent_at": {"type": ["string", "null"], "format": "date-time"},
            "answers": {"type": "object", "description": "only on /cases/{case_id}"},
        },
    },
    "Case": {
        "type": "object",
        "required": ["id", "participant", "site", "status", "forms"],
        "properties": {
            "id": {"type": "integer"},
            "participant": {"type": "string"},
            "site": {"type": "string"},
            "status": {"enum": CASE_STATUSES},
            "opened_on": NULLABLE_DATE,
            "closed_on": NULLABLE_DATE,
            "forms": {"type": "array", "items": {"$ref": "#/components/schemas/CaseForm"}},
        },
    },
    "ReportTable": {
        "type": "object",
        "required": ["key", "title", "columns", "rows", "notes"],
        "properties": {
            "key": {"type": "string"},
            "title": {"type": "string"},
            "columns": {"type": "array", "items": {"type": "string"}},
            "rows": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "label": {"type": "string"},
                        "kind": {"enum": ["data", "heading", "total"]},
                        "cells": {
                            "type": "array",
                            "items": {"type": ["integer", "number", "string", "null"]},
                            "description": "a hidden count is the string [c]",
                        },
                    },
                },
            },
            "notes": {"type": "array", "items": {"type": "string"}},
        },
    },
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _list_of(name: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["data", "next_cursor", "limit"],
        "properties": {
            "data": {"type": "array", "items": _ref(name)},
            "next_cursor": {"type": ["string", "null"], "description": "null on the last page"},
            "limit": {"type": "integer"},
        },
    }


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    words = {
        400: "a bad parameter, filter or cursor (the message names it)",
        401: "no token, or an unknown, expired or revoked one",
        403: "the token's role may not read this",
        404: "nothing at this address",
        409: "a publication release its disclosure audit cannot protect, or filters it may not have",
        429: "too many calls with this token: wait a minute",
    }
    return {str(c): {"description": words[c], **_json(_ref("Error"))} for c in codes}


def _get(
    summary: str, who: str, parameters: list[dict[str, Any]], ok: dict[str, Any], *extra: int
) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "description": f"Tokens of: {who}.",
            "parameters": parameters,
            "responses": {"200": ok, **_errors(400, 401, 403, 429, *extra)},
        }
    }


FIELDWORKERS = "fieldworker, researcher, admin"
CASEWORKERS = "caseworker (her prisons' cases), researcher, admin"
RESEARCHERS = "researcher, admin"


def _data(schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": "OK", **_json({"type": "object", "properties": {"data": schema}})}


def _fieldwork_paths() -> dict[str, Any]:
    return {
        "/participants": _get(
            "Participants with their status at each follow-up wave (the due lists by status)",
            FIELDWORKERS,
            [
                _query("site", "a site's code"),
                _query(
                    "status",
                    "the due lists: " + ", ".join(f"{k} ({v})" for k, v in FILTERS.items()),
                    enum=list(FILTERS),
                ),
                _query("wave", "with status: at this follow-up wave only"),
                *LIST,
            ],
            {"description": "OK", **_json(_list_of("Participant"))},
        ),
        "/participants/{pseudonym}": _get(
            "One participant",
            FIELDWORKERS,
            [_param("pseudonym", "path", {"type": "string"}, "her ID")],
            _data(_ref("Participant")),
            404,
        ),
        "/due": _get(
            "Follow-ups due now, soon, overdue or declined: in all and per wave",
            FIELDWORKERS,
            [],
            _data({"type": "object"}),
        ),
    }


def _case_paths() -> dict[str, Any]:
    return {
        "/cases": _get(
            "Cases with their sent forms (no answers)",
            CASEWORKERS,
            [
                _query("site", "a site's code"),
                _query("status", " or ".join(CASE_STATUSES), enum=CASE_STATUSES),
                *LIST,
            ],
            {"description": "OK", **_json(_list_of("Case"))},
        ),
        "/cases/{case_id}": _get(
            "One case with its sent forms' answers (each form read is audited)",
            CASEWORKERS,
            [_param("case_id", "path", {"type": "integer"}, "the case's number")],
            _data(_ref("Case")),
            404,
        ),
    }


def _research_paths() -> dict[str, Any]:
    return {
        "/responses": _get(
            "Complete responses with their answers (codes), by completion date",
            RESEARCHERS,
            [
                _query("instrument", "an instrument's key"),
                _query("wave", "a wave's code"),
                *DATES,
                *LIST,
            ],
            {"description": "OK", **_json(_list_of("Response"))},
        ),
        "/codebook": _get(
            "The export's codebook: one object per variable",
            RESEARCHERS,
            [],
            _data({"type": "array", "items": {"type": "object"}}),
        ),
    }


def _export_file() -> dict[str, Any]:
    return {
        "description": "the export as a file (attachment)",
        "content": {
            fmt.mimetype: {"schema": {"type": "string", "format": "binary"}}
            for fmt in FORMATS.values()
        },
    }


def _release_paths() -> dict[str, Any]:
    return {
        "/exports/{fmt}": _get(
            "An export file in any format of the export page (audited)",
            RESEARCHERS,
            [
                _param("fmt", "path", {"enum": list(FORMATS)}, "the export format"),
                *EXPORT_FILTERS,
                _query(
                    "publication",
                    "1: the Summary and Report sheets for publication",
                    enum=["0", "1"],
                    default="0",
                ),
            ],
            _export_file(),
            404,
            409,
        ),
        "/report": _get(
            "The report's tables, through the disclosure control of a publication release",
            RESEARCHERS,
            [
                *EXPORT_FILTERS,
                _query(
                    "publication",
                    "1 (default): hide counts as a publication release does",
                    enum=["0", "1"],
                    default="1",
                ),
                _query("by_period", "1: also split by study period", enum=["0", "1"], default="0"),
            ],
            _data(
                {
                    "type": "object",
                    "properties": {
                        "filters": {"type": "object"},
                        "messages": {"type": "array", "items": {"type": "string"}},
                        "tables": {"type": "array", "items": _ref("ReportTable")},
                    },
                }
            ),
            409,
        ),
    }


def _paths() -> dict[str, Any]:
    return {**_fieldwork_paths(), **_case_paths(), **_research_paths(), **_release_paths()}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "survey_app read-only API",
            "version": VERSION,
            "description": "Read-only access for R and Python pipelines. Make a personal token "
            "on the account page (API tokens) and send it as 'Authorization: Bearer <token>'. "
            "A token reads what its owner's role may read; every call is audited.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": {
            **_paths(),
            "/openapi.json": {
                "get": {
                    "summary": "This description",
                    "security": [],
                    "responses": {"200": {"description": "OK", **_json({"type": "object"})}},
                }
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
        },
    }
