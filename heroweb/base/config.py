"""Configuration read once from the environment.

``HERO_HOME`` (default ``~/hero``), ``REDIS_URL`` (unset: the embedded server),
``HERO_MASTER_KEY`` (base64 of 32 bytes; unset: ``HERO_HOME/keys/master.key``).
Tests and tools call :func:`configure` to point the library somewhere else.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    hero_home: Path
    redis_url: str | None
    master_key_b64: str | None
    # redis-py's defaults (5 s, retries) make a down Redis cost seconds per call.
    redis_timeout: float = 2.0
    redis_connect_timeout: float = 1.0


_lock = threading.Lock()
_settings: Settings | None = None


def _from_environ() -> Settings:
    home = os.environ.get("HERO_HOME") or "~/hero"
    return Settings(
        hero_home=Path(os.path.expanduser(home)).absolute(),
        redis_url=os.environ.get("REDIS_URL") or None,
        master_key_b64=os.environ.get("HERO_MASTER_KEY") or None,
    )


def get_settings() -> Settings:
    global _settings
    if _settings is None:
        with _lock:
            if _settings is None:
                _settings = _from_environ()
    return _settings


def configure(**overrides: object) -> Settings:
    """Re-read the environment, apply ``overrides`` and drop every cached connection."""
    global _settings
    from heroweb.base import redisconn  # late: redisconn imports this module

    with _lock:
        base = _from_environ()
        if "hero_home" in overrides and overrides["hero_home"] is not None:
            overrides["hero_home"] = Path(str(overrides["hero_home"])).absolute()
        _settings = replace(base, **overrides)  # type: ignore[arg-type]
    redisconn.reset()
    return _settings
