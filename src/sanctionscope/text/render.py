"""Showing a screened text: highlighted in the terminal, or as a standalone HTML page with a side table."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

from rich.text import Text

from sanctionscope.text.screen import Mention, TextReport

#: mention styles: sanctioned, listed but not confirmed (short or ambiguous), on no list
SANCTIONED, POSSIBLE, UNLISTED = "sanctioned", "possible", "unlisted"
TERMINAL_STYLES = {SANCTIONED: "bold white on red", POSSIBLE: "black on yellow", UNLISTED: "underline"}


def status_of(mention: Mention) -> str:
    if mention.sanctioned:
        return SANCTIONED
    if mention.subject is not None or mention.candidates:
        return POSSIBLE
    return UNLISTED


def pieces(report: TextReport) -> Iterator[tuple[str, Mention | None, int | None]]:
    """The text cut into plain stretches and mentions (with their numbers), in order."""
    position = 0
    for number, mention in enumerate(report.mentions):
        if mention.start < position:
            continue
        yield report.text[position : mention.start], None, None
        yield report.text[mention.start : mention.end], mention, number
        position = mention.end
    yield report.text[position:], None, None


def terminal_text(report: TextReport) -> Text:
    """The text with mentions highlighted: red sanctioned, yellow possible, underlined unlisted."""
    out = Text()
    for piece, mention, number in pieces(report):
        if mention is None:
            out.append(piece)
        else:
            out.append(piece, style=TERMINAL_STYLES[status_of(mention)])
            out.append(f"[{number}]", style="dim")
    return out


def designations_summary(designations: dict[str, dict[str, Any]]) -> str:
    """"eu 2021-03-02, us 2021-03-02"."""
    return ", ".join(f"{j} {d.get('listed_on') or '?'}" for j, d in designations.items()) or "not in force"


def mention_summary(mention: Mention) -> str:
    if mention.subject is not None:
        return f"{mention.subject['caption']}: {designations_summary(mention.subject['designations'])}"
    if mention.candidates:
        return f"ambiguous: {len(mention.candidates)} listed namesakes"
    return "on no list"


def html_page(report: TextReport, title: str = "sanctionscope: text screening") -> str:
    """A standalone page: the article with mentions marked, and a table of who is sanctioned where."""
    body = []
    for piece, mention, number in pieces(report):
        if mention is None:
            body.append(html.escape(piece))
        else:
            status = status_of(mention)
            body.append(
                f'<mark class="{status}" id="m{number}" title="{html.escape(mention_summary(mention))}">'
                f"{html.escape(piece)}</mark>"
            )
    rows = []
    for subject in report.subjects():
        cells = "".join(
            f"<li><b>{html.escape(j)}</b> since {html.escape(d.get('listed_on') or '?')}"
            f"{' — ' + html.escape(d['regime']) if d.get('regime') else ''}</li>"
            for j, d in subject["designations"].items()
        )
        status = SANCTIONED if subject["sanctioned"] else POSSIBLE
        rows.append(
            f'<tr class="{status}"><td>{html.escape(subject["caption"])}</td>'
            f'<td>{subject["score"]:.2f}</td><td><ul>{cells or "<li>not in force</li>"}</ul></td>'
            f"<td>{len(subject['mentions'])}</td></tr>"
        )
    for mention in report.mentions:
        if mention.ambiguous:
            names = ", ".join(html.escape(c["caption"]) for c in mention.candidates[:5])
            rows.append(f'<tr class="possible"><td>{html.escape(mention.text)}?</td><td>{mention.score:.2f}</td>'
                        f"<td>ambiguous: {names}</td><td>1</td></tr>")  # fmt: skip
    for person in report.unlisted():
        rows.append(
            f'<tr class="unlisted"><td>{html.escape(person["name"])}</td><td>–</td>'
            f'<td>on no list</td><td>{len(person["mentions"])}</td></tr>'
        )
    as_of = f" as of {report.as_of.isoformat()}" if report.as_of else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body {{ font: 16px/1.55 system-ui, sans-serif; margin: 0; color: #1d2330; }}
main {{ display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 2rem; padding: 1.5rem; }}
@media (max-width: 800px) {{ main {{ grid-template-columns: 1fr; }} }}
article {{ white-space: pre-wrap; }}
mark {{ border-radius: 3px; padding: 0 2px; }}
mark.sanctioned, tr.sanctioned td:first-child {{ background: #c62828; color: #fff; }}
mark.possible, tr.possible td:first-child {{ background: #ffe082; }}
mark.unlisted {{ background: none; border-bottom: 2px dotted #607d8b; }}
table {{ border-collapse: collapse; width: 100%; font-size: 14px; }}
td, th {{ border-bottom: 1px solid #dde1e7; padding: .35rem .5rem; text-align: left; vertical-align: top; }}
ul {{ margin: 0; padding-left: 1rem; }}
</style></head><body>
<main><article>{"".join(body)}</article>
<aside><h2>Who is in this text{html.escape(as_of)}</h2>
<table><thead><tr><th>name</th><th>score</th><th>designations</th><th>mentions</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table></aside></main></body></html>
"""
