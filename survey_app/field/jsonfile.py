"""Reading the JSON files that travel between laptop and server (bundles, batches, enrolment
files, receipts): each is read by this one function before anything looks inside it."""

from __future__ import annotations

import json
from typing import Any

# Deeper than any file survey_app writes (a bundle's instrument definitions are the deepest,
# under ten). A deeper one may parse, then overflow the stack when it is walked or re-encoded
# for its signature: refused here as not ours.
MAX_DEPTH = 32


def loads(raw: bytes | str) -> Any:
    """The document, or ValueError when it is not JSON (bad UTF-8, a number past Python's
    4300 digits, nesting past the stack) or is nested deeper than MAX_DEPTH."""
    try:
        doc = json.loads(raw)
    except RecursionError:
        raise ValueError("nested too deep") from None
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError("nested too deep")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return doc
