"""Through the real ASGI server and headless Chromium: the login a person does."""

from __future__ import annotations

from typing import Any

from tests.conftest import ARTIFACTS


def test_it_logs_in_through_the_browser_and_sees_the_home_page(
    anonymous_page: Any, live_admin: tuple[str, str]
) -> None:
    page = anonymous_page
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto("/")
    assert "/login/" in page.url
    page.screenshot(path=str(ARTIFACTS / "login.png"), full_page=True)
    username, password = live_admin
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_url("**/")
    assert page.locator("h1").inner_text() == "Contexts"
    # htmx loaded from our static files under the CSP, and nothing broke the CSP.
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("window.htmx.version").startswith("2.")
    assert not [e for e in errors if "Content Security Policy" in e], errors
    page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)


def test_it_logs_out_from_the_user_menu(browser_page: Any) -> None:
    page = browser_page
    page.click("details.user-menu summary")
    page.click("text=Log out")
    page.wait_for_url("**/login/")
    page.goto("/")
    assert "/login/" in page.url
