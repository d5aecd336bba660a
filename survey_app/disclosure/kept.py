"""Audited releases kept in this process, so that a release whose data has not changed is not
audited again (the audit takes seconds; a researcher reloads or prints the Report page).

A release is keyed on a fingerprint of everything its decision follows from: the filters
(with the threshold), the split, and the data the report loaded (every answer, date, site and
case, and the study's sites and periods), not on timestamps a change may not touch. Any
change to the data gives another key; the oldest entries are dropped."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import replace

from .release import Release

SIZE = 8  # releases kept (each holds its grids and their relations: a few megabytes at most)

_LOCK = threading.Lock()
_KEPT: OrderedDict[str, Release] = OrderedDict()


def fingerprint(*parts: object) -> str:
    """The state a release is audited on. Its parts are frozen dataclasses of plain values,
    whose repr is the same for the same data (the report's loaded data: tens of ms)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def recall(key: str) -> Release | None:
    """A copy of the release audited on this state, ready for the builders' second pass."""
    with _LOCK:
        release = _KEPT.get(key)
        if release is None:
            return None
        _KEPT.move_to_end(key)
    # The grids, decision and relations are only read from here on: shared, not copied.
    return replace(release, scope="", builder="", _counter={})


def keep(key: str, release: Release) -> None:
    """Keep a release just solved (before its second pass)."""
    copy = replace(release, scope="", builder="", _counter={})
    with _LOCK:
        _KEPT[key] = copy
        _KEPT.move_to_end(key)
        while len(_KEPT) > SIZE:
            _KEPT.popitem(last=False)


def forget() -> None:
    with _LOCK:
        _KEPT.clear()
