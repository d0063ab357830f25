"""The HTTP API under load: /match requests per second and latency at 1, 8 and 32 concurrent clients.

    python benchmarks/api.py                    # the cached benchmark database of benchmarks/matching.py
    python benchmarks/api.py --quick            # a small database, a short run (CI)
    python benchmarks/api.py --db URL --workers 2   # e.g. PostgreSQL with two server processes

A real server (`sanctionscope serve`, keys required) runs in its own process; this process drives
it over loopback with keep-alive clients in threads, each sending one-query /match requests (30 %
listed names, 70 % not) for a fixed time. Every request is also written to the audit trail, as in
production.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

CACHE = Path(os.environ.get("SANCTIONSCOPE_BENCH_CACHE", Path.home() / ".cache" / "sanctionscope-bench"))
LISTED = ["Alexander Bastrykin", "Бастрыкин Александр Иванович", "Alisher Usmanov", "Roman Abramovich",
          "Mikhail Murashko", "Maria Zakharova", "Vladimir Putin", "Nikolai Patrushev", "Sergei Lavrov", "Osama bin Laden"]  # fmt: skip
UNLISTED = ["Emily Johnson", "Hans Peter Müller", "Olga Smirnova", "Wang Fang", "Maria Garcia", "Pierre Dubois",
            "Ivan Petrovich Sidorenko", "Fatima Hassan", "Giulia Rossi", "John Smith", "Anna Kowalska", "Mehmet Yilmaz"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db: str, workers: int) -> tuple[subprocess.Popen, str, str]:
    key = subprocess.run(
        [sys.executable, "-m", "sanctionscope.cli", "--db", db, "keys", "create", f"bench-{time.time_ns()}", "--json"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "sanctionscope.cli", "--db", db, "serve", "--port", str(port), "--workers", str(workers)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(1200):  # the first start may resolve subjects and build the index
        try:
            if httpx.get(url + "/readyz", timeout=60).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.25)
    else:
        server.kill()
        raise SystemExit("the server did not become ready")
    return server, url, json.loads(key)["key"]


def drive(url: str, key: str, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(seed: int) -> None:
        nonlocal errors
        rng = random.Random(seed)
        mine: list[float] = []
        with httpx.Client(base_url=url, headers={"Authorization": f"ApiKey {key}"}, timeout=30) as http:
            while time.perf_counter() < stop:
                name = rng.choice(LISTED) if rng.random() < 0.3 else rng.choice(UNLISTED)
                body = {"queries": {"q": {"schema": "Person", "properties": {"name": [name]}}}}
                started = time.perf_counter()
                response = http.post("/match/default", json=body)
                mine.append(time.perf_counter() - started)
                if response.status_code != 200:
                    with lock:
                        errors += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {"clients": clients, "requests": len(latencies), "rps": len(latencies) / elapsed, "errors": errors,
            "p50_ms": statistics.median(latencies) * 1000, "p99_ms": latencies[int(0.99 * (len(latencies) - 1))] * 1000}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="database URL or path (default: the cached benchmark database)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    db = args.db or str(CACHE / ("quick.db" if args.quick else "full.db"))
    if not args.db and not Path(db).exists():
        raise SystemExit(f"{db} does not exist: run benchmarks/matching.py{' --quick' if args.quick else ''} first")
    seconds = args.seconds or (2.0 if args.quick else 10.0)
    server, url, key = start_server(db, args.workers)
    try:
        drive(url, key, 4, 1.0)  # warm up
        rows = [drive(url, key, clients, seconds) for clients in (1, 8, 32)]
    finally:
        server.terminate()
        server.wait(timeout=30)
    if args.json:
        print(json.dumps({"workers": args.workers, "rows": rows}, indent=2))
        return 0
    print(f"/match over HTTP, {args.workers} server process(es), {seconds:.0f} s per row, keys and audit on")
    print(f"{'clients':>8} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for row in rows:
        print(
            f"{row['clients']:>8} {row['requests']:>9} {row['rps']:>8.0f} {row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f} {row['errors']:>7}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
