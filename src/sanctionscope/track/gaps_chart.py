"""Pictures of how lists overlap (an UpSet chart, or a Venn diagram for two or three) and of
listings and delistings over time, drawn with matplotlib into PNG or SVG files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sanctionscope.sources.registry import jurisdiction_colour
from sanctionscope.track.gaps import Overlap, Timeline

#: an UpSet chart shows at most this many combinations (the largest); the rest are counted in its title
UPSET_COMBINATIONS = 30
#: the colour of what has no colour of its own
GREY = "#555555"


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.pyplot as plt

    return plt


def _save(figure: Any, path: Path) -> None:
    import matplotlib

    with matplotlib.rc_context({"svg.fonttype": "none"}):  # SVG text stays text: searchable, selectable
        figure.savefig(path, format=path.suffix.lstrip(".").lower() or "png", bbox_inches="tight")
    _pyplot().close(figure)


def _title(text: str, report: Overlap | Timeline) -> str:
    extras = [f"as of {report.filters.as_of}" if report.filters.as_of else "",
              f"regime ~ {report.filters.regime}" if report.filters.regime else "",
              f"nationality {report.filters.nationality}" if report.filters.nationality else "",
              f"{report.filters.kind}s" if report.filters.kind else ""]  # fmt: skip
    extra = ", ".join(e for e in extras if e)
    return text + (f" ({extra})" if extra else "")


def render_overlap(report: Overlap, path: Path) -> None:
    """A Venn diagram for two or three jurisdictions, else an UpSet chart."""
    if 2 <= len(report.jurisdictions) <= 3:
        render_venn(report, path)
    else:
        render_upset(report, path)


def render_venn(report: Overlap, path: Path) -> None:
    from matplotlib_venn import venn2, venn3

    plt = _pyplot()
    codes = report.jurisdictions
    figure, axes = plt.subplots(figsize=(7, 5.5), dpi=120)
    # matplotlib_venn names each region by a bit string: "101" is in the first and third set only
    subsets = {
        "".join("1" if j in combo else "0" for j in codes): n for combo, n in report.counts.items()
    }
    draw = venn2 if len(codes) == 2 else venn3
    diagram = draw(subsets=subsets, set_labels=[f"{j.upper()} ({report.totals[j]})" for j in codes], ax=axes)
    for code, label in zip(codes, "ABC", strict=False):
        patch = diagram.get_patch_by_id(label)
        if patch is not None and (colour := jurisdiction_colour(code)):
            patch.set_color(colour)
            patch.set_alpha(0.45)
    axes.set_title(_title("Subjects designated, by combination of jurisdictions", report), loc="left", fontsize=11)
    figure.tight_layout()
    _save(figure, path)


def render_upset(report: Overlap, path: Path) -> None:
    """An UpSet chart: one column per exact combination (largest first), a dot per member jurisdiction,
    bars of the subjects in each; on the left, each jurisdiction's total."""
    plt = _pyplot()
    rows = report.ordered()
    shown = rows[:UPSET_COMBINATIONS]
    codes = report.jurisdictions
    figure = plt.figure(figsize=(max(8.0, 2.5 + 0.38 * len(shown)), 3.2 + 0.42 * len(codes)), dpi=120)
    grid = figure.add_gridspec(2, 2, width_ratios=[1.4, max(len(shown), 1) * 0.38], height_ratios=[3, 0.42 * len(codes)],
                               wspace=0.04, hspace=0.04)  # fmt: skip
    bars, matrix, totals = figure.add_subplot(grid[0, 1]), figure.add_subplot(grid[1, 1]), figure.add_subplot(grid[1, 0])
    positions = range(len(shown))
    drawn = bars.bar(positions, [n for _combo, n in shown], color=GREY, width=0.6)
    bars.bar_label(drawn, fontsize=7, padding=1)
    bars.set_xlim(-0.6, len(shown) - 0.4)
    bars.set_xticks([])
    bars.set_ylabel("subjects in exactly\nthese jurisdictions", fontsize=8)
    bars.spines[["top", "right"]].set_visible(False)
    hidden = len(rows) - len(shown)
    title = _title("Subjects designated, by combination of jurisdictions", report)
    bars.set_title(title + (f"; {hidden} smaller combinations not shown" if hidden else ""), loc="left", fontsize=10)
    for x, (combo, _n) in enumerate(shown):
        ys = [codes.index(j) for j in combo]
        matrix.scatter([x] * len(codes), range(len(codes)), s=40, color="#dddddd", zorder=1)
        matrix.scatter([x] * len(ys), ys, s=40, color="#222222", zorder=2)
        if len(ys) > 1:
            matrix.plot([x, x], [min(ys), max(ys)], color="#222222", linewidth=2, zorder=2)
    matrix.set_xlim(bars.get_xlim())
    matrix.set_ylim(len(codes) - 0.5, -0.5)
    matrix.set_xticks([])
    matrix.set_yticks(range(len(codes)), [j.upper() for j in codes])
    matrix.yaxis.tick_right()
    matrix.spines[:].set_visible(False)
    counts = [report.totals[j] for j in codes]
    totals.barh(range(len(codes)), counts, color=[jurisdiction_colour(j) or GREY for j in codes], height=0.6)
    for y, count in enumerate(counts):  # the x axis runs leftwards: "right" alignment puts it past the bar's end
        totals.text(count, y, f"{count} ", ha="right", va="center", fontsize=7)
    totals.set_ylim(matrix.get_ylim())
    totals.set_xlim(max(counts, default=1) * 1.6, 0)
    totals.set_yticks([])
    totals.set_xlabel("designated in all", fontsize=8)
    totals.spines[["top", "left"]].set_visible(False)
    _save(figure, path)


