"""Settings for the test suite: a fresh HERO_HOME per run, fast hashing, DEBUG off like production."""

from __future__ import annotations

import os
import tempfile

# Before heroweb.settings is imported: it reads HERO_HOME (keys, SQLite, the embedded Redis).
# Tests never touch the developer's own HERO_HOME: each run gets a fresh temp folder, kept in
# HEROWEB_TEST_HOME so the live-server subprocess (which inherits the environment) shares it.
os.environ.setdefault("HEROWEB_TEST_HOME", tempfile.mkdtemp(prefix="heroweb-test-"))
os.environ["HERO_HOME"] = os.environ["HEROWEB_TEST_HOME"]

from heroweb.settings import *  # noqa: F403
from heroweb.settings import HERO_HOME, sqlite_database

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The live (uvicorn) server uses this file database, migrated by the live_server_url fixture;
# pytest-django's own test database is a separate in-memory one.
DATABASES = {"default": sqlite_database(HERO_HOME / "heroweb.sqlite3")}
