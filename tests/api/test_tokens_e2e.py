"""The tokens page in headless Chromium: create from the user menu, copy once, revoke."""

from __future__ import annotations

import re
from typing import Any

import pytest


@pytest.mark.usefixtures("live_server_url")
def test_it_creates_and_revokes_a_token_in_the_browser(browser_page: Any) -> None:
    page = browser_page
    page.click("summary[aria-label^='Account menu']")
    page.click("text=API tokens")
    page.wait_for_url("**/account/tokens/")
    page.fill("#token-name", "browser-e2e")
    page.click("button:has-text('Create token')")
    shown = page.locator("#token-plaintext").inner_text()
    assert re.fullmatch(r"hero_\d+_[A-Za-z0-9_-]{43}", shown)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[aria-label='Revoke browser-e2e']")
    page.wait_for_selector("#token-plaintext", state="detached")
    row = page.locator("tr", has_text="browser-e2e").first
    assert "revoked" in row.inner_text()
    page.reload()
    assert shown not in page.content()
