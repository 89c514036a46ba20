"""Login throttling: a password guesser gets a few tries per account and per address, not millions.

Counters live in Django's cache (heroweb's Redis) with a sliding 15-minute window. With Redis
down the cache ignores errors, so the throttle opens rather than locking everyone out; the
Redis-down page already stops everything else.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.http import HttpRequest

WINDOW_SECONDS = 15 * 60
MAX_PER_ACCOUNT = 10
MAX_PER_ADDRESS = 50


def _keys(request: HttpRequest | None, username: str) -> list[tuple[str, int]]:
    # Hashed: the cache never holds what someone typed as a username (it may be a password).
    account = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    keys = [(f"login-fail:user:{account}", MAX_PER_ACCOUNT)]
    if request is not None:
        keys.append((f"login-fail:addr:{request.META.get('REMOTE_ADDR', '')}", MAX_PER_ADDRESS))
    return keys


def blocked(request: HttpRequest | None, username: str) -> bool:
    counts = cache.get_many([k for k, _ in _keys(request, username)])
    return any(int(counts.get(k, 0)) >= limit for k, limit in _keys(request, username))


def record_failure(request: HttpRequest | None, username: str) -> None:
    for key, _ in _keys(request, username):
        if cache.add(key, 1, WINDOW_SECONDS):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, WINDOW_SECONDS)
        cache.touch(key, WINDOW_SECONDS)


def record_success(username: str) -> None:
    cache.delete(_keys(None, username)[0][0])


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": (
            "Too many failed log-ins for this account or from this address. "
            f"Wait {WINDOW_SECONDS // 60} minutes, or ask an admin to reset your password."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = str(self.cleaned_data.get("username") or "")
        if blocked(self.request, username):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            record_failure(self.request, username)
            raise
        record_success(username)
        return cleaned
