"""A crawl for leaks: no page, fragment, log record, error report or audit event holds a secret.

A context with a secret, a passphrase and an encrypted session DB value (all set through the
web), then as an admin every page and fragment URL of the dashboard, resolved from the urlconf
(so a new view is crawled without anyone adding it here), as a page and as an HTMX fragment; a
500 error with the secret in the POST data; every log record of every logger at DEBUG and the
error email Django would send. The plaintext may appear in exactly one place: the response to
the explicit reveal.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.log import AdminEmailHandler

from contexts.models import AuditEvent, Membership
from heroweb.base import context_get, context_new, redisconn
from tests.web.conftest import HX

pytestmark = pytest.mark.django_db

SECRET = "Zq7-plaintext-secret-4c1d"
PASSPHRASE = "Zq7-plaintext-passphrase-9e2b"
DB_VALUE = "Zq7-plaintext-db-value-77aa"  # shown by the DB browser by design; never logged or stored plain
NEEDLES = (SECRET, PASSPHRASE)

CONTEXT_ID, SESSION = 1, "leaky-run"
NAMESPACES = {"contexts", "hero_sessions", None}  # our apps and the top-level pages
NEVER_ENDING = {"log_stream"}  # server-sent events: they stream until the client goes away


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every record of every logger at DEBUG, including those that do not propagate to the root."""
    names = [None, *logging.root.manager.loggerDict]
    detached = []
    for name in names:
        caplog.set_level(logging.DEBUG, logger=name)  # restored by caplog afterwards
        logger = logging.getLogger(name)
        if name is not None and not logger.propagate and caplog.handler not in logger.handlers:
            logger.addHandler(caplog.handler)
            detached.append(logger)
    yield caplog
    for logger in detached:
        logger.removeHandler(caplog.handler)


@pytest.fixture
def error_email(settings: Any) -> Iterator[None]:
    """Mail admins as Django would with ADMINS set (production does not; a test proves it is safe)."""
    settings.ADMINS = [("Ops", "ops@example.test")]
    handler = AdminEmailHandler(include_html=True)
    handler.setLevel(logging.ERROR)
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield
    logger.removeHandler(handler)


def _patterns(
    resolvers: list[URLPattern | URLResolver], namespace: str | None = None, params: tuple[str, ...] = ()
) -> Iterator[tuple[str | None, URLPattern, list[str]]]:
    """Every named pattern with its namespace and all its parameters (the includes' too)."""
    for p in resolvers:
        own = tuple(getattr(p.pattern, "converters", {}))
        if isinstance(p, URLResolver):
            yield from _patterns(p.url_patterns, p.namespace or namespace, params + own)
        else:
            yield namespace, p, [*params, *own]


def _args(namespace: str | None, name: str, params: list[str], member_id: int) -> dict[str, Any]:
    """A value for each URL parameter that points at something that exists."""
    in_session = namespace == "hero_sessions"
    values: dict[str, Any] = {
        "context_id": CONTEXT_ID,
        "name": SESSION if in_session else "main",  # contexts' "name" is a config file's name
        "category": "app",
        "key": ("API_URL" if name.startswith("env") else "mode") if in_session else "region",
        "user_id": member_id,
        "token": "not-a-real-token",
        "token_id": 1,  # /account/tokens/1/revoke/ (GET: 405)
    }
    return {p: values[p] for p in params}


def _urls(member_id: int) -> list[str]:
    urls = []
    for namespace, p, params in _patterns(get_resolver().url_patterns):
        if namespace not in NAMESPACES or p.name is None or p.name in NEVER_ENDING:
            continue
        full = f"{namespace}:{p.name}" if namespace else p.name
        urls.append(reverse(full, kwargs=_args(namespace, p.name, params, member_id)))
    c, s = f"/contexts/{CONTEXT_ID}/", f"/contexts/{CONTEXT_ID}/sessions/{SESSION}/"
    # The states a query string opens: inline editors, the value panels, paging, filters.
    urls += [
        c + "config/?edit=1",
        c + "secrets/?rotate=TOKEN",
        c + "db/value/?key=cfg",
        c + "db/?prefix=c&page=2",
        c + "activity/?before=999999",
        c + "params/region/",
        c + "log/search/?q=Zq7",
        s + "fields/?edit=1",
        s + "db/value/?key=dbsecret",
        s + "log/search/?q=Zq7",
        "/?q=leak",
        "/admin/contexts/auditevent/",
        "/admin/contexts/membership/",
    ]
    return urls


def _body(response: Any) -> bytes:
    if not response.streaming:
        return bytes(response.content)

    async def collect() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])

    if response.is_async:
        return async_to_sync(collect)()
    return b"".join(response.streaming_content)


def _text(response: Any) -> str:
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    return headers + "\n" + _body(response).decode("utf-8", "replace")


def _record_text(record: logging.LogRecord) -> str:
    formatted = logging.Formatter("%(name)s %(levelname)s %(message)s").format(record)
    return f"{formatted}\n{record.args!r}\n{record.__dict__!r}"


