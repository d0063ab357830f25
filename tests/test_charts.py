"""Charts are drawn once per report: the same report gives the same bytes without drawing again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import HTTPException

from sanctionscope.api.charts import chart_response


class Report:
    def __init__(self, value: int) -> None:
        self.value = value

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value}


def test_a_chart_is_drawn_once_per_report_and_again_for_another() -> None:
    drawn: list[int] = []

    def draw(report: Report, path: Path) -> None:
        drawn.append(report.value)
        path.write_text(f"<svg>{report.value}</svg>")

    first = chart_response(draw, Report(1), "svg")
    again = chart_response(draw, Report(1), "svg")
    other = chart_response(draw, Report(2), "svg")
    assert drawn == [1, 2]
    assert first.body == again.body == b"<svg>1</svg>" and other.body == b"<svg>2</svg>"
    assert first.media_type == "image/svg+xml"


def test_a_chart_is_svg_or_png() -> None:
    with pytest.raises(HTTPException):
        chart_response(lambda report, path: None, Report(1), "gif")
