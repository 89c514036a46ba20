from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from heroweb.base import SecretError, config, context_get, context_new, redisconn
from heroweb.base import secrets as crypto
from tests.base.helpers import keys, stored

PLAINTEXT = "pl41ntext-s3cret-value-7f3a"
PASSPHRASE = "correct horse battery staple"


def every_redis_value() -> bytes:
    """Every key and value (as DUMP's serialisation) of every database that holds keys."""
    out: list[bytes] = []
    for name in redisconn.client(0).info("keyspace"):
        r = redisconn.client(int(str(name).removeprefix("db")))
        for key in keys(int(str(name).removeprefix("db"))):
            dumped = r.dump(key)
            out.append(key + b"=" + (dumped if isinstance(dumped, bytes) else b""))
    return b"\n".join(out)


def every_file_byte(*roots: Path) -> bytes:
    return b"".join(p.read_bytes() for root in roots for p in root.rglob("*") if p.is_file())


def test_it_never_stores_a_secret_in_plaintext(hero: Path) -> None:
    context = context_new(id=1, name="c", passphrase=PASSPHRASE)
    context.secrets.set("api-token", PLAINTEXT)
    token = context.secret_encrypt(PLAINTEXT)
    session = context.session_new(name="sess")
    session.env_set("TOKEN_REF", token)
    assert context.secrets.get("api-token") == PLAINTEXT
    assert context.secret_decrypt(token) == PLAINTEXT
    redisconn.client(0).bgrewriteaof() if not config.get_settings().redis_url else None
    dump = every_redis_value()
    assert PLAINTEXT.encode() not in dump and PASSPHRASE.encode() not in dump
    assert hashlib.md5(PASSPHRASE.encode()).hexdigest().encode() not in dump  # noqa: S324
    embedded_home = Path(redisconn.redis_url().removeprefix("unix://")).parent
    disk = every_file_byte(hero, embedded_home)
    assert PLAINTEXT.encode() not in disk and PASSPHRASE.encode() not in disk


def test_it_encrypts_session_databases_when_asked(hero: Path) -> None:
    context = context_new(id=1, name="c", encrypt=True)
    db = context.session_new(name="sess").db_get()
    db.set("k", PLAINTEXT)
    assert db.get("k") == PLAINTEXT
    assert PLAINTEXT.encode() not in every_file_byte(hero)


def test_it_checks_the_passphrase_with_scrypt(hero: Path) -> None:
    context = context_new(id=1, name="c")
    context.secret_set(PASSPHRASE)
    secret = stored(1, "context:config")["secret"]
    assert secret.startswith("$scrypt$ln=17,r=8,p=1$")
    again = context_get(1)
    assert again.secret_check(PASSPHRASE) and not again.secret_check("wrong")


def test_it_upgrades_a_legacy_md5_passphrase_on_first_good_check(hero: Path) -> None:
    context = context_new(id=1, name="c")
    legacy = hashlib.md5(PASSPHRASE.encode()).hexdigest()  # noqa: S324 - herolib's format
    context.update(lambda d: d.__setitem__("secret", legacy))
    assert not context.secret_check("wrong")
    assert context.secret_check(PASSPHRASE)
    assert stored(1, "context:config")["secret"].startswith("$scrypt$")


def test_it_binds_a_secret_to_its_name_and_context(hero: Path) -> None:
    a = context_new(id=1, name="a")
    b = context_new(id=2, name="b")
    token = a.secret_encrypt("x")
    with pytest.raises(SecretError):
        b.secret_decrypt(token)
    a.secrets.set("one", "v1")
    db = a.db_config_get()
    stolen = db.conn.execute("SELECT value FROM secrets WHERE name='one'").fetchone()[0]
    db.conn.execute("INSERT INTO secrets(name, value, updated) VALUES ('two', ?, 0)", (stolen,))
    with pytest.raises(SecretError):
        a.secrets.get("two")


def test_it_rewraps_data_keys_for_master_key_rotation(hero: Path) -> None:
    context = context_new(id=1, name="c")
    context.secrets.set("s", "v")
    old = crypto.master_key()
    new = bytes(range(32))
    wrapped = stored(1, "context:config")["priv_key"]
    rewrapped = crypto.rewrap_data_key(1, wrapped, old_master=old, new_master=new)
    assert crypto.decrypt(new, crypto._b64d(rewrapped), b"heroweb:datakey:1") == crypto.unwrap_data_key(
        1, wrapped
    )


def test_it_names_deletes_and_lists_secrets_without_values(hero: Path) -> None:
    context = context_new(id=1, name="c")
    context.secrets.set("b", "2")
    context.secrets.set("a", "1")
    assert context.secrets.names() == ["a", "b"]
    assert context.secrets.delete("a") and not context.secrets.delete("a")
    assert context.secrets.names() == ["b"]
    # The config database browser never shows secrets: they live in their own table.
    assert context.db_config_get().keys() == []


def test_it_rotates_the_master_key_without_touching_secret_values(hero: Path) -> None:
    from heroweb.base.rotation import master_key_rotate

    a = context_new(id=1, name="a")
    a.secrets.set("s", PLAINTEXT)
    token = a.secret_encrypt("data")
    db_row_before = a.db_config_get().conn.execute("SELECT value FROM secrets").fetchone()[0]
    old_key = crypto.master_key_path().read_bytes()
    new_key, installed = master_key_rotate()
    assert installed and crypto.master_key_path().read_bytes() != old_key
    assert crypto.master_key() == new_key
    fresh = context_get(1)
    assert "priv_key_next" not in stored(1, "context:config")
    assert fresh.secrets.get("s") == PLAINTEXT and fresh.secret_decrypt(token) == "data"
    assert fresh.db_config_get().conn.execute("SELECT value FROM secrets").fetchone()[0] == db_row_before


def test_it_opens_contexts_with_either_key_while_a_rotation_is_under_way(hero: Path) -> None:
    from heroweb.base.rotation import master_key_finish, master_key_rotate

    context_new(id=1, name="a").secrets.set("s", "v")
    old_b64 = base64.b64encode(crypto.master_key()).decode()
    config.configure(hero_home=hero, redis_url=redisconn.redis_url(), master_key_b64=old_b64)
    new_key, installed = master_key_rotate()
    assert not installed and "priv_key_next" in stored(1, "context:config")
    assert context_get(1).secrets.get("s") == "v"  # still the old master
    config.configure(
        hero_home=hero, redis_url=redisconn.redis_url(), master_key_b64=base64.b64encode(new_key).decode()
    )
    assert context_get(1).secrets.get("s") == "v"  # the new master opens priv_key_next
    assert master_key_finish() == 1
    assert "priv_key_next" not in stored(1, "context:config")
    assert context_get(1).secrets.get("s") == "v"
