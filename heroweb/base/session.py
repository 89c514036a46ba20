"""Sessions: named execution environments inside a context.

``sessions:config:$name`` in the context's Redis database holds herolib's fields (``name``,
``start``, ``description``, ``params``) and heroweb's (``interactive``, ``env``, ``end``,
``version``). herolib keeps env only in memory; heroweb persists it so a second process sees it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heroweb.base import docstore, params
from heroweb.base.db import DB
from heroweb.base.errors import InvalidInput, NotFound, TooLarge

if TYPE_CHECKING:
    from heroweb.base.context import Context
    from heroweb.base.log import Logger

ENV_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MAX_ENV_VALUE = 64 * 1024
MAX_ENV_KEY = 256
MAX_DOC_BYTES = 4 * 1024 * 1024
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # herolib's ourtime text, UTC

_MISSING: Any = object()


def session_key(name: str) -> str:
    return f"sessions:config:{name}"


LATEST_KEY = "sessions:config:latest"


def format_time(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime(TIME_FORMAT)


def parse_time(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=UTC).timestamp()
    except ValueError:
        return None


def check_env_key(key: object) -> str:
    if not isinstance(key, str) or not ENV_KEY.fullmatch(key) or len(key) > MAX_ENV_KEY:
        shown = str(key)[:80] if key else "(empty)"
        raise InvalidInput(
            f"'{shown}' is not a valid variable name: letters, digits and '_', not starting with a digit."
        )
    return key


def check_env_value(key: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"The value of {key} must be text, not {type(value).__name__}.")
    if "\x00" in value:
        raise InvalidInput(f"The value of {key} contains a NUL character.")
    size = len(value.encode())
    if size > MAX_ENV_VALUE:
        raise TooLarge(f"The value of {key} is {size} bytes; the limit is {MAX_ENV_VALUE} bytes.")
    return value


class Session:
    """A session of a context; its state is re-read from Redis by :meth:`refresh`."""

    def __init__(self, *, context: Context, text: str, doc: dict[str, Any]) -> None:
        self.context = context
        self._text = text
        self._doc = doc

    def __repr__(self) -> str:
        return f"Session(context={self.context.name!r}, name={self.name!r})"

    # -- fields -------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return str(self._doc["name"])

    @property
    def doc(self) -> dict[str, Any]:
        return dict(self._doc)

    @property
    def version(self) -> int:
        return int(self._doc.get("version", 0))

    @property
    def description(self) -> str:
        return str(self._doc.get("description") or "")

    @property
    def interactive(self) -> bool:
        return bool(self._doc.get("interactive", False))

    @property
    def start(self) -> float | None:
        return parse_time(self._doc.get("start"))

    @property
    def end_time(self) -> float | None:
        return parse_time(self._doc.get("end"))

    @property
    def ended(self) -> bool:
        return bool(self._doc.get("end"))

    @property
    def env(self) -> dict[str, str]:
        return dict(self._doc.get("env") or {})

    @property
    def params(self) -> str:
        return str(self._doc.get("params") or "")

    @property
    def params_dict(self) -> dict[str, str]:
        return params.parse(self.params).values

    @property
    def path(self) -> Path:
        return self.context.path / self.name

    @property
    def logs_path(self) -> Path:
        return self.path / "logs"

    @property
    def db_path(self) -> Path:
        return self.context.db_path / f"session_{self.name}"

    # -- reading and writing ------------------------------------------------------------------
    def _redis(self) -> Any:
        return self.context.redis()

    def refresh(self) -> Session:
        text, doc = docstore.read(self._redis(), session_key(self.name))
        if text is None or doc is None:
            raise NotFound(f"Session '{self.name}' of context '{self.context.name}' no longer exists.")
        self._text, self._doc = text, doc
        return self

    def update(
        self, change: Callable[[dict[str, Any]], None], *, expected_version: int | None = None
    ) -> Session:
        """Apply ``change`` to the stored document atomically (Conflict if the version moved)."""

        def checked(doc: dict[str, Any]) -> None:
            change(doc)
            if len(docstore.dumps(doc).encode()) > MAX_DOC_BYTES:
                raise TooLarge(f"The session would exceed {MAX_DOC_BYTES} bytes; nothing was changed.")

        self._text, self._doc = docstore.update(
            self._redis(),
            session_key(self.name),
            checked,
            known_text=None if expected_version is not None else self._text,
            expected_version=expected_version,
            what=f"session '{self.name}'",
        )
        return self

    # -- env ----------------------------------------------------------------------------------
    def env_set(self, key: str, value: str, *, expected_version: int | None = None) -> None:
        check_env_key(key)
        check_env_value(key, value)
        self.update(
            lambda d: d.setdefault("env", {}).__setitem__(key, value), expected_version=expected_version
        )

    def env_set_many(
        self, values: Mapping[str, str], *, replace: bool = False, expected_version: int | None = None
    ) -> None:
        """Set several variables in one atomic write; ``replace`` drops the ones not given."""
        clean = {check_env_key(k): check_env_value(k, v) for k, v in values.items()}

        def change(d: dict[str, Any]) -> None:
            env = {} if replace else dict(d.get("env") or {})
            env.update(clean)
            d["env"] = env

        self.update(change, expected_version=expected_version)

    def env_get(self, key: str, default: Any = _MISSING) -> str:
        """The current value (read fresh from Redis); :class:`NotFound` unless ``default`` is given."""
        check_env_key(key)
        self.refresh()
        env = self._doc.get("env") or {}
        if key in env:
            return str(env[key])
        if default is not _MISSING:
            return default  # type: ignore[no-any-return]
        raise NotFound(f"No environment variable {key} in session '{self.name}'.")

    def env_delete(self, key: str, *, expected_version: int | None = None) -> bool:
        check_env_key(key)
        found = []

        def change(d: dict[str, Any]) -> None:
            env = d.setdefault("env", {})
            found.append(env.pop(key, None) is not None)

        self.update(change, expected_version=expected_version)
        return bool(found and found[-1])

    # -- params -------------------------------------------------------------------------------
    def params_set(
        self, text_or_values: str | Mapping[str, str], *, expected_version: int | None = None
    ) -> None:
        text = _params_text(text_or_values)
        self.update(lambda d: d.__setitem__("params", text), expected_version=expected_version)

    def param_get(self, key: str, default: str | None = None) -> str | None:
        return self.params_dict.get(key, default)

    def param_set(self, key: str, value: str) -> None:
        params.check_key(key)

        def change(d: dict[str, Any]) -> None:
            p = params.parse(str(d.get("params") or ""))
            p.values[key] = value
            d["params"] = params.format_params(p)

        self.update(change)

    # -- lifecycle ----------------------------------------------------------------------------
    def end(self, *, expected_version: int | None = None) -> None:
        """Record the end time (once; ending an ended session keeps the first time)."""

        def change(d: dict[str, Any]) -> None:
            if not d.get("end"):
                d["end"] = format_time(time.time())

        self.update(change, expected_version=expected_version)

    def set_fields(
        self,
        *,
        description: str | None = None,
        interactive: bool | None = None,
        expected_version: int | None = None,
    ) -> None:
        def change(d: dict[str, Any]) -> None:
            if description is not None:
                d["description"] = description
            if interactive is not None:
                d["interactive"] = interactive

        self.update(change, expected_version=expected_version)

    # -- databases and log --------------------------------------------------------------------
    def db_get(self) -> DB:
        """This session's own database, ``HERO_HOME/db/$contextid/session_$name``."""
        return self.context.db_get(f"session_{self.name}")

    def db_config_get(self) -> DB:
        """The context-wide ``config`` database."""
        return self.context.db_get("config")

    def logger(self) -> Logger:
        from heroweb.base.log import Logger

        return Logger(path=self.logs_path)


def _params_text(text_or_values: str | Mapping[str, str]) -> str:
    if isinstance(text_or_values, str):
        params.parse(text_or_values)  # refuse what would not read back
        return text_or_values.strip()
    values = {params.check_key(k): str(v) for k, v in text_or_values.items()}
    return params.format_params(params.Params(values=values))