def render_timeline(report: Timeline, path: Path) -> None:
    """One row per jurisdiction: subjects listed per period above the line (hatched: dates that only a
    snapshot bounds), subjects no longer listed below it."""
    plt = _pyplot()
    periods = sorted({p.period for p in report.periods})
    codes = [j for j in report.jurisdictions if any(p.jurisdiction == j for p in report.periods)] or report.jurisdictions
    figure, axes_rows = plt.subplots(len(codes), 1, figsize=(max(8.0, 1.5 + 0.2 * len(periods)), 1.0 + 1.3 * len(codes)),
                                     dpi=120, sharex=True, squeeze=False)  # fmt: skip
    x = {period: i for i, period in enumerate(periods)}
    for axes, code in zip((row[0] for row in axes_rows), codes, strict=True):
        colour = jurisdiction_colour(code) or GREY
        mine = [p for p in report.periods if p.jurisdiction == code]
        xs = [x[p.period] for p in mine]
        stated = [p.listed - p.listed_bounded for p in mine]
        axes.bar(xs, stated, color=colour, width=0.8, label="listed (date stated)")
        axes.bar(xs, [p.listed_bounded for p in mine], bottom=stated, color="white", edgecolor=colour, hatch="////",
                 width=0.8, label="listed (≤: bounded by snapshots)")  # fmt: skip
        axes.bar(xs, [-p.delisted for p in mine], color="#999999", width=0.8, label="no longer listed")
        axes.axhline(0, color="#333333", linewidth=0.6)
        before = report.on_first_snapshot.get(code, 0)
        label = code.upper() + (f"\n+{before} on the\nfirst snapshot" if before else "")
        axes.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8)
        axes.spines[["top", "right"]].set_visible(False)
        axes.tick_params(labelsize=7)
    first = axes_rows[0][0]
    first.set_title(_title(f"Listings and delistings per {report.by}", report), loc="left", fontsize=10)
    first.legend(loc="upper left", fontsize=7, frameon=False, ncols=3)
    last = axes_rows[-1][0]
    step = max(1, len(periods) // 24)
    last.set_xticks(range(0, len(periods), step), periods[::step], rotation=90, fontsize=7)
    figure.tight_layout()
    _save(figure, path)
