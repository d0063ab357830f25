"""Several server processes on one PostgreSQL database: `sanctionscope serve --workers 2`, for real."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from support import fresh_postgres

from sanctionscope.api.keys import create_key
from sanctionscope.store import schema as t
from sanctionscope.store.load import load_paths

pytestmark = pytest.mark.postgres


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_two_workers_share_one_postgres_database(postgres_url: str, lists_dir: Path, tmp_path: Path) -> None:
    engine = fresh_postgres(postgres_url)
    load_paths(engine, [lists_dir / "un/un-sc-consolidated-xml/2025-11-20", lists_dir / "au/dfat-consolidated-xlsx"])
    key = create_key(engine, f"pg-{time.time_ns()}", ["read", "screen", "admin"])
    port = _free_port()
    env = {"SANCTIONSCOPE_HOME": str(tmp_path), "PATH": os.defpath}
    server = subprocess.Popen(
        [sys.executable, "-m", "sanctionscope.cli", "--db", postgres_url, "serve", "--port", str(port), "--workers", "2"],
        env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"ApiKey {key}"}
    try:
        processes: set[int] = set()
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and len(processes) < 2:
            try:
                ready = httpx.get(url + "/readyz", timeout=30)  # a new connection each time
                if ready.status_code == 200:
                    processes.add(ready.json()["process"])
            except httpx.HTTPError:
                time.sleep(0.5)
        assert len(processes) == 2, f"expected two server processes, saw {processes}"
        # Both map the one index file `serve` prepared before starting them: its pages are shared, and
        # neither built its own (a rebuild replaces the file: another inode).
        index_files = [_mapped_index_files(pid) for pid in processes]
        assert index_files[0] == index_files[1] and len(index_files[0]) == 1, index_files
        (path, inode), = index_files[0]
        assert Path(path).is_relative_to(tmp_path) and Path(path).stat().st_ino == inode
        before = _audit_count(engine)
        for _ in range(20):
            query = {"schema": "Person", "properties": {"name": ["Aleksandr Bastrykin"], "birthDate": ["1953-08-27"]}}
            response = httpx.post(url + "/match/default", json={"queries": {"q": query}}, headers=headers, timeout=30)
            assert response.status_code == 200
            best = response.json()["responses"]["q"]["results"][0]
            assert best["match"] and "au_dfat:6854" in best["referents"]
        assert _audit_count(engine) == before + 20  # every worker writes to the one audit trail
    finally:
        server.terminate()
        server.wait(timeout=30)


def _mapped_index_files(pid: int) -> set[tuple[str, int]]:
    """(path, inode) of the index files a process has memory-mapped (from /proc/PID/maps)."""
    found = set()
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        fields = line.split(maxsplit=5)
        if len(fields) == 6 and fields[5].endswith(".index"):
            found.add((fields[5], int(fields[4])))
    return found


def _audit_count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(t.audit_log)).scalar_one()
