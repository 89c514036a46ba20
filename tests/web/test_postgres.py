"""Django's own tables on PostgreSQL (DATABASE_URL), as a team deployment runs them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER = ("127.0.0.1", 5432)


def _postgres_up() -> bool:
    try:
        socket.create_connection(SERVER, timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _postgres_up(), reason="no PostgreSQL server on 127.0.0.1:5432")
def test_it_migrates_and_checks_on_postgresql(tmp_path: Path) -> None:
    import psycopg

    name = f"heroweb_test_{uuid.uuid4().hex[:8]}"
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
            "HERO_HOME": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "heroweb.settings",
        }
        for args in (["migrate", "--noinput"], ["check", "--database", "default"]):
            out = subprocess.run(
                [sys.executable, "manage.py", *args],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert out.returncode == 0, out.stderr
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{name}") as conn:
            tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables").fetchall()}
        assert {"contexts_membership", "contexts_auditevent", "auth_user"} <= tables
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
