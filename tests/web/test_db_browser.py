from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from contexts.forms import fingerprint
from tests.web.conftest import HX

pytestmark = pytest.mark.django_db
DB = "/contexts/1/sessions/run1/db/"


@pytest.fixture
def session_db(make_context: Any) -> Any:
    database = make_context(1, "demo").session_new(name="run1").db_get()
    for i in range(120):
        database.set(f"item:{i:03d}", f"value {i}")
    database.set("other", "x")
    database.set("blob", bytes(range(256)) * 4)
    return database


def test_it_pages_through_keys(client_logged_in: Client, session_db: Any) -> None:
    first = client_logged_in.get(DB, headers=HX).content.decode()
    assert first.strip().startswith('<section id="db"') and "1\u201350 of 122 keys" in first
    assert "Page 1 of 3" in first and "blob" in first and "item:048" in first and "item:049" not in first
    last = client_logged_in.get(f"{DB}?page=3", headers=HX).content.decode()
    assert "101\u2013122 of 122 keys" in last and "other" in last and 'rel="next"' not in last
    full = client_logged_in.get("/contexts/1/sessions/run1/?page=2").content.decode()
    assert "<html" in full and "Page 2 of 3" in full


def test_it_filters_keys_by_prefix(client_logged_in: Client, session_db: Any) -> None:
    text = client_logged_in.get(f"{DB}?prefix=item:11", headers=HX).content.decode()
    assert "1\u201310 of 10 keys" in text and "item:119" in text and "other" not in text
    assert 'href="/contexts/1/sessions/run1/?prefix=item%3A11' not in text  # one page only: no pager links
    empty = client_logged_in.get(f"{DB}?prefix=zzz", headers=HX).content.decode()
    assert "No key starts with" in empty


def test_it_shows_text_as_text_and_bytes_as_hex(client_logged_in: Client, session_db: Any) -> None:
    text = client_logged_in.get(f"{DB}value/?key=item:007", headers=HX).content.decode()
    assert text.strip().startswith('<div id="db-value"') and "value 7</textarea>" in text
    binary = client_logged_in.get(f"{DB}value/?key=blob", headers=HX).content.decode()
    assert "1024 bytes" in binary and "0000  00 01 02 03" in binary and "00f8  f8 f9" in binary
    assert "0100  " not in binary  # only the first 256 bytes
    assert "<textarea" not in binary
    assert client_logged_in.get(f"{DB}value/?key=missing", headers=HX).status_code == 404
    full = client_logged_in.get(f"{DB}value/?key=item:007").content.decode()
    assert "<html" in full and "value 7</textarea>" in full


def test_it_adds_edits_and_deletes_keys(client_logged_in: Client, session_db: Any) -> None:
    response = client_logged_in.post(DB, {"key": "new key", "value": "v"}, headers=HX)
    assert response.status_code == 200 and json.loads(response["HX-Trigger"])["dbChanged"] is True
    assert session_db.get("new key") == "v"
    exists = client_logged_in.post(DB, {"key": "new key", "value": "other"}, headers=HX)
    assert (
        exists.status_code == 422
        and "already exists" in exists.content.decode()
        and session_db.get("new key") == "v"
    )
    data = {"key": "new key", "value": "w", "original": fingerprint("v")}
    assert client_logged_in.post(f"{DB}value/", data, headers=HX).status_code == 200
    assert session_db.get("new key") == "w"
    assert client_logged_in.post(f"{DB}delete/", {"key": "new key"}, headers=HX).status_code == 200
    assert not session_db.exists("new key")


def test_it_reports_a_conflict_on_a_value_changed_meanwhile(
    client_logged_in: Client, session_db: Any
) -> None:
    session_db.set("item:001", "theirs")
    data = {"key": "item:001", "value": "mine", "original": fingerprint("value 1")}
    response = client_logged_in.post(f"{DB}value/", data, headers=HX)
    text = response.content.decode()
    assert response.status_code == 409 and "changed by someone else" in text
    assert "theirs" in text and ">mine</textarea>" in text
    assert session_db.get("item:001") == "theirs"


def test_it_lets_viewers_browse_but_not_change(member_client: Any, session_db: Any) -> None:
    client, _ = member_client("viewer")
    text = client.get(f"{DB}value/?key=item:001", headers=HX).content.decode()
    assert "value 1" in text and "<textarea" not in text and "Delete key" not in text
    assert client.post(DB, {"key": "x", "value": "y"}, headers=HX).status_code == 403
    assert client.post(f"{DB}delete/", {"key": "item:001"}, headers=HX).status_code == 403
    assert session_db.exists("item:001")


