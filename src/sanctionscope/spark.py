"""Batch screening on Apache Spark: the customers are large and partitioned, the lists small and read-only.

    from pyspark.sql import SparkSession
    from sanctionscope import spark as sanctions

    session = SparkSession.builder.master("spark://head:7077").getOrCreate()
    customers = session.read.parquet("s3a://bank/customers/")          # columns id, full_name, dob
    best = sanctions.screen(customers, "/data/lists.db.index",
                            columns=Columns(name="full_name", id="id", birth_date="dob"))
    best.where("size(results) > 0").write.parquet("s3a://bank/screened/")

The saved name index (the file `sanctionscope match` or `screen` writes next to the database,
memory-mapped by each reader) is shipped to every executor once with `SparkContext.addFile`;
each Python worker maps it once and keeps it. The customers are screened where they lie, with
`mapInPandas`: no shuffle, and the results come out in the order of the rows.

`screen` returns one row per query: `row` (its line or row number: the default id, the number
its warnings name), `id`, `results` (the best results, best first: id, caption, schema, score,
match, referents), `error` (a row without a usable name) and `warnings` (values left out of the
query). `screen_file` is `sanctionscope screen --engine spark`: CSV/TSV and JSON lines are read
line by line (each row one line, as customer exports are: the line numbers, default ids and
warnings are then those of a local `screen`), Parquet by Spark; the output is a folder of part
files, which concatenated in name order (`cat OUT/part-*`) are the local `screen`'s output for
JSON lines and CSV; Parquet output keeps the nested results.

Executors need sanctionscope installed (the same version as the driver: the index layout and the
scores depend on it), e.g. in the image of the cluster's nodes or with `spark-submit --archives`
of a virtual environment.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from sanctionscope.match.engine import DEFAULT_THRESHOLD, Matcher
from sanctionscope.match.query import build_query, query_from_entity
from sanctionscope.service import batch
from sanctionscope.service.batch import BatchQuery, BatchResult, Columns

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

#: the DataFrame `screen` returns
RESULT_SCHEMA = (
    "row long, id string, "
    "results array<struct<id: string, caption: string, schema: string, score: double, match: boolean, "
    "referents: array<string>>>, error string, warnings array<string>"
)
#: queries screened per call of the matcher loop (as the local batch does)
CHUNK_SIZE = batch.CHUNK_SIZE


@dataclass(frozen=True)
class _Job:
    """What each executor needs to screen its rows: sent with the task, small."""

    index_name: str  # the file's name among the SparkContext's files
    version: str  # the index's data version: executors refuse a different file
    mode: str  # "table" (columns of the DataFrame), "json" (an entity per row), "csv" (a delimited line per row)
    columns: Columns
    value_column: str | None  # mode json / csv: the column with the text
    header: tuple[str, ...] = ()  # mode csv
    delimiter: str = ","
    limit: int = 3
    threshold: float = DEFAULT_THRESHOLD


@dataclass
class Counts:
    """What `screen_file` wrote."""

    rows: int
    failed: int
    partitions: int


# One matcher per Python worker process, kept across its tasks (spark.python.worker.reuse).
_matchers: dict[str, Matcher] = {}


def _matcher(job: _Job) -> Matcher:
    found = _matchers.get(job.index_name)
    if found is None or found.version != job.version:
        from pyspark import SparkFiles

        found = Matcher.load_saved(Path(SparkFiles.get(job.index_name)))
        if found is None or found.version != job.version:
            raise RuntimeError(f"the shipped index {job.index_name} is not of data version {job.version}")
        _matchers[job.index_name] = found
    return found


def _cell(value: Any) -> str:
    """A DataFrame value as `screen` reads a table cell."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):  # pandas' missing value
        return ""
    if isinstance(value, datetime | date):
        return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()
    return str(value)


def _table_query(job: _Job, number: int, row: dict[str, str]) -> BatchQuery | None:
    """The query of one table row, as `screen` reads it (None for a row of empty cells)."""
    if not any(v.strip() for v in row.values()):
        return None
    c = job.columns
    query_id = (row.get(c.id) or "").strip() if c.id else ""
    return batch._batch_query(
        query_id or str(number), number, build_query, batch._split(row.get(c.name)),
        schema=row.get(c.schema) if c.schema else None,
        birth_dates=batch._split(row.get(c.birth_date)) if c.birth_date else (),
        countries=batch._split(row.get(c.country)) if c.country else (),
        identifiers=batch._split(row.get(c.identifier)) if c.identifier else (),
    )  # fmt: skip


