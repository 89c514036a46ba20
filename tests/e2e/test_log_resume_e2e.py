"""Through uvicorn and headless Chromium: a live log survives cut connections without loss.

Issue 4: "kill the connection mid-stream while a writer writes 10,000 numbered lines; the
browser ends with each number exactly once, in order". The connections are aborted from
outside (``ss -K``, as a flaky network or a restarted proxy would), so the page has to recover
by itself: EventSource reconnects and sends ``Last-Event-ID``, the server resumes from there.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from collections import Counter
from itertools import pairwise
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from heroweb.base import context_new

TOTAL = 10_000
KILLS = 2
KILL_EVERY = 1_000  # entries the browser receives before a cut and between two cuts
RECONNECT_TIMEOUT_MS = 20_000  # EventSource retries after 1 s (the server's `retry:`)
ALL_ARRIVED_TIMEOUT_MS = 60_000

# Another process, as a real program would be: 10,000 lines over about 8 seconds, so both cuts
# land while it writes (the browser reconnects about a second after each) even on a busy machine.
WRITER = """
import sys, time
from heroweb.base.log import Logger
logger = Logger(sys.argv[1])
for i in range(int(sys.argv[2])):
    logger.log(log=f"n {i}", cat="num")
    if i % 25 == 24:
        time.sleep(0.02)
"""

# Runs in the page before logview.js: records every number the stream delivered (the DOM keeps
# only the last 5,000 rows) and every change of the view's visible state.
RECORDER = """
window.__seen = [];
window.__other = [];
window.__states = [];
document.addEventListener("logview:entries", (ev) => {
  for (const e of ev.detail) {
    const m = /^n (\\d+)$/.exec(e.m);
    if (m) window.__seen.push(Number(m[1]));
    else window.__other.push(e.m);
  }
});
new MutationObserver((records) => {
  for (const r of records) {
    const state = r.target.dataset ? r.target.dataset.state : undefined;
    if (r.target.id === "logview" && state !== window.__states[window.__states.length - 1]) {
      window.__states.push(state);
    }
  }
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-state"] });
"""
# A function, not an expression string: the page's CSP forbids eval.
ARRIVED = "(n) => window.__seen.length >= n"


def _describe(seen: list[int]) -> str:
    """What went wrong, for a person: how many arrived, which are missing, doubled, misplaced."""
    counts = Counter(seen)
    missing = [n for n in range(TOTAL) if n not in counts]
    doubled = sorted(n for n, c in counts.items() if c > 1)
    backwards = [(a, b) for a, b in pairwise(seen) if b <= a]
    return (
        f"{len(seen)} entries arrived ({len(counts)} distinct numbers of {TOTAL}); "
        f"missing {len(missing)}: {missing[:20]}; duplicated {len(doubled)}: {doubled[:20]}; "
        f"out of order at {len(backwards)} places: {backwards[:10]}"
    )


def _kill_connections(port: int) -> list[str]:
    """Abort every TCP connection to the live server (the browser's) as the kernel would on a
    network failure; returns the sockets ``ss`` killed."""
    result = subprocess.run(
        ["ss", "-K", "-t", "-n", "dst", "127.0.0.1", "dport", "=", f":{port}"],
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    )
    return [line for line in result.stdout.splitlines() if f"127.0.0.1:{port}" in line]


@pytest.mark.skipif(shutil.which("ss") is None, reason="needs ss (iproute2) to cut connections")
def test_it_resumes_after_killed_connections_with_each_number_exactly_once(
    browser_page: Any, live_server_url: str
) -> None:
    page = browser_page
    port = urlsplit(live_server_url).port
    assert port is not None
    name = f"resume{uuid.uuid4().hex[:8]}"
    session = context_new(id=14, name=name).session_new(name=name)
    stream_path = reverse("hero_sessions:log_stream", args=[14, name])
    streams: list[Any] = []  # every stream request the page made
    page.on("request", lambda r: streams.append(r) if stream_path in r.url else None)
    page.add_init_script(RECORDER)
    page.goto(reverse("hero_sessions:log", args=[14, name]))
    page.wait_for_selector("#logview[data-state=live]")
    assert page.evaluate("window.__seen.length") == 0  # an empty log: the history is empty

    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(session.logs_path), str(TOTAL)])
    try:
        killed: list[list[str]] = []
        reconnect_seconds: list[float] = []
        threshold = 0
        for _ in range(KILLS):
            threshold += KILL_EVERY
            page.wait_for_function(ARRIVED, arg=threshold, timeout=ALL_ARRIVED_TIMEOUT_MS)
            assert writer.poll() is None, "the writer finished before the cut: it must land mid-stream"
            with page.expect_request(lambda r: stream_path in r.url, timeout=RECONNECT_TIMEOUT_MS):
                cut_at = time.monotonic()
                killed.append(_kill_connections(port))
                assert killed[-1], f"ss -K killed no connection to port {port}"
            reconnect_seconds.append(time.monotonic() - cut_at)
            threshold = max(threshold, page.evaluate("window.__seen.length"))

        try:
            page.wait_for_function(ARRIVED, arg=TOTAL, timeout=ALL_ARRIVED_TIMEOUT_MS)
        except Exception as exc:  # playwright's TimeoutError: say what arrived, not only "timeout"
            seen: list[int] = page.evaluate("window.__seen")
            pytest.fail(f"not all {TOTAL} entries arrived within 60 s: {_describe(seen)}; {exc}")
        assert writer.wait(timeout=30) == 0
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()

    seen = page.evaluate("window.__seen")
    assert seen == list(range(TOTAL)), _describe(seen)
    assert page.evaluate("window.__other") == []
    # The cuts were real (ss listed the aborted sockets, asserted above), and each time the
    # browser opened the stream again by itself, saying where it was.
    # (Last-Event-ID is not among the provisional headers: all_headers() has the sent ones.)
    sent = [r.all_headers().get("last-event-id", "") for r in streams]
    assert len(sent) >= KILLS + 1 and sent[0] == "" and all(sent[1:]), sent
    # and the page said so: "reconnecting" after each cut, then live again.
    states: list[str] = page.evaluate("window.__states")
    assert states.count("reconnecting") >= KILLS, states
    assert states[-1] == "live", states
    assert page.inner_text("#lv-status") == "Live"
    print(f"reconnected after {', '.join(f'{s:.2f}' for s in reconnect_seconds)} s; killed {killed}")
