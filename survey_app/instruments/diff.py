"""What changed between two versions of an instrument, by variable name."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Instrument, Item, ShowIf


@dataclass(frozen=True)
class InstrumentDiff:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    reworded: tuple[str, ...]
    scale_changed: tuple[str, ...]
    # Asked in another place (page, or order among the items both versions ask).
    moved: tuple[str, ...] = ()
    # Shown on other conditions (its show-if rule added, removed or changed).
    skip_changed: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.reworded
            or self.scale_changed
            or self.moved
            or self.skip_changed
        )

    def lines(self) -> list[str]:
        out = []
        for title, names in (
            ("added", self.added),
            ("removed", self.removed),
            ("reworded", self.reworded),
            ("scale changed", self.scale_changed),
            ("moved", self.moved),
            ("skip logic changed", self.skip_changed),
        ):
            out.append(f"{title}: {', '.join(names) if names else '(none)'}")
        return out


def _answers_shape(item: Item) -> tuple[object, ...]:
    return (
        item.type,
        item.scale,
        tuple((o.code, tuple(sorted(o.label.items())), o.other_text) for o in item.options),
        item.min,
        item.max,
        item.offer,
        # A repeated group: its entries' items and bounds.
        tuple((i.variable, dict(i.text), _answers_shape(i)) for i in item.items),
        item.min_entries,
        item.max_entries,
    )


def _rule(rule: ShowIf | None) -> object:
    return None if rule is None else (rule.variable, sorted(rule.codes), rule.negate)


def _places(instrument: Instrument, common: set[str]) -> dict[str, tuple[str, int]]:
    """Each common variable's page (section id) and position among the common variables."""
    places: dict[str, tuple[str, int]] = {}
    for section in instrument.sections:
        for item in section.items:
            if item.variable in common:
                places[item.variable] = (section.id, len(places))
    return places


def diff(old: Instrument, new: Instrument) -> InstrumentDiff:
    old_vars, new_vars = set(old.variables), set(new.variables)
    both = [v for v in new.variables if v in old_vars]
    old_places, new_places = _places(old, set(both)), _places(new, set(both))
    reworded, scale_changed, moved, skip_changed = [], [], [], []
    for variable in both:
        a, b = old.item(variable), new.item(variable)
        assert a is not None and b is not None  # noqa: S101 - both sets contain it
        if dict(a.text) != dict(b.text):
            reworded.append(variable)
        if _answers_shape(a) != _answers_shape(b):
            scale_changed.append(variable)
        if old_places[variable] != new_places[variable]:
            moved.append(variable)
        if _rule(a.show_if) != _rule(b.show_if):
            skip_changed.append(variable)
    return InstrumentDiff(
        added=tuple(v for v in new.variables if v not in old_vars),
        removed=tuple(v for v in old.variables if v not in new_vars),
        reworded=tuple(reworded),
        scale_changed=tuple(scale_changed),
        moved=tuple(moved),
        skip_changed=tuple(skip_changed),
    )
