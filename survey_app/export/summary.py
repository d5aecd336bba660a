"""The report's kind of tables (Tables 8 to 16 of the evaluation), rebuilt from the data:
collapsed categories and full distributions for Likert items, n / mean / median for 1-10
ratings, % yes for yes/no items, counts by site for staff and practitioner choices.

Percentages are whole numbers, as the report gives them. With ``publication`` on, counts under
the threshold are shown as "<5", and the next smallest count in the same table is hidden too
whenever only one was (otherwise it could be worked out by subtraction from the total): shown
as "[c]", not "<5", since it need not be small (the About sheet says what "[c]" means)."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from ..instruments import missing
from ..instruments.model import Instrument, Item
from .dataset import AUDIENCE_SHEETS, Dataset

HEADER = ["group", "wave", "variable", "question", "table", "category", "n", "percent"]


def percent(n: int, total: int) -> int | None:
    # Whole numbers, half away from zero (Python's round() would give 12 for 12.5).
    return int(n * 100 / total + 0.5) if total else None


def suppress(counts: Sequence[int], threshold: int) -> list[bool]:
    """Which cells to hide: primary (0 < n < threshold) and secondary (one more cell when
    exactly one was hidden, so the total cannot reveal it)."""
    hidden = [0 < n < threshold for n in counts]
    if sum(hidden) == 1:
        candidates = [(n, i) for i, n in enumerate(counts) if not hidden[i] and n > 0]
        if candidates:
            hidden[min(candidates)[1]] = True
    return hidden


class _Tally:
    def __init__(self) -> None:
        self.codes: dict[tuple[str, str, str], Counter[int]] = defaultdict(Counter)

    def add(
        self, group: str, wave: str, answers: Mapping[str, Any], items: Iterable[Item], site: str
    ) -> None:
        for item in items:
            value = answers.get(item.variable or "")
            if value is None or (isinstance(value, int) and value in missing.ALL_CODES):
                continue
            if isinstance(value, list):
                for code in value:
                    self.codes[(group, wave, f"{item.variable}@{site}")][code] += 1
                self.codes[(group, wave, f"{item.variable}@{site}")][-99] += 1  # respondents
            elif isinstance(value, int):
                self.codes[(group, wave, item.variable or "")][value] += 1
                if group != "Mothers":
                    self.codes[(group, wave, f"{item.variable}@{site}")][value] += 1


Collapsed = list[tuple[str, tuple[int, ...]]]


def _items(instruments: Sequence[Instrument]) -> dict[str, Item]:
    """Newest version's item per variable."""
    found: dict[str, Item] = {}
    for instrument in sorted(instruments, key=lambda i: i.version, reverse=True):
        for item in instrument.questions():
            found.setdefault(item.variable or "", item)
    return found


def _collapsed_groups(instruments: Sequence[Instrument]) -> dict[str, Collapsed]:
    """The collapsed categories of each named scale, e.g. "Strongly agree or agree" = 4, 5."""
    groups: dict[str, Collapsed] = {}
    for instrument in sorted(instruments, key=lambda i: i.version):
        for name, scale in instrument.scales.items():
            groups[name] = [(label["en"], codes) for label, codes in scale.collapsed]
    return groups


def summary_rows(data: Dataset) -> Iterator[list[Any]]:
    tally = _Tally()
    wave_items = {spec.wave.code: _items(spec.instruments) for spec in data.waves}
    for _pid, site, per_wave in data.mothers():
        for entry in per_wave:
            if entry is not None:
                spec, (_d, _v, answers, _f) = entry
                tally.add(
                    "Mothers", spec.wave.code, answers, wave_items[spec.wave.code].values(), site
                )
    audience_items = {}
    for audience in data.audiences:
        group = AUDIENCE_SHEETS[audience.audience]
        audience_items[group] = _items(audience.instruments)
        for _rid, _date, _version, answers, site in data.session.execute(
            data._audience_query(audience)
        ):
            tally.add(group, "once", answers or {}, audience_items[group].values(), site or "any")
    threshold = data.filters.threshold if data.filters.publication else 0
    groups = _collapsed_groups(
        [i for spec in data.waves for i in spec.instruments]
        + [i for spec in data.audiences for i in spec.instruments]
    )
    for wave, items in wave_items.items():
        yield from _tables("Mothers", wave, items, groups, tally, threshold, by_site=False)
    for group, items in audience_items.items():
        yield from _tables(group, "once", items, groups, tally, threshold, by_site=True)


