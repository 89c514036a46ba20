"""The one rule for names that become paths (context, session, config category and name)."""

from __future__ import annotations

import re

from heroweb.base.errors import InvalidName

_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*")
RULE = "letters, digits, '_', '-' and '.' (not first)"
RESERVED_SESSION_NAMES = frozenset({"latest"})


def _check(kind: str, value: object, minimum: int, maximum: int = 64) -> str:
    if not isinstance(value, str) or value == "":
        raise InvalidName(f"The {kind} name is empty; use {minimum}-{maximum} {RULE}.")
    shown = value.encode("unicode_escape").decode("ascii")[:80]
    if not _NAME.fullmatch(value):
        raise InvalidName(f"The {kind} name '{shown}' is not allowed: use only {RULE}.")
    if not minimum <= len(value) <= maximum:
        raise InvalidName(
            f"The {kind} name '{shown}' has {len(value)} characters; use {minimum} to {maximum}."
        )
    return value


def context_name(value: object) -> str:
    return _check("context", value, 1)


def session_name(value: object) -> str:
    name = _check("session", value, 3)
    if name in RESERVED_SESSION_NAMES:
        raise InvalidName(f"'{name}' is reserved (sessions:config:latest names the newest session).")
    return name


def config_part(kind: str, value: object) -> str:
    """A hero config file's category or name: also no '__', which separates the two."""
    part = _check(f"config {kind}", value, 1)
    if "__" in part:
        raise InvalidName(f"The config {kind} '{part}' contains '__', which separates category and name.")
    return part


def db_name(value: object) -> str:
    return _check("database", value, 1)
