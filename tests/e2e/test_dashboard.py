"""The dashboard through the real ASGI server, the real embedded Redis and headless Chromium."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from heroweb.base import context_get
from tests.conftest import ARTIFACTS

SECRET = "hunter2-correct-horse"


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"dashboard-{name}.png"), full_page=True)


# Counts htmx requests in flight (installed on every page load, and once by hand below).
_TRACK_REQUESTS = """() => {
  if (window.__heroInflight !== undefined) return;
  window.__heroInflight = 0;
  document.addEventListener("htmx:beforeRequest", () => { window.__heroInflight += 1; });
  document.addEventListener("htmx:afterRequest", () => { window.__heroInflight -= 1; });
}"""


def settled(page: Any) -> None:
    """Wait until htmx is idle: no request in flight (a section refreshing itself after an
    HX-Trigger event included) and nothing swapping or settling, twice in a row. A person never
    types that fast; a click on a link htmx has not bound yet would be a plain navigation."""
    page.evaluate(_TRACK_REQUESTS)
    busy = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"
    quiet = 0
    for _ in range(200):
        idle = page.evaluate(
            "(sel) => !document.querySelector(sel) && (window.__heroInflight || 0) <= 0", busy
        )
        quiet = quiet + 1 if idle else 0
        if quiet >= 2:
            return
        page.wait_for_timeout(25)


def toast(page: Any, text: str) -> None:
    expect(page.locator("#toasts .toast", has_text=text).first).to_be_visible()
    settled(page)


def test_it_manages_a_context_from_creation_to_deletion(browser_page: Any) -> None:
    page = browser_page
    errors: list[str] = []
    page.on(
        "console", lambda msg: errors.append(f"{msg.text} at {msg.location}") if msg.type == "error" else None
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # -- create a context from the list --------------------------------------------------------
    expect(page.locator("#context-rows")).to_contain_text("No contexts yet")
    page.fill("#new-name", "e2e-demo")
    page.fill("#new-coderoot", "/srv/code")
    page.fill("#new-description", "Made by the browser test")
    page.click("#context-create button[type=submit]")
    toast(page, "Created context e2e-demo")
    # the confirmation line links to the new context and has the focus; so does the toast's text
    created = page.locator("#context-create p.created a", has_text="context e2e-demo")
    expect(created).to_be_focused()
    expect(page.locator("#toasts a.toast-text", has_text="Created context e2e-demo")).to_have_attribute(
        "href", re.compile(r"^/contexts/\d+/$")
    )
    expect(page.locator("#context-rows")).to_contain_text("e2e-demo")
    page.fill("#context-filter", "nomatch")
    expect(page.locator("#context-rows")).to_contain_text("No context name contains")
    page.fill("#context-filter", "e2e")
    expect(page.locator("#context-rows a", has_text="e2e-demo")).to_be_visible()
    shot(page, "contexts-list")
    page.click("#context-rows a:text('e2e-demo')")
    page.wait_for_url(re.compile(r"/contexts/\d+/$"))
    context_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    # -- a session, then env vars edited in place ---------------------------------------------
    page.fill("#session-new-name", "run-one")
    page.click("#sessions button[type=submit]")
    toast(page, "Created session run-one")
    page.click("#sessions a:text('run-one')")
    page.wait_for_url("**/sessions/run-one/")
    page.fill("#env-add-key", "API_URL")
    page.fill("#env-add-value", "https://example.test")
    page.press("#env-add-value", "Enter")
    toast(page, "Added variable API_URL")
    expect(page.locator("#env table")).to_contain_text("https://example.test")
    expect(page.locator("#env-add-key")).to_be_focused()  # cleared, ready for the next one
    expect(page.locator("#env-add-key")).to_have_value("")
    # quick work: at most 3 toasts stay (the oldest go first), each with its own close button
    page.evaluate("() => { for (let i = 1; i <= 5; i++) window.heroToast('burst ' + i); }")
    live = page.locator("#toasts .toast:not([data-leaving])")
    expect(live).to_have_count(3)
    expect(live.first).to_contain_text("burst 3")
    expect(page.locator("#toasts")).to_have_attribute("aria-live", "polite")
    live.last.locator("button.toast-close").click()
    expect(page.locator("#toasts .toast", has_text="burst 5")).to_have_count(0)
    page.fill("#env-add-key", "2BAD")
    page.press("#env-add-key", "Enter")
    expect(page.locator("#env .field-error")).to_contain_text("not a valid variable name")
    expect(page.locator("#env-add-key")).to_have_value("2BAD")
    page.fill("#env-add-key", "DEBUG")
    page.fill("#env-add-value", "1")
    page.press("#env-add-value", "Enter")
    expect(page.locator("#env table")).to_contain_text("DEBUG")
    settled(page)  # a click on a link htmx has not bound yet would be a plain navigation
    page.click("#env a[aria-label='Edit API_URL']")
    expect(page.locator("#env-edit-value")).to_be_visible()
    settled(page)  # the swapped-in form must be bound, or Enter submits it without htmx
    page.fill("#env-edit-value", "https://changed.test")
    page.press("#env-edit-value", "Enter")
    toast(page, "Saved API_URL")
    expect(page.locator("#env table")).to_contain_text("https://changed.test")
    page.click("#env a[aria-label='Edit DEBUG']")
    expect(page.locator("#env-edit-value")).to_be_visible()
    settled(page)  # the swapped-in form must be bound, or Enter submits it without htmx
    page.fill("#env-edit-value", "should-not-stick")
    page.press("#env-edit-value", "Escape")
    expect(page.locator("#env-edit-value")).to_have_count(0)
    expect(page.locator("#env table")).not_to_contain_text("should-not-stick")
    page.click("#env-bulk summary")
    page.fill("#env-bulk-text", "# pasted\nexport FROM_BULK='two words'\nOTHER=x\n")
    page.click("#env-bulk button[type=submit]")
    toast(page, "Imported 2 variables")
    expect(page.locator("#env table")).to_contain_text("two words")  # the env table heard envChanged

    # -- the session database browser -----------------------------------------------------------
    session = context_get(context_id).session_get(name="run-one")
    db = session.db_get()
    for i in range(120):
        db.set(f"item:{i:03d}", f"value number {i}")
    db.set("blob", bytes(range(256)) * 2)
    page.reload()
    expect(page.locator("#db-keys")).to_contain_text("of 121 keys")
    page.click("#db a[rel=next]")
    expect(page.locator("#db-keys")).to_contain_text("Page 2 of 3")
    settled(page)
    page.fill("#db-prefix", "item:11")
    expect(page.locator("#db-keys")).to_contain_text("of 10 keys")
    page.click("#db-keys a:text('item:110')")
    expect(page.locator("#db-edit-value")).to_have_value("value number 110")
    settled(page)
    page.fill("#db-edit-value", "edited in the browser")
    page.click("#db-value button:text('Save value')")
    toast(page, "Saved item:110")
    assert db.get("item:110") == "edited in the browser"
    page.fill("#db-prefix", "blob")
    page.click("#db-keys a:text('blob')")
    expect(page.locator("#db-value pre.hex")).to_contain_text("0000  00 01 02 03")
    shot(page, "session-page")

    # -- end the session: the header's badge follows the sessionEnded event ----------------------
    expect(page.locator("#session-state")).to_have_text("running")
    page.once("dialog", lambda dialog: dialog.accept())  # hx-confirm
    page.click("#session-info button:text('End session')")
    toast(page, "Ended session run-one")
    expect(page.locator("#session-state")).to_have_text("ended")

    # -- a hero config file: invalid YAML first, then fixed ------------------------------------
    page.goto(f"/contexts/{context_id}/")
    page.click("#files summary")
    page.fill("#file-new-category", "app")
    page.fill("#file-new-name", "main")
    page.fill("#file-new-content", "name: demo\n")
    page.click("#files button[type=submit]")
    toast(page, "Created app__main.yaml")
    page.click("#files a:text('app__main.yaml')")
    page.wait_for_url("**/files/app/main/")
    page.fill("#file-content", "name: demo\nitems: [1, 2\nhome: ~/work\n")
    page.click("#file-editor button:text('Save')")
    expect(page.locator("#file-editor .field-error")).to_contain_text("line")
    expect(page.locator("#file-editor pre.excerpt .bad")).to_be_visible()
    expect(page.locator("#file-content")).to_have_value("name: demo\nitems: [1, 2\nhome: ~/work\n")
    shot(page, "file-yaml-error")
    page.fill("#file-content", "name: demo\nitems: [1, 2]\nhome: ~/work\n")
    page.click("#file-editor button:text('Preview')")
    expect(page.locator("#file-preview pre")).not_to_contain_text("~/work")
    page.click("#file-editor button:text('Save')")
    toast(page, "Saved app__main.yaml")
    expect(page.locator("#file-editor .field-error")).to_have_count(0)
    assert "items: [1, 2]" in context_get(context_id).hero_config_get("app", "main")
    shot(page, "file-saved")

    # -- a secret: set, masked, revealed on request ----------------------------------------------
    page.goto(f"/contexts/{context_id}/#secrets")
    page.fill("#secret-new-name", "API_TOKEN")
    page.fill("#secret-new-value", SECRET)
    page.click("#secrets button:text('Set secret')")
    toast(page, "Saved secret API_TOKEN")
    assert SECRET not in page.content()
    # the Activity section heard secretsChanged and fetched the trail again, without a reload
    expect(page.locator("#activity tbody tr").first).to_contain_text("secret.set")
    expect(page.locator("#activity tbody tr").first).to_contain_text("API_TOKEN")
    page.click("#secrets button[aria-label='Reveal API_TOKEN']")
    expect(page.locator("#secret-value-API_TOKEN")).to_have_text(SECRET)
    shot(page, "context-page")
    page.click("#secrets a:text('Hide')")
    expect(page.locator("#secret-value-API_TOKEN")).to_have_count(0)
    assert SECRET not in page.content()

    # -- delete the context ----------------------------------------------------------------------
    page.click("a:text('Delete…')")
    page.wait_for_url("**/delete/")
    expect(page.locator(".doomed")).to_contain_text("run-one")
    expect(page.locator(".doomed")).to_contain_text("app__main.yaml")
    shot(page, "delete-confirm")
    page.fill("#confirm-name", "e2e-demo")
    page.click("button:text('Delete e2e-demo and everything in it')")
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("#messages")).to_contain_text("Deleted context e2e-demo")
    expect(page.locator("#context-rows")).to_contain_text("No contexts yet")
    assert not [e for e in errors if "Content Security Policy" in e or "htmx" in e.lower()], errors


def test_it_reads_well_on_a_phone(browser: Any, live_server_url: str, live_admin: tuple[str, str]) -> None:
    context = browser.new_context(base_url=live_server_url, viewport={"width": 390, "height": 844},
                                  color_scheme="dark")  # fmt: skip
    page = context.new_page()
    try:
        page.goto("/login/")
        page.fill("input[name=username]", live_admin[0])
        page.fill("input[name=password]", live_admin[1])
        page.click("button[type=submit]")
        page.wait_for_url("**/")
        page.fill("#new-name", "phone-ctx")
        page.click("#context-create button[type=submit]")
        expect(page.locator("#context-rows")).to_contain_text("phone-ctx")
        shot(page, "phone-dark-list")
        page.click("#context-rows a:text('phone-ctx')")
        page.wait_for_url(re.compile(r"/contexts/\d+/$"))
        width = page.evaluate("document.documentElement.scrollWidth")
        shot(page, "phone-dark-context")
        assert width <= 400, f"the context page scrolls sideways on a phone ({width}px)"
    finally:
        context.close()
