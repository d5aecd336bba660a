"""Charts drawn server-side as SVG with matplotlib's object API (a Figure per chart, no
pyplot state: safe in a threaded web process). Text is drawn as paths (svg.fonttype
"path"), so the SVG needs no font and loads nothing. In publication mode a hidden value is
not drawn and its place is labelled with the one mark (disclosure.marks), as its cell is."""

from __future__ import annotations

import functools
import io
import textwrap

from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..model import Chart

# Colour-blind-safe (Okabe-Ito), dark enough to carry white labels.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
_WRAP = 34


def _stacked(figure: Figure, chart: Chart) -> None:
    axes = figure.add_subplot()
    labels = [textwrap.fill(c, _WRAP) for c in chart.categories]
    positions = list(range(len(labels)))[::-1]  # first category on top
    _stack_bars(axes, chart, positions)
    axes.set_yticks(positions, labels, fontsize=8)
    axes.set_ylim(-0.6, len(labels) - 0.4)  # the same room when every bar is hidden
    axes.set_xlim(0, chart.axis_max)
    axes.set_xlabel(chart.axis_title)
    handles, names = axes.get_legend_handles_labels()
    unique = dict(zip(names, handles, strict=True))
    # Below the figure, laid out with it: a legend placed under the axes by hand ran into
    # the axis title on a chart of few bars.
    figure.legend(
        unique.values(),
        unique.keys(),
        loc="outside lower center",
        ncol=min(3, len(unique)) or 1,
        fontsize=8,
        frameon=False,
    )


def _stack_bars(axes: Axes, chart: Chart, positions: list[int]) -> None:
    """One bar per category, its series end to end, each share of 8 or more labelled inside.
    A hidden share is not drawn: the end of the bar names it, marked as its cell is."""
    left = [0.0] * len(positions)
    small: list[list[str]] = [[] for _ in positions]
    labelled: set[str] = set()
    for colour, series in zip(COLOURS * 3, chart.series, strict=False):
        for i, (value, hidden) in enumerate(zip(series.values, series.hidden, strict=True)):
            if hidden:
                small[i].append(f"{series.name} {series.mark(i, chart.threshold)}")
            if hidden or not value:
                continue
            axes.barh(
                positions[i],
                value,
                left=left[i],
                color=colour,
                height=0.7,
                label=None if series.name in labelled else series.name,
            )
            labelled.add(series.name)
            if value >= 8:
                axes.text(
                    left[i] + value / 2,
                    positions[i],
                    f"{value:.0f}%",
                    ha="center",
                    va="center",
                    color="white",
                    fontsize=8,
                )
            left[i] += value
    for i, names in enumerate(small):
        if names:  # hidden counts are not drawn; their place says so
            axes.text(left[i] + 1, positions[i], "; ".join(names), va="center", fontsize=8)


def _value_label(chart: Chart, value: float) -> str:
    # Percentages (an axis to 100) in whole numbers; means (the WAI's 1 to 5) to two places.
    return f"{value:.0f}%" if chart.axis_max == 100 else f"{value:.2f}"


def _grouped(figure: Figure, chart: Chart) -> None:
    axes = figure.add_subplot()
    count = max(len(chart.series), 1)
    width = 0.8 / count
    for s, (colour, series) in enumerate(zip(COLOURS * 3, chart.series, strict=False)):
        for i, (value, hidden) in enumerate(zip(series.values, series.hidden, strict=True)):
            x = i - 0.4 + width * (s + 0.5)
            if hidden:
                axes.text(x, 0.1, series.mark(i, chart.threshold), ha="center", fontsize=8)
                continue
            if value is None:
                continue
            axes.bar(x, value, width=width, color=colour)
            axes.text(x, value + 0.05, _value_label(chart, value), ha="center", fontsize=8)
    labels = [textwrap.fill(c, 18) for c in chart.categories]  # long ones side by side
    axes.set_xticks(range(len(chart.categories)), labels, fontsize=8)
    axes.set_xlim(-0.5, len(chart.categories) - 0.5)
    axes.set_ylim(0, chart.axis_max)
    axes.set_ylabel(chart.axis_title)
    # A hidden place says only the mark: the key names every series shown or hidden, in order,
    # also one with no bar drawn, or its labels would be no one's.
    handles = [
        Patch(color=colour, label=series.name)
        for colour, series in zip(COLOURS * 3, chart.series, strict=False)
        if any(v is not None for v in series.values) or any(series.hidden)
    ]
    if handles:
        axes.legend(handles=handles, fontsize=8, frameon=False)


def _bars(figure: Figure, chart: Chart) -> None:
    """Horizontal bars side by side, one colour per series, each labelled with its %."""
    axes = figure.add_subplot()
    count = max(len(chart.series), 1)
    height = 0.8 / count
    positions = list(range(len(chart.categories)))[::-1]  # first category on top
    for s, (colour, series) in enumerate(zip(COLOURS * 3, chart.series, strict=False)):
        for i, (value, hidden) in enumerate(zip(series.values, series.hidden, strict=True)):
            y = positions[i] + 0.4 - height * (s + 0.5)
            if hidden:  # not drawn; its place says so
                label = f"{series.name} {series.mark(i, chart.threshold)}"
                axes.text(1, y, label, va="center", fontsize=7)
            elif value is not None:
                axes.barh(y, value, height=height, color=colour, label=series.name)
                axes.text(value + 1, y, f"{value:.0f}%", va="center", fontsize=7)
    labels = [textwrap.fill(c, _WRAP) for c in chart.categories]
    axes.set_yticks(positions, labels, fontsize=8)
    axes.set_ylim(-0.5, len(labels) - 0.5)
    axes.set_xlim(0, chart.axis_max * 1.1)  # room for a full bar's label
    axes.set_xlabel(chart.axis_title)
    handles, names = axes.get_legend_handles_labels()
    unique = dict(zip(names, handles, strict=True))
    if unique:
        axes.legend(
            unique.values(),
            unique.keys(),
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            ncol=min(3, len(unique)),
            fontsize=8,
            frameon=False,
        )


DRAW = {"stacked": _stacked, "grouped": _grouped, "bars": _bars}


def _height(chart: Chart) -> float:
    if chart.kind == "stacked":
        return 1.2 + 0.45 * len(chart.categories)
    if chart.kind == "bars":
        return 1.8 + 0.2 * len(chart.categories) * max(len(chart.series), 1)
    return 3.6


# Drawing is nearly all of the report page's time, and the same filters give the same charts:
# a Chart (frozen, of tuples) is its own key. lru_cache keeps its bookkeeping under a lock;
# two threads missing at once each draw the same SVG, which is harmless.
@functools.lru_cache(maxsize=256)
def svg(chart: Chart) -> str:
    figure = Figure(figsize=(7.5, _height(chart)), layout="constrained")
    DRAW.get(chart.kind, _grouped)(figure, chart)
    figure.suptitle(textwrap.fill(chart.title, 70), fontsize=10)
    out = io.StringIO()
    FigureCanvasSVG(figure).print_svg(out, metadata={"Date": None})  # type: ignore[no-untyped-call]
    return out.getvalue()
