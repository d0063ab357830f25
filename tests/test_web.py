"""The web UI in a real browser: Debian's Chromium driven by Playwright against a real uvicorn server."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import running_server

from sanctionscope.api.app import create_app
from sanctionscope.api.keys import create_key
from sanctionscope.store import db
from sanctionscope.track.proposals import Target, save_proposal

#: Debian's Chromium (Playwright cannot download its own browser here); SANCTIONSCOPE_CHROMIUM names another
CHROMIUM = os.environ.get("SANCTIONSCOPE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
#: screenshots land here (SANCTIONSCOPE_SCREENSHOTS to keep them), for people to look at
SCREENSHOTS = Path(os.environ.get("SANCTIONSCOPE_SCREENSHOTS") or Path(tempfile.gettempdir()) / "sanctionscope-screenshots")


@pytest.fixture(scope="module")
def server(loaded_db: Path) -> Iterator[tuple[str, str]]:
    """A real HTTP server on the loaded database, with keys required; yields its URL and a read/screen key."""
    engine = db.connect(str(loaded_db))
    key = create_key(engine, "browser", ["read", "screen"])
    save_proposal(engine, "navalny-2021", [Target("Alexander Bastrykin"), Target("Mikhail Murashko"),
                                           Target("Alisher Usmanov"), Target("Roman Abramovich")])  # fmt: skip
    app = create_app(engine)
    app.state.service.matcher()  # load before the browser's first request
    with running_server(app) as url:
        yield url, key


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} not found: install the Debian package 'chromium' (.ci/run does)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser, server):
    base, key = server
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=key]", key)
    page.click("button")
    yield page
    context.close()


def test_login_is_required_and_a_wrong_key_is_refused(browser, server) -> None:
    base, _key = server
    context = browser.new_context(base_url=base)
    page = context.new_page()
    page.goto("/?q=Bastrykin")
    assert "/login" in page.url
    page.fill("input[name=key]", "ss_wrong")
    page.click("button")
    assert page.locator(".error").inner_text() == "This key is not valid."
    context.close()


def test_search_as_you_type_then_the_subject_page(page) -> None:
    page.goto("/")
    page.fill("#q", "Bastrykin")
    page.wait_for_selector("table.results a")
    assert "q=Bastrykin" in page.url  # the search is a shareable link
    page.screenshot(path=str(SCREENSHOTS / "search.png"), full_page=True)
    link = page.locator("table.results a", has_text="BASTRYKIN").first
    link.click()
    page.wait_for_selector("h1")
    assert "/subject/ss-" in page.url
    body = page.inner_text("main")
    assert "2021-03-02" in body and "eu_journal:32020R1998#I.A-2" in body
    assert page.locator(".timeline .row").count() >= 3  # us, eu, ca, au
    page.screenshot(path=str(SCREENSHOTS / "subject.png"), full_page=True)


def test_server_rendered_search_link(page) -> None:
    page.goto("/?q=%D0%A3%D1%81%D0%BC%D0%B0%D0%BD%D0%BE%D0%B2")  # «Усманов»
    assert page.locator("table.results a", has_text="USMANOV").count() >= 1


def test_paste_the_seed_article_and_see_usmanov_highlighted(page) -> None:
    article = (Path(__file__).resolve().parents[2] / "shared" / "seed" / "article-2021-02-09.txt").read_text("utf-8")
    page.goto("/text")
    page.fill("#text", article)
    page.click("button[type=submit]")
    page.wait_for_selector("#article")
    usmanov = page.locator("#article mark.sanctioned", has_text="Alisher Usmanov")
    assert usmanov.count() == 1
    assert "USMANOV" in usmanov.get_attribute("title")
    assert page.locator("#article mark.unlisted", has_text="Leonid Volkov").count() == 1
    side = page.inner_text("#side")
    assert "USMANOV, Alisher" in side and "Leonid Volkov" in side and "on no list" in side
    page.screenshot(path=str(SCREENSHOTS / "text.png"), full_page=True)


def test_proposals_page_shows_the_matrix(page) -> None:
    page.goto("/coverage")
    page.click("text=navalny-2021")
    page.wait_for_selector("table.matrix")
    rows = page.locator("table.matrix tbody tr")
    assert rows.count() == 5  # four targets and the total
    bastrykin = rows.nth(0).inner_text()
    assert "Alexander Bastrykin" in bastrykin and "2021-03-02" in bastrykin
    page.wait_for_function(
        "() => { const i = document.querySelector('img[alt^=cumulative]'); return i.complete && i.naturalWidth > 0; }"
    )
    page.screenshot(path=str(SCREENSHOTS / "proposals.png"), full_page=True)


def test_phone_layout(browser, server) -> None:
    base, key = server
    context = browser.new_context(base_url=base, viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=key]", key)
    page.click("button")
    page.goto("/?q=Abramovich")
    page.screenshot(path=str(SCREENSHOTS / "phone.png"), full_page=True)
    wide = page.evaluate(
        "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391)"
        ".map(e => e.tagName + '.' + e.className).slice(0, 5)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, wide  # no sideways scrolling
    context.close()
