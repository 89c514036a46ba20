"""End to end: a script on "another machine" (a subprocess with only urllib and a token) against uvicorn."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from heroweb.base import context_get, context_new
from tests.conftest import _live_env, manage

# The script knows nothing of heroweb: no Redis address, no master key, only the URL and a token.
SCRIPT = r"""
import json, os, urllib.error, urllib.request

base, token = os.environ["API_URL"], os.environ["API_TOKEN"]

def call(method, path, body=None, auth=token):
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"}
    if auth:
        headers["Authorization"] = "Bearer " + auth
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")

s = "/api/v1/contexts/1/sessions/ci-run/"
out = {
    "create": call("POST", "/api/v1/contexts/1/sessions/", {"name": "ci-run"})[0],
    "put": call("PUT", s + "env/DEPLOY_TARGET/", {"value": "prod-eu"})[0],
    "patch": call("PATCH", s + "env/", {"BUILD": "42"})[0],
    "read": call("GET", s + "env/DEPLOY_TARGET/")[1],
    "log": call("POST", s + "log/", {"log": "deployed", "cat": "ci"})[0],
    "no_token": call("GET", "/api/v1/contexts/", auth=None),
}
print(json.dumps(out))
"""


@pytest.fixture
def fresh_home() -> Path:
    """Here the live server's HERO_HOME, not a per-test one: both sides must see the same files."""
    return Path(settings.HERO_HOME)


def test_it_sets_env_from_a_remote_script_and_reads_it_back_through_heroweb_base(
    live_server_url: str,
) -> None:
    context_new(id=1, name="e2e-api")
    code = (
        "from django.contrib.auth import get_user_model\n"
        "from contexts.models import Membership\n"
        "from contexts.tokens import token_create\n"
        "u, _ = get_user_model().objects.get_or_create(username='api-e2e')\n"
        "Membership.objects.update_or_create(user=u, context_id=1, defaults={'role': 'editor'})\n"
        "print(token_create(user=u, name='e2e')[1])\n"
    )
    plaintext = manage("shell", "-c", code).strip().splitlines()[-1]
    assert plaintext.startswith("hero_")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS", "HERO"))}
    env |= {"API_URL": live_server_url, "API_TOKEN": plaintext}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert (out["create"], out["put"], out["patch"], out["log"]) == (201, 201, 200, 201)
    assert out["read"] == {"key": "DEPLOY_TARGET", "value": "prod-eu"}
    assert out["no_token"][0] == 401 and "Bearer" in out["no_token"][1]["error"]

    session = context_get(1).session_get(name="ci-run")
    assert session.env_get("DEPLOY_TARGET") == "prod-eu" and session.env_get("BUILD") == "42"
    assert "deployed" in "".join(p.read_text() for p in session.logs_path.glob("*.log"))

    # The live server's database holds the token's hash, never its secret.
    secret = plaintext.split("_", 2)[2].encode()
    database = Path(_live_env()["HERO_HOME"]) / "heroweb.sqlite3"
    assert database.exists()
    for path in database.parent.glob("heroweb.sqlite3*"):
        assert secret not in path.read_bytes(), path
