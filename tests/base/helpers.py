from __future__ import annotations

import json
from typing import Any

from heroweb.base import redisconn


def stored(db: int, key: str) -> dict[str, Any]:
    """The JSON document at ``key`` in Redis database ``db``, read with a raw client."""
    raw = redisconn.client(db).get(key)
    assert isinstance(raw, bytes), f"no document at {key} in db {db}"
    doc = json.loads(raw)
    assert isinstance(doc, dict)
    return doc


def keys(db: int, pattern: str = "*") -> list[bytes]:
    return sorted(k for k in redisconn.client(db).keys(pattern) if isinstance(k, bytes))
