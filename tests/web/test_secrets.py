from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.test import Client

from contexts.models import AuditEvent
from heroweb.base import context_get
from tests.web.conftest import HX

pytestmark = pytest.mark.django_db

VALUE = "s3cret-value-do-not-leak"


def test_it_never_puts_a_secret_in_the_page_until_revealed(
    client_logged_in: Client, make_context: Any
) -> None:
    make_context(1, "demo").secrets.set("TOKEN", VALUE)
    for url in (
        "/contexts/1/",
        "/contexts/1/secrets/",
        "/contexts/1/secrets/?rotate=TOKEN",
        "/contexts/1/db/",
    ):
        for headers in ({}, HX):
            text = client_logged_in.get(url, headers=headers).content.decode()
            assert VALUE not in text, url
    page = client_logged_in.get("/contexts/1/").content.decode()
    assert "TOKEN" in page and "••••••••" in page


def test_it_reveals_a_secret_on_an_explicit_post_and_audits_it(
    client_logged_in: Client, make_context: Any, caplog: pytest.LogCaptureFixture
) -> None:
    make_context(1, "demo").secrets.set("TOKEN", VALUE)
    caplog.set_level(logging.DEBUG)
    assert client_logged_in.get("/contexts/1/secrets/TOKEN/reveal/").status_code == 405
    response = client_logged_in.post("/contexts/1/secrets/TOKEN/reveal/", headers=HX)
    text = response.content.decode()
    assert response.status_code == 200 and text.strip().startswith('<section id="secrets"')
    assert f'id="secret-value-TOKEN" class="revealed">{VALUE}<' in text
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="secret.reveal")
    assert event.detail == "TOKEN" and event.context_id == 1
    assert not AuditEvent.objects.filter(detail__contains=VALUE).exists()
    assert VALUE not in caplog.text


def test_it_reveals_without_htmx_as_a_full_page(client_logged_in: Client, make_context: Any) -> None:
    make_context(1, "demo").secrets.set("TOKEN", VALUE)
    response = client_logged_in.post("/contexts/1/secrets/TOKEN/reveal/")
    assert response.status_code == 200 and "<html" in response.content.decode()
    assert VALUE in response.content.decode()


def test_it_lets_only_editors_reveal(member_client: Any, make_context: Any) -> None:
    make_context(1, "demo").secrets.set("TOKEN", VALUE)
    viewer, _ = member_client("viewer", username="v")
    response = viewer.post("/contexts/1/secrets/TOKEN/reveal/", headers=HX)
    assert response.status_code == 403 and VALUE not in response.content.decode()
    assert "Reveal" not in viewer.get("/contexts/1/").content.decode()
    editor, _ = member_client("editor", username="e")
    assert VALUE in editor.post("/contexts/1/secrets/TOKEN/reveal/", headers=HX).content.decode()


def test_it_sets_rotates_and_deletes_secrets(client_logged_in: Client, make_context: Any) -> None:
    make_context(1, "demo")
    response = client_logged_in.post("/contexts/1/secrets/set/", {"name": "API", "value": "one"}, headers=HX)
    assert response.status_code == 200 and json.loads(response["HX-Trigger"])["secretsChanged"] is True
    assert "one" not in response.content.decode().replace("Saved secret", "")
    assert context_get(1).secrets.get("API") == "one"
    row = client_logged_in.get("/contexts/1/secrets/?rotate=API", headers=HX).content.decode()
    assert 'name="value"' in row and "autofocus" in row
    response = client_logged_in.post("/contexts/1/secrets/API/rotate/", {"value": "two"}, headers=HX)
    assert response.status_code == 200 and context_get(1).secrets.get("API") == "two"
    response = client_logged_in.post("/contexts/1/secrets/API/delete/", headers=HX)
    assert response.status_code == 200 and context_get(1).secrets.names() == []
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["secret.set", "secret.rotate", "secret.delete"]


def test_it_refuses_a_bad_secret_name_without_echoing_the_value(
    client_logged_in: Client, make_context: Any
) -> None:
    make_context(1, "demo")
    response = client_logged_in.post(
        "/contexts/1/secrets/set/", {"name": "bad name!", "value": VALUE}, headers=HX
    )
    text = response.content.decode()
    assert response.status_code == 422 and "secret name" in text
    assert 'value="bad name!"' in text and VALUE not in text
    assert context_get(1).secrets.names() == []


def test_it_sets_and_changes_the_passphrase(client_logged_in: Client, make_context: Any) -> None:
    make_context(1, "demo")
    data = {"new": "first-passphrase", "confirm": "first-passphrase"}
    response = client_logged_in.post("/contexts/1/passphrase/", data, headers=HX)
    assert response.status_code == 200 and context_get(1).secret_check("first-passphrase")
    data = {"current": "wrong-one", "new": "second-passphrase", "confirm": "second-passphrase"}
    response = client_logged_in.post("/contexts/1/passphrase/", data, headers=HX)
    assert response.status_code == 422 and "not right" in response.content.decode()
    assert "wrong-one" not in response.content.decode()
    data["current"] = "first-passphrase"
    assert client_logged_in.post("/contexts/1/passphrase/", data, headers=HX).status_code == 200
    assert context_get(1).secret_check("second-passphrase")
    data = {"current": "second-passphrase", "new": "third-passphrase", "confirm": "different"}
    assert client_logged_in.post("/contexts/1/passphrase/", data, headers=HX).status_code == 422