def _line_query(job: _Job, number: int, text: str) -> BatchQuery | None:
    """The query of one line of JSON lines or CSV; a line that cannot be read gets an error row (a local
    `screen` refuses the whole file instead: in a distributed job, one bad line must not stop millions)."""
    if job.mode == "json":
        if not text.strip():
            return None
        try:
            entity = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            return BatchQuery(str(number), None, f"line {number}: not JSON ({error})")
        if not isinstance(entity, dict):
            return BatchQuery(str(number), None, f"line {number}: each line must be a JSON object")
        return batch._batch_query(str(entity.get("id") or number), number, query_from_entity, entity)
    try:
        fields = next(csv.reader([text], delimiter=job.delimiter, strict=True), [])
    except csv.Error as error:
        return BatchQuery(str(number), None, f"line {number}: malformed row ({error})")
    if not any(f.strip() for f in fields) or [f.strip() for f in fields] == list(job.header):
        return None
    if len(fields) != len(job.header):
        return BatchQuery(str(number), None, f"line {number}: row has {len(fields)} fields, the header has "
                                             f"{len(job.header)}")  # fmt: skip
    return _table_query(job, number, dict(zip(job.header, fields, strict=True)))


def _queries(job: _Job, frame: Any) -> list[tuple[int, BatchQuery]]:
    numbers = frame["row"].tolist()
    out = []
    if job.mode == "table":
        wanted = [c for c in dict.fromkeys(
            [job.columns.name, job.columns.id, job.columns.birth_date, job.columns.country, job.columns.schema,
             job.columns.identifier]) if c]  # fmt: skip
        cells = {c: [_cell(v) for v in frame[c].tolist()] for c in wanted}
        for i, number in enumerate(numbers):
            query = _table_query(job, number, {c: cells[c][i] for c in wanted})
            if query is not None:
                out.append((number, query))
        return out
    for number, text in zip(numbers, frame[job.value_column].tolist(), strict=True):
        query = _line_query(job, number, text or "")
        if query is not None:
            out.append((number, query))
    return out


def _screen_partition(job: _Job, frames: Iterator[Any], lines: str | None = None, counts: Any = None) -> Iterator[Any]:
    """mapInPandas: each batch of rows screened on this executor's matcher, in row order: as RESULT_SCHEMA
    rows, or with `lines` ("jsonl", "csv") as the lines a local `screen` writes (one Python worker per
    task does it all: each further mapInPandas would start and feed another)."""
    import pandas as pd

    matcher = _matcher(job)
    if lines == "csv" and _first_partition():
        out = io.StringIO()
        csv.writer(out).writerow(batch.CSV_COLUMNS)
        yield pd.DataFrame({"value": [out.getvalue()[:-1]]})  # without "\n": the text writer adds it
    for frame in frames:
        numbered = _queries(job, frame)
        rows: list[dict[str, Any]] = []
        values: list[str] = []
        for start in range(0, len(numbered), CHUNK_SIZE):
            part = numbered[start : start + CHUNK_SIZE]
            results = batch._screen_chunk([q for _, q in part], job.limit, job.threshold, matcher)
            if counts is not None:
                counts[0].add(len(results))
                counts[1].add(sum(r.error is not None for r in results))
            if lines is not None:
                values.extend(_text(results, lines == "csv"))
                continue
            for (number, _query), result in zip(part, results, strict=True):
                rows.append({"row": number, "id": result.id, "results": result.results, "error": result.error,
                             "warnings": result.warnings or None})  # fmt: skip
        if lines is not None:
            yield pd.DataFrame({"value": values})
        else:
            yield pd.DataFrame(rows, columns=["row", "id", "results", "error", "warnings"])


def _first_partition() -> bool:
    from pyspark import TaskContext

    context = TaskContext.get()
    return context is not None and context.partitionId() == 0


