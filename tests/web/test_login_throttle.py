from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from heroweb import throttle
from tests.conftest import PASSWORD


def login(client: Client, username: str, password: str, addr: str = "10.0.0.1") -> Any:
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=addr)


@pytest.mark.django_db
def test_it_refuses_even_the_right_password_after_too_many_failures(client: Client, user: Any) -> None:
    user("alice")
    for _ in range(throttle.MAX_PER_ACCOUNT):
        assert login(client, "alice", "wrong").status_code == 200
    response = login(client, "alice", PASSWORD)
    assert response.status_code == 200
    assert b"Too many failed log-ins" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_it_throttles_per_account_not_everyone(client: Client, user: Any) -> None:
    user("alice")
    user("bob")
    for _ in range(throttle.MAX_PER_ACCOUNT):
        login(client, "ALICE ", "wrong", addr="10.0.0.2")  # the same account, however it is typed
    assert login(Client(), "bob", PASSWORD, addr="10.0.0.3").status_code == 302


@pytest.mark.django_db
def test_it_throttles_an_address_that_tries_many_accounts(client: Client, user: Any) -> None:
    user("carol")
    for i in range(throttle.MAX_PER_ADDRESS):
        login(client, f"guess{i}", "wrong", addr="10.9.9.9")
    assert b"Too many failed" in login(client, "carol", PASSWORD, addr="10.9.9.9").content
    assert login(Client(), "carol", PASSWORD, addr="10.0.0.4").status_code == 302


@pytest.mark.django_db
def test_it_forgets_an_accounts_failures_after_a_good_login(client: Client, user: Any) -> None:
    user("dave")
    for _ in range(throttle.MAX_PER_ACCOUNT - 1):
        login(client, "dave", "wrong")
    assert login(client, "dave", PASSWORD).status_code == 302
    for _ in range(throttle.MAX_PER_ACCOUNT - 1):
        login(Client(), "dave", "wrong", addr="10.0.0.5")
    assert login(Client(), "dave", PASSWORD, addr="10.0.0.6").status_code == 302
