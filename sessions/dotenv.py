"""The .env format, both ways: what `docker --env-file`, python-dotenv and shells agree on.

``KEY=value`` per line; ``export `` prefix, blank lines and ``#`` comments allowed; values may be
'single quoted' (literal) or "double quoted" (``\\n``, ``\\"``, ``\\\\`` escapes, may span lines).
"""

from __future__ import annotations

import re

from heroweb.base.errors import InvalidInput

_LINE = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "$": "$"}


def parse(text: str) -> dict[str, str]:
    """Variables in order of appearance (a later line wins); InvalidInput names the bad line."""
    out: dict[str, str] = {}
    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        line, number = lines[i], i + 1
        i += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _LINE.fullmatch(line)
        if not m:
            raise InvalidInput(f"Line {number} is not KEY=value: {line[:80]!r}")
        key, rest = m.group(1), m.group(2)
        if rest.startswith("'"):
            end = rest.find("'", 1)
            if end < 0:
                raise InvalidInput(f"Line {number}: the single quote is not closed.")
            out[key] = rest[1:end]
        elif rest.startswith('"'):
            value, _end, consumed = _double_quoted(rest, lines, i, number)
            out[key], i = value, consumed
        else:
            out[key] = re.sub(r"\s+#.*$", "", rest).strip()
    return out


def _double_quoted(first: str, lines: list[str], i: int, number: int) -> tuple[str, int, int]:
    text, chars, pos = first, [], 1
    while True:
        while pos < len(text):
            ch = text[pos]
            if ch == "\\" and pos + 1 < len(text):
                nxt = text[pos + 1]
                chars.append(_ESCAPES.get(nxt, "\\" + nxt))
                pos += 2
                continue
            if ch == '"':
                return "".join(chars), pos, i
            chars.append(ch)
            pos += 1
        if i >= len(lines):
            raise InvalidInput(f"Line {number}: the double quote is not closed.")
        chars.append("\n")
        text, pos = lines[i], 0
        i += 1


def format_env(values: dict[str, str]) -> str:
    """Text that :func:`parse` reads back to the same values."""
    out = []
    for key in sorted(values):
        value = values[key]
        if value and re.fullmatch(r"[A-Za-z0-9_./:@%+,-]+", value):
            out.append(f"{key}={value}")
        else:
            escaped = (
                value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
            )
            escaped = escaped.replace("\t", "\\t").replace("$", "\\$")
            out.append(f'{key}="{escaped}"')
    return "\n".join(out) + ("\n" if out else "")