def _text(results: list[BatchResult], as_csv: bool) -> list[str]:
    """The lines `screen` writes for these results, without their final "\n" (the text writer adds it)."""
    if as_csv:
        out = io.StringIO()
        batch.write_csv(results, out)
        return [line + "\r" for line in out.getvalue().split("\r\n")[1:-1]]  # the header is written once
    sink = io.BytesIO()
    batch.write_jsonl(results, sink)
    return sink.getvalue().decode().split("\n")[:-1]


def _ship_index(session: SparkSession, index_file: Path) -> tuple[str, str]:
    """Add the index file to the SparkContext (once) and say its name and version."""
    saved = Matcher.load_saved(index_file)
    if saved is None:
        raise ValueError(f"{index_file}: no saved name index there (sanctionscope match or screen writes it)")
    context = session.sparkContext
    shipped = getattr(context, "_sanctionscope_files", None)
    if shipped is None:
        shipped = context._sanctionscope_files = {}  # type: ignore[attr-defined]
    resolved = str(index_file.resolve())
    if resolved not in shipped:
        name = index_file.name
        if name in shipped.values():
            raise ValueError(f"another index file named {name} was already shipped with this SparkContext")
        context.addFile(resolved)
        shipped[resolved] = name
    return shipped[resolved], saved.version


def _numbered(df: DataFrame, first: int) -> DataFrame:
    """The rows with `row`: their position in the DataFrame plus `first` (zipWithIndex: a count per
    partition, no shuffle, order kept)."""
    from pyspark.sql.types import LongType, StructField, StructType

    schema = StructType([StructField("row", LongType(), False), *df.schema.fields])
    rdd = df.rdd.zipWithIndex().map(lambda pair: (pair[1] + first, *pair[0]))
    return df.sparkSession.createDataFrame(rdd, schema)


def screen(
    df: DataFrame,
    index_file: str | Path,
    *,
    columns: Columns | None = None,
    json_column: str | None = None,
    row_column: str | None = None,
    limit: int = 3,
    threshold: float = DEFAULT_THRESHOLD,
) -> DataFrame:
    """The best results of each row of `df` against the lists of the saved index `index_file`.

    A row is a table row (its columns named by `columns`, as `screen`'s *-column options: name,
    id, birth_date, country, schema, identifier; several values separated by ';'), or, with
    `json_column`, a yente-style entity as JSON text ({"id", "schema", "properties"}; what
    `spark.read.text` reads JSON lines into as `value`). `row_column` holds each row's number (the
    default id, and what warnings name); without it, rows are numbered from 1 in DataFrame order.

    Returns a DataFrame of RESULT_SCHEMA, one row per query (a row of empty cells is none), in the
    order of `df`'s rows: no shuffle.
    """
    return _screen(df, Path(index_file), columns or Columns(), json_column, row_column, limit, threshold)


def _screen(
    df: DataFrame, index_file: Path, columns: Columns, json_column: str | None, row_column: str | None, limit: int,
    threshold: float, lines: str | None = None, counts: Any = None,
) -> DataFrame:  # fmt: skip
    name, version = _ship_index(df.sparkSession, index_file)
    if json_column is None:
        wanted = [c for c in (columns.name, columns.id, columns.birth_date, columns.country, columns.schema,
                              columns.identifier) if c]  # fmt: skip
        missing = [c for c in wanted if c not in df.columns]
        if missing:
            raise ValueError(f"no column named {', '.join(map(repr, missing))} (columns: {', '.join(df.columns)})")
        selected = [*dict.fromkeys(wanted)]
        job = _Job(name, version, "table", columns, None, limit=limit, threshold=threshold)
    else:
        selected = [json_column]
        job = _Job(name, version, "json", columns, json_column, limit=limit, threshold=threshold)
    return _run(df, job, selected, row_column, first=1, lines=lines, counts=counts)


def _run(
    df: DataFrame, job: _Job, selected: list[str], row_column: str | None, first: int,
    lines: str | None = None, counts: Any = None,
) -> DataFrame:  # fmt: skip
    from pyspark.sql import functions as F

    if row_column is None:
        numbered = _numbered(df.select(*selected), first)
    else:
        numbered = df.select(F.col(row_column).cast("long").alias("row"), *selected)
    return numbered.mapInPandas(lambda frames: _screen_partition(job, frames, lines, counts),
                                "value string" if lines else RESULT_SCHEMA)  # fmt: skip


