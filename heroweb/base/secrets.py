"""Envelope encryption and the context passphrase.

herolib keeps the MD5 of the context secret and then uses that stored hash as the AES key, so
anyone who can read Redis can decrypt everything. heroweb instead:

- a deployment master key (32 random bytes): ``HERO_MASTER_KEY`` (base64) or the file
  ``HERO_HOME/keys/master.key`` (created 0600 on first use);
- per context, a random 256-bit data key stored wrapped (AES-256-GCM under the master key,
  the context id as associated data) in the context's ``priv_key`` field;
- every value AES-256-GCM with a fresh 96-bit nonce and associated data naming where it belongs,
  so a ciphertext moved to another name or context fails to decrypt;
- the passphrase as a scrypt PHC-style string, never MD5 (a legacy MD5 still verifies once and
  is then replaced by the caller).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import threading
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from heroweb.base.config import get_settings
from heroweb.base.errors import HeroError, InvalidInput, SecretError

_VERSION = b"\x01"
_lock = threading.Lock()
_master_cache: dict[str, bytes] = {}

# OWASP scrypt: n=2**17, r=8, p=1 needs 128 MiB; OpenSSL refuses above 32 MiB unless maxmem says so.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
_SCRYPT_MAXMEM = 256 * 1024 * 1024


def _b64e(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def _b64d(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def master_key_path() -> Path:
    return get_settings().hero_home / "keys" / "master.key"


def master_key() -> bytes:
    """The deployment master key, creating the key file on first use."""
    s = get_settings()
    if s.master_key_b64:
        try:
            key = base64.b64decode(s.master_key_b64, validate=True)
        except (binascii.Error, ValueError) as e:
            raise HeroError("HERO_MASTER_KEY is not valid base64.") from e
        if len(key) != 32:
            raise HeroError("HERO_MASTER_KEY must be the base64 of exactly 32 bytes.")
        return key
    path = master_key_path()
    cached = _master_cache.get(str(path))
    if cached:
        return cached
    with _lock:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        try:
            # O_EXCL: two processes starting at once must not write two different keys.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as f:
                f.write(base64.b64encode(os.urandom(32)) + b"\n")
                f.flush()
                os.fsync(f.fileno())
        key = base64.b64decode(path.read_bytes().strip())
        if len(key) != 32:
            raise HeroError(f"{path} does not hold a 32-byte base64 key.")
        _master_cache[str(path)] = key
        return key


def forget_master_key() -> None:
    with _lock:
        _master_cache.clear()


def encrypt(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(12)
    return _VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def decrypt(key: bytes, blob: bytes, aad: bytes) -> bytes:
    if len(blob) < 29 or blob[:1] != _VERSION:
        raise SecretError("The encrypted value is damaged or in an unknown format.")
    try:
        return AESGCM(key).decrypt(blob[1:13], blob[13:], aad)
    except InvalidTag as e:
        raise SecretError(
            "The encrypted value does not decrypt: wrong master key, or it was altered or moved."
        ) from e


def _wrap_aad(context_id: int) -> bytes:
    return f"heroweb:datakey:{context_id}".encode()


def new_wrapped_data_key(context_id: int) -> str:
    return _b64e(encrypt(master_key(), os.urandom(32), _wrap_aad(context_id)))


def unwrap_data_key(context_id: int, wrapped: str) -> bytes:
    return decrypt(master_key(), _b64d(wrapped), _wrap_aad(context_id))


def rewrap_data_key(context_id: int, wrapped: str, *, old_master: bytes, new_master: bytes) -> str:
    """Master-key rotation: the data key changes wrapping, the data itself is untouched."""
    key = decrypt(old_master, _b64d(wrapped), _wrap_aad(context_id))
    return _b64e(encrypt(new_master, key, _wrap_aad(context_id)))


def token_encrypt(key: bytes, plaintext: bytes, aad: bytes) -> str:
    return _b64e(encrypt(key, plaintext, aad))


def token_decrypt(key: bytes, token: str, aad: bytes) -> bytes:
    try:
        blob = _b64d(token)
    except (binascii.Error, ValueError) as e:
        raise SecretError("The encrypted value is not valid base64.") from e
    return decrypt(key, blob, aad)


def hash_passphrase(passphrase: str) -> str:
    if not passphrase:
        raise InvalidInput("The passphrase is empty.")
    if len(passphrase) > 1024:
        raise InvalidInput("The passphrase is longer than 1024 characters.")
    salt = os.urandom(16)
    digest = hashlib.scrypt(
        passphrase.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=_SCRYPT_MAXMEM, dklen=32
    )
    return f"$scrypt$ln={SCRYPT_N.bit_length() - 1},r={SCRYPT_R},p={SCRYPT_P}${_b64e(salt)}${_b64e(digest)}"


def is_legacy_md5(stored: str) -> bool:
    return len(stored) == 32 and all(c in "0123456789abcdef" for c in stored.lower())


def verify_passphrase(passphrase: str, stored: str) -> bool:
    """Check ``passphrase`` against a scrypt string, or a legacy herolib MD5 hex digest."""
    if not stored:
        return False
    if is_legacy_md5(stored):
        digest = hashlib.md5(passphrase.encode(), usedforsecurity=False).hexdigest()
        return hmac.compare_digest(digest, stored.lower())
    try:
        _, scheme, cost, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        fields = dict(item.split("=") for item in cost.split(","))
        n = 2 ** int(fields["ln"])
        got = hashlib.scrypt(
            passphrase.encode(),
            salt=_b64d(salt),
            n=n,
            r=int(fields["r"]),
            p=int(fields["p"]),
            maxmem=_SCRYPT_MAXMEM,
            dklen=len(_b64d(digest)),
        )
    except (ValueError, KeyError):
        return False
    return hmac.compare_digest(got, _b64d(digest))
