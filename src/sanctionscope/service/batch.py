"""Batch screening: many queries from a file, matched on all cores, written in input order.

Input is a table (CSV or XLSX, with a mapping from its columns to query fields) or JSON
lines of yente-style query entities. Every row with a usable name is screened: a value that
cannot be read (a birth date "1968-13-30", an unknown country) is left out with a warning in
that row's output, and the row is screened on what remains; a customer nobody checked because
of a typo in a date is what batch screening must never produce. Only a row without a usable
name gets an error instead of results, and the exit code says that some rows failed.

Files are read as they are screened (`iter_queries`), never whole: a CSV of millions of rows
costs the memory of one chunk. A file can be cut into shards (`shard_bounds`): shard I of N
takes the I-th of N contiguous runs of the file's queries, by their position in it, so the
shards' outputs, concatenated in shard order, are the single run's output.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from sanctionscope.match.engine import DEFAULT_THRESHOLD, Matcher
from sanctionscope.match.query import Query, QueryError, build_query, query_from_entity
from sanctionscope.sources.base import SourceError

#: queries per task sent to a worker process
CHUNK_SIZE = 256


@dataclass(frozen=True)
class Columns:
    """Which input column holds which query field; values may hold several entries separated by `;`."""

    name: str = "name"
    id: str | None = None
    birth_date: str | None = None
    country: str | None = None
    schema: str | None = None
    identifier: str | None = None


@dataclass
class BatchQuery:
    id: str
    query: Query | None
    error: str | None = None
    #: values of the row that could not be read and were left out of the query
    warnings: list[str] = field(default_factory=list)


@dataclass
class BatchResult:
    id: str
    results: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(";") if v.strip()]


def _table_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        yield from _xlsx_rows(path)
        return
    yield from _csv_rows(path, "\t" if path.suffix.lower() in (".tsv", ".tab") else ",")


def _csv_rows(path: Path, delimiter: str) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of a delimited file with their line numbers, read as they are asked for; as strict as
    `read_table` (UTF-8 with or without a byte-order mark, every row as long as the header, a repeated
    header skipped), each error naming its line."""
    label = str(path)
    with path.open("rb") as raw:
        lines = _CountingLines(raw)
        # typeshed wants a buffered stream; TextIOWrapper reads a raw one (readinto) as well
        text = io.TextIOWrapper(lines, encoding="utf-8-sig", newline="")  # type: ignore[type-var]
        reader = csv.reader(text, delimiter=delimiter, strict=True)
        try:
            try:
                header = [column.strip() for column in next(reader)]
            except StopIteration:
                raise SourceError(label, "the file is empty") from None
            for fields in reader:
                if not any(field.strip() for field in fields):
                    continue
                if [field.strip() for field in fields] == header:
                    continue
                if len(fields) != len(header):
                    raise SourceError(
                        label,
                        f"row has {len(fields)} fields, the header has {len(header)}: the file is truncated or damaged",
                        line=reader.line_num,
                    )
                yield reader.line_num, dict(zip(header, fields, strict=True))
        except csv.Error as error:
            raise SourceError(
                label, f"malformed row ({error}): the file is truncated or damaged", line=reader.line_num
            ) from None
        except UnicodeDecodeError as error:
            bad = error.object[error.start] if isinstance(error.object, bytes) else 0
            raise SourceError(
                label, f"not valid UTF-8 (byte {bad:#04x}); wrong encoding or a damaged file", line=lines.line_of(error)
            ) from None


class _CountingLines(io.RawIOBase):
    """A binary file that knows how many lines were read from it (for the line of a decoding error)."""

    def __init__(self, raw: io.BufferedIOBase) -> None:
        self.raw = raw
        self.newlines_before = 0  # in the blocks read before the last one
        self.last = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        self.newlines_before += self.last.count(b"\n")
        self.last = data
        buffer[: len(data)] = data
        return len(data)

    def line_of(self, error: UnicodeDecodeError) -> int:
        """The line of the undecodable byte: it is in the last block read (the decoder reads one at a time)."""
        if isinstance(error.object, bytes) and (at := self.last.find(error.object[error.start :])) >= 0:
            return self.newlines_before + self.last.count(b"\n", 0, at) + 1
        return self.newlines_before + 1


