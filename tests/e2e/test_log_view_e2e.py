"""Through uvicorn and headless Chromium: a session's live log, as a person uses it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from heroweb.base import Session, context_new
from heroweb.base.log import Logger
from tests.conftest import ARTIFACTS

WRITER = """
import sys
from heroweb.base.log import Logger
logger = Logger(sys.argv[1])
for i in range(int(sys.argv[3])):
    logger.log(log=f"{sys.argv[2]} {i}", cat="e2e")
"""


@pytest.fixture
def e2e_session() -> Session:
    context = context_new(id=13, name="e2elogs")
    try:
        return context.session_get(name="e2esess")
    except Exception:
        return context.session_new(name="e2esess")


def _write(path: Path, word: str, count: int) -> None:
    # Another process, as a real program would be.
    subprocess.run([sys.executable, "-c", WRITER, str(path), word, str(count)], check=True, timeout=60)


def test_it_follows_pauses_searches_and_downloads_a_live_log(browser_page: Any, e2e_session: Session) -> None:
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    logger = Logger(e2e_session.logs_path)
    for i in range(20):
        logger.log(log=f"old {i}", cat="hist")
    logger.log(log="colour \x1b[31mred\x1b[0m end", cat="ansi", logtype="error")
    page.goto(reverse("hero_sessions:log", args=[13, "e2esess"]))
    rows = page.locator("#lv-rows")
    page.wait_for_selector("#logview[data-state=live]")
    assert rows.locator(".lv-row", has_text="old 19").count() == 1
    red = rows.locator(".lv-row.lv-err .ansi-fg-31")
    assert red.inner_text() == "red"

    _write(e2e_session.logs_path, "live", 10)
    rows.locator(".lv-row", has_text="live 9").wait_for()

    page.click("#lv-follow")  # pause
    assert page.get_attribute("#lv-follow", "aria-pressed") == "false"
    _write(e2e_session.logs_path, "paused", 5)
    page.wait_for_selector("#lv-new-count:has-text('5 new')")
    assert rows.locator(".lv-row", has_text="paused 4").count() == 0
    page.click("#lv-follow")  # follow again: the held entries appear, the view is at the end
    rows.locator(".lv-row", has_text="paused 4").wait_for()

    page.fill("#lv-q", "old 1")
    page.press("#lv-q", "Enter")
    results = page.locator("#lv-results-rows .lv-row")
    page.wait_for_selector("#lv-results-rows .lv-row")
    assert results.count() == 11  # old 1 and old 10..19, from the server's full search
    assert page.locator("#lv-results-rows mark").first.inner_text() == "old 1"
    page.screenshot(path=str(ARTIFACTS / "log_view.png"), full_page=True)

    with page.expect_download() as info:
        page.click("#lv-download")
    text = Path(info.value.path()).read_text()
    assert "old 0" in text and "paused 4" in text
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_it_scrolls_back_filters_and_opens_a_permalink_in_a_big_log(
    browser_page: Any, e2e_session: Session
) -> None:
    page = browser_page
    logs = e2e_session.logs_path
    logs.mkdir(parents=True, exist_ok=True)
    for old in logs.glob("*.log"):
        old.unlink()
    (logs / ".lock").unlink(missing_ok=True)
    # 100,000 entries written as herolib writes them (one hour, one header per 1000 lines).
    with (logs / "2025-03-04 10.log").open("wb") as fh:
        for second in range(100):
            fh.write(b"\n2025-03-04 10:%02d:%02d\n" % divmod(second, 60))
            for i in range(second * 1000, second * 1000 + 1000):
                prefix = b"E" if i % 100 == 0 else b" "
                fh.write(prefix + b" big        - big %d\n" % i)
    page.goto(reverse("hero_sessions:log", args=[13, "e2esess"]))
    page.wait_for_selector("#logview[data-state=live]")
    rows = page.locator("#lv-rows .lv-row")
    assert rows.count() == 1000  # the recent history only, never the whole log
    assert rows.last.inner_text().count("big 99999") == 1

    page.eval_on_selector("#lv-rows", "el => { el.scrollTop = 0; el.dispatchEvent(new Event('scroll')); }")
    page.wait_for_function("() => document.querySelectorAll('#lv-rows .lv-row').length === 1500")
    assert "big 98500" in rows.first.inner_text()

    page.select_option("#lv-level", "error")
    page.wait_for_function(
        "() => document.querySelectorAll('#lv-rows .lv-row').length > 0 &&"
        " [...document.querySelectorAll('#lv-rows .lv-row')].every(r => r.classList.contains('lv-err'))"
    )
    assert "big 99900" in rows.last.inner_text()
    assert "attachment" not in (page.get_attribute("#lv-download", "href") or "")
    assert "level=error" in (page.get_attribute("#lv-download", "href") or "")

    # A time range (the inputs are in the browser's time zone): second 10:01:00 UTC only.
    local = page.evaluate(
        """() => {
            const d = new Date(Date.UTC(2025, 2, 4, 10, 1, 0));
            const p = (n) => String(n).padStart(2, "0");
            return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T` +
                   `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
        }"""
    )
    page.fill("#lv-from", local)
    page.dispatch_event("#lv-from", "change")
    page.fill("#lv-to", local)
    page.dispatch_event("#lv-to", "change")
    page.wait_for_function(
        "() => { const r = document.querySelectorAll('#lv-rows .lv-row');"
        " return r.length === 10 && r[0].textContent.includes('big 60000'); }"
    )
    assert "big 60900" in rows.last.inner_text()

    target = rows.nth(3)
    text = target.locator(".lv-msg").inner_text()
    target.locator(".lv-time").click()
    page.wait_for_selector("#lv-rows .lv-row.lv-target")
    assert page.locator("#lv-rows .lv-row.lv-target .lv-msg").inner_text() == text
    assert page.is_visible("#lv-banner")
    assert "#p=" in page.url
    page.click("#lv-live")
    page.wait_for_selector("#lv-banner", state="hidden")