def _shown(n: int, hidden: bool, threshold: int) -> Any:
    # As the Report sheet marks them (report/grid.py): "<5" only for a count under 5.
    if not hidden:
        return n
    return f"<{threshold}" if 0 < n < threshold else "[c]"


def _distribution(
    prefix: list[Any], table: str, categories: Sequence[tuple[str, int]], total: int, threshold: int
) -> list[list[Any]]:
    hidden = (
        suppress([n for _, n in categories], threshold) if threshold else [False] * len(categories)
    )
    rows = [
        prefix + [table, label, _shown(n, h, threshold), None if h else percent(n, total)]
        for (label, n), h in zip(categories, hidden, strict=True)
    ]
    # A small total, or a lone hidden cell with nothing else to hide, would give the hidden
    # count away by subtraction: then the total is hidden too.
    hide_total = bool(threshold) and (0 < total < threshold or sum(hidden) == 1)
    rows.append(
        prefix
        + [
            table,
            "Total answered",
            _shown(total, hide_total, threshold),
            None if hide_total else (100 if total else None),
        ]
    )
    return rows


def _tables(
    group: str,
    wave: str,
    items: Mapping[str, Item],
    collapsed_groups: Mapping[str, Collapsed],
    tally: _Tally,
    threshold: int,
    *,
    by_site: bool,
) -> Iterator[list[Any]]:
    """The tables of each item, by its type."""
    for variable, item in items.items():
        prefix = [group, wave, variable, item.text["en"]]
        counts = tally.codes.get((group, wave, variable), Counter())
        if item.type == "likert" and item.scale:
            scale_groups = collapsed_groups.get(item.scale, [])
            yield from _likert(prefix, item, counts, scale_groups, threshold)
        elif item.type == "rating":
            yield from _rating(prefix, counts, threshold)
        elif item.type == "yesno":
            yes, no = counts[1], counts[0]
            yield from _distribution(
                prefix, "yes/no", [("Yes", yes), ("No", no)], yes + no, threshold
            )
        elif by_site and item.type in ("single", "multiple"):
            yield from _by_site(prefix, item, tally, threshold)


def _likert(
    prefix: list[Any],
    item: Item,
    counts: Counter[int],
    scale_groups: Collapsed,
    threshold: int,
) -> Iterator[list[Any]]:
    """The collapsed categories, then the full distribution."""
    total = sum(counts[o.code] for o in item.options)
    full = [(o.label["en"], counts[o.code]) for o in item.options]
    hidden_full = threshold and any(suppress([n for _, n in full], threshold))
    if scale_groups:
        collapsed = [(label, sum(counts[c] for c in codes)) for label, codes in scale_groups]
        yield from _distribution(prefix, "collapsed", collapsed, total, threshold)
    # A hidden cell in the full table could be recovered from the collapsed one, so a
    # publication export leaves the full table out when any of its cells is small.
    if not hidden_full:
        yield from _distribution(prefix, "full", full, total, threshold)


def _rating(prefix: list[Any], counts: Counter[int], threshold: int) -> Iterator[list[Any]]:
    """n, mean and median of a 1-10 rating; a small n hides all three."""
    values = [code for code, n in counts.items() for _ in range(n)]
    n = len(values)
    small = bool(threshold) and 0 < n < threshold
    yield prefix + ["rating", "n", _shown(n, small, threshold), None]
    yield prefix + [
        "rating",
        "mean",
        None if small or not n else round(statistics.fmean(values), 2),
        None,
    ]
    yield prefix + [
        "rating",
        "median",
        None if small or not n else statistics.median(values),
        None,
    ]


def _by_site(prefix: list[Any], item: Item, tally: _Tally, threshold: int) -> Iterator[list[Any]]:
    """A staff or practitioner choice question: one distribution per site."""
    group, wave, variable = prefix[0], prefix[1], prefix[2]
    sites = sorted(
        {
            key[2].split("@", 1)[1]
            for key in tally.codes
            if key[0] == group and key[2].startswith(f"{variable}@")
        }
    )
    for site in sites:
        site_counts = tally.codes[(group, wave, f"{variable}@{site}")]
        total = site_counts.pop(-99, 0) or sum(site_counts.values())
        categories = [(o.label["en"], site_counts[o.code]) for o in item.options]
        yield from _distribution(prefix, f"site: {site}", categories, total, threshold)
