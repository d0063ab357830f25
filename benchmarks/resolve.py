"""Resolving records into subjects: how many, how big, joined by what, how fast, how precise.

    python benchmarks/resolve.py            # every foundation folder, in a fresh SQLite database
    python benchmarks/resolve.py --quick    # UN + Australia + Canada only (CI)
    python benchmarks/resolve.py --db PATH  # an existing database

Precision is checked where it can be without a human: for every two records of one subject
from different lists that both state a full birth date, do the dates agree? Pairs joined with
the same year but a different day, or different years, count as wrong.
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from lists import FOLDERS, LISTS, QUICK_FOLDERS


def birth_day_pairs(book) -> dict[str, Counter]:  # type: ignore[no-untyped-def]
    """Per evidence kind of the later-joined record: cross-list pairs with full birth dates, agreeing or not."""
    from sanctionscope.resolve.evidence import listing_scope

    result: dict[str, Counter] = {}
    for subject in book.all():
        records = subject.records
        if len(records) < 2:
            continue
        for a, b in itertools.combinations(records, 2):
            if listing_scope(a.id) == listing_scope(b.id):
                continue
            days_a = {d.value for d in a.birth_dates if d.value and len(d.value) == 10}
            days_b = {d.value for d in b.birth_dates if d.value and len(d.value) == 10}
            if not days_a or not days_b:
                continue
            kind = book_evidence(book, b.id)
            result.setdefault(kind, Counter())["agree" if days_a & days_b else "differ"] += 1
    return result


def book_evidence(book, referent: str) -> str:  # type: ignore[no-untyped-def]
    return book.evidence.get(referent, "self")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--db", help="an existing database (its lists are not reloaded)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import sqlalchemy as sa

    from sanctionscope.resolve.build import resolve
    from sanctionscope.resolve.subjects import SubjectBook
    from sanctionscope.store import db
    from sanctionscope.store import schema as t
    from sanctionscope.store.load import load_paths

    path = args.db or str(Path(tempfile.mkdtemp(prefix="ss-resolve-")) / "resolve.db")
    engine = db.connect(path)
    if not args.db:
        print(f"loading {'quick set' if args.quick else 'foundation folders'} into {path} …", file=sys.stderr)
        load_paths(engine, [LISTS / folder for folder in (QUICK_FOLDERS if args.quick else FOLDERS)])
    started = time.perf_counter()
    report = resolve(engine)
    seconds = time.perf_counter() - started
    book = SubjectBook(engine)
    with engine.connect() as conn:
        book.evidence = dict(conn.execute(sa.select(t.subject_members.c.referent, t.subject_members.c.evidence)).all())
    sizes = Counter(len(s.histories) for s in book.all())
    precision = birth_day_pairs(book)
    data = {
        "records": report.records,
        "subjects": report.subjects,
        "records_per_subject": {str(k): v for k, v in sorted(sizes.items())},
        "links_found": report.links,
        "joined": report.joined,
        "refused": report.refused,
        "seconds": round(seconds, 1),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "birth_day_pairs": {k: dict(v) for k, v in precision.items()},
    }
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    print(f"records {report.records}  →  subjects {report.subjects}   ({seconds:.1f} s, peak {data['peak_mb']} MB)")
    print("records per subject: " + ", ".join(f"{k}: {v}" for k, v in sorted(sizes.items())))
    print(f"{'evidence':18} {'links':>7} {'joined':>7} {'pairs w/ birth days':>20} {'agree':>7} {'precision':>9}")
    for kind in ("same_designation", "cross_reference", "identifier", "name_birth_date", "name", "decision"):
        pairs = precision.get(kind, Counter())
        total = pairs["agree"] + pairs["differ"]
        share = f"{pairs['agree'] / total:.4f}" if total else "—"
        print(
            f"{kind:18} {report.links.get(kind, 0):>7} {report.joined.get(kind, 0):>7} {total:>20} {pairs['agree']:>7} {share:>9}"
        )
    for reason, count in report.refused.items():
        print(f"refused: {count} joins ({reason})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