def test_it_browses_the_context_config_db_too(client_logged_in: Client, make_context: Any) -> None:
    make_context(1, "demo").db_config_get().set("setting", "on")
    text = client_logged_in.get("/contexts/1/db/", headers=HX).content.decode()
    assert text.strip().startswith('<section id="db"') and "setting" in text
    value = client_logged_in.get("/contexts/1/db/value/?key=setting", headers=HX).content.decode()
    assert "on</textarea>" in value


def test_it_shows_no_page_numbers_when_there_is_one_page(client_logged_in: Client, make_context: Any) -> None:
    make_context(1, "demo").session_new(name="run1").db_get().set("only", "one")
    text = client_logged_in.get(DB, headers=HX).content.decode()
    assert "1\u20131 of 1 keys" in text
    assert "Page 1 of 1" not in text and 'rel="next"' not in text and 'rel="prev"' not in text
    full = client_logged_in.get("/contexts/1/sessions/run1/").content.decode()
    assert "<html" in full and "1\u20131 of 1 keys" in full and "Page 1 of 1" not in full


def test_it_links_the_shown_value_to_its_download(client_logged_in: Client, session_db: Any) -> None:
    text = client_logged_in.get(f"{DB}value/?key=item:007", headers=HX).content.decode()
    assert f'href="{DB}download/?key=item%3A007"' in text and 'download="item_007.txt"' in text
    full = client_logged_in.get(f"{DB}value/?key=blob").content.decode()
    assert "<html" in full and f'href="{DB}download/?key=blob"' in full


def test_it_downloads_text_and_binary_values(client_logged_in: Client, session_db: Any) -> None:
    text = client_logged_in.get(f"{DB}download/?key=item:007")
    assert text.status_code == 200 and text.content == b"value 7"
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert text["Content-Disposition"] == 'attachment; filename="item_007.txt"'
    assert text["Cache-Control"] == "no-store"
    blob = client_logged_in.get(f"{DB}download/?key=blob")
    assert blob.content == bytes(range(256)) * 4  # the whole value, not the 256-byte preview
    assert blob["Content-Type"] == "application/octet-stream"
    assert (
        blob["Content-Disposition"] == 'attachment; filename="blob.bin"'
        and blob["Cache-Control"] == "no-store"
    )
    assert client_logged_in.get(f"{DB}download/?key=missing").status_code == 404
    assert client_logged_in.get(f"{DB}download/").status_code == 404


def test_it_makes_a_safe_file_name_of_any_key(client_logged_in: Client, session_db: Any) -> None:
    session_db.set('../etc/"pass wd";\r\nX: y', "nasty")
    response = client_logged_in.get(f"{DB}download/", {"key": '../etc/"pass wd";\r\nX: y'})
    assert response.status_code == 200 and response.content == b"nasty"
    assert response["Content-Disposition"] == 'attachment; filename="_etc_pass_wd_X_y.txt"'
    session_db.set("..hidden.cfg", "v")
    hidden = client_logged_in.get(f"{DB}download/", {"key": "..hidden.cfg"})
    assert hidden["Content-Disposition"] == 'attachment; filename="hidden.cfg"'


def test_it_downloads_only_for_members(member_client: Any, session_db: Any) -> None:
    stranger, _ = member_client(None)
    assert stranger.get(f"{DB}download/?key=item:001").status_code == 404
    assert stranger.get("/contexts/1/db/download/?key=x").status_code == 404
    viewer, _ = member_client("viewer", username="viewer-user")
    assert viewer.get(f"{DB}download/?key=item:001").content == b"value 1"
    assert viewer.post(f"{DB}download/?key=item:001").status_code == 405


def test_it_downloads_from_an_encrypted_context_config_db(
    client_logged_in: Client, make_context: Any
) -> None:
    context = make_context(1, "sealed", encrypt=True)
    assert context.db_config_get().encrypted  # stored as ciphertext; the download is the plain text
    context.db_config_get().set("token/api", "plain text")
    response = client_logged_in.get("/contexts/1/db/download/", {"key": "token/api"})
    assert response.status_code == 200 and response.content == b"plain text"
    assert response["Content-Disposition"] == 'attachment; filename="token_api.txt"'