def _xlsx_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 (openpyxl raises many kinds for a damaged file)
        raise SourceError(str(path), f"not a readable XLSX workbook ({error})") from None
    rows = workbook.active.iter_rows(values_only=True)
    header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
    for line, values in enumerate(rows, start=2):
        cells = ["" if v is None else (v.date().isoformat() if hasattr(v, "date") else str(v)) for v in values]
        if any(cells):
            yield line, dict(zip(header, cells, strict=False))


def read_table_queries(path: Path, columns: Columns) -> Iterator[BatchQuery]:
    """Queries from a CSV/TSV/XLSX file; the id is the `columns.id` cell, else the line number."""
    rows = _table_rows(path)
    first = next(rows, None)
    if first is None:
        return
    missing = [c for c in (columns.name, columns.id, columns.birth_date, columns.country, columns.schema,
                           columns.identifier) if c and c not in first[1]]  # fmt: skip
    if missing:
        raise SourceError(
            str(path), f"no column named {', '.join(map(repr, missing))} (columns: {', '.join(first[1])})"
        )
    for line, row in [first, *rows]:
        query_id = (row.get(columns.id) or "").strip() if columns.id else ""
        query_id = query_id or str(line)
        yield _batch_query(
            query_id,
            line,
            build_query,
            _split(row.get(columns.name)),
            schema=row.get(columns.schema) if columns.schema else None,
            birth_dates=_split(row.get(columns.birth_date)) if columns.birth_date else (),
            countries=_split(row.get(columns.country)) if columns.country else (),
            identifiers=_split(row.get(columns.identifier)) if columns.identifier else (),
        )


def _batch_query(query_id: str, line: int, build: Callable[..., Query], *args: Any, **kwargs: Any) -> BatchQuery:
    """The row's query (`build(*args, **kwargs)`, leniently) with its warnings, each naming the line; or its
    error when it has no usable name."""
    warnings: list[str] = []
    try:
        query = build(*args, warnings=warnings, **kwargs)
    except QueryError as error:
        return BatchQuery(query_id, None, f"line {line}: {error}", [f"line {line}: {w}" for w in warnings])
    return BatchQuery(query_id, query, warnings=[f"line {line}: {w}" for w in warnings])


def json_line_objects(path: Path, label: str | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) of each non-blank line; SourceError naming the file (`label`) and the line
    for a line that is not a JSON object."""
    with path.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                entity = orjson.loads(line)
            except orjson.JSONDecodeError as error:
                raise SourceError(label or str(path), f"not JSON ({error})", line=number) from None
            if not isinstance(entity, dict):
                raise SourceError(label or str(path), "each line must be a JSON object", line=number)
            yield number, entity


def read_entity_queries(path: Path) -> Iterator[BatchQuery]:
    """Queries from JSON lines of {"id", "schema", "properties"}; the id defaults to the line number."""
    for number, entity in json_line_objects(path):
        yield _batch_query(str(entity.get("id") or number), number, query_from_entity, entity)


def is_json_lines(path: Path) -> bool:
    return path.suffix.lower() in (".jsonl", ".ndjson", ".json")


def iter_queries(path: Path, columns: Columns) -> Iterator[BatchQuery]:
    """The file's queries in order, read as they are asked for (a read error is raised when reached)."""
    return read_entity_queries(path) if is_json_lines(path) else read_table_queries(path, columns)


def read_queries(path: Path, columns: Columns) -> list[BatchQuery]:
    return list(iter_queries(path, columns))


