"""Work in forked processes (`sanctionscope.parallel`) and the FtM import that uses it for large files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from followthemoney import ValueEntity

from sanctionscope.parallel import fork_map, spans
from sanctionscope.sources import ftm
from sanctionscope.sources.base import SourceFile


def test_fork_map_keeps_order_and_runs_closures_in_other_processes() -> None:
    parent = os.getpid()
    big = list(range(1000))  # read by the children from the parent's memory, never sent
    results = list(fork_map(lambda span: (os.getpid(), sum(big[span[0] : span[1]])), spans(len(big), 100), 2))
    assert [total for _, total in results] == [sum(range(s, min(s + 100, 1000))) for s in range(0, 1000, 100)]
    assert parent not in {pid for pid, _ in results}


def test_fork_map_with_one_worker_stays_in_this_process() -> None:
    assert list(fork_map(lambda item: (os.getpid(), item * 2), [1, 2, 3], 1)) == [(os.getpid(), n) for n in (2, 4, 6)]


def test_spans_cover_every_position_once() -> None:
    assert spans(25, 10) == [(0, 10), (10, 20), (20, 25)]
    assert spans(0, 10) == []


@pytest.fixture(scope="module")
def zala(lists_dir: Path) -> SourceFile:
    return SourceFile.read(lists_dir.parent / "ftm" / "yente-fixtures" / "zala.entities.ftm.json")


def test_a_file_converted_in_workers_equals_the_file_converted_here(
    zala: SourceFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    [here] = ftm.FORMAT.parse([zala])
    monkeypatch.setattr(ftm, "PARALLEL_FROM", 1)
    monkeypatch.setattr(ftm, "_CHUNK", 7)  # many chunks, some ending between a thing and its sanctions
    [forked] = ftm.FORMAT.parse([zala])
    assert [r.to_dict() for r in forked.records] == [r.to_dict() for r in here.records]
    assert forked.entities == here.entities
    assert forked.notes == here.notes


def test_published_entities_are_what_value_entity_keeps(zala: SourceFile) -> None:
    collected = ftm._collect(ftm.byte_lines(zala.data), zala.label)
    for entity in collected.all:
        entity.data["datasets"] = ftm._datasets(entity.data, "zala")
        proxy = ValueEntity(entity.schema, {**entity.data, "properties": ftm._known_properties(entity)})
        expected = {**proxy.to_dict(), "datasets": sorted(proxy.datasets), "referents": sorted(proxy.referents)}
        assert ftm._published(entity) == {**expected, "target": ftm._is_target(entity)}


def _reference_canonical(value: object) -> object:
    """The canonical form spelled out: keys sorted, list items sorted by their sorted-key JSON."""
    import orjson

    if isinstance(value, dict):
        return {k: _reference_canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [_reference_canonical(v) for v in value]
        return sorted(items, key=lambda v: orjson.dumps(v, option=orjson.OPT_SORT_KEYS))
    return value


def test_canonical_json_is_the_canonical_form_and_ignores_order(lists_dir: Path, zala: SourceFile) -> None:
    import orjson

    from sanctionscope.model import canonical_json, content_hash
    from sanctionscope.sources.detect import parse_bundle, plan

    [bundle] = plan([lists_dir / "un" / "un-sc-consolidated-xml" / "2026-02-27"]).bundles
    records = [r for dated in parse_bundle(bundle) for r in dated.parsed.records]
    records += ftm.FORMAT.parse([zala])[0].records
    for record in records:
        data = record.to_dict()
        assert canonical_json(data) == orjson.dumps(_reference_canonical(data), option=orjson.OPT_SORT_KEYS)
    shuffled = records[0].to_dict()
    reordered = {key: (value[::-1] if isinstance(value, list) else value) for key, value in reversed(shuffled.items())}
    assert content_hash(reordered) == content_hash(shuffled)
    assert content_hash({**shuffled, "names": shuffled["names"][1:]}) != content_hash(shuffled)
