"""The participant flow and the attrition tables read together in publication mode: the
attrition's "seen" and "not seen" by site are sums of the flow's boxes at the same site, so a
reader who has both tables knows those sums too. No hidden count may be worked back from them."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from survey_app.disclosure.audit import Problem, audit, protected
from survey_app.export.filters import ExportFilters
from tests import factories
from tests.flows import Clock
from tests.report_steps import report_of

D = dt.date.fromisoformat
T1 = D("2025-06-01")  # T2's window: 2025-11-01 to 2026-02-01; the clock says 2026-03-15
YES = {"consent_recontact": 1}
# Per site: T2 in its window, T2 outside it, due and not seen.
SHAPE = {"send": (2, 7, 6), "eastwood_park": (8, 6, 7)}


def _study(app: Flask) -> None:
    for site, (inside, outside, unseen) in SHAPE.items():
        ids = factories.participants(app, inside + outside + unseen, site)
        for i, pseudonym in enumerate(ids):
            factories.complete_response(app, pseudonym, "T1", YES, T1, site=site)
            if i < inside + outside:
                on = D("2025-12-01") if i < inside else D("2026-03-01")
                factories.complete_response(app, pseudonym, "T2", {}, on, site=site)


def test_no_hidden_flow_count_follows_from_the_attrition_sums(app: Flask, clock: Clock) -> None:
    _study(app)
    report = report_of(app, ExportFilters(publication=True, threshold=5))
    release = report.release
    assert release is not None and release.problem is not None and release.decision
    grids = {g.name: g for g in release.grids if not g.scope}
    flow = grids["Participant flow"]
    site_block = grids["Attrition T2 Site (where registered)"]
    stages = {label: r for r, label in enumerate(flow.labels[0])}
    columns = list(flow.labels[1])
    problem = Problem(dict(release.problem.values), list(release.problem.equations))
    for r, name in enumerate(site_block.labels[0]):
        c = columns.index(name)  # the same site (or "Total") in the flow's columns

        def at(label: str, c: int = c) -> tuple[object, ...]:
            return flow.key(stages[label], c)

        seen = [at("T2 complete in its window"), at("T2 complete outside its window")]
        lost = [at("Withdrawn before T2"), at("Declined to be asked again (at T1)"),
                at("Declined at T2"), at("Not seen at T2")]  # fmt: skip
        problem.relate(seen, site_block.key(r, 0))
        problem.relate(lost, site_block.key(r, 1))
    # Each characteristic's block counts the same two groups: their totals are one count.
    blocks = [g for n, g in grids.items() if n.startswith("Attrition T2 ") and g.labels
              and "Total" in g.labels[0]]  # fmt: skip
    total = len(site_block.labels[0]) - 1
    for block in blocks:
        for c in range(3):
            problem.relate([block.key(len(block.labels[0]) - 1, c)], site_block.key(total, c))
    hidden = release.decision.hidden
    found = audit(problem, hidden)
    leaks = [
        (g.name, g.cell_name(r, c), str(found[g.key(r, c)]), n)
        for g in (flow, *blocks)
        for r, row in enumerate(g.values)
        for c, n in enumerate(row)
        if g.key(r, c) in hidden and not protected(found[g.key(r, c)], n, 5)
    ]
    assert not leaks
