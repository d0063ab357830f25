"""Coverage over time as a picture: targets designated per jurisdiction, cumulative, by date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sanctionscope.sources.registry import jurisdiction_colour
from sanctionscope.track.coverage import CoverageReport


def render_chart(report: CoverageReport, path: Path) -> None:
    """Write a step chart (PNG or SVG, by the file's suffix)."""
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(9, 4.8), dpi=120)
    series = report.timeline()
    start = min((date.fromisoformat(points[0][0]) for points in series.values() if points), default=None)
    end = report.as_of or date.today()
    for jurisdiction in report.jurisdictions:
        points = series[jurisdiction]
        if not points or start is None:  # start is None only when no jurisdiction has points
            continue
        days = [start] + [date.fromisoformat(day) for day, _n in points] + [end]
        counts = [0] + [n for _day, n in points] + [points[-1][1]]
        # matplotlib plots dates through its units registry; its stubs declare numbers only
        axes.step(days, counts, where="post", label=f"{jurisdiction.upper()} ({points[-1][1]})",  # type: ignore[arg-type]
                  color=jurisdiction_colour(jurisdiction), linewidth=2)
    total = len(report.targets)
    axes.axhline(total, color="#999999", linestyle=":", linewidth=1)
    axes.text(end, total, f" {total} proposed", va="center", fontsize=8, color="#555555")  # type: ignore[arg-type]  # a date, as above
    axes.set_ylim(0, total + 1)
    axes.set_ylabel("targets designated")
    title = f"{report.proposal}: designations per jurisdiction"
    axes.set_title(title + (f" (as of {report.as_of})" if report.as_of else ""), loc="left", fontsize=11)
    axes.grid(axis="y", color="#eeeeee")
    axes.spines[["top", "right"]].set_visible(False)
    if any(series.values()):
        axes.legend(loc="lower right", frameon=False)
    figure.tight_layout()
    figure.savefig(path, format=path.suffix.lstrip(".").lower() or "png")
    plt.close(figure)
