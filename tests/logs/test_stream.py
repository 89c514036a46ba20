"""The SSE stream through a real uvicorn: history, live entries, resume, permissions."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
from django.urls import reverse

from heroweb.base import Session
from heroweb.base.log import Logger
from tests.conftest import PASSWORD, manage
from tests.logs.conftest import login
from tests.logs.sse import Event, events

WRITER = """
import sys, time
from heroweb.base.log import Logger
logger = Logger(sys.argv[1])
count, pause_every = int(sys.argv[2]), int(sys.argv[3])
for i in range(count):
    logger.log(log=f"n {i}", cat="num")
    if pause_every and i % pause_every == 0:
        time.sleep(0.005)  # spread over a few seconds so connections can be cut mid-stream
"""


def _stream_url(session: Session) -> str:
    return reverse("hero_sessions:log_stream", args=[session.context.id, session.name])


def _writer(path: Path, count: int, pause_every: int = 0) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(count), str(pause_every)])


def _entries(ev: Event) -> list[dict[str, object]]:
    return list(ev.json()["entries"])


def test_it_streams_recent_history_then_new_entries(live_client: httpx.Client, live_session: Session) -> None:
    logger = Logger(live_session.logs_path)
    for i in range(30):
        logger.log(log=f"old {i}", cat="hist")
    url = _stream_url(live_session) + "?n=10"
    with live_client.stream("GET", url) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["x-accel-buffering"] == "no"
        stream = events(response)
        history = next(stream)
        assert history.name == "history"
        assert [e["m"] for e in _entries(history)] == [f"old {i}" for i in range(20, 30)]
        assert history.id
        writer = _writer(live_session.logs_path, 50)
        got: list[object] = []
        for ev in stream:
            if ev.name == "entries":
                got += [e["m"] for e in _entries(ev)]
            if len(got) >= 50:
                break
        writer.wait(30)
    assert got == [f"n {i}" for i in range(50)]


def test_it_resumes_with_last_event_id_without_gap_or_duplicate(
    live_client: httpx.Client, live_session: Session
) -> None:
    total = 10_000
    url = _stream_url(live_session)
    received: list[int] = []
    last_id: str | None = None
    writer = None
    cuts = [2_500, 6_000]
    while len(received) < total:
        headers = {"Last-Event-ID": last_id} if last_id else {}
        with live_client.stream("GET", url, headers=headers) as response:
            assert response.status_code == 200
            for ev in events(response):
                if ev.name == "history":
                    assert last_id is None  # a resumed stream sends no history
                    assert _entries(ev) == []
                    last_id = ev.id
                    if writer is None:
                        writer = _writer(live_session.logs_path, total, pause_every=50)
                    continue
                if ev.name != "entries":
                    continue
                received += [int(str(e["m"]).split()[1]) for e in _entries(ev)]
                last_id = ev.id
                if cuts and len(received) >= cuts[0]:
                    cuts.pop(0)
                    break  # leaving the block drops the connection mid-stream
                if len(received) >= total:
                    break
        time.sleep(0.2)  # the writer keeps writing while nobody listens
    assert writer is not None
    assert writer.wait(60) == 0
    assert received == list(range(total))


def test_it_answers_404_for_the_stream_to_a_user_who_may_not_see_the_context(
    live_server_url: str, live_session: Session
) -> None:
    manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        "U = get_user_model()\n"
        "if not U.objects.filter(username='outsider').exists():\n"
        f"    U.objects.create_user('outsider', '', '{PASSWORD}')\n",
    )
    client = login(live_server_url, "outsider", PASSWORD)
    try:
        # 404 as for a context that does not exist: no hint that this one does
        response = client.get(_stream_url(live_session))
        assert response.status_code == 404 and live_session.name not in response.text
        context_stream = reverse("contexts:log_stream", args=[live_session.context.id])
        assert client.get(context_stream).status_code == 404
        missing = reverse("contexts:log_stream", args=[live_session.context.id + 1])
        assert client.get(missing).text == client.get(context_stream).text.replace(
            str(live_session.context.id), str(live_session.context.id + 1)
        )
    finally:
        client.close()


def test_it_merges_the_sessions_of_a_context_in_one_stream(
    live_client: httpx.Client, live_session: Session
) -> None:
    other = live_session.context.session_new(name=live_session.name + "b")
    Logger(live_session.logs_path).log(log="first a", cat="a")
    Logger(other.logs_path).log(log="first b", cat="b")
    url = reverse("contexts:log_stream", args=[live_session.context.id])
    with live_client.stream("GET", url) as response:
        stream = events(response)
        history = next(stream)
        assert {(e["s"], e["m"]) for e in _entries(history)} == {
            (live_session.name, "first a"),
            (other.name, "first b"),
        }
        cursor = history.id
        assert cursor and live_session.name in cursor and other.name in cursor
        Logger(other.logs_path).log(log="second b", cat="b")
        ev = next(e for e in stream if e.name == "entries")
        assert [(e["s"], e["m"]) for e in _entries(ev)] == [(other.name, "second b")]
        cursor = ev.id
    assert cursor is not None
    Logger(live_session.logs_path).log(log="second a", cat="a")
    with live_client.stream("GET", url, headers={"Last-Event-ID": cursor}) as response:
        ev = next(e for e in events(response) if e.name == "entries")
        assert [(e["s"], e["m"]) for e in _entries(ev)] == [(live_session.name, "second a")]


def test_it_filters_the_stream_on_the_server(live_client: httpx.Client, live_session: Session) -> None:
    url = _stream_url(live_session) + "?level=error&cat=keep"
    with live_client.stream("GET", url) as response:
        stream = events(response)
        assert next(stream).name == "history"
        logger = Logger(live_session.logs_path)
        logger.log(log="no: stdout", cat="keep")
        logger.log(log="no: other category", cat="drop", logtype="error")
        logger.log(log="yes", cat="keep", logtype="error")
        ev = next(e for e in stream if e.name == "entries")
        assert [e["m"] for e in _entries(ev)] == ["yes"]


def test_it_serves_streams_outside_djangos_handler_and_still_needs_a_login(
    live_server_url: str, live_session: Session
) -> None:
    # uvicorn runs heroweb.asgi, whose router answers streams itself: 401, not a login redirect.
    response = httpx.get(live_server_url + _stream_url(live_session), timeout=10)
    assert response.status_code == 401
