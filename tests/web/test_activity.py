"""The audit trail: every change through the web is one event that names what changed, never a value."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from contexts.forms import fingerprint
from contexts.models import AuditEvent
from contexts.pages import ACTIVITY_PER_PAGE
from heroweb.base import context_get
from tests.web.conftest import HX

pytestmark = pytest.mark.django_db

# Every value below is unique, so an event that carried one would be caught by its marker.
MARK = "VALUE-MUST-NOT-LEAK"


def _value(n: int) -> str:
    return f"{MARK}-{n}"


def _steps(user: Callable[..., User]) -> list[tuple[str, str, Callable[[], dict[str, Any]], str]]:
    """(action, url, data, a name the detail must mention), in an order where each one can run."""
    bob = user("bob")
    assert bob.pk
    c, s = "/contexts/1/", "/contexts/1/sessions/run1/"

    def config() -> dict[str, Any]:
        return {"coderoot": "/src/x", "description": "new text", "version": context_get(1).version}

    def fields() -> dict[str, Any]:
        session = context_get(1).session_get(name="run1")
        return {"description": "about s1", "version": session.version}

    def file_save() -> dict[str, Any]:
        text = context_get(1).hero_config_get("mail", "main")
        return {"content": f"password: {_value(11)}\n", "original": fingerprint(text)}

    def db_edit() -> dict[str, Any]:
        db = context_get(1).session_get(name="run1").db_get()
        return {"key": "dbkey", "value": _value(13), "original": fingerprint(db.get("dbkey"))}

    def env_edit() -> dict[str, Any]:
        env = context_get(1).session_get(name="run1").env
        return {"value": _value(15), "original": fingerprint(env["API_KEY"])}

    def param_edit() -> dict[str, Any]:
        return {"value": _value(17), "original": fingerprint(context_get(1).params_dict["region"])}

    return [
        ("context.create", "/contexts/new/", lambda: {"id": 1, "name": "demo"}, "demo"),
        ("context.settings", c + "config/", config, "coderoot"),
        ("param.add", c + "params/", lambda: {"key": "region", "value": _value(1)}, "region"),
        ("param.edit", c + "params/region/", param_edit, "region"),
        ("param.delete", c + "params/region/delete/", lambda: {}, "region"),
        ("config_file.create", c + "files/", lambda: {"category": "mail", "name": "main"}, "mail__main.yaml"),
        ("config_file.save", c + "files/mail/main/", file_save, "mail__main.yaml"),
        ("config_file.delete", c + "files/mail/main/delete/", lambda: {}, "mail__main.yaml"),
        ("secret.set", c + "secrets/set/", lambda: {"name": "TOKEN", "value": _value(2)}, "TOKEN"),
        ("secret.rotate", c + "secrets/TOKEN/rotate/", lambda: {"value": _value(3)}, "TOKEN"),
        ("secret.reveal", c + "secrets/TOKEN/reveal/", lambda: {}, "TOKEN"),
        ("secret.delete", c + "secrets/TOKEN/delete/", lambda: {}, "TOKEN"),
        ("passphrase.set", c + "passphrase/", lambda: {"new": _value(4), "confirm": _value(4)}, "set"),
        ("db.add", c + "db/", lambda: {"key": "cfgkey", "value": _value(5)}, "cfgkey"),
        ("db.delete", c + "db/delete/", lambda: {"key": "cfgkey"}, "cfgkey"),
        ("session.create", c + "new-session/", lambda: {"name": "run1"}, "run1"),
        ("session.fields", s + "fields/", fields, "description"),
        ("env.add", s + "env/", lambda: {"key": "API_KEY", "value": _value(6)}, "API_KEY"),
        ("env.edit", s + "env/API_KEY/", env_edit, "API_KEY"),
        ("env.delete", s + "env/API_KEY/delete/", lambda: {}, "API_KEY"),
        ("env.bulk", s + "env-bulk/", lambda: {"text": f"A={_value(7)}\nB={_value(8)}\n"}, "A, B"),
        ("param.add", s + "params/", lambda: {"key": "mode", "value": _value(9)}, "session run1: mode"),
        ("db.add", s + "db/", lambda: {"key": "dbkey", "value": _value(12)}, "dbkey"),
        ("db.edit", s + "db/value/", db_edit, "dbkey"),
        ("db.delete", s + "db/delete/", lambda: {"key": "dbkey"}, "dbkey"),
        ("session.end", s + "end/", lambda: {}, "run1"),
        ("member.add", c + "members/", lambda: {"username": "bob", "role": "viewer"}, "bob"),
        ("member.role", f"{c}members/{bob.pk}/", lambda: {"role": "editor"}, "viewer → editor"),
        ("member.remove", f"{c}members/{bob.pk}/", lambda: {"remove": "1"}, "bob"),
        ("session.delete", s + "delete/", lambda: {}, "run1"),
        ("context.delete", c + "delete/", lambda: {"confirm_name": "demo"}, "demo"),
    ]


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "plain"])
def test_it_records_each_change_as_one_event_without_its_value(
    client_logged_in: Client, user: Callable[..., User], headers: dict[str, str]
) -> None:
    for action, url, data, named in _steps(user):
        before = AuditEvent.objects.count()
        response = client_logged_in.post(url, data(), headers=headers)
        assert response.status_code in (200, 302), (action, response.status_code)
        new = list(AuditEvent.objects.order_by("id")[before:])
        assert [e.action for e in new] == [action], url
        event = new[0]
        assert event.context_id == 1 and event.user is not None and event.user.username == "root"
        assert named in event.detail, (action, event.detail)
    assert not AuditEvent.objects.filter(detail__contains=MARK).exists()
    assert not AuditEvent.objects.filter(action__contains=MARK).exists()


def _record(n: int, context_id: int = 1) -> None:
    for i in range(n):
        AuditEvent.objects.create(context_id=context_id, action="param.add", detail=f"key{i}")


def test_it_shows_the_activity_on_the_context_page(client_logged_in: Client, make_context: Any) -> None:
    make_context(1, "demo")
    client_logged_in.post("/contexts/1/params/", {"key": "region", "value": "eu"}, headers=HX)
    text = client_logged_in.get("/contexts/1/").content.decode()
    assert 'id="activity"' in text and "param.add" in text and "region" in text
    assert '<time datetime="' in text and "root" in text
    assert 'hx-trigger="configChanged from:body' in text and "secretsChanged from:body" in text


def test_it_answers_the_activity_as_a_full_page(client_logged_in: Client, make_context: Any) -> None:
    make_context(1, "demo")
    _record(3)
    response = client_logged_in.get("/contexts/1/activity/")
    text = response.content.decode()
    assert response.status_code == 200 and "<html" in text and 'id="activity"' in text
    assert "key2" in text


def test_it_answers_the_activity_as_a_fragment(client_logged_in: Client, make_context: Any) -> None:
    make_context(1, "demo")
    _record(3)
    response = client_logged_in.get("/contexts/1/activity/", headers=HX)
    text = response.content.decode()
    assert response.status_code == 200 and text.strip().startswith('<section id="activity"')
    assert "<html" not in text and "key0" in text


def test_it_pages_back_to_older_events(client_logged_in: Client, make_context: Any) -> None:
    make_context(1, "demo")
    _record(ACTIVITY_PER_PAGE + 5)
    newest = client_logged_in.get("/contexts/1/activity/", headers=HX).content.decode()
    assert newest.count("param.add") == ACTIVITY_PER_PAGE
    assert f">key{ACTIVITY_PER_PAGE + 4}<" in newest and ">key4<" not in newest
    oldest_shown = AuditEvent.objects.order_by("id")[5].pk
    older = f"/contexts/1/activity/?before={oldest_shown}"
    assert f'href="{older}#activity" hx-get="{older}"' in newest
    text = client_logged_in.get(older, headers=HX).content.decode()
    assert text.count("param.add") == 5 and ">key4<" in text and "Older" not in text
    assert 'hx-get="/contexts/1/activity/"' in text  # back to the latest


def test_it_keeps_other_contexts_events_out(client_logged_in: Client, make_context: Any) -> None:
    make_context(1, "demo")
    make_context(2, "other")
    AuditEvent.objects.create(context_id=2, action="secret.set", detail="OTHER_SECRET_NAME")
    text = client_logged_in.get("/contexts/1/activity/", headers=HX).content.decode()
    assert "OTHER_SECRET_NAME" not in text and "No changes yet" in text


def test_it_hides_the_trail_of_a_deleted_context_that_had_the_same_id(
    client_logged_in: Client, make_context: Any
) -> None:
    from datetime import timedelta

    make_context(1, "demo")
    old = AuditEvent.objects.create(context_id=1, action="secret.set", detail="OLD_NAME")
    AuditEvent.objects.filter(pk=old.pk).update(when=old.when - timedelta(days=1))
    text = client_logged_in.get("/contexts/1/activity/", headers=HX).content.decode()
    assert "OLD_NAME" not in text


def test_it_hides_the_activity_from_non_members(member_client: Any, make_context: Any) -> None:
    make_context(1, "demo")
    _record(1)
    stranger, _ = member_client(None)
    for headers in ({}, HX):
        response = stranger.get("/contexts/1/activity/", headers=headers)
        assert response.status_code == 404 and "key0" not in response.content.decode()


def test_it_shows_the_activity_to_viewers(member_client: Any, make_context: Any) -> None:
    make_context(1, "demo")
    _record(1)
    viewer, _ = member_client("viewer")
    response = viewer.get("/contexts/1/activity/", headers=HX)
    assert response.status_code == 200 and "key0" in response.content.decode()
