"""What every dashboard view shares.

- :func:`load_context`: the permission check (in the view, before anything is read) and the lookup.
- :func:`attempt`: the one place that maps ``heroweb.base`` errors to HTTP answers.
- :func:`save_fields`: a version-checked edit of a context's or a session's fields.
- :func:`respond`: a whole page, or for HTMX the page's inline partial plus HX-Trigger events.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from contexts.models import ROLE_RANK, AuditEvent
from contexts.permissions import get_role
from heroweb.base import Context, Session, context_get
from heroweb.base.errors import (
    AlreadyExists,
    Conflict,
    InvalidInput,
    InvalidYAML,
    NotFound,
    SecretError,
    WrongPassphrase,
)

T = TypeVar("T")
F = TypeVar("F", bound=forms.BaseForm)

# Statuses htmx swaps (base.html's htmx-config): the form with its errors, or the fresh state.
INVALID = 422
CONFLICT = 409


def load_context(request: HttpRequest, context_id: int, minimum: str = "viewer") -> tuple[Context, str]:
    """The context and the user's role; 404 for non-members (no hint it exists), 403 below ``minimum``.

    The role comes from the database first, so a stranger costs no Redis round trip.
    """
    from django.core.exceptions import PermissionDenied

    role = get_role(request.user, context_id)
    if role is None:
        raise Http404(f"There is no context {context_id} that you can see.")
    if ROLE_RANK[role] < ROLE_RANK[minimum]:
        raise PermissionDenied(f"You need the {minimum} role on this context; you are {role}.")
    try:
        context = context_get(context_id)
    except NotFound as e:
        raise Http404(e.message) from e
    except InvalidInput as e:  # an id beyond the server's databases: nothing there
        raise Http404(e.message) from e
    return context, role


@dataclass
class Outcome(Generic[T]):
    """What :func:`attempt` made of a call: its value, or the status and what to show."""

    value: T | None = None
    status: int = 200
    current: Any = None  # Conflict.current: the fresh stored state
    line: int | None = None  # InvalidYAML's line

    @property
    def ok(self) -> bool:
        return self.status < 400


def attempt(form: forms.BaseForm, action: Callable[[], T], *, field: str | None = None) -> Outcome[T]:
    """Run ``action``; turn a domain error into a form error (422) or a conflict (409).

    NotFound becomes a 404; RedisUnavailable propagates to the middleware's page. The message
    goes next to ``field`` (or on top of the form), and the user's input stays in ``form``.
    """
    try:
        return Outcome(value=action())
    except NotFound as e:
        raise Http404(e.message) from e
    except Conflict as e:
        form.add_error(None, f"{e.message} Nothing was saved; the current value is shown.")
        return Outcome(status=CONFLICT, current=e.current)
    except InvalidYAML as e:
        form.add_error(field, e.message)
        return Outcome(status=INVALID, line=e.line)
    except (InvalidInput, AlreadyExists, WrongPassphrase, SecretError) as e:
        form.add_error(field if field in form.fields else None, e.message)
        return Outcome(status=INVALID)


def rebound(form: F, **fresh: str) -> F:
    """After a conflict: the user's input again, but with the fresh ``version`` (or fingerprint).

    Saving that form again is then a deliberate overwrite; the conflict message stays on top.
    """
    data = QueryDict(mutable=True)
    data.update(form.data)
    for name, value in fresh.items():
        data[name] = value
    again = type(form)(data, auto_id=form.auto_id)
    again.is_valid()
    again.add_error(None, form.non_field_errors()[0])
    return again


@dataclass
class FieldsSaved:
    """What :func:`save_fields` did: ``form`` is what to show again when it did not save."""

    form: forms.Form
    status: int = 200
    changed: list[str] = field(default_factory=list)  # the names it changed, for the audit trail

    @property
    def ok(self) -> bool:
        return self.status < 400


def save_fields(
    form: forms.Form, target: Context | Session, names: tuple[str, ...], *, field: str = "description"
) -> FieldsSaved:
    """Validate ``form`` and save its ``names`` on ``target`` at the form's ``version``.

    Invalid input: 422 with the form's errors (a domain error next to ``field``). Someone saved
    meanwhile: 409, ``target`` refreshed, and the form :func:`rebound` to the fresh version, so
    the user's text is not lost.
    """
    if not form.is_valid():
        return FieldsSaved(form=form, status=INVALID)
    d = form.cleaned_data
    changed = [n for n in names if getattr(target, n) != d[n]]
    out = attempt(
        form,
        lambda: target.set_fields(**{n: d[n] for n in names}, expected_version=d["version"]),
        field=field,
    )
    if out.ok:
        return FieldsSaved(form=form, changed=changed)
    target.refresh()
    if out.status == CONFLICT:
        form = rebound(form, version=str(target.version))
    return FieldsSaved(form=form, status=out.status)


def form_invalid_status(form: forms.BaseForm) -> int:
    return 200 if form.is_bound and form.is_valid() else INVALID


def respond(
    request: HttpRequest,
    template: str,
    partial: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    toast: str | None = None,
    events: Iterable[str] = (),
    redirect_to: str | None = None,
    toast_url: str | None = None,
) -> HttpResponse:
    """HTMX: the partial, a toast and the events. Plain browser: redirect after a good POST, else the page.

    ``toast_url`` (a path on this site) makes the toast's text a link to what it is about.
    """
    page = context.get("page")
    if page is not None and "c" not in context:
        context["c"] = getattr(page, "context", None)  # partials rendered alone still find `c`
    if getattr(request, "htmx", False):
        response = render(request, f"{template}#{partial}", context, status=status)
        triggers: dict[str, Any] = dict.fromkeys(events, True) if status < 400 else {}
        if toast:
            triggers["toast"] = {"message": toast, "kind": "error" if status >= 400 else "info"}
            if toast_url:
                triggers["toast"]["url"] = toast_url
        if triggers:
            # HX-Trigger fires before the swap: a section that listens for its own event asks
            # for a fresh copy on the element being replaced, and htmx drops that detached swap.
            response["HX-Trigger"] = json.dumps(triggers)
        return response
    if request.method == "POST" and status < 400 and redirect_to:
        if toast:
            messages.success(request, toast)
        return redirect(redirect_to)
    if toast and status >= 400:
        messages.error(request, toast)
    return render(request, template, context, status=status)


def audit(request: HttpRequest, context_id: int | None, action: str, detail: str = "") -> None:
    """Record a change or a sensitive read. ``detail`` names things, never a secret value."""
    user = request.user if request.user.is_authenticated else None
    AuditEvent.objects.create(user=user, context_id=context_id, action=action, detail=detail[:2000])


def url_or_none(name: str, *args: Any) -> str | None:
    """A URL that another helper's app may not have registered yet (the log pages)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None
