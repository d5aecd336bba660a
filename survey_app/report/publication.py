"""What a publication release may be cut by: whole study periods and whole sites only (a free
date range or a version would let two releases a day or a version apart be subtracted), and
no site for a table published for all sites only (Figure 6, as the 2023 report pooled it)."""

from __future__ import annotations

from ..disclosure.release import ReleaseRefused
from ..export.filters import ExportFilters
from ..study import Study


def check_filters(filters: ExportFilters, study: Study, pooled: list[str]) -> None:
    """Refuse (ReleaseRefused, 409) filters a publication release may not have. ``pooled``:
    the titles of the tables in the release published for all sites only."""
    if not filters.publication:
        return
    if filters.versions:
        raise ReleaseRefused(
            "For publication, choose no questionnaire version: a release covers every version."
        )
    if filters.date_from or filters.date_to:
        whole = {(p.start, p.end) for p in study.periods}
        if (filters.date_from, filters.date_to) not in whole:
            names = "; ".join(f"{p.label}: {p.start} to {p.end}" for p in study.periods)
            raise ReleaseRefused(
                "For publication, dates must be one whole study period or none "
                f"({names or 'the study has no periods'})."
            )
    if filters.site and pooled:
        raise ReleaseRefused(
            f"For publication, {'; '.join(pooled)} is published for all sites together "
            "only: choose no site."
        )
