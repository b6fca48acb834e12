"""What a version in review changes against the published one, item by item (items are followed by their
key across versions). Pure: no database, no Flask."""

from __future__ import annotations

from dataclasses import dataclass

from learning.inspections.formats import ItemSpec, TemplateSpec


@dataclass(frozen=True)
class ItemChange:
    kind: str  # added, removed, changed, moved, unchanged
    new: ItemSpec | None
    old: ItemSpec | None
    fields: tuple[str, ...] = ()  # what changed: text, guidance, evidence, source
    position: int | None = None  # in the new version
    old_position: int | None = None


FIELDS = ("text", "guidance", "evidence", "source")


def header_changes(new: TemplateSpec, old: TemplateSpec | None) -> tuple[str, ...]:
    if old is None:
        return ()
    return tuple(name for name in ("title", "intro") if getattr(new, name) != getattr(old, name))


def item_changes(new: TemplateSpec, old: TemplateSpec | None) -> list[ItemChange]:
    """The new version's items in order, each marked; then the old version's items that are gone."""
    before = {item.key: (position, item) for position, item in enumerate(old.items if old else (), 1)}
    changes = []
    for position, item in enumerate(new.items, 1):
        if item.key not in before:
            changes.append(ItemChange("added" if old else "unchanged", item, None, position=position))
            continue
        old_position, previous = before.pop(item.key)
        fields = tuple(f for f in FIELDS if getattr(item, f) != getattr(previous, f))
        kind = "changed" if fields else ("moved" if old_position != position else "unchanged")
        changes.append(ItemChange(kind, item, previous, fields, position, old_position))
    for old_position, previous in before.values():
        changes.append(ItemChange("removed", None, previous, old_position=old_position))
    return changes