def _lines(session: SparkSession, path: Path, partitions: int | None) -> DataFrame:
    """A text file's lines with their numbers (from 1): `row`, `value`."""
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    context = session.sparkContext
    text = context.textFile(str(path), minPartitions=partitions or context.defaultParallelism)
    rdd = text.zipWithIndex().map(lambda pair: (pair[1] + 1, pair[0]))
    schema = StructType([StructField("row", LongType(), False), StructField("value", StringType(), True)])
    return session.createDataFrame(rdd, schema)


def screen_lines(
    session: SparkSession,
    path: Path,
    index_file: Path,
    *,
    columns: Columns | None = None,
    limit: int = 3,
    threshold: float = DEFAULT_THRESHOLD,
    partitions: int | None = None,
    lines: str | None = None,
    counts: Any = None,
) -> DataFrame:
    """`screen` of a JSON lines or CSV/TSV file read line by line (each row on one line), numbered as a
    local `screen` numbers them. With `lines` ("jsonl" or "csv"), a DataFrame of one `value` column: the
    lines a local `screen` writes. `counts`: two accumulators, of rows screened and rows with an error."""
    columns = columns or Columns()
    name, version = _ship_index(session, index_file)
    text = _lines(session, path, partitions)
    if batch.is_json_lines(path):
        job = _Job(name, version, "json", columns, "value", limit=limit, threshold=threshold)
        return _run(text, job, ["value"], "row", first=1, lines=lines, counts=counts)
    delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    first = text.first()
    if first is None:
        raise ValueError(f"{path}: the file is empty")
    header = tuple(c.strip() for c in next(csv.reader([first["value"].lstrip("\ufeff")], delimiter=delimiter)))
    wanted = [c for c in (columns.name, columns.id, columns.birth_date, columns.country, columns.schema,
                          columns.identifier) if c]  # fmt: skip
    missing = [c for c in wanted if c not in header]
    if missing:
        raise ValueError(f"{path}: no column named {', '.join(map(repr, missing))} (columns: {', '.join(header)})")
    job = _Job(name, version, "csv", columns, "value", header=header, delimiter=delimiter, limit=limit,
               threshold=threshold)  # fmt: skip
    return _run(text.where("row > 1"), job, ["value"], "row", first=1, lines=lines, counts=counts)


def screen_file(
    path: Path,
    output: Path | str,
    *,
    index_file: Path,
    columns: Columns | None = None,
    master: str | None = None,
    limit: int = 3,
    threshold: float = DEFAULT_THRESHOLD,
    partitions: int | None = None,
    session: SparkSession | None = None,
) -> Counts:
    """`sanctionscope screen FILE --engine spark -o OUT`: read FILE (.parquet, .csv/.tsv, .jsonl), screen it,
    write OUT (a folder; .parquet, .csv or .jsonl by its suffix)."""
    import os
    import sys

    from pyspark.sql import SparkSession

    if session is None:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # local executors: this interpreter
        builder = SparkSession.builder.appName("sanctionscope screen")
        if master:
            builder = builder.master(master)
        session = builder.getOrCreate()
    output = str(output)
    out_suffix = Path(output.rstrip("/")).suffix.lower()
    if out_suffix not in (".parquet", ".jsonl", ".ndjson", ".json", ".csv"):
        raise ValueError(f"{output}: the output is .parquet, .csv or .jsonl")
    lines = None if out_suffix == ".parquet" else "csv" if out_suffix == ".csv" else "jsonl"
    counts = (session.sparkContext.accumulator(0), session.sparkContext.accumulator(0))
    if Path(str(path).rstrip("/")).suffix.lower() == ".parquet" or Path(path).is_dir():
        found = _screen(session.read.parquet(str(path)), index_file, columns or Columns(), None, None, limit,
                        threshold, lines, counts)  # fmt: skip
    else:
        found = screen_lines(session, Path(path), index_file, columns=columns, limit=limit, threshold=threshold,
                             partitions=partitions, lines=lines, counts=counts)  # fmt: skip
    if lines is None:
        found.write.mode("overwrite").parquet(output)
    else:
        found.write.mode("overwrite").text(output)
    return Counts(counts[0].value, counts[1].value, found.rdd.getNumPartitions())


__all__ = ["RESULT_SCHEMA", "Columns", "Counts", "screen", "screen_file", "screen_lines"]
