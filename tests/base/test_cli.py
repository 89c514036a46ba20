from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from heroweb.base import context_get, redisconn

ROOT = Path(__file__).resolve().parents[2]


def cli(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HERO_HOME": str(home), "REDIS_URL": redisconn.redis_url()}
    return subprocess.run(
        [sys.executable, "-m", "heroweb", *args],
        input=stdin,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_manages_contexts_sessions_env_config_and_secrets_from_the_shell(hero: Path) -> None:
    assert hero_ok(hero, "context", "new", "5", "shell", "--coderoot", "/code")
    assert hero_ok(hero, "session", "new", "shell", "first")
    assert hero_ok(hero, "env", "set", "5", "first", "KEY", "value")
    assert hero_run(hero, "env", "get", "shell", "first", "KEY").stdout == "value\n"
    assert hero_ok(hero, "config", "set", "shell", "db", "main", stdin="host: $KEYX\n")
    assert hero_run(hero, "config", "get", "shell", "db", "main").stdout == "host: $KEYX\n"
    secret = hero_run(hero, "secret", "set", "shell", "token", stdin="s3cr3t\n")
    assert secret.returncode == 0 and "s3cr3t" not in secret.stdout + secret.stderr
    assert context_get(5).secrets.get("token") == "s3cr3t"
    assert hero_run(hero, "context", "list").stdout.startswith("5\tshell\t1 sessions\t/code")


def test_it_prints_a_clear_error_and_fails(hero: Path) -> None:
    out = hero_run(hero, "context", "new", "1", "../bad")
    assert out.returncode == 1 and "not allowed" in out.stderr and "Traceback" not in out.stderr
    refused = hero_run(hero, "context", "delete", "nothing", "--yes")
    assert refused.returncode == 1 and "no context named 'nothing'" in refused.stderr


def hero_run(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return cli(home, *args, stdin=stdin)


def hero_ok(home: Path, *args: str, stdin: str = "") -> bool:
    out = cli(home, *args, stdin=stdin)
    assert out.returncode == 0, out.stderr
    return True
