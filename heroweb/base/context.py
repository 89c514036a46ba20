"""Contexts: everything in hero lives in one.

Context id X is Redis logical database X; ``context:config`` holds herolib's fields (``id``,
``name``, ``params``, ``coderoot``, ``interactive``, ``secret``, ``priv_key``, ``db_path``,
``encrypt``) and heroweb's (``version``, ``created``, ``updated``, ``description``). Fields other
tools wrote are kept as they are.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import shutil
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import redis

from heroweb.base import docstore, heroconfig, names, params, redisconn, scripts
from heroweb.base import secrets as crypto
from heroweb.base.config import get_settings
from heroweb.base.db import DB
from heroweb.base.errors import (
    AlreadyExists,
    ContextIdOutOfRange,
    InvalidInput,
    NotFound,
    SecretError,
    TooLarge,
)
from heroweb.base.session import LATEST_KEY, Session, _params_text, format_time, session_key

CONFIG_KEY = "context:config"
MAX_DESCRIPTION = 4096


def _home() -> Path:
    return get_settings().hero_home


def check_context_id(context_id: object) -> int:
    if isinstance(context_id, bool) or not isinstance(context_id, int):
        try:
            context_id = int(str(context_id))
        except ValueError:
            raise InvalidInput(f"The context id '{context_id}' is not a whole number.") from None
    if context_id < 0:
        raise InvalidInput("A context id is 0 or more.")
    databases = redisconn.server_databases()
    if context_id >= databases:
        raise ContextIdOutOfRange(
            f"Context id {context_id} needs Redis database {context_id}, but the Redis server at "
            f"{redisconn.describe()} has only {databases} databases (ids 0 to {databases - 1}). "
            "Raise 'databases' in its redis.conf and restart it, or pick a smaller id."
        )
    return context_id


class Context:
    """A hero context. Get one with :func:`context_new`, :func:`context_get` or :func:`context_list`."""

    def __init__(self, *, text: str, doc: dict[str, Any], session_count: int | None = None) -> None:
        self._text = text
        self._doc = doc
        self._data_key: bytes | None = None
        self.session_count = session_count

    def __repr__(self) -> str:
        return f"Context(id={self.id}, name={self.name!r})"

    # -- fields -------------------------------------------------------------------------------
    @property
    def id(self) -> int:
        return int(self._doc["id"])

    @property
    def name(self) -> str:
        return str(self._doc["name"])

    @property
    def doc(self) -> dict[str, Any]:
        """The stored document without its key material."""
        return {k: v for k, v in self._doc.items() if k not in ("secret", "priv_key", "priv_key_next")}

    def doc_with_keys(self) -> dict[str, Any]:
        """The stored document including its wrapped key material (never show it)."""
        return dict(self._doc)

    @property
    def version(self) -> int:
        return int(self._doc.get("version", 0))

    @property
    def coderoot(self) -> str:
        return str(self._doc.get("coderoot") or "")

    @property
    def interactive(self) -> bool:
        return bool(self._doc.get("interactive", False))

    @property
    def encrypt(self) -> bool:
        return bool(self._doc.get("encrypt", False))

    @property
    def description(self) -> str:
        return str(self._doc.get("description") or "")

    @property
    def created(self) -> float | None:
        value = self._doc.get("created")
        return float(value) if isinstance(value, int | float) else None

    @property
    def params(self) -> str:
        return str(self._doc.get("params") or "")

    @property
    def params_dict(self) -> dict[str, str]:
        return params.parse(self.params).values

    @property
    def has_passphrase(self) -> bool:
        return bool(self._doc.get("secret"))

    @property
    def path(self) -> Path:
        """``HERO_HOME/context/$name``: config files and session folders."""
        return _home() / "context" / self.name

    @property
    def db_path(self) -> Path:
        """``HERO_HOME/db/$id``: the context's database collection."""
        return _home() / "db" / str(self.id)

    # -- storage ------------------------------------------------------------------------------
    def redis(self) -> redis.Redis:
        return redisconn.client(self.id)

    def refresh(self) -> Context:
        text, doc = docstore.read(self.redis(), CONFIG_KEY)
        if text is None or doc is None:
            raise NotFound(f"Context {self.id} ('{self.name}') no longer exists.")
        self._text, self._doc = text, doc
        return self

    def update(
        self, change: Callable[[dict[str, Any]], None], *, expected_version: int | None = None
    ) -> Context:
        self._text, self._doc = docstore.update(
            self.redis(),
            CONFIG_KEY,
            change,
            known_text=None if expected_version is not None else self._text,
            expected_version=expected_version,
            what=f"context '{self.name}'",
        )
        return self

    def set_fields(
        self,
        *,
        coderoot: str | None = None,
        interactive: bool | None = None,
        description: str | None = None,
        encrypt: bool | None = None,
        expected_version: int | None = None,
    ) -> Context:
        if description is not None and len(description) > MAX_DESCRIPTION:
            raise TooLarge(f"The description is longer than {MAX_DESCRIPTION} characters.")

        def change(d: dict[str, Any]) -> None:
            for key, value in (
                ("coderoot", coderoot),
                ("interactive", interactive),
                ("description", description),
                ("encrypt", encrypt),
            ):
                if value is not None:
                    d[key] = value

        return self.update(change, expected_version=expected_version)

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

    # -- sessions -----------------------------------------------------------------------------
    def session_new(
        self,
        *,
        name: str,
        interactive: bool = False,
        description: str = "",
        params: str | Mapping[str, str] = "",
        env: Mapping[str, str] | None = None,
    ) -> Session:
        """Create a session; :class:`AlreadyExists` if the name is taken (use :meth:`session_get`)."""
        from heroweb.base.session import check_env_key, check_env_value

        names.session_name(name)
        clean_env = {check_env_key(k): check_env_value(k, v) for k, v in (env or {}).items()}
        now = time.time()
        doc: dict[str, Any] = {
            "name": name,
            "start": format_time(now),
            "description": description,
            "params": _params_text(params),
            "interactive": bool(interactive),
            "env": clean_env,
            "end": "",
            "version": 1,
            "created": now,
            "updated": now,
        }
        text = docstore.dumps(doc)
        result = scripts.run(
            self.redis(), scripts.CREATE_SESSION, keys=[session_key(name), LATEST_KEY], args=[text, name]
        )
        if result == -1:
            raise NotFound(f"Context {self.id} ('{self.name}') no longer exists.")
        if result == 0:
            raise AlreadyExists(f"Session '{name}' already exists in context '{self.name}'; use session_get.")
        session = Session(context=self, text=text, doc=doc)
        try:
            session.logs_path.mkdir(parents=True, exist_ok=True)
        except OSError:
            self.redis().delete(session_key(name))
            raise
        return session

    def session_get(self, *, name: str) -> Session:
        names.session_name(name)
        text, doc = docstore.read(self.redis(), session_key(name))
        if text is None or doc is None:
            raise NotFound(f"There is no session '{name}' in context '{self.name}'.")
        return Session(context=self, text=text, doc=doc)

    def session_list(self) -> list[Session]:
        """Every session, oldest first (two round trips: the keys, then their values)."""
        r = self.redis()
        with redisconn.guard():
            keys = [k for k in r.scan_iter(match="sessions:config:*", count=1000) if k != LATEST_KEY.encode()]
            values = r.mget(keys) if keys else []
        out = []
        for raw in values:
            text = _text(raw)
            doc = docstore.loads(text) if text else None
            if text and doc and "name" in doc:
                out.append(Session(context=self, text=text, doc=doc))
        return sorted(out, key=lambda s: (s._doc.get("created") or s.start or 0, s.name))

    def session_latest(self) -> Session:
        with redisconn.guard():
            raw = self.redis().get(LATEST_KEY)
        if not raw:
            raise NotFound(f"Context '{self.name}' has no sessions yet.")
        return self.session_get(name=_text(raw) or "")

    def session_delete(self, *, name: str) -> None:
        """Remove a session: its Redis document, database file and folder (with its logs)."""
        session = self.session_get(name=name)
        trash = _to_trash([session.path])
        r = self.redis()
        try:
            with redisconn.guard():
                r.delete(session_key(name))
                if r.get(LATEST_KEY) == name.encode():
                    rest = [s for s in self.session_list() if s.name != name]
                    if rest:
                        r.set(LATEST_KEY, rest[-1].name)
                    else:
                        r.delete(LATEST_KEY)
        except BaseException:
            _restore(trash)
            raise
        DB(path=session.db_path, name=f"session_{name}", context_id=self.id).destroy()
        _empty_trash(trash)

    # -- databases ----------------------------------------------------------------------------
    def data_key(self) -> bytes:
        """The context's data key, unwrapped with the master key (created if missing)."""
        if self._data_key is None:
            wrapped = self._doc.get("priv_key")
            if not wrapped:
                new = crypto.new_wrapped_data_key(self.id)
                self.update(lambda d: d.setdefault("priv_key", new) if not d.get("priv_key") else None)
                wrapped = self._doc["priv_key"]
            try:
                self._data_key = crypto.unwrap_data_key(self.id, str(wrapped))
            except SecretError as e:
                # Mid-rotation (heroweb.base.rotation): the key is also wrapped for the next master.
                upcoming = self._doc.get("priv_key_next")
                try:
                    if not upcoming:
                        raise
                    self._data_key = crypto.unwrap_data_key(self.id, str(upcoming))
                except SecretError:
                    raise SecretError(
                        f"Context '{self.name}': its data key does not unwrap with this master key "
                        f"({e.message})"
                    ) from e
        return self._data_key

    def db_get(self, name: str) -> DB:
        """A database of this context's collection, ``HERO_HOME/db/$id/$name``."""
        names.db_name(name)
        return DB(
            path=self.db_path / name,
            name=name,
            context_id=self.id,
            data_key=self.data_key() if self.encrypt else None,
        )

    def db_config_get(self) -> DB:
        return self.db_get("config")

    def db_list(self) -> list[str]:
        if not self.db_path.is_dir():
            return []
        return sorted(
            p.name
            for p in self.db_path.iterdir()
            if p.is_file() and not p.name.endswith(("-wal", "-shm", "-journal"))
        )

    # -- hero config files --------------------------------------------------------------------
    def _lookup(self, session: Session | None) -> Callable[[str], str | None]:
        maps: list[Mapping[str, str]] = []
        if session is not None:
            maps.append(session.env)
        maps += [self.params_dict, os.environ]
        return heroconfig.chain_lookup(*maps)

    def hero_config_set(
        self, category: str, name: str, content: str, *, session: Session | None = None
    ) -> str:
        """Write ``$category__$name.yaml`` (dedented, shell-expanded, valid YAML); return what was written."""
        path = heroconfig.file_path(self.path, category, name)
        text = heroconfig.prepare(content, self._lookup(session))
        heroconfig.write_atomic(path, text)
        return text

    def hero_config_get(self, category: str, name: str) -> str:
        return heroconfig.read(heroconfig.file_path(self.path, category, name), category, name)

    def hero_config_exists(self, category: str, name: str) -> bool:
        return heroconfig.file_path(self.path, category, name).is_file()

    def hero_config_list(self, category: str | None = None) -> list[tuple[str, str]]:
        if category is not None:
            names.config_part("category", category)
        return heroconfig.list_files(self.path, category)

    def hero_config_delete(self, category: str, name: str) -> bool:
        try:
            heroconfig.file_path(self.path, category, name).unlink()
        except FileNotFoundError:
            return False
        return True

    def hero_config_preview(self, content: str, *, session: Session | None = None) -> str:
        """What :meth:`hero_config_set` would write, without writing (raises on invalid YAML)."""
        return heroconfig.prepare(content, self._lookup(session))

    # -- secrets ------------------------------------------------------------------------------
    @property
    def secrets(self) -> SecretStore:
        return SecretStore(self)

    def secret_set(self, passphrase: str) -> None:
        """Set or change the context passphrase (stored as a scrypt hash, never plaintext or MD5)."""
        hashed = crypto.hash_passphrase(passphrase)
        self.update(lambda d: d.__setitem__("secret", hashed))

    def secret_check(self, passphrase: str) -> bool:
        stored = str(self._doc.get("secret") or "")
        ok = crypto.verify_passphrase(passphrase, stored)
        if ok and crypto.is_legacy_md5(stored):
            self.secret_set(passphrase)  # upgrade herolib's MD5 on the first good check
        return ok

    def secret_encrypt(self, data: str | bytes) -> str:
        raw = data.encode() if isinstance(data, str) else data
        return crypto.token_encrypt(self.data_key(), raw, f"heroweb:data:{self.id}".encode())

    def secret_decrypt(self, token: str) -> str:
        return self.secret_decrypt_bytes(token).decode()

    def secret_decrypt_bytes(self, token: str) -> bytes:
        return crypto.token_decrypt(self.data_key(), token, f"heroweb:data:{self.id}".encode())


