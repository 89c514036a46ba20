"""herolib's paramsparser text: ``key:value key2:'quoted value' plainarg``.

Kept as text in Redis (as herolib does) and shown as a key/value table in the web.
:func:`parse` and :func:`format_params` round-trip: ``parse(format_params(p)) == p``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from heroweb.base.errors import InvalidInput

_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
_PLAIN_VALUE = re.compile(r"[^\s'\"\\]+")


@dataclass
class Params:
    values: dict[str, str] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)


def parse(text: str) -> Params:
    """Parse paramsparser text; a quoted value may hold spaces, newlines and ``\\'`` escapes."""
    out = Params()
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        while i < n and not text[i].isspace() and text[i] not in ":'\"":
            i += 1
        word = text[start:i]
        if i < n and text[i] == ":" and word:
            if not _KEY.fullmatch(word):
                raise InvalidInput(f"'{word}' is not a valid parameter name.")
            i += 1
            value, i = _value(text, i)
            out.values[word] = value
        elif i < n and text[i] in "'\"" and not word:
            value, i = _value(text, i)
            out.args.append(value)
        else:
            if not word:
                raise InvalidInput(f"Unexpected '{text[i]}' at position {i + 1} in the parameters.")
            out.args.append(word)
    return out


def _value(text: str, i: int) -> tuple[str, int]:
    n = len(text)
    if i < n and text[i] in "'\"":
        quote = text[i]
        i += 1
        chars: list[str] = []
        while i < n:
            ch = text[i]
            if ch == "\\" and i + 1 < n and text[i + 1] in (quote, "\\"):
                chars.append(text[i + 1])
                i += 2
                continue
            if ch == quote:
                return "".join(chars), i + 1
            chars.append(ch)
            i += 1
        raise InvalidInput("A quoted parameter value is not closed.")
    start = i
    while i < n and not text[i].isspace():
        i += 1
    return text[start:i], i


def _quote(value: str, *, force: bool = False) -> str:
    if value and not force and _PLAIN_VALUE.fullmatch(value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def format_params(params: Params) -> str:
    parts = [f"{k}:{_quote(v)}" for k, v in params.values.items()]
    # A plain arg with ':' would read back as key:value, so it is quoted.
    parts += [_quote(a, force=":" in a) for a in params.args]
    return " ".join(parts)


def check_key(key: str) -> str:
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise InvalidInput(
            f"'{key}' is not a valid parameter name: letters, digits, '_', '.', '-' (not first)."
        )
    return key
