"""What a researcher asks an export to include."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..disclosure import marks


@dataclass(frozen=True)
class ExportFilters:
    site: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    # "key:version" labels; empty means every published version.
    versions: frozenset[str] = field(default_factory=frozenset)
    publication: bool = False
    threshold: int = 5

    def describe(self) -> dict[str, Any]:
        return {
            "site": self.site or "all",
            "from": self.date_from.isoformat() if self.date_from else "any",
            "to": self.date_to.isoformat() if self.date_to else "any",
            "versions": ", ".join(sorted(self.versions)) or "all",
            "publication": f"yes ({marks.note(self.threshold)}; audited as a whole)"
            if self.publication
            else "no",
        }
