"""Hero config files: ``HERO_HOME/context/$contextname/$category__$name.yaml``.

Content is dedented, shell-expanded (``~``, ``$VAR``, ``${VAR}``; never ``$(...)`` or backticks:
nothing is executed), checked as YAML and written atomically.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from heroweb.base import names
from heroweb.base.errors import InvalidYAML, NotFound, TooLarge

MAX_BYTES = 1024 * 1024
MAX_ALIASES = 1000
# What a document may become once its aliases are expanded. A "billion laughs" needs only 81
# aliases (9 levels of 9), so counting aliases alone does not stop it; sizing the expansion does.
MAX_EXPANDED_NODES = 200_000
SUFFIX = ".yaml"

_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
# '~' expands where a shell would: at the start of a word (start, after space, quote, ':' '=' '[' ',').
_TILDE = re.compile(r"(?:(?<=^)|(?<=[\s'\"=:\[,]))~(?=/|$|[\s'\",\]])", re.MULTILINE)


def expand(text: str, lookup: Callable[[str], str | None]) -> str:
    """Expand ``~`` and ``$VAR``/``${VAR}``; unknown variables stay as written."""
    home = os.path.expanduser("~")
    text = _TILDE.sub(lambda _m: home, text)

    def var(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(2)
        value = lookup(name)
        return m.group(0) if value is None else value

    return _VAR.sub(var, text)


def chain_lookup(*maps: Mapping[str, str]) -> Callable[[str], str | None]:
    def lookup(name: str) -> str | None:
        for m in maps:
            if name in m:
                return m[name]
        return None

    return lookup


def validate_yaml(text: str) -> Any:
    """Parse ``text`` safely; refuse over 1 MiB, alias bombs and invalid YAML with its position."""
    size = len(text.encode())
    if size > MAX_BYTES:
        raise TooLarge(f"The config file is {size} bytes; the limit is {MAX_BYTES} bytes (1 MiB).")
    try:
        _check_expansion(text)
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        where = f" at line {line}, column {column}" if line else ""
        problem = e.problem or e.context or "invalid YAML"
        raise InvalidYAML(f"Invalid YAML{where}: {problem}.", line=line, column=column) from e
    except yaml.YAMLError as e:
        raise InvalidYAML(f"Invalid YAML: {e}.") from e


def _check_expansion(text: str) -> None:
    """Walk the event stream (cheap, nothing is built) and size every anchor once expanded."""
    anchor_size: dict[str, int] = {}
    # each open collection: [nodes so far, its anchor]
    stack: list[list[Any]] = [[0, None]]
    aliases = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            stack[-1][0] += anchor_size.get(event.anchor or "", 1)
        elif isinstance(event, yaml.ScalarEvent):
            stack[-1][0] += 1
            if event.anchor:
                anchor_size[event.anchor] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            stack.append([1, event.anchor])
        elif isinstance(event, yaml.CollectionEndEvent):
            size, anchor = stack.pop()
            if anchor:
                anchor_size[anchor] = size
            stack[-1][0] += size
        else:
            continue
        if aliases > MAX_ALIASES or stack[-1][0] > MAX_EXPANDED_NODES:
            raise InvalidYAML(
                f"The YAML expands to more than {MAX_EXPANDED_NODES:,} values through its aliases "
                f"(*name) or uses more than {MAX_ALIASES}; refused as a possible alias bomb."
            )


def file_path(folder: Path, category: str, name: str) -> Path:
    names.config_part("category", category)
    names.config_part("name", name)
    return folder / f"{category}__{name}{SUFFIX}"


def prepare(content: str, lookup: Callable[[str], str | None]) -> str:
    """What is written for ``content``: dedented, expanded and valid YAML."""
    if len(content.encode()) > MAX_BYTES:
        raise TooLarge(
            f"The config file is {len(content.encode())} bytes; the limit is {MAX_BYTES} bytes (1 MiB)."
        )
    text = expand(textwrap.dedent(content), lookup)
    if text and not text.endswith("\n"):
        text += "\n"
    validate_yaml(text)
    return text


def write_atomic(path: Path, text: str) -> None:
    """Temp file in the same folder, fsync, ``os.replace``: readers see the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dirfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dirfd)
        finally:
            os.close(dirfd)


def read(path: Path, category: str, name: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound(f"There is no config file {category}__{name}{SUFFIX}.") from None


def list_files(folder: Path, category: str | None = None) -> list[tuple[str, str]]:
    """(category, name) of every config file, sorted."""
    out: list[tuple[str, str]] = []
    if not folder.is_dir():
        return out
    for entry in folder.iterdir():
        n = entry.name
        if not n.endswith(SUFFIX) or n.startswith(".") or "__" not in n or not entry.is_file():
            continue
        cat, _, nm = n[: -len(SUFFIX)].partition("__")
        if category is not None and cat != category:
            continue
        out.append((cat, nm))
    return sorted(out)
