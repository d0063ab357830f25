"""Load time and peak memory per source folder, and for all of them into one database.

    python benchmarks/load.py            # every folder the foundation issue names
    python benchmarks/load.py --quick    # one snapshot per source (CI)

Each measurement runs in a fresh process (so peak memory is that load's own) on a fresh
SQLite database in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time

from lists import FOLDERS, LISTS

#: one snapshot per source
QUICK = [
    "us/ofac-sdn-csv/2024-05-03",
    "us/ofac-consolidated-xml/2026-01-08",
    "un/un-sc-consolidated-xml/2026-02-27",
    "eu/opensanctions-journal-consolidated-csv",
    "ca/sema-consolidated-xml",
    "au/dfat-consolidated-xlsx",
]


def measure_one(paths: list[str], db_path: str) -> dict:
    """Runs in the child: load `paths` and report time, peak memory and counts."""
    from sanctionscope.store import db
    from sanctionscope.store.load import load_paths

    engine = db.connect(db_path)
    started = time.perf_counter()
    report = load_paths(engine, [LISTS / p for p in paths])
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "snapshots": len(report.results),
        "records": sum(r.records for r in report.results),
        "failures": report.failures,
    }


def run_child(paths: list[str], db_path: str) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--child", db_path, *paths], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one snapshot per source")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure_one(args.child[1:], args.child[0])))
        return
    folders = QUICK if args.quick else FOLDERS
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, folder in enumerate(folders):
            rows.append((folder, run_child([folder], f"{tmp}/one-{i}.db")))
        rows.append(("ALL (one database)", run_child(folders, f"{tmp}/all.db")))
    print(f"{'folder':45} {'snapshots':>9} {'records':>9} {'seconds':>8} {'peak MB':>8}")
    for folder, r in rows:
        print(f"{folder:45} {r['snapshots']:9d} {r['records']:9d} {r['seconds']:8.2f} {r['peak_mb']:8.0f}")
        for failure in r["failures"]:
            print(f"    failure: {failure}")


if __name__ == "__main__":
    main()
