"""Sanctions gaps, overlap, timeline and discrepancies: how long each takes, and what it finds.

    python benchmarks/gaps.py            # every foundation folder, in a fresh SQLite database (loaded, resolved)
    python benchmarks/gaps.py --quick    # UN + Australia + Canada only (CI)
    python benchmarks/gaps.py --db PATH  # an existing resolved database, e.g. scale.py's with synthetic FtM entities

Each row is one step in this process, wall-clock seconds (median of --repeat runs) and the peak
memory of the process so far. The listing table is read once (the CLI reads it per command; the
server once per data version); the reports after it are computed from it.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from lists import FOLDERS, LISTS, QUICK_FOLDERS


def timed(repeat: int, step: Callable[[], Any]) -> tuple[float, Any]:
    """The median wall-clock seconds of `repeat` runs of `step`, and its last result."""
    seconds, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = step()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--db", help="an existing resolved database (nothing is loaded or resolved)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import sqlalchemy as sa

    from sanctionscope.resolve.build import resolve
    from sanctionscope.store import db
    from sanctionscope.store import schema as t
    from sanctionscope.store.load import load_paths
    from sanctionscope.track import gaps as g

    path = args.db or str(Path(tempfile.mkdtemp(prefix="ss-gaps-")) / "gaps.db")
    engine = db.connect(path)
    if not args.db:
        print(f"loading {'quick set' if args.quick else 'foundation folders'} into {path} …", file=sys.stderr)
        load_paths(engine, [LISTS / folder for folder in (QUICK_FOLDERS if args.quick else FOLDERS)])
        resolve(engine)
    with engine.connect() as conn:
        records = conn.execute(sa.select(sa.func.count()).select_from(t.record_versions)).scalar_one()
        subjects = conn.execute(sa.select(sa.func.count()).select_from(t.subjects)).scalar_one()
    print(f"database: {records:,} record versions, {subjects:,} subjects (all sources, FtM included)")
    seconds, table = timed(args.repeat, lambda: g.listing_table(engine))
    rows: list[tuple[str, float, str]] = [("listing table (SQL)", seconds, f"{len(table.subjects):,} subjects on a government's list")]
    has, *others = table.jurisdictions
    lacks = others[:1]
    for label, filters in (("standing, as the lists stand", g.Filters()),
                           ("standing, as of 2022-03-01", g.Filters(as_of=date(2022, 3, 1)))):  # fmt: skip
        seconds, state = timed(args.repeat, lambda f=filters: g.standing(table, f))
        rows.append((label, seconds, f"{len(state.designations):,} designated"))
        seconds, report = timed(args.repeat, lambda s=state: g.gaps(s, [has], lacks))
        rows.append((f"  gaps --has {has} --lacks {','.join(lacks)}", seconds, f"{len(report.gaps):,} subjects"))
        seconds, overlap = timed(args.repeat, lambda s=state: g.overlap(s))
        rows.append(("  overlap (every jurisdiction)", seconds, f"{len(overlap.counts)} combinations"))
    seconds, timeline = timed(args.repeat, lambda: g.timeline(table, g.Filters(), by="month"))
    rows.append(("timeline --by month", seconds, f"{len(timeline.periods):,} periods × jurisdictions"))
    seconds, found = timed(1, lambda: g.discrepancies(engine, table, g.Filters()))
    rows.append(("discrepancies (all fields; once)", seconds, f"{len(found.found):,} discrepancies"))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'step':40} {'seconds':>8}  result")
    for label, seconds, result in rows:
        print(f"{label:40} {seconds:8.2f}  {result}")
    print(f"peak memory of the process: {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
