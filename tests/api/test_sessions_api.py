"""Sessions over the API: create, read, end, env (one variable, an atomic patch), log lines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from contexts.models import AuditEvent
from heroweb.base import context_get
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

C = "/api/v1/contexts/1/"
S = C + "sessions/run1/"


def _session(name: str = "run1") -> Any:
    return context_get(1).session_get(name=name)


def test_it_creates_lists_and_shows_sessions(api: Callable[..., ApiClient], make_context: Any) -> None:
    make_context(1, "demo")
    c = api("editor")
    created = c.post(
        C + "sessions/",
        {
            "name": "run1",
            "description": "nightly",
            "interactive": True,
            "params": {"k": "v"},
            "env": {"A": "1"},
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["name"], body["description"], body["interactive"], body["env"]) == (
        "run1",
        "nightly",
        True,
        {"A": "1"},
    )
    assert body["params"] == {"k": "v"} and body["ended"] is False and body["start"] > 0
    assert [s["name"] for s in c.get(C + "sessions/").json()["sessions"]] == ["run1"]
    assert c.get(S).json()["env"] == {"A": "1"}
    assert _session().description == "nightly"
    assert AuditEvent.objects.get().action == "session.create"


def test_it_refuses_a_duplicate_or_badly_named_session(
    api: Callable[..., ApiClient], make_context: Any
) -> None:
    make_context(1, "demo").session_new(name="run1")
    c = api("editor")
    duplicate = c.post(C + "sessions/", {"name": "run1"})
    assert duplicate.status_code == 409 and "already exists" in duplicate.json()["error"]
    for bad in ("ab", "../x", "latest", "a b", ""):
        response = c.post(C + "sessions/", {"name": bad})
        assert response.status_code == 422, bad
    assert c.post(C + "sessions/", {"name": 5}).status_code == 400
    assert c.post(C + "sessions/", ["run2"]).status_code == 400
    assert [s.name for s in context_get(1).session_list()] == ["run1"]


def test_it_answers_404_for_a_missing_or_impossible_session(
    api: Callable[..., ApiClient], make_context: Any
) -> None:
    make_context(1, "demo")
    c = api("viewer")
    assert c.get(C + "sessions/nope/").status_code == 404
    assert c.get(C + "sessions/a..b!/").status_code == 404


def test_it_ends_a_session_once(api: Callable[..., ApiClient], make_context: Any) -> None:
    make_context(1, "demo").session_new(name="run1")
    c = api("editor")
    first = c.post(S + "end/")
    assert first.status_code == 200 and first.json()["ended"] is True
    second = c.post(S + "end/")
    assert second.json()["end"] == first.json()["end"]
    assert _session().ended
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["session.end"]


def test_it_sets_reads_and_deletes_one_variable(api: Callable[..., ApiClient], make_context: Any) -> None:
    make_context(1, "demo").session_new(name="run1")
    c = api("editor")
    assert c.put(S + "env/KEY/", {"value": "one"}).status_code == 201
    assert c.put(S + "env/KEY/", text="two words\n").status_code == 200
    assert c.get(S + "env/KEY/").json() == {"key": "KEY", "value": "two words\n"}
    assert _session().env_get("KEY") == "two words\n"
    assert c.delete(S + "env/KEY/").status_code == 204
    assert c.get(S + "env/KEY/").status_code == 404
    assert c.delete(S + "env/KEY/").status_code == 404
    events = list(AuditEvent.objects.order_by("id").values_list("action", "detail"))
    assert [a for a, _ in events] == ["env.add", "env.edit", "env.delete"]
    assert all("KEY" in d and "one" not in d and "two words" not in d for _, d in events)


def test_it_patches_env_atomically(api: Callable[..., ApiClient], make_context: Any) -> None:
    make_context(1, "demo").session_new(name="run1", env={"OLD": "x", "KEEP": "k"})
    c = api("editor")
    response = c.patch(S + "env/", {"NEW": "1", "OLD": None})
    assert response.status_code == 200 and response.json()["env"] == {"KEEP": "k", "NEW": "1"}
    # One bad key or value: nothing of the patch is written.
    for bad in ({"GOOD": "1", "9bad": "x"}, {"GOOD": "1", "BIG": "x" * (64 * 1024 + 1)}, {"GOOD": 1}):
        assert c.patch(S + "env/", bad).status_code == 422
    assert c.patch(S + "env/", ["A"]).status_code == 400
    assert c.get(S + "env/").json()["env"] == {"KEEP": "k", "NEW": "1"}
    detail = AuditEvent.objects.get().detail
    assert "set NEW" in detail and "removed OLD" in detail


@pytest.mark.parametrize("key", ["9LIVES", "A-B", "x.y"])
def test_it_refuses_a_bad_variable_name(api: Callable[..., ApiClient], make_context: Any, key: str) -> None:
    make_context(1, "demo").session_new(name="run1")
    response = api("editor").put(f"{S}env/{key}/", {"value": "v"})
    assert response.status_code == 422 and "not a valid variable name" in response.json()["error"]
    assert _session().env == {}


def test_it_refuses_an_oversized_value(api: Callable[..., ApiClient], make_context: Any) -> None:
    make_context(1, "demo").session_new(name="run1")
    response = api("editor").put(S + "env/BIG/", text="x" * (64 * 1024 + 1))
    assert response.status_code == 422 and "limit" in response.json()["error"]


def test_it_lets_a_viewer_read_but_not_change_a_session(
    api: Callable[..., ApiClient], make_context: Any
) -> None:
    make_context(1, "demo").session_new(name="run1", env={"A": "1"})
    c = api("viewer")
    assert c.get(S + "env/").json()["env"] == {"A": "1"}
    assert c.get(S + "env/A/").status_code == 200
    for response in (
        c.put(S + "env/A/", {"value": "2"}),
        c.patch(S + "env/", {"A": "2"}),
        c.delete(S + "env/A/"),
        c.post(S + "end/"),
        c.post(C + "sessions/", {"name": "run2"}),
        c.post(S + "log/", {"log": "hi"}),
    ):
        assert response.status_code == 403 and "editor" in response.json()["error"]
    assert _session().env == {"A": "1"} and not _session().ended


def test_it_answers_404_to_a_non_member_for_sessions(
    api: Callable[..., ApiClient], make_context: Any
) -> None:
    make_context(1, "demo").session_new(name="run1")
    c = api("editor", context_id=2)
    assert c.get(S).status_code == 404
    assert c.put(S + "env/A/", {"value": "1"}).status_code == 404


def test_it_appends_log_entries(api: Callable[..., ApiClient], make_context: Any) -> None:
    make_context(1, "demo").session_new(name="run1")
    c = api("editor")
    response = c.post(
        S + "log/",
        {
            "entries": [
                {"log": "building", "cat": "make"},
                {"log": "it broke\nbadly", "cat": "make", "logtype": "error"},
            ]
        },
    )
    assert response.status_code == 201 and response.json() == {"written": 2}
    assert c.post(S + "log/", {"log": "one more"}).json() == {"written": 1}
    text = "".join(p.read_text() for p in sorted(_session().logs_path.glob("*.log")))
    assert "  make       - building" in text
    assert "E make       - it broke\n" in text and "E" + " " * 14 + "badly" in text
    assert "one more" in text


def test_it_refuses_bad_log_entries_and_writes_none(api: Callable[..., ApiClient], make_context: Any) -> None:
    make_context(1, "demo").session_new(name="run1")
    c = api("editor")
    assert c.post(S + "log/", {"entries": [{"log": "ok"}, {"log": 5}]}).status_code == 400
    assert c.post(S + "log/", {"entries": [{"log": "ok", "logtype": "warn"}]}).status_code == 422
    assert c.post(S + "log/", {"entries": []}).status_code == 400
    assert c.post(S + "log/", {"entries": [{"log": "x"}] * 1001}).status_code == 413
    assert not list(_session().logs_path.glob("*.log"))


def test_it_takes_curls_default_form_content_type_as_text(
    api: Callable[..., ApiClient], make_context: Any
) -> None:
    """`curl --data-binary 'x'` sends application/x-www-form-urlencoded: the body is still the value."""
    make_context(1, "demo").session_new(name="run1")
    c = api("editor")
    form = "application/x-www-form-urlencoded"
    assert (
        c.client.put(S + "env/REGION/", "eu-west", content_type=form, headers=c._headers(None)).status_code
        == 201
    )
    assert _session().env_get("REGION") == "eu-west"
