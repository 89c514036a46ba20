"""What the context pages show, computed lazily: a partial only reads (and costs) what it shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.urls import reverse

from contexts.dbbrowser import DBBrowser
from contexts.forms import (
    ConfigFileCreateForm,
    ContextConfigForm,
    ContextCreateForm,
    MemberAddForm,
    PassphraseForm,
    SecretSetForm,
)
from contexts.kv import KVTable, ParamsStore
from contexts.models import ROLE_RANK, AuditEvent, Membership, Role
from contexts.permissions import visible_context_ids
from contexts.web import url_or_none
from heroweb.base import Context, context_list, context_next_id


def visible_contexts(request: HttpRequest) -> list[Context]:
    """The contexts this user may see (one Redis round trip and one SQL query)."""
    ids = visible_context_ids(request.user)
    return [c for c in context_list() if ids is None or c.id in ids]


class Switcher:
    """The header's context switcher (only built when a page renders it)."""

    def __init__(self, request: HttpRequest, current: int | None = None) -> None:
        self.request = request
        self.current = current

    @cached_property
    def contexts(self) -> list[Context]:
        return visible_contexts(self.request)


@dataclass
class ListPage:
    request: HttpRequest
    q: str = ""
    create_form: forms.Form | None = None
    template: str = "contexts/context_list.html"

    @cached_property
    def all_contexts(self) -> list[Context]:
        return visible_contexts(self.request)

    @cached_property
    def contexts(self) -> list[Context]:
        q = self.q.lower()
        return [c for c in self.all_contexts if q in c.name.lower()] if q else self.all_contexts

    @cached_property
    def owned(self) -> set[int] | None:
        """Ids of the contexts this user may delete from the list; None: all of them (staff)."""
        if getattr(self.request.user, "is_staff", False):
            return None
        return set(
            Membership.objects.filter(user_id=int(self.request.user.pk or 0), role=Role.OWNER).values_list(
                "context_id", flat=True
            )
        )

    @cached_property
    def rows(self) -> list[tuple[Context, bool]]:
        owned = self.owned
        return [(c, owned is None or c.id in owned) for c in self.contexts]

    @cached_property
    def switcher(self) -> Switcher:
        s = Switcher(self.request)
        s.contexts = self.all_contexts  # same list, no second round trip
        return s

    def next_id(self) -> int:
        if visible_context_ids(self.request.user) is not None:
            return context_next_id()  # the filtered list does not show every used id
        used = {c.id for c in self.all_contexts}  # staff: the list already has them all
        return next(i for i in range(len(used) + 1) if i not in used)

    def form(self) -> forms.Form:
        if self.create_form is None:
            self.create_form = ContextCreateForm(initial={"id": self.next_id()}, auto_id="new-%s")
        return self.create_form

    @property
    def new_form(self) -> forms.Form:
        return self.form()


ACTIVITY_PER_PAGE = 50


@dataclass
class Activity:
    """One page of a context's audit trail, newest first; ``before`` pages back by event id."""

    context: Context
    base_url: str
    before: int | None = None

    @cached_property
    def _rows(self) -> list[AuditEvent]:
        events = AuditEvent.objects.filter(context_id=self.context.id).select_related("user").order_by("-id")
        if self.context.created is not None:
            # Ids are reused after a delete: the trail of an earlier context with this id is not ours.
            events = events.filter(when__gte=datetime.fromtimestamp(int(self.context.created), UTC))
        if self.before is not None:
            events = events.filter(id__lt=self.before)
        return list(events[: ACTIVITY_PER_PAGE + 1])  # one more: is there an older page?

    @property
    def events(self) -> list[AuditEvent]:
        return self._rows[:ACTIVITY_PER_PAGE]

    @property
    def url(self) -> str:
        """This page again (what a change event refreshes)."""
        return f"{self.base_url}?before={self.before}" if self.before is not None else self.base_url

    @property
    def older_url(self) -> str | None:
        if len(self._rows) <= ACTIVITY_PER_PAGE:
            return None
        return f"{self.base_url}?before={self.events[-1].pk}"


@dataclass
class FileGroup:
    category: str
    names: list[str]


