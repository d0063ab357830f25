"""The built index on disk, next to the database, and whether it is still current.

The index is a cache: it is rebuilt whenever the set of current snapshots changes (a load,
an update), and written atomically, so a reader sees the old index or the new one, never
half of one. The version also names the format and the analyses (`format_version`), so an
upgrade of sanctionscope never reads an index another format or analysis wrote. Where the file
lives and which data it is current for is the service's (`service.matchers`).
"""

from __future__ import annotations

import mmap
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from sanctionscope.index.analysis import analysis_code

#: the version of what an index file holds: bump it when index/ changes the candidate index, the
#: entries' encoding or the mentions it saves (what `Matcher.save` writes), so that every saved
#: index is built again; the analyses it is built from have their own `ANALYSIS_VERSION`.
INDEX_FORMAT_VERSION = 3


def format_version() -> str:
    """What a saved index's version starts from: its format and the analyses it was built from."""
    return f"index-{INDEX_FORMAT_VERSION}:{analysis_code()}"


#: the first bytes of an index file; the number changes with the layout
MAGIC = b"SSINDEX2"
_ALIGN = 64


@dataclass
class IndexFile:
    """An index file opened memory-mapped: arrays and byte blobs that read from the page cache.

    The pages are the operating system's: every process that opens the same file shares them,
    and only what queries touch is ever read from disk.
    """

    version: str
    meta: dict[str, Any]
    arrays: dict[str, np.ndarray]
    blobs: dict[str, memoryview]


def save(path: Path, version: str, arrays: dict[str, np.ndarray], blobs: dict[str, bytes],
         meta: dict[str, Any] | None = None) -> None:  # fmt: skip
    """Write an index file atomically: readers see the old file or the new one, never half of one.

    A reader that has the old file mapped keeps reading it (the file lives on until it is unmapped).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    layout: dict[str, Any] = {"version": version, "meta": meta or {}, "arrays": {}, "blobs": {}}
    offset = 0
    pieces: list[tuple[int, bytes | np.ndarray]] = []
    for name, array in arrays.items():
        array = np.ascontiguousarray(array)
        offset = -(-offset // _ALIGN) * _ALIGN
        layout["arrays"][name] = [offset, array.dtype.str, len(array)]
        pieces.append((offset, array))
        offset += array.nbytes
    for name, data in blobs.items():
        layout["blobs"][name] = [offset, len(data)]
        pieces.append((offset, data))
        offset += len(data)
    header = orjson.dumps(layout)
    start = -(-(len(MAGIC) + 8 + len(header)) // _ALIGN) * _ALIGN
    partial = path.with_name(f"{path.name}.partial-{os.getpid()}")
    try:
        with partial.open("wb") as out:
            out.write(MAGIC + struct.pack("<Q", len(header)) + header)
            for position, piece in pieces:
                out.seek(start + position)
                out.write(piece.tobytes() if isinstance(piece, np.ndarray) else piece)
            out.truncate(start + offset)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def open_index(path: Path) -> IndexFile | None:
    """The index file at `path`, memory-mapped; None if there is none or it is not one (it is then rebuilt)."""
    try:
        return _map(path)
    except (OSError, ValueError, KeyError, TypeError, struct.error, orjson.JSONDecodeError):
        return None


def _map(path: Path) -> IndexFile | None:
    with path.open("rb") as f:
        if f.read(len(MAGIC)) != MAGIC:
            return None
        (length,) = struct.unpack("<Q", f.read(8))
        layout = orjson.loads(f.read(length))
        start = -(-(len(MAGIC) + 8 + length) // _ALIGN) * _ALIGN
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    ends = [start + o + np.dtype(d).itemsize * n for o, d, n in layout["arrays"].values()]
    ends += [start + o + n for o, n in layout["blobs"].values()]
    if max(ends, default=start) > len(mapped):
        mapped.close()
        return None  # cut short: a partial copy, not a file `save` wrote
    view = memoryview(mapped)
    arrays = {
        name: np.frombuffer(mapped, dtype=np.dtype(dtype), count=count, offset=start + offset)
        for name, (offset, dtype, count) in layout["arrays"].items()
    }
    blobs = {name: view[start + offset : start + offset + size] for name, (offset, size) in layout["blobs"].items()}
    return IndexFile(layout["version"], layout["meta"], arrays, blobs)
