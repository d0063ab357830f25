"""Delta re-screening of a big portfolio after a list update, against a full re-screen of it.

    python benchmarks/monitoring.py            # 100,000 members
    python benchmarks/monitoring.py --quick    # 10,000 members
    python benchmarks/monitoring.py --members 30000 --json

The lists: OFAC's SDN CSV of 2022-02-25 (9,900 records), then its file of 2022-03-04, which adds
1 % of records (the first Russia designations after the invasion: Usmanov, Peskov, …) and amends
a few: a real snapshot adding 1 %. The portfolio: N unlisted persons, the names of synthetic
persons that the shared generator (/work/shared/tools/synthetic_ftm.py, its fixed seed and its names
cache, built on first use) makes and that were never loaded, plus Alisher Usmanov and Dmitry
Peskov. Both are unlisted by OFAC on 2022-02-25.

Rows (one process; the matcher of the lists is open before each timing, as after `load`'s resolve):
  import        storing the members with their name keys (the reverse index), seconds
  full          screening every member against every list (what a tool without delta screening does
                after each update), on the 2022-03-04 data
  delta         `screen_changes` after loading 2022-03-04: the reverse index over the members, the
                changed records' subjects looked up in it, the members found scored: seconds, and
                how many members were scored
  speed-up      full / delta (floor: ≥ 20)
  alerts        new (member, subject) matches the delta alerted, of members without an alert before
  missed/extra  new matches the full re-screen finds that the delta did not alert, and the reverse.
                A miss is a pair whose subject did not change but whose score crossed the threshold:
                how common a name is, which the score weighs, is counted over the whole index, so
                the records an update adds move other pairs' scores a little; the delta re-scores
                only pairs of changed subjects (`portfolio rescreen` re-screens everything)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SANCTIONSCOPE_SHARED", ROOT.parent / "shared"))
LISTS = SHARED / "data" / "lists" / "us" / "ofac-sdn-csv"
GENERATOR = SHARED / "tools" / "synthetic_ftm.py"
#: the names cache the scale benchmark keeps too (built from `names-dataset` on first use, ~20 s)
NAMES_CACHE = Path(os.environ.get("SCALE_NAMES_CACHE", Path.home() / ".cache/sanctionscope-bench/scale/names_cache.json"))
#: synthetic entities from this index on are never loaded anywhere: their names are unlisted
UNLISTED_FROM = 50_000_000
FLOOR = 20.0


def _generator_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("synthetic_ftm", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["synthetic_ftm"] = module
    spec.loader.exec_module(module)
    return module


def unlisted_people(count: int, start: int = UNLISTED_FROM) -> list[dict]:
    """`count` synthetic persons (id, name, birth date) of the shared generator that no list holds."""
    NAMES_CACHE.parent.mkdir(parents=True, exist_ok=True)
    generator = _generator_module().Generator(NAMES_CACHE)
    people: list[dict] = []
    i = start
    while len(people) < count:
        entity, _pair = generator.entity(i)
        i += 1
        if entity["schema"] != "Person":
            continue
        properties = entity["properties"]
        people.append({"id": f"u{i}", "name": properties["name"][0], "dob": (properties.get("birthDate") or [""])[0]})
    return people


def members_csv(path: Path, people: list[dict]) -> Path:
    import csv

    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, ["id", "name", "dob"])
        writer.writeheader()
        writer.writerows(people)
    return path


def run(count: int) -> dict:
    from sanctionscope.monitor import members, screening
    from sanctionscope.monitor.alerts import list_alerts
    from sanctionscope.service.batch import Columns, read_queries
    from sanctionscope.service.matchers import open_matcher
    from sanctionscope.store import db
    from sanctionscope.store.load import load_paths

    work = Path(tempfile.mkdtemp(prefix="sanctionscope-monitoring-"))
    engine = db.connect(str(work / "lists.db"))
    load_paths(engine, [LISTS / "2022-02-25"])
    matcher = open_matcher(engine)
    people = unlisted_people(count) + [{"id": "usmanov", "name": "Alisher Usmanov", "dob": ""},
                                       {"id": "peskov", "name": "Dmitry Peskov", "dob": ""}]  # fmt: skip
    items = read_queries(members_csv(work / "members.csv", people), Columns("name", "id", "dob"))
    started = time.perf_counter()
    saved = members.save_members(engine, "bench", items)
    imported = time.perf_counter() - started
    screening.screen_members(engine, matcher, saved.to_screen)  # the baseline: screened on 2022-02-25
    before = {a["member"] for a in list_alerts(engine)}
    load_paths(engine, [LISTS / "2022-03-04"])
    matcher = open_matcher(engine)  # resolve and index, as `load` does before monitoring
    started = time.perf_counter()
    delta = screening.screen_changes(engine, matcher)
    delta_seconds = time.perf_counter() - started
    assert delta is not None
    alerted = {(a["member"], a["subject"]) for a in list_alerts(engine, kind="new_match") if a["member"] not in before}
    started = time.perf_counter()
    full_hits = set()
    for member in members.read_members(engine, "bench"):
        full_hits.update((member.external_id, r.entry.id) for r in matcher.match(member.query, limit=screening.MEMBER_RESULTS)
                         if r.match)  # fmt: skip
    full_seconds = time.perf_counter() - started
    full_new = {(member, subject) for member, subject in full_hits if member not in before}
    return {"members": len(people), "changed_records": delta.changed_records, "import_s": round(imported, 2),
            "full_s": round(full_seconds, 2), "delta_s": round(delta_seconds, 3), "scored": delta.members_screened,
            "speedup": round(full_seconds / delta_seconds, 1), "alerts": len(alerted),
            "missed": sorted(full_new - alerted), "extra": sorted(alerted - full_new)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10,000 members")
    parser.add_argument("--members", type=int, default=None, help="portfolio size (default 100,000)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    row = run(args.members or (10_000 if args.quick else 100_000))
    if args.json:
        print(json.dumps(row))
        return
    print(f"{'members':>8} {'changed':>8} {'import s':>9} {'full s':>8} {'delta s':>8} {'scored':>7} {'speed-up':>9} "
          f"{'alerts':>7} {'missed':>7} {'extra':>6}")  # fmt: skip
    print(f"{row['members']:>8,} {row['changed_records']:>8} {row['import_s']:>9.1f} {row['full_s']:>8.1f} "
          f"{row['delta_s']:>8.2f} {row['scored']:>7} {row['speedup']:>8.0f}x {row['alerts']:>7} "
          f"{len(row['missed']):>7} {len(row['extra']):>6}")  # fmt: skip
    for member, subject in row["missed"] + row["extra"]:
        print(f"  differs: {member} ~ {subject}")
    print(f"floor: delta ≥ {FLOOR:.0f}x faster than full: {'met' if row['speedup'] >= FLOOR else 'MISSED'}")


if __name__ == "__main__":
    main()
