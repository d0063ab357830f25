"""Charts as HTTP responses, drawn once per report: matplotlib takes a good part of a second per chart,
and pages ask for the same chart again (a reload, another visitor) while the data stay the same."""

from __future__ import annotations

import hashlib
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import orjson
from fastapi import HTTPException, Response

#: charts kept per process (an SVG is tens of KB)
CHARTS_KEPT = 64
_charts: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()
_charts_lock = threading.Lock()


class Charted(Protocol):
    """A report a chart is drawn from: what it holds is what its `to_dict` says."""

    def to_dict(self) -> dict[str, Any]: ...


def chart_response(draw: Callable[[Any, Path], None], report: Charted, extension: str) -> Response:
    """The chart `draw` makes of the report, as SVG or PNG; drawn again only for a report that says
    something else (or on another day: a chart of today's lists ends today)."""
    if extension not in ("svg", "png"):
        raise HTTPException(404, "charts are .svg or .png")
    content = orjson.dumps(report.to_dict(), option=orjson.OPT_SORT_KEYS, default=str)
    key = (f"{draw.__module__}.{draw.__qualname__}", extension,
           hashlib.sha1(content + date.today().isoformat().encode()).hexdigest())  # fmt: skip
    with _charts_lock:
        found = _charts.get(key)
        if found is not None:
            _charts.move_to_end(key)
    if found is None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"chart.{extension}"
            draw(report, path)
            found = path.read_bytes()
        with _charts_lock:
            _charts[key] = found
            while len(_charts) > CHARTS_KEPT:
                _charts.popitem(last=False)
    return Response(found, media_type="image/svg+xml" if extension == "svg" else "image/png")
