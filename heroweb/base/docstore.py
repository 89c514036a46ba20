"""JSON documents in Redis, changed atomically.

A change is read, applied in Python, then written with a compare-and-set script that replaces
the stored text only if it is still exactly the text that was read. One round trip when the
caller's copy is fresh, and no lost update when two processes write at once: the loser gets the
current text back and applies its change again. ``version`` grows on every write, so a web form
that carries the version it showed can refuse to overwrite a newer document (Conflict).
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable
from typing import Any

import redis

from heroweb.base.errors import Conflict, NotFound
from heroweb.base.redisconn import guard

# KEYS[1] doc; ARGV[1] SHA-1 of the expected text ("" = must not exist), ARGV[2] new text
# ("" = delete). Returns {1} on success, {0, current} otherwise. A digest, not the old text,
# keeps the request small: the document travels once, not twice.
_CAS = """
local cur = redis.call('GET', KEYS[1])
if (cur == false and ARGV[1] == '') or (cur ~= false and redis.sha1hex(cur) == ARGV[1]) then
  if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2]) end
  return {1}
end
if cur == false then return {0} end
return {0, cur}
"""

_script: Any = None

UPDATE_DEADLINE = 10.0  # seconds of collisions before giving up with Conflict


def _cas(r: redis.Redis, key: str, expected: str, new: str) -> Any:
    # A Script keeps the SHA and falls back to EVAL after a server restart (NOSCRIPT).
    global _script
    if _script is None:
        _script = r.register_script(_CAS)
    digest = hashlib.sha1(expected.encode()).hexdigest() if expected else ""  # noqa: S324 - not security
    return _script(keys=[key], args=[digest, new], client=r)


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def loads(raw: bytes | str | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    doc = json.loads(raw)
    if not isinstance(doc, dict):
        raise ValueError("expected a JSON object")
    return doc


def read(r: redis.Redis, key: str) -> tuple[str | None, dict[str, Any] | None]:
    with guard():
        raw = r.get(key)
    text = raw.decode() if isinstance(raw, bytes) else raw
    return text, loads(text)


def update(
    r: redis.Redis,
    key: str,
    change: Callable[[dict[str, Any]], None],
    *,
    known_text: str | None = None,
    expected_version: int | None = None,
    what: str = "document",
) -> tuple[str, dict[str, Any]]:
    """Apply ``change`` to the document at ``key`` atomically; return its new text and value.

    ``known_text`` is the caller's cached copy (saves the read when it is still current).
    ``expected_version``: refuse with :class:`Conflict` if the stored version differs.
    """
    text = known_text
    if text is None:
        text, _ = read(r, key)
    deadline = time.monotonic() + UPDATE_DEADLINE
    attempt = 0
    while True:
        attempt += 1
        doc = loads(text)
        if doc is None:
            raise NotFound(f"The {what} does not exist (any more).")
        if expected_version is not None and int(doc.get("version", 0)) != expected_version:
            raise Conflict(
                f"The {what} was changed by someone else (version {doc.get('version')}, "
                f"you edited version {expected_version}). Here is the current state; apply your "
                "change again.",
                current=doc,
            )
        old_version = int(doc.get("version", 0))
        change(doc)
        doc["version"] = old_version + 1
        doc["updated"] = time.time()
        new_text = dumps(doc)
        with guard():
            result = _cas(r, key, text or "", new_text)
        if result[0] == 1:
            return new_text, doc
        if len(result) < 2:
            raise NotFound(f"The {what} does not exist (any more).")
        text = result[1].decode() if isinstance(result[1], bytes) else result[1]
        if time.monotonic() > deadline:
            raise Conflict(f"The {what} is changing too fast to update; try again.")
        if attempt > 2:
            # Writers that keep colliding back off by a random, growing pause (up to ~5 ms),
            # so under heavy contention everyone still gets through.
            time.sleep(random.uniform(0, min(0.005, 0.0002 * attempt)))  # noqa: S311


def create(r: redis.Redis, key: str, doc: dict[str, Any]) -> str | None:
    """Write ``doc`` at ``key`` if nothing is there; return the new text, or None if it existed."""
    text = dumps(doc)
    with guard():
        ok = r.set(key, text, nx=True)
    return text if ok else None
