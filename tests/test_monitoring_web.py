"""The alerts review page in a real browser (Debian's Chromium, Playwright, a real uvicorn server): the
alerts OFAC's 2022-03-04 update raised for a portfolio screened on 2022-02-25, decided from the page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support import running_server
from test_web import SCREENSHOTS, browser  # noqa: F401  (the browser fixture)

from sanctionscope.api.app import create_app
from sanctionscope.api.keys import create_key
from sanctionscope.monitor import members, screening
from sanctionscope.monitor.alerts import list_alerts
from sanctionscope.monitor.hook import monitor_after_load
from sanctionscope.service.batch import BatchQuery
from sanctionscope.service.matchers import open_matcher
from sanctionscope.store import db
from sanctionscope.store.load import load_paths


@pytest.fixture(scope="module")
def server(lists_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    engine = db.connect(str(tmp_path_factory.mktemp("review") / "lists.db"))
    load_paths(engine, [lists_dir / "us/ofac-sdn-csv/2022-02-25"])
    items = [BatchQuery("c1", members.member_query(["Alisher Usmanov"])),
             BatchQuery("c2", members.member_query(["Dmitry Peskov"]))]  # fmt: skip
    saved = members.save_members(engine, "clients", items)
    screening.screen_members(engine, open_matcher(engine), saved.to_screen)
    load_paths(engine, [lists_dir / "us/ofac-sdn-csv/2022-03-04"])
    assert monitor_after_load(engine).error is None
    key = create_key(engine, "reviewer", ["read", "screen"])
    app = create_app(engine)
    app.state.service.matcher()
    with running_server(app) as url:
        yield url, key, engine  # type: ignore[misc]


def test_review_page_lists_open_alerts_and_decides_one(browser, server) -> None:  # noqa: F811
    base, key, engine = server
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/alerts/review")
    assert "/login" in page.url
    page.fill("input[name=key]", key)
    page.click("button")
    assert page.url.endswith("/alerts/review")
    open_alerts = list_alerts(engine, state="open")
    assert {a["member"] for a in open_alerts} == {"c1", "c2"}
    rows = page.locator("table.alerts tbody tr")
    assert rows.count() == 2
    usmanov = next(a for a in open_alerts if a["member"] == "c1")
    row = page.locator(f"#alert-{usmanov['id']}")
    assert "new_match" in row.inner_text() and "US 2022-03-04" in row.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "alerts.png"), full_page=True)
    row.locator("select[name=state]").select_option("false_positive")
    row.locator("input[name=note]").fill("another Usmanov, born 1980")
    row.locator("button").click()
    page.wait_for_load_state()
    # back on the open alerts: Usmanov's is decided and gone from them, Peskov's is still there
    assert page.locator("table.alerts tbody tr").count() == 1
    decided = next(a for a in list_alerts(engine) if a["id"] == usmanov["id"])
    assert (decided["state"], decided["note"], decided["decided_by"]) == ("false_positive", "another Usmanov, born 1980", "reviewer")
    page.goto("/alerts/review?state=false_positive")
    assert "another Usmanov, born 1980" in page.locator(f"#alert-{usmanov['id']}").inner_text()
    context.close()


def test_a_read_only_key_cannot_decide(browser, server) -> None:  # noqa: F811
    import httpx

    base, _key, engine = server
    reader = create_key(engine, "reader-only", ["read"])
    alert = list_alerts(engine, state="open")[0]
    answer = httpx.post(f"{base}/alerts/review/{alert['id']}", data={"state": "confirmed"},
                        cookies={"sanctionscope_key": reader}, follow_redirects=False)  # fmt: skip
    assert answer.status_code == 403
    assert list_alerts(engine, state="open")[0]["id"] == alert["id"]