class SecretStore:
    """Named secrets of a context, encrypted in its ``config`` database (table ``secrets``)."""

    MAX_VALUE = 64 * 1024

    def __init__(self, context: Context) -> None:
        self.context = context

    def _db(self) -> DB:
        return DB(path=self.context.db_path / "config", name="config", context_id=self.context.id)

    def _aad(self, name: str) -> bytes:
        return f"heroweb:secret:{self.context.id}:{name}".encode()

    @staticmethod
    def check_name(name: object) -> str:
        if (
            not isinstance(name, str)
            or not name
            or len(name) > 128
            or not all(c.isalnum() or c in "_.-" for c in name)
            or not name.isascii()
        ):
            raise InvalidInput("A secret name is 1-128 letters, digits, '_', '.' or '-'.")
        return name

    def set(self, name: str, value: str) -> None:
        self.check_name(name)
        if not isinstance(value, str):
            raise InvalidInput("A secret value must be text.")
        if len(value.encode()) > self.MAX_VALUE:
            raise TooLarge(f"A secret value is limited to {self.MAX_VALUE} bytes.")
        token = crypto.token_encrypt(self.context.data_key(), value.encode(), self._aad(name))
        self._write(
            "INSERT OR REPLACE INTO secrets(name, value, updated) VALUES (?, ?, ?)",
            (name, token, time.time()),
        )

    def get(self, name: str) -> str:
        self.check_name(name)
        rows = self._query("SELECT value FROM secrets WHERE name = ?", (name,))
        if not rows:
            raise NotFound(f"There is no secret '{name}' in context '{self.context.name}'.")
        return crypto.token_decrypt(self.context.data_key(), rows[0][0], self._aad(name)).decode()

    def delete(self, name: str) -> bool:
        self.check_name(name)
        if not self._db().path.exists():
            return False
        return self._write("DELETE FROM secrets WHERE name = ?", (name,)) > 0

    def names(self) -> list[str]:
        return [n for n, _ in self.list()]

    def list(self) -> list[tuple[str, float]]:
        """(name, last update time) of every secret, by name."""
        return [(r[0], float(r[1])) for r in self._query("SELECT name, updated FROM secrets ORDER BY name")]

    def _query(self, sql: str, args: tuple[object, ...] = ()) -> builtins.list[tuple[Any, ...]]:
        # A context whose config database was never written has no secrets; don't create the file.
        db = self._db()
        if not db.path.exists():
            return []
        try:
            return db.conn.execute(sql, args).fetchall()
        finally:
            db.close()

    def _write(self, sql: str, args: tuple[object, ...]) -> int:
        db = self._db()
        try:
            return int(db.conn.execute(sql, args).rowcount)
        finally:
            db.close()