class MemberPage:
    """A page inside one context (the context's, a session's): the user's role there and the header."""

    def __init__(self, request: HttpRequest, context: Context, role: str) -> None:
        self.request = request
        self.context = context
        self.role = role

    @property
    def can_edit(self) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[Role.EDITOR]

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    @cached_property
    def switcher(self) -> Switcher:
        return Switcher(self.request, self.context.id)


class ContextPage(MemberPage):
    template = "contexts/context_detail.html"

    def __init__(self, request: HttpRequest, context: Context, role: str) -> None:
        super().__init__(request, context, role)
        self.url = reverse("contexts:detail", args=[context.id])
        self.config_form: forms.Form | None = None
        self.config_editing = False
        self.file_form: forms.Form | None = None
        self.secret_form: forms.Form | None = None
        self.passphrase_form: forms.Form | None = None
        self.session_form: forms.Form | None = None
        self.member_form: forms.Form | None = None
        self.revealed: tuple[str, str] | None = None  # (name, value) revealed by an explicit POST
        self.rotating: str | None = None
        self.rotate_form: forms.Form | None = None
        self.member_error: str = ""
        self.activity_before: int | None = None

    @cached_property
    def log_url(self) -> str | None:
        return url_or_none("contexts:log", self.context.id)

    # -- sections ---------------------------------------------------------------------------------
    @property
    def config_form_or_new(self) -> forms.Form:
        c = self.context
        return self.config_form or ContextConfigForm(
            initial={
                "coderoot": c.coderoot,
                "interactive": c.interactive,
                "description": c.description,
                "version": c.version,
            },
            auto_id="config-%s",
        )

    @cached_property
    def params(self) -> KVTable:
        return KVTable(
            id="params",
            store=ParamsStore(self.context),
            base_url=reverse("contexts:params", args=[self.context.id]),
            page_url=self.url,
            can_edit=self.can_edit,
            empty_text="No parameters yet. Add one below: scripts read them with context.param_get(key).",
            key_placeholder="key",
        )

    @cached_property
    def files(self) -> list[FileGroup]:
        groups: dict[str, list[str]] = {}
        for category, name in self.context.hero_config_list():
            groups.setdefault(category, []).append(name)
        return [FileGroup(c, n) for c, n in sorted(groups.items())]

    @property
    def file_form_or_new(self) -> forms.Form:
        return self.file_form or ConfigFileCreateForm(auto_id="file-new-%s")

    @cached_property
    def secrets(self) -> list[tuple[str, float]]:
        return self.context.secrets.list()

    @property
    def secret_form_or_new(self) -> forms.Form:
        return self.secret_form or SecretSetForm(auto_id="secret-new-%s")

    @property
    def passphrase_form_or_new(self) -> forms.Form:
        return self.passphrase_form or PassphraseForm(auto_id="passphrase-%s")

    @cached_property
    def sessions(self) -> list[Any]:
        return self.context.session_list()

    @property
    def session_form_or_new(self) -> forms.Form:
        from sessions.forms import SessionCreateForm

        return self.session_form or SessionCreateForm(auto_id="session-new-%s")

    @cached_property
    def db(self) -> DBBrowser:
        return DBBrowser(
            db=self.context.db_config_get(),
            label="config",
            base_url=reverse("contexts:db", args=[self.context.id]),
            page_url=self.url,
            can_edit=self.can_edit,
        )

    @cached_property
    def members(self) -> list[Membership]:
        return list(
            Membership.objects.filter(context_id=self.context.id)
            .select_related("user")
            .order_by("user__username")
        )

    @property
    def member_form_or_new(self) -> forms.Form:
        return self.member_form or MemberAddForm(auto_id="member-new-%s")

    @cached_property
    def activity(self) -> Activity:
        return Activity(
            self.context, reverse("contexts:activity", args=[self.context.id]), before=self.activity_before
        )

    @property
    def roles(self) -> list[tuple[str, str]]:
        return list(Role.choices)

    @cached_property
    def usernames(self) -> list[str]:
        """Suggestions for the add-member field (owners only see this section)."""
        return list(get_user_model().objects.order_by("username").values_list("username", flat=True)[:200])
