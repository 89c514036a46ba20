"""API tokens: create, check, revoke, and the page where people manage their own.

A token reads ``hero_<id>_<secret>``: the id finds the row, then the SHA-256 of the secret is
compared in constant time. Only that hash is stored; the plaintext is shown once, at creation.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django import forms
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from contexts.models import ApiToken
from contexts.web import INVALID, audit, respond

TEMPLATE = "account/tokens.html"
# Writing last_used on every call would make each API request a database write; a minute is enough
# to tell a token in use from a forgotten one.
LAST_USED_PRECISION = timedelta(minutes=1)
EXPIRY_CHOICES = [
    ("30", "in 30 days"),
    ("90", "in 90 days"),
    ("365", "in a year"),
    ("7", "in 7 days"),
    ("1", "tomorrow"),
    ("", "never"),
]


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(*, user: User, name: str, expires: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token and its plaintext (the only time the plaintext exists)."""
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, token_hash=hash_secret(secret), expires=expires)
    return token, f"{ApiToken.PREFIX}_{token.pk}_{secret}"


@dataclass
class TokenCheck:
    """What :func:`token_authenticate` made of a presented token: the token, or why not."""

    token: ApiToken | None = None
    problem: str = ""


def token_authenticate(presented: str) -> TokenCheck:
    """Check a presented ``hero_<id>_<secret>``; the problem says why it is refused."""
    invalid = TokenCheck(problem="The token is not valid.")
    prefix, _, rest = presented.partition("_")
    token_id, _, secret = rest.partition("_")
    if prefix != ApiToken.PREFIX or not token_id.isdigit() or not secret or len(token_id) > 18:
        return invalid
    token = ApiToken.objects.select_related("user").filter(pk=int(token_id)).first()
    # Hash even when there is no such row, so an unknown id costs the same as a wrong secret.
    expected = token.token_hash if token is not None else "0" * 64
    if not hmac.compare_digest(hash_secret(secret), expected) or token is None:
        return invalid
    now = timezone.now()
    # Only the holder of the right secret learns that it was revoked or has expired.
    if token.revoked is not None:
        return TokenCheck(problem="This token was revoked.")
    if token.expires is not None and token.expires <= now:
        return TokenCheck(problem=f"This token expired at {token.expires:%Y-%m-%d %H:%M} UTC.")
    if not token.user.is_active:
        return TokenCheck(problem="This token's user account is disabled.")
    if token.last_used is None or now - token.last_used >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now
    return TokenCheck(token=token)


def token_status(token: ApiToken) -> str:
    if token.revoked is not None:
        return "revoked"
    if token.expires is not None and token.expires <= timezone.now():
        return "expired"
    return "active"


# -- the page -----------------------------------------------------------------------------------
class TokenCreateForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        strip=True,
        help_text="What uses it, e.g. 'ci-deploy' or 'laptop backups'.",
    )
    expires_in = forms.ChoiceField(choices=EXPIRY_CHOICES, required=False, initial="90", label="Expires")

    def expires(self) -> datetime | None:
        days = self.cleaned_data.get("expires_in")
        return timezone.now() + timedelta(days=int(days)) if days else None


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the login middleware lets only people in
    return user


def _render(
    request: HttpRequest,
    *,
    form: TokenCreateForm | None = None,
    created: tuple[ApiToken, str] | None = None,
    status: int = 200,
    toast: str | None = None,
    redirect: bool = False,
) -> HttpResponse:
    tokens = [(t, token_status(t)) for t in ApiToken.objects.filter(user=_me(request))]
    context = {
        "tokens": tokens,
        "form": form or TokenCreateForm(auto_id="token-%s"),
        "created": created[0] if created else None,
        "created_plaintext": created[1] if created else None,
    }
    response = respond(
        request,
        TEMPLATE,
        "tokens",
        context,
        status=status,
        toast=toast,
        # A new token is answered with the page itself: a redirect would lose the only copy.
        redirect_to=reverse("tokens") if redirect else None,
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """List your tokens; POST creates one and shows its plaintext once."""
    if request.method == "GET":
        return _render(request)
    form = TokenCreateForm(request.POST, auto_id="token-%s")
    if not form.is_valid():
        return _render(request, form=form, status=INVALID, toast="No token was created.")
    token, plaintext = token_create(user=_me(request), name=form.cleaned_data["name"], expires=form.expires())
    expiry = f"expires {token.expires:%Y-%m-%d}" if token.expires else "never expires"
    audit(request, None, "token.create", f"{token.label} '{token.name}', {expiry}")
    return _render(request, created=(token, plaintext), toast=f"Created token {token.name}.")


@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    # Someone else's token is a 404, as if it did not exist.
    token = ApiToken.objects.filter(pk=token_id, user=_me(request)).first()
    if token is None:
        raise Http404("You have no such token.")
    if token.revoked is None:
        token.revoked = timezone.now()
        token.save(update_fields=["revoked"])
        audit(request, None, "token.revoke", f"{token.label} '{token.name}'")
        toast = f"Revoked token {token.name}; it no longer works."
    else:
        toast = f"Token {token.name} was already revoked."
    return _render(request, toast=toast, redirect=True)
