"""The participant flow as a CONSORT-style diagram: SVG written here (no matplotlib: boxes and
arrows), inline in the page, read from the flow table's shown cells, so that a count hidden
for publication is "[c]" in its box too. Accessible: a title and a description naming every
count, real text (no paths for letters), the system's own sans-serif (no font is fetched),
and presentation attributes only (the page's CSP allows no inline style)."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

from .model import Cell, ReportTable

WIDTH = 920
MAIN_X, MAIN_W = 20, 400
SIDE_X, SIDE_W = 500, 400
LINE = 17  # px between text lines
PAD = 10
GAP = 22  # between boxes, vertically
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
WRAP = 46  # characters a line of a box


@dataclass(frozen=True)
class Entry:
    label: str
    total: Cell
    sites: tuple[tuple[str, Cell], ...]

    def lines(self) -> list[str]:
        head = textwrap.wrap(f"{self.label}: {_n(self.total)}", WRAP)
        by_site = ", ".join(f"{name} {_n(n)}" for name, n in self.sites)
        return head + (textwrap.wrap(by_site, WRAP) if len(self.sites) > 1 else [])


def _n(cell: Cell) -> str:
    return "" if cell is None else str(cell)


def entries(table: ReportTable) -> dict[str, Entry]:
    """The table's stages by label: its total and each site's count, as shown."""
    sites = table.columns[1:-1]
    return {
        row.label: Entry(row.label, row.cells[-1], tuple(zip(sites, row.cells[:-1], strict=True)))
        for row in table.rows
        if row.kind != "heading"
    }


def _box(x: int, y: int, width: int, entry_list: list[Entry], *, main: bool) -> tuple[str, int]:
    lines: list[tuple[str, bool]] = []
    for i, entry in enumerate(entry_list):
        if i:
            lines.append(("", False))
        lines += [(text, j == 0) for j, text in enumerate(entry.lines())]
    height = PAD * 2 + LINE * len(lines)
    parts = [
        f'<rect x="{x}" y="{y}" width="{width}" height="{height}" rx="4" '
        f'fill="{"#eef4fa" if main else "#ffffff"}" stroke="#0b4f8a" stroke-width="2"/>'
    ]
    for i, (text, bold) in enumerate(lines):
        if text:
            weight = ' font-weight="700"' if bold else ""
            parts.append(
                f'<text x="{x + PAD}" y="{y + PAD + LINE * (i + 1) - 4}"{weight}>{escape(text)}</text>'
            )
    return "".join(parts), height


def _arrow(x1: int, y1: int, x2: int, y2: int) -> str:
    return (
        f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#333" stroke-width="2" '
        'marker-end="url(#flow-arrow)"/>'
    )


def flow_svg(table: ReportTable, layout: list[tuple[str, list[str]]]) -> Markup:
    """``layout``: ("main", [label]) boxes down the left, each ("side", [labels]) an exclusion
    box to the right between two main boxes, ("split", [left, right]) the last two side by
    side."""
    found = entries(table)
    body: list[str] = []
    y = 10
    previous_bottom: int | None = None
    centre = MAIN_X + MAIN_W // 2
    pending_side: list[Entry] = []
    for kind, labels in layout:
        chosen = [found[label] for label in labels if label in found]
        if not chosen:
            continue
        if kind == "side":
            pending_side = chosen
            continue
        if pending_side and previous_bottom is not None:
            box, height = _box(SIDE_X, y, SIDE_W, pending_side, main=False)
            body.append(box)
            body.append(_arrow(centre, y + height // 2, SIDE_X - 2, y + height // 2))
            y += height + GAP
            pending_side = []
        if kind == "split":
            heights = []
            for x, entry in ((MAIN_X, chosen[0]), (SIDE_X, chosen[-1])):
                box, height = _box(x, y, MAIN_W if x == MAIN_X else SIDE_W, [entry], main=True)
                body.append(box)
                heights.append(height)
            if previous_bottom is not None:
                body.append(_arrow(centre, previous_bottom, centre, y - 2))
                body.append(
                    f'<polyline points="{centre},{y - GAP // 2} {SIDE_X + SIDE_W // 2},'
                    f'{y - GAP // 2} {SIDE_X + SIDE_W // 2},{y - 2}" fill="none" '
                    'stroke="#333" stroke-width="2" marker-end="url(#flow-arrow)"/>'
                )
            y += max(heights) + GAP
            previous_bottom = None
            continue
        box, height = _box(MAIN_X, y, MAIN_W, chosen, main=True)
        if previous_bottom is not None:
            body.append(_arrow(centre, previous_bottom, centre, y - 2))
        body.append(box)
        previous_bottom = y + height
        y += height + GAP
    title = escape(table.title)
    desc = escape(
        "; ".join(f"{e.label}: {_n(e.total)}" for e in found.values())
        + ". The same counts as the table below, by site."
    )
    # Every text written above went through escape(); the rest is this module's own markup.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flow-diagram" role="img" '
        f'aria-labelledby="flow-title flow-desc" viewBox="0 0 {WIDTH} {y}" width="{WIDTH}" '
        f'height="{y}" font-family={quoteattr(FONT)} font-size="14" fill="#111">'
        f'<title id="flow-title">{title}</title><desc id="flow-desc">{desc}</desc>'
        '<defs><marker id="flow-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker>'
        "</defs>" + "".join(body) + "</svg>"
    )


BASELINE_STAGES = 5  # approached, declined, consented, not completed, complete (report/flow.py)
WAVE_STAGES = 8  # withdrawn, no recontact, not yet due, due, declined, not seen, in, out


def diagram(table: ReportTable) -> Markup:
    """The flow table drawn: the baseline's boxes, then each follow-up wave's from the
    baseline's completers (repeated above each wave's boxes when there are several)."""
    labels = [row.label for row in table.rows if row.kind != "heading"]
    approached, declined, consented, unfinished, complete = labels[:BASELINE_STAGES]
    layout: list[tuple[str, list[str]]] = [
        ("main", [approached]),
        ("side", [declined]),
        ("main", [consented]),
        ("side", [unfinished]),
    ]
    waves = labels[BASELINE_STAGES:]
    for start in range(0, len(waves), WAVE_STAGES):
        lost, due, gone, done = (
            waves[start : start + 3],
            waves[start + 3],
            waves[start + 4 : start + 6],
            waves[start + 6 : start + 8],
        )
        layout += [("main", [complete]), ("side", lost), ("main", [due]), ("side", gone)]
        layout.append(("split", done))
    if not waves:
        layout.append(("main", [complete]))
    return flow_svg(table, layout)
