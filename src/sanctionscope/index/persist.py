"""The built index on disk, next to the database, and whether it is still current.

The index is a cache: it is rebuilt whenever the set of current snapshots changes (a load,
an update), and written atomically, so a reader sees the old index or the new one, never
half of one. The version also covers the code that analyses names, so an upgrade of
sanctionscope never reads an index built by another version of that code.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from sanctionscope.store import db, queries

#: the modules whose output the saved index holds
_ANALYSIS_CODE = ("names", "index")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha1()
    for folder in _ANALYSIS_CODE:
        for path in sorted((package / folder).glob("*")):
            if path.suffix in (".py", ".txt"):
                digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def data_version(engine: sa.Engine, as_of: date | None = None, subjects: str = "") -> str:
    """Names the data an index was built from: the current snapshots (as of a day), the subjects'
    version, and the code that analyses names."""
    ids = sorted(s.id for s in queries.current_snapshots(engine, as_of=as_of))
    digest = hashlib.sha1(f"{code_fingerprint()}:{as_of}:{ids}:{subjects}".encode()).hexdigest()
    return digest[:16]


def index_path(engine: sa.Engine) -> Path:
    """`<database file>.index` for SQLite; a file in the data folder named after the URL otherwise."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database + ".index")
    name = hashlib.sha1(url.render_as_string(hide_password=True).encode()).hexdigest()[:12]
    return db.data_dir() / f"index-{name}.pickle"


def save(path: Path, state: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.partial-{os.getpid()}")
    with partial.open("wb") as out:
        pickle.dump(state, out, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(path)


def load(path: Path) -> Any | None:
    """The saved state, or None if there is none or it cannot be read (it is then rebuilt)."""
    try:
        with path.open("rb") as f:
            return pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return None