# -- module functions: the seed's API ----------------------------------------------------------
def context_new(
    *,
    id: int,
    name: str,
    coderoot: str = "",
    interactive: bool = False,
    description: str = "",
    params: str | Mapping[str, str] = "",
    encrypt: bool = False,
    passphrase: str | None = None,
) -> Context:
    """Create context ``id`` named ``name``; :class:`AlreadyExists` if either is taken."""
    names.context_name(name)
    context_id = check_context_id(id)
    if len(description) > MAX_DESCRIPTION:
        raise TooLarge(f"The description is longer than {MAX_DESCRIPTION} characters.")
    now = time.time()
    home = _home()
    doc: dict[str, Any] = {
        "id": context_id,
        "name": name,
        "params": _params_text(params),
        "coderoot": coderoot,
        "interactive": bool(interactive),
        "secret": crypto.hash_passphrase(passphrase) if passphrase else "",
        "priv_key": crypto.new_wrapped_data_key(context_id),
        "db_path": str(home / "db" / str(context_id)),
        "encrypt": bool(encrypt),
        "version": 1,
        "created": now,
        "updated": now,
        "description": description,
    }
    text = docstore.dumps(doc)
    result = scripts.run(
        redisconn.client(context_id),
        scripts.CREATE_CONTEXT,
        args=[context_id, name, text, redisconn.server_databases()],
    )
    kind = result[0].decode() if isinstance(result[0], bytes) else result[0]
    if kind == "id":
        raise AlreadyExists(f"Context id {context_id} is already used.")
    if kind == "name":
        raise AlreadyExists(f"A context named '{name}' already exists (id {result[1]}).")
    made: list[Path] = []
    try:
        for folder in (home / "db" / str(context_id), home / "context" / name):
            if not folder.exists():
                folder.mkdir(parents=True)
                made.append(folder)
    except OSError:
        for folder in made:
            shutil.rmtree(folder, ignore_errors=True)
        with contextlib.suppress(Exception):
            scripts.run(redisconn.client(context_id), scripts.DELETE_CONTEXT, args=[context_id])
        raise
    return Context(text=text, doc=doc, session_count=0)


