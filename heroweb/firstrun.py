"""The one-time setup link that creates the first admin account.

`make run` (manage.py heroweb_firstrun) prints http://HOST:PORT/setup/<token>/ while no user exists.
Only a hash of the token is kept, in HERO_HOME/keys/setup-token, so reading the disk or a backup
does not give the link away; the link works once and stops working as soon as any user exists.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model


def token_path() -> Path:
    path: Path = settings.HERO_HOME / "keys" / "setup-token"
    return path


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def setup_needed() -> bool:
    return not get_user_model().objects.exists()


def new_token() -> str:
    """Create a fresh token (replacing any earlier one) and store its hash 0600, atomically."""
    token = secrets.token_urlsafe(32)
    path = token_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".setup-token.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(_digest(token) + "\n")
        file.flush()
        os.fsync(file.fileno())
    os.replace(tmp, path)
    return token


def token_valid(token: str) -> bool:
    try:
        stored = token_path().read_text().strip()
    except FileNotFoundError:
        return False
    return bool(stored) and hmac.compare_digest(stored, _digest(token))


def consume_token() -> bool:
    """Claim the token for one setup; False when another request already used it."""
    try:
        token_path().unlink()
    except FileNotFoundError:
        return False
    return True
