"""Which entities a request's datasets select, as yente selects them (/match, /search, /reconcile).

A dataset name is a source (`us_ofac_sdn`), a jurisdiction (`us`), a collection (`default`,
`sanctions`), or a FollowTheMoney dataset that entities name in their `datasets` (`eu_fsf`, from
an OpenSanctions file). yente keeps an entity if one of its datasets is in the path dataset, in
one of `include_dataset` (when given) and in none of `exclude_dataset`: an entity on X and Z
stays when Z is excluded. Names that leave no dataset select nothing, never everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

#: a dataset name → the sources it stands for (None: it is not a source, a jurisdiction or a collection)
SourcesOf = Callable[[str], "set[str] | None"]


@dataclass(frozen=True)
class Selection:
    scope: str
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    sources_of: SourcesOf
    loaded: frozenset[str]

    def _has(self, name: str, dataset: str, entity_sources: frozenset[str]) -> bool:
        """Whether one of an entity's datasets lies in the named dataset."""
        if dataset == name:
            return True
        sources = self.sources_of(name) or set()
        if dataset in self.loaded:  # a source: in the jurisdictions and collections it belongs to
            return dataset in sources
        # a FollowTheMoney dataset: inside whatever holds the source its entity was loaded from
        return bool(entity_sources & sources)

    def selects(self, datasets: Iterable[str], sources: Iterable[str]) -> bool:
        """Whether an entity of these datasets (as it states them) and sources (of its records) is selected."""
        entity_sources = frozenset(sources)
        for dataset in set(datasets) or entity_sources:
            if not self._has(self.scope, dataset, entity_sources):
                continue
            if self.include and not any(self._has(name, dataset, entity_sources) for name in self.include):
                continue
            if any(self._has(name, dataset, entity_sources) for name in self.exclude):
                continue
            return True
        return False

    def matcher_sources(self) -> set[str] | None:
        """The sources the matcher may look in (a superset of what `selects` keeps; None: all)."""
        scope: AbstractSet[str] | None = self.sources_of(self.scope)
        included = [sources for name in self.include if (sources := self.sources_of(name)) is not None]
        if self.include and len(included) == len(self.include):  # every included name has its sources
            scope = (self.loaded if scope is None else scope) & set().union(*included)
        return None if scope is None else set(scope)
