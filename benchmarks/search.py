"""/search and /reconcile as yente clients use them: the search table's build time and size, and latency per kind of request.

    python benchmarks/search.py --db PATH       # a loaded database (e.g. every official list)
    python benchmarks/search.py --quick         # yente's fixture files, loaded into a temporary database

In-process (FastAPI's test client, no network): the first /search gets the table (every subject
read once, its words and values kept as postings) from its file next to the index, or has a child
process build it (run twice to see both); its memory is how much this process's resident set grew
meanwhile (Linux). Then each kind of request runs REPEAT times and its median and slowest times
are printed.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient

from sanctionscope.api.app import create_app
from sanctionscope.api.search_file import search_path
from sanctionscope.store import db
from sanctionscope.store.load import load_paths

SHARED = Path(os.environ.get("SANCTIONSCOPE_SHARED", Path(__file__).resolve().parents[2] / "shared"))
FIXTURES = SHARED / "data" / "ftm" / "yente-fixtures"
REQUESTS = {
    "q: a name": ("GET", "/search/default", {"q": "Zakharova"}),
    "q: another script": ("GET", "/search/default", {"q": "Захарова"}),
    "q: two words, AND": ("GET", "/search/default", {"q": "zakharova izhevsk"}),
    "no q, 3 facets": ("GET", "/search/default", {"limit": 0}),
    "filter + filter_op AND": ("GET", "/search/default", {"filter": ["countries:ru", "topics:sanction"], "filter_op": "AND"}),
    "sort last_change:desc": ("GET", "/search/default", {"sort": "last_change:desc", "schema": "Person"}),
    "suggest/entity prefix": ("GET", "/reconcile/default/suggest/entity", {"prefix": "zakh"}),
    "reconcile 3 queries": ("POST", "/reconcile/default", {"queries": json.dumps({
        f"q{i}": {"query": name, "type": "Person"} for i, name in enumerate(["Svetlana Zakharova", "Maria Zakharova", "John Smith"])})}),
}  # fmt: skip


def resident_mb() -> float:
    """This process's resident set now (VmRSS), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("no /proc/self/status: this benchmark measures memory on Linux")


def timed(client: TestClient, method: str, path: str, params: dict) -> float:
    start = time.perf_counter()
    response = client.get(path, params=params) if method == "GET" else client.post(path, data=params)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"{path} {params}: {response.status_code} {response.text[:200]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="a loaded sanctionscope database (SQLite path or URL)")
    parser.add_argument("--quick", action="store_true", help="yente's fixtures in a temporary database")
    parser.add_argument("--repeat", type=int, default=None, help="runs per kind of request (default 20, quick 5)")
    args = parser.parse_args()
    repeat = args.repeat or (5 if args.quick else 20)
    if args.db:
        engine = db.connect(args.db)
    elif args.quick:
        engine = db.connect(str(Path(tempfile.mkdtemp()) / "yente.db"))
        report = load_paths(engine, [FIXTURES], given_date=date(2024, 6, 1))
        if report.failures:
            raise SystemExit(f"cannot load {FIXTURES}: {report.failures}")
    else:
        parser.error("give --db PATH or --quick")
    client = TestClient(create_app(engine, auth=False))
    client.app.state.service.matcher()  # the index is loaded first: it is not the table's to count
    service = client.app.state.service
    how = "read from its file" if search_path(service.engine).exists() else "built by a child process"
    gc.collect()
    before = resident_mb()
    start = time.perf_counter()
    table = service.search_table()
    took = time.perf_counter() - start
    gc.collect()
    print(f"search table: {len(table):,} entities, {how} in {took:.1f} s, resident set +{resident_mb() - before:.0f} MB")
    print(f"{'request':<26} {'median ms':>10} {'slowest ms':>11}")
    for label, (method, path, params) in REQUESTS.items():
        times = [timed(client, method, path, params) * 1000 for _ in range(repeat)]
        print(f"{label:<26} {statistics.median(times):>10.1f} {max(times):>11.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
