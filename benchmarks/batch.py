"""Batch screening throughput: one process, `--workers 2`, 3 shards and Spark local[2], on one file of queries.

    python benchmarks/batch.py                 # 100,000 queries
    python benchmarks/batch.py --quick         # 5,000 queries (CI)
    python benchmarks/batch.py --queries 20000 --json

The lists: OFAC's SDN CSV of 2022-02-25 (9,900 records), as benchmarks/monitoring.py loads it. The
queries (a CSV with id, name, dob, as a bank's export): half unlisted persons, the names of synthetic
persons the shared generator makes and no list holds (`monitoring.unlisted_people`); half listed
persons of that SDN file by one name with one perturbation (a typo, reordered parts, the
patronymic or a middle name dropped, another romanization: `scale.real_persons` and
`scale.listed_cases`). Seeded: the same file every run.

Rows (wall time of the screening, the index open; rows/s = queries / seconds):
  one process   `screen FILE --workers 1`: batch.screen in this process
  --workers 2   `screen FILE --workers 2`: two worker processes mapping the saved index
  3 shards      `screen FILE --shard I/3` one after another (as three jobs of a scheduler would run on
                three machines; here on one): the sum of their times
  spark         `screen FILE --engine spark --master local[2]`: the job (the index shipped with
                addFile, mapInPandas over the file's lines, JSON lines part files); the session's
                start (JVM) is reported apart
Every output is compared with the one process's, byte for byte ("same").
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from monitoring import LISTS, members_csv, unlisted_people
from scale import listed_cases, real_persons

SNAPSHOT = LISTS / "2022-02-25"
SEED = 17


def query_file(work: Path, count: int) -> Path:
    """The benchmark's CSV of queries: half listed (perturbed), half unlisted, shuffled."""
    from sanctionscope.sources.base import SourceFile
    from sanctionscope.sources.detect import format_by_name

    [snapshot] = format_by_name("ofac_csv").parse([SourceFile.read(SNAPSHOT / "sdn.csv")])
    rng = random.Random(SEED)
    persons = real_persons(snapshot.records)
    listed: list[dict] = []
    while len(listed) < count // 2:  # the SDN file has fewer persons than 50,000: sample it again
        cases = listed_cases(persons, count // 2 - len(listed), rng)
        listed += [{"id": f"l{len(listed) + i}", "name": c["query"], "dob": ""} for i, c in enumerate(cases)]
    people = listed + unlisted_people(count - len(listed))
    rng.shuffle(people)
    return members_csv(work / f"queries-{count}.csv", people)


def timed_local(index: Path, items, out: Path, **options) -> float:  # type: ignore[no-untyped-def]
    """Seconds to screen `items` into `out` with a freshly opened matcher (no cache warm from a run before)."""
    from sanctionscope.match.engine import Matcher
    from sanctionscope.service import batch

    started = time.perf_counter()
    matcher = Matcher.load_saved(index)
    assert matcher is not None
    with out.open("wb") as sink:
        batch.write_jsonl(batch.screen(matcher, items, index_file=matcher.path, **options), sink)
    return time.perf_counter() - started


def run(count: int, work: Path) -> list[dict]:
    from sanctionscope.service import batch
    from sanctionscope.service.matchers import open_matcher
    from sanctionscope.store import db
    from sanctionscope.store.load import load_paths

    engine = db.connect(str(work / "sdn.db"))
    load_paths(engine, [SNAPSHOT])
    matcher = open_matcher(engine)
    source = query_file(work, count)
    columns = batch.Columns("name", "id", "dob")
    items = batch.read_queries(source, columns)
    rows = []

    seconds = timed_local(matcher.path, items, work / "one.jsonl", workers=1)
    reference = (work / "one.jsonl").read_bytes()
    rows.append({"engine": "one process", "seconds": seconds, "same": True})

    seconds = timed_local(matcher.path, items, work / "two.jsonl", workers=2)
    rows.append({"engine": "--workers 2", "seconds": seconds, "same": (work / "two.jsonl").read_bytes() == reference})

    seconds, shards = 0.0, []
    for i in (1, 2, 3):
        start, end = batch.shard_bounds(len(items), i, 3)
        seconds += timed_local(matcher.path, items[start:end], work / f"shard{i}.jsonl", workers=1)
        shards.append((work / f"shard{i}.jsonl").read_bytes())
    rows.append({"engine": "3 shards (sum)", "seconds": seconds, "same": b"".join(shards) == reference})

    from pyspark.sql import SparkSession

    from sanctionscope import spark

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    started = time.perf_counter()
    session = SparkSession.builder.master("local[2]").appName("sanctionscope benchmark").getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    start_seconds = time.perf_counter() - started
    started = time.perf_counter()
    spark.screen_file(source, work / "spark.jsonl", index_file=matcher.path, columns=columns, session=session)
    seconds = time.perf_counter() - started
    produced = b"".join(p.read_bytes() for p in sorted((work / "spark.jsonl").glob("part-*")))
    rows.append({"engine": "spark local[2]", "seconds": seconds, "same": produced == reference,
                 "session_start_s": round(start_seconds, 1)})  # fmt: skip
    session.stop()
    for row in rows:
        row["queries"] = len(items)
        row["rows_per_s"] = round(len(items) / row["seconds"])
        row["seconds"] = round(row["seconds"], 1)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="5,000 queries")
    parser.add_argument("--queries", type=int, default=None, help="how many (default 100,000)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    count = args.queries or (5_000 if args.quick else 100_000)
    work = Path(tempfile.mkdtemp(prefix="sanctionscope-batch-"))
    rows = run(count, work)
    if args.json:
        print(json.dumps(rows))
    else:
        print(f"{'engine':<16} {'queries':>8} {'seconds':>8} {'rows/s':>7}  same")
        for row in rows:
            extra = f"  (+{row['session_start_s']} s session start)" if "session_start_s" in row else ""
            print(f"{row['engine']:<16} {row['queries']:>8,} {row['seconds']:>8.1f} {row['rows_per_s']:>7,}  "
                  f"{'yes' if row['same'] else 'NO'}{extra}")  # fmt: skip
    return 0 if all(row["same"] for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
