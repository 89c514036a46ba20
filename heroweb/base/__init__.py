"""heroweb.base: contexts and sessions, the library every heroweb interface shares.

Plain Python (no Django). The seed's API::

    from heroweb.base import context_new, session_new
    context = context_new(id=1, name="mycontext", coderoot="/tmp/code", interactive=True)
    session = session_new(context=context, name="mysession1", interactive=True)
    session.env_set("KEY", "value")
"""

from __future__ import annotations

from heroweb.base.context import (
    Context,
    SecretStore,
    context_delete,
    context_get,
    context_list,
    context_new,
    context_next_id,
    session_new,
)
from heroweb.base.db import DB
from heroweb.base.errors import (
    AlreadyExists,
    Conflict,
    ContextIdOutOfRange,
    HeroError,
    InvalidInput,
    InvalidName,
    InvalidYAML,
    NotFound,
    RedisUnavailable,
    SecretError,
    TooLarge,
    WrongPassphrase,
)
from heroweb.base.session import Session

__all__ = [
    "DB",
    "AlreadyExists",
    "Conflict",
    "Context",
    "ContextIdOutOfRange",
    "HeroError",
    "InvalidInput",
    "InvalidName",
    "InvalidYAML",
    "NotFound",
    "RedisUnavailable",
    "SecretError",
    "SecretStore",
    "Session",
    "TooLarge",
    "WrongPassphrase",
    "context_delete",
    "context_get",
    "context_list",
    "context_new",
    "context_next_id",
    "session_new",
]
