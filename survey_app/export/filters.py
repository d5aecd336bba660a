"""What a researcher asks an export to include."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


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
            "publication": f"yes ([c]: confidential, hidden so that no count under "
            f"{self.threshold} can be read or worked out from the release; audited as a whole)"
            if self.publication
            else "no",
        }