def context_get(id: int | None = None, *, name: str | None = None) -> Context:
    """A context by id (one round trip) or by name."""
    if id is None and name is None:
        raise InvalidInput("Give a context id or name.")
    if id is None:
        names.context_name(name)
        for c in context_list():
            if c.name == name:
                return c
        raise NotFound(f"There is no context named '{name}'.")
    context_id = check_context_id(id)
    text, doc = docstore.read(redisconn.client(context_id), CONFIG_KEY)
    if text is None or doc is None:
        raise NotFound(f"There is no context with id {context_id}.")
    return Context(text=text, doc=doc)


def context_list() -> list[Context]:
    """Every context, by id, with its session count: one round trip however many there are."""
    result = scripts.run(redisconn.client(0), scripts.LIST_CONTEXTS, args=[redisconn.server_databases()])
    out = []
    for i in range(0, len(result), 3):
        raw = result[i + 1]
        try:
            doc = docstore.loads(raw)
        except ValueError:
            continue  # not ours (another tool's value at the same key); skip, do not crash the list
        if doc is None:
            continue
        doc.setdefault("id", int(result[i]))
        doc.setdefault("name", f"context{result[i]}")
        out.append(Context(text=raw.decode(), doc=doc, session_count=int(result[i + 2])))
    return out


