"""Log pages and JSON/download endpoints through Django, with the permission checks."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from django.urls import reverse

from contexts.models import Membership
from heroweb.base import Session, context_new
from heroweb.base.log import Logger

HOUR = 1_741_082_400  # 2025-03-04 10:00:00 UTC


@pytest.fixture
def logged_session(db: Any, hero_env: dict[str, str]) -> Session:
    context = context_new(id=11, name="webctx")
    session = context.session_new(name="websess")
    logger = Logger(session.logs_path)
    for i in range(300):
        logger.log(
            log=f"line {i}" + (" \x1b[31mred\x1b[0m" if i == 5 else ""),
            cat="odd" if i % 2 else "even",
            logtype="error" if i % 10 == 0 else "stdout",
            timestamp=HOUR + i,
        )
    other = context.session_new(name="othersess")
    Logger(other.logs_path).log(log="from the other session", cat="other", timestamp=HOUR + 150.5)
    return session


def _body(response: Any) -> bytes:
    async def collect() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])

    return async_to_sync(collect)()


def test_it_shows_the_log_page_with_the_last_rows(client_logged_in: Client, logged_session: Session) -> None:
    response = client_logged_in.get(reverse("hero_sessions:log", args=[11, "websess"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "line 299" in html
    assert "line 99" not in html  # only the last 200 rows are in the page
    assert 'id="logview"' in html
    assert "<script>" not in html  # CSP: no inline script
    assert "js/logview.js" in html


def test_it_answers_the_page_with_htmx_too(client_logged_in: Client, logged_session: Session) -> None:
    response = client_logged_in.get(
        reverse("hero_sessions:log", args=[11, "websess"]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'id="logview"' in response.content.decode()


def test_it_shows_the_context_log_page_merged(client_logged_in: Client, logged_session: Session) -> None:
    response = client_logged_in.get(reverse("contexts:log", args=[11]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "from the other session" in html and "line 299" in html


def test_it_searches_the_whole_history_newest_first_with_paging(
    client_logged_in: Client, logged_session: Session
) -> None:
    url = reverse("hero_sessions:log_search", args=[11, "websess"])
    first = client_logged_in.get(url, {"q": "LINE 1", "n": "5"}).json()
    assert [e["m"] for e in first["entries"]] == ["line 199", "line 198", "line 197", "line 196", "line 195"]
    second = client_logged_in.get(url, {"q": "line 1", "n": "5", "before": first["next"]}).json()
    assert second["entries"][0]["m"] == "line 194"
    errors = client_logged_in.get(url, {"q": "line", "level": "error", "n": "1000"}).json()
    assert len(errors["entries"]) == 30 and errors["next"] is None
    ranged = client_logged_in.get(url, {"q": "line", "from": str(HOUR + 10), "to": str(HOUR + 12)}).json()
    assert [e["m"] for e in ranged["entries"]] == ["line 12", "line 11", "line 10"]


def test_it_pages_older_entries_for_scroll_back(client_logged_in: Client, logged_session: Session) -> None:
    url = reverse("hero_sessions:log_older", args=[11, "websess"])
    newest = client_logged_in.get(url, {"n": "10"}).json()["entries"]
    assert [e["m"] for e in newest][-1] == "line 299"
    older = client_logged_in.get(url, {"n": "10", "before": newest[0]["p"]}).json()
    assert [e["m"] for e in older["entries"]] == [f"line {i}" for i in range(280, 290)]
    around = client_logged_in.get(url, {"n": "2", "after": older["entries"][0]["p"]}).json()
    assert [e["m"] for e in around["entries"]] == ["line 280", "line 281"]
    odd = client_logged_in.get(url, {"n": "3", "cat": "odd"}).json()["entries"]
    assert [e["m"] for e in odd] == ["line 295", "line 297", "line 299"]


def test_it_downloads_the_whole_log_as_herolib_bytes(
    client_logged_in: Client, logged_session: Session
) -> None:
    response = client_logged_in.get(reverse("hero_sessions:log_download", args=[11, "websess"]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    body = _body(response)
    on_disk = b"".join(p.read_bytes() for p in sorted(logged_session.logs_path.glob("*.log")))
    assert body == on_disk


def test_it_downloads_only_the_filtered_entries(client_logged_in: Client, logged_session: Session) -> None:
    url = reverse("hero_sessions:log_download", args=[11, "websess"])
    response = client_logged_in.get(url, {"level": "error"})
    body = _body(response).decode()
    assert body.count("\nE even       - line ") == 30
    assert "line 1\n" not in body


def _as_context_12(body: bytes) -> bytes:
    """The page as it would read for context 12; CSRF tokens (new each time) masked."""
    body = re.sub(rb"[A-Za-z0-9]{64}", b"CSRF", body)
    return body.replace(b"context 11", b"context 12").replace(b"/11/", b"/12/")


def test_it_answers_404_to_a_user_who_may_not_see_the_context(
    client: Client, user: Callable[..., Any], logged_session: Session
) -> None:
    """As on the dashboard: a non-member cannot tell this context from one that does not exist."""
    client.force_login(user("mallory"))
    for name in ("log", "log_stream", "log_search", "log_older", "log_download"):
        response = client.get(reverse(f"hero_sessions:{name}", args=[11, "websess"]))
        missing = client.get(reverse(f"hero_sessions:{name}", args=[12, "websess"]))
        assert response.status_code == missing.status_code == 404, name
        assert _as_context_12(response.content) == _as_context_12(missing.content), name
        assert b"websess" not in response.content
    for name in ("log", "log_stream", "log_search", "log_older", "log_download"):
        response = client.get(reverse(f"contexts:{name}", args=[11]))
        missing = client.get(reverse(f"contexts:{name}", args=[12]))
        assert response.status_code == missing.status_code == 404, name
        assert _as_context_12(response.content) == _as_context_12(missing.content), name


def test_it_lets_a_viewer_member_read_the_log(
    client: Client, user: Callable[..., Any], logged_session: Session
) -> None:
    viewer = user("vera")
    Membership.objects.create(user=viewer, context_id=11, role="viewer")
    client.force_login(viewer)
    assert client.get(reverse("hero_sessions:log", args=[11, "websess"])).status_code == 200
    url = reverse("hero_sessions:log_search", args=[11, "websess"])
    assert client.get(url, {"q": "line"}).status_code == 200


def test_it_answers_404_for_a_missing_session(client_logged_in: Client, logged_session: Session) -> None:
    assert client_logged_in.get(reverse("hero_sessions:log", args=[11, "nosuch"])).status_code == 404


def test_it_rejects_a_bad_position(client_logged_in: Client, logged_session: Session) -> None:
    url = reverse("hero_sessions:log_older", args=[11, "websess"])
    assert client_logged_in.get(url, {"before": "../../x"}).status_code == 400


def test_it_sends_anonymous_users_to_login(client: Client, logged_session: Session) -> None:
    response = client.get(reverse("hero_sessions:log_stream", args=[11, "websess"]))
    assert response.status_code == 302