def parse_shard(text: str) -> tuple[int, int]:
    """`I/N` (1 ≤ I ≤ N) as (I, N); ValueError otherwise."""
    index, slash, count = text.partition("/")
    if not (slash and index.strip().isdigit() and count.strip().isdigit()):
        raise ValueError(f"a shard is I/N, e.g. 2/8 (got {text!r})")
    i, n = int(index), int(count)
    if not 1 <= i <= n:
        raise ValueError(f"shard {i}/{n}: I must be between 1 and N")
    return i, n


def shard_bounds(total: int, index: int, count: int) -> tuple[int, int]:
    """The queries [start, end) of shard `index` of `count` (1-based) among `total`: the index-th of `count`
    contiguous runs, as equal as can be. The shards partition the queries by position, so the shards'
    outputs, concatenated in shard order, are the single run's output exactly."""
    return total * (index - 1) // count, total * index // count


# Each worker process loads the saved index once (milliseconds) and keeps it.
_worker_matcher: Matcher | None = None


def _init_worker(index_file: str) -> None:
    global _worker_matcher
    _worker_matcher = Matcher.load_saved(Path(index_file))


def _screen_chunk(
    chunk: list[BatchQuery], limit: int, threshold: float, matcher: Matcher | None = None
) -> list[BatchResult]:
    matcher = matcher or _worker_matcher
    assert matcher is not None
    out = []
    for item in chunk:
        if item.query is None:
            out.append(BatchResult(item.id, error=item.error, warnings=item.warnings))
            continue
        results = matcher.match(item.query, limit=limit, threshold=threshold)
        out.append(BatchResult(item.id, [r.to_dict(explain=False) for r in results], warnings=item.warnings))
    return out


def screen(
    matcher: Matcher,
    queries: Sequence[BatchQuery],
    *,
    limit: int = 3,
    threshold: float = DEFAULT_THRESHOLD,
    workers: int | None = None,
    index_file: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[BatchResult]:
    """Results for each query in input order; with `index_file` and several workers, on all cores."""
    chunks = [list(queries[i : i + CHUNK_SIZE]) for i in range(0, len(queries), CHUNK_SIZE)]
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(chunks) <= 1 or index_file is None:
        for chunk in chunks:
            yield from _screen_chunk(chunk, limit, threshold, matcher)
            if progress:
                progress(len(chunk))
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(str(index_file),)) as pool:
        for chunk, results in zip(chunks, pool.map(_screen_chunk, chunks, [limit] * len(chunks),
                                                   [threshold] * len(chunks)), strict=True):  # fmt: skip
            yield from results
            if progress:
                progress(len(chunk))


def write_jsonl(results: Iterable[BatchResult], out: io.BufferedWriter | Any) -> int:
    """One line per query: {"id", "results": [...]} (plus "error" for a query that could not be read,
    "warnings" for values left out of it)."""
    count = 0
    for result in results:
        line: dict[str, Any] = {"id": result.id, "results": result.results}
        if result.error:
            line["error"] = result.error
        if result.warnings:
            line["warnings"] = result.warnings
        out.write(orjson.dumps(line) + b"\n")
        count += 1
    return count


CSV_COLUMNS = ["query_id", "rank", "match", "score", "result_id", "caption", "schema", "referents", "error", "warnings"]


def write_csv(results: Iterable[BatchResult], out: io.TextIOBase | Any) -> int:
    """One row per query and result (best first); a query without results has one row with empty result cells.

    The warnings of a query (values left out of it) are on each of its rows.
    """
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for result in results:
        count += 1
        warnings = "; ".join(result.warnings)
        if not result.results:
            writer.writerow([result.id, "", "", "", "", "", "", "", result.error or "", warnings])
        for rank, r in enumerate(result.results, start=1):
            writer.writerow([result.id, rank, str(r["match"]).lower(), r["score"], r["id"], r["caption"],
                             r["schema"], " ".join(r["referents"]), "", warnings])  # fmt: skip
    return count
