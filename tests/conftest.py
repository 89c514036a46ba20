"""Shared fixtures: a temp HERO_HOME, a clean real Redis per test, users, a real uvicorn, Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.test import Client

from heroweb.base import Context, context_new, redisconn
from heroweb.base import config as hero_config

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PASSWORD = "correct-horse-battery-staple"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
E2E_ADMIN = "e2e-admin"

# Playwright's sync API runs an event loop in this thread; Django then refuses ORM calls here
# unless told the loop is not ours to worry about.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def hero_home() -> Path:
    """The temp HERO_HOME of this test run (tests/settings.py made it)."""
    path: Path = settings.HERO_HOME
    return path


@pytest.fixture(scope="session", autouse=True)
def _stop_embedded_redis_at_end() -> Iterator[None]:
    yield
    # Only the embedded server started for this run's temp HERO_HOME; a REDIS_URL server is not ours.
    hero_config.configure()
    if not hero_config.get_settings().redis_url:
        redisconn.stop_embedded()
    home = Path(os.environ["HEROWEB_TEST_HOME"])
    if home.name.startswith("heroweb-test-"):
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(autouse=True)
def _clean_redis() -> None:
    """Every test starts with an empty Redis (the real server: embedded, or REDIS_URL's)."""
    redisconn.client(0).flushall()


@pytest.fixture
def fresh_home(tmp_path: Path) -> Iterator[Path]:
    """A HERO_HOME of this test's own on the suite's real Redis (flushed by _clean_redis), so the
    config files, databases and logs of one test never show up in another."""
    before = hero_config.get_settings()
    home = tmp_path / "hero"
    hero_config.configure(hero_home=home, redis_url=redisconn.redis_url())
    yield home
    hero_config.configure(hero_home=before.hero_home, redis_url=before.redis_url)


@pytest.fixture
def make_context() -> Callable[..., Context]:
    """make_context(id=1, name="demo", **fields) -> a new context."""

    def make(id: int = 1, name: str = "demo", **fields: Any) -> Context:
        return context_new(id=id, name=name, **fields)

    return make


@pytest.fixture
def user(db: Any) -> Callable[..., User]:
    """Factory: user(username="alice", **fields) -> a user whose password is PASSWORD."""

    def make(username: str = "alice", **fields: Any) -> User:
        created: User = get_user_model().objects.create_user(username=username, password=PASSWORD, **fields)
        return created

    return make


@pytest.fixture
def admin(user: Callable[..., User]) -> Callable[..., User]:
    """Factory: admin(username="root") -> a staff superuser whose password is PASSWORD."""

    def make(username: str = "root", **fields: Any) -> User:
        return user(username, is_staff=True, is_superuser=True, **fields)

    return make


@pytest.fixture
def client_logged_in(client: Client, admin: Callable[..., User]) -> Client:
    """The Django test client logged in as a staff admin."""
    client.force_login(admin())
    return client


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _live_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "HERO_HOME": str(settings.HERO_HOME),
            "HEROWEB_TEST_HOME": str(settings.HERO_HOME),
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "REDIS_URL": redisconn.redis_url(),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def manage(*args: str, env: dict[str, str] | None = None) -> str:
    """Run manage.py against the live server's file database (not pytest-django's)."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env or _live_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@pytest.fixture(scope="session")
def live_server_url() -> Iterator[str]:
    """A real uvicorn serving heroweb.asgi on a free port, sharing HERO_HOME and Redis with the tests."""
    env = _live_env()
    manage("migrate", "--noinput", env=env)
    port = _free_port()
    log_path = ARTIFACTS / "uvicorn.log"
    ARTIFACTS.mkdir(exist_ok=True)
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "heroweb.asgi:application",
             "--host", "127.0.0.1", "--port", str(port), "--lifespan", "off"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {proc.returncode}:\n{log_path.read_text()}")
            try:
                if httpx.get(f"{url}/login/", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not answer within 30 s:\n{log_path.read_text()}")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def live_admin(live_server_url: str) -> tuple[str, str]:
    """(username, password) of a staff admin in the live server's database."""
    code = (
        "import os\n"
        "from django.contrib.auth import get_user_model\n"
        "User = get_user_model()\n"
        "u = User.objects.filter(username=os.environ['E2E_USER']).first()\n"
        "u = u or User.objects.create_superuser(os.environ['E2E_USER'], '', os.environ['E2E_PW'])\n"
    )
    env = _live_env() | {"E2E_USER": E2E_ADMIN, "E2E_PW": PASSWORD}
    manage("shell", "-c", code, env=env)
    return E2E_ADMIN, PASSWORD


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Debian Chromium for the whole run (Playwright drives it)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium` (as root) first")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _artifact_name(request: pytest.FixtureRequest) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.name)


@pytest.fixture
def anonymous_page(browser: Any, live_server_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser page (no login); a screenshot of its last state goes to tests/artifacts/."""
    context = browser.new_context(base_url=live_server_url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        try:
            page.screenshot(path=str(ARTIFACTS / f"{_artifact_name(request)}.png"), full_page=True)
        finally:
            context.close()


@pytest.fixture
def browser_page(anonymous_page: Any, live_admin: tuple[str, str]) -> Any:
    """A browser page logged in (through the real login form) as the live server's admin."""
    username, password = live_admin
    page = anonymous_page
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    return page
