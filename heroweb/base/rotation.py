"""Master-key rotation: every context's data key is wrapped anew; no secret is re-encrypted.

Safe to interrupt and to run again. Phase 1 stores, beside each ``priv_key``, the same data key
wrapped under the new master (``priv_key_next``); while both exist, either master key opens the
context. Phase 2 installs the new master key. Phase 3 promotes ``priv_key_next`` to ``priv_key``.
With the key in ``HERO_HOME/keys/master.key`` all three run at once. With ``HERO_MASTER_KEY``
heroweb cannot change the environment: :func:`master_key_rotate` stops after phase 1 and returns
the new key; set it, restart, and run :func:`master_key_finish`.
"""

from __future__ import annotations

import base64
import os
from typing import Any

from heroweb.base import heroconfig
from heroweb.base import secrets as crypto
from heroweb.base.config import get_settings
from heroweb.base.context import context_list
from heroweb.base.errors import InvalidInput, SecretError


def master_key_rotate(*, new_key: bytes | None = None) -> tuple[bytes, bool]:
    """Rotate to ``new_key`` (random by default); returns (the new key, whether it is installed)."""
    new = new_key if new_key is not None else os.urandom(32)
    if len(new) != 32:
        raise InvalidInput("A master key is exactly 32 bytes.")
    old = crypto.master_key()
    for context in context_list():

        def wrap_next(d: dict[str, Any], cid: int = context.id) -> None:
            wrapped = d.get("priv_key")
            if wrapped:
                d["priv_key_next"] = _rewrap(cid, str(wrapped), d.get("priv_key_next"), old, new)

        context.update(wrap_next)
    if get_settings().master_key_b64:
        return new, False
    path = crypto.master_key_path()
    heroconfig.write_atomic(path, base64.b64encode(new).decode() + "\n")
    os.chmod(path, 0o600)
    crypto.forget_master_key()
    master_key_finish()
    return new, True


def _rewrap(cid: int, wrapped: str, upcoming: object, old: bytes, new: bytes) -> str:
    try:
        return crypto.rewrap_data_key(cid, wrapped, old_master=old, new_master=new)
    except SecretError:
        # A run that was interrupted after installing the new key: it is already wrapped for it.
        if upcoming:
            crypto.rewrap_data_key(cid, str(upcoming), old_master=new, new_master=new)
            return str(upcoming)
        raise


def master_key_finish() -> int:
    """Promote ``priv_key_next`` where it opens with the current master key; returns how many."""
    current = crypto.master_key()
    done = 0
    for context in context_list():
        doc = context.doc_with_keys()
        upcoming = doc.get("priv_key_next")
        if not upcoming:
            continue
        crypto.rewrap_data_key(context.id, str(upcoming), old_master=current, new_master=current)

        def promote(d: dict[str, Any]) -> None:
            if d.get("priv_key_next"):
                d["priv_key"] = d.pop("priv_key_next")

        context.update(promote)
        done += 1
    return done
