"""Field-by-field comparison of two versions of a record (pure functions)."""

from __future__ import annotations

from typing import Any

from sanctionscope.model import canonical_json

Json = dict[str, Any]


def diff_fields(old: Json, new: Json, *, ignore: set[str] | frozenset[str] = frozenset()) -> dict[str, dict[str, Any]]:
    """The fields whose values differ, as {field: {"old": ..., "new": ...}}.

    List fields compare as sets: a publisher reordering aliases is not an amendment.
    Identity fields (source, source_id) never differ between versions of one record; fields in
    `ignore` are not compared.
    """
    changed: dict[str, dict[str, Any]] = {}
    for key in sorted(set(old) | set(new)):
        if key in ("source", "source_id") or key in ignore:
            continue
        before, after = old.get(key), new.get(key)
        if _same(before, after):
            continue
        changed[key] = {"old": before, "new": after}
    return changed


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return canonical_json(a) == canonical_json(b)