def context_next_id() -> int:
    """The smallest id no context uses (the web suggests it)."""
    used = {c.id for c in context_list()}
    i = 0
    while i in used:
        i += 1
    return i


def context_delete(id: int) -> None:
    """Remove context ``id``: its Redis keys, ``HERO_HOME/db/$id``, config files, sessions, logs."""
    context = context_get(id)
    trash = _to_trash([context.db_path, context.path])
    try:
        scripts.run(context.redis(), scripts.DELETE_CONTEXT, args=[context.id])
    except BaseException:
        _restore(trash)
        raise
    _empty_trash(trash)


def _text(raw: object) -> str | None:
    """redis-py answers bytes here (decode_responses is off); its types say bytes or str."""
    if raw is None or raw is False:
        return None
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def _to_trash(paths: list[Path]) -> list[tuple[Path, Path]]:
    """Move folders aside (one rename each) so a failure later can put them back."""
    trash_dir = _home() / ".trash"
    moved: list[tuple[Path, Path]] = []
    try:
        for p in paths:
            if p.exists():
                trash_dir.mkdir(parents=True, exist_ok=True)
                dest = trash_dir / f"{uuid.uuid4().hex}-{p.name}"
                os.rename(p, dest)
                moved.append((p, dest))
    except OSError:
        _restore(moved)
        raise
    return moved


def _restore(moved: list[tuple[Path, Path]]) -> None:
    for original, dest in reversed(moved):
        with contextlib.suppress(OSError):
            os.rename(dest, original)


def _empty_trash(moved: list[tuple[Path, Path]]) -> None:
    for _, dest in moved:
        shutil.rmtree(dest, ignore_errors=True)


def session_new(
    *,
    context: Context,
    name: str,
    interactive: bool = False,
    description: str = "",
    params: str | Mapping[str, str] = "",
    env: Mapping[str, str] | None = None,
) -> Session:
    """The seed's ``session_new(context: ..., name: ...)``."""
    return context.session_new(
        name=name, interactive=interactive, description=description, params=params, env=env
    )