def _set_up(client: Client, member: User) -> str:
    """The secret, passphrase and DB value go in through the web; the reveal's answer is returned."""
    context_new(id=CONTEXT_ID, name="leaky", encrypt=True)
    context = context_get(CONTEXT_ID)
    Membership.objects.create(user=member, context_id=CONTEXT_ID, role="viewer")
    session = context.session_new(name=SESSION, env={"API_URL": "https://example.test"})
    session.params_set({"mode": "fast"})
    context.params_set({"region": "eu"})
    context.hero_config_set("app", "main", "port: 8080\n")
    session.logger().log(log="started", cat="run")
    c, s = f"/contexts/{CONTEXT_ID}/", f"/contexts/{CONTEXT_ID}/sessions/{SESSION}/"
    posts = [
        (c + "secrets/set/", {"name": "TOKEN", "value": SECRET}),
        (c + "passphrase/", {"new": PASSPHRASE, "confirm": PASSPHRASE}),
        (s + "db/", {"key": "dbsecret", "value": DB_VALUE}),
        (c + "db/", {"key": "cfg", "value": "plain"}),
    ]
    for url, data in posts:
        assert client.post(url, data, headers=HX).status_code == 200, url
    assert context_get(CONTEXT_ID).secret_check(PASSPHRASE)
    reveal = client.post(c + "secrets/TOKEN/reveal/", headers=HX)
    return _text(reveal)


def _break_messages(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError("messages are down")


def test_it_leaks_no_secret_in_pages_logs_error_reports_or_the_audit_trail(
    admin: Any,
    user: Any,
    all_logs: pytest.LogCaptureFixture,
    error_email: None,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    fresh_home: Path,
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(admin())
    member = user("vera")
    revealed = _set_up(client, member)
    assert SECRET in revealed  # the one explicit reveal: the search below would find a leak

    seen: dict[str, str] = {}
    for url in _urls(member.pk):
        for headers in ({}, HX, {**HX, "HX-Target": "file-preview"}):
            response = client.get(url, headers=headers)
            assert response.status_code < 500, (url, response.status_code)
            seen[f"GET {url} {headers}"] = _text(response)
    crawled = {k.split()[1] for k in seen}
    assert f"/contexts/{CONTEXT_ID}/sessions/{SESSION}/db/value/?key=dbsecret" in crawled
    assert len(crawled) > 50, "the urlconf walk found too few pages"
    # The crawl reached the values it should show: a leak check over empty pages proves nothing.
    db_panel = seen[f"GET /contexts/{CONTEXT_ID}/sessions/{SESSION}/db/value/?key=dbsecret {HX}"]
    assert DB_VALUE in db_panel and "TOKEN" in seen[f"GET /contexts/{CONTEXT_ID}/ {{}}"]

    # A 500 in views whose POST data holds the secret and the passphrase: Django's messages break.
    monkeypatch.setattr("django.contrib.messages.success", _break_messages)
    c = f"/contexts/{CONTEXT_ID}/"
    for url, data in [
        (c + "secrets/set/", {"name": "OTHER", "value": SECRET}),
        (c + "passphrase/", {"current": PASSPHRASE, "new": PASSPHRASE + "2", "confirm": PASSPHRASE + "2"}),
    ]:
        response = client.post(url, data)  # without HTMX: the redirect path that shows a message
        assert response.status_code == 500, url
        seen[f"POST {url}"] = _text(response)
    assert len(mail.outbox) == 2, "Django's error email was not produced"
    reports = [m.body for m in mail.outbox] + [
        str(alt[0]) for m in mail.outbox for alt in getattr(m, "alternatives", [])
    ]
    assert all("messages are down" in r for r in reports[:2])

    records = [_record_text(r) for r in all_logs.records]
    assert any("Internal Server Error" in r for r in records)
    out, err = capfd.readouterr()
    audit = [f"{e.action} {e.detail}" for e in AuditEvent.objects.all()]
    assert any(a.startswith("secret.reveal TOKEN") for a in audit)

    for needle in NEEDLES:
        assert not [k for k, text in seen.items() if needle in text], needle
        assert not [r for r in records if needle in r], needle
        assert not [r for r in reports if needle in r], needle
        assert needle not in out and needle not in err
        assert not [a for a in audit if needle in a], needle
    # The DB value is shown in its browser by design; but never in logs, reports or the trail.
    for where in (records, reports, audit):
        assert not [x for x in where if DB_VALUE in x]

    # At rest: not in Redis (any database) and not in a file under HERO_HOME, in plaintext.
    used = [int(name[2:]) for name in redisconn.client(0).info("keyspace")]  # "db0", "db1": not empty
    assert CONTEXT_ID in used
    for db in used:
        r = redisconn.client(db)
        for key in r.scan_iter():
            dump = repr(r.dump(key))
            for needle in (*NEEDLES, DB_VALUE):
                assert needle not in dump and needle not in repr(key), (db, key)
    for path in fresh_home.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            for needle in (*NEEDLES, DB_VALUE):
                assert needle.encode() not in content, path
