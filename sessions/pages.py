"""What the session page shows, computed lazily (a partial reads only what it shows)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cached_property

from django import forms
from django.http import HttpRequest
from django.urls import reverse

from contexts.dbbrowser import DBBrowser
from contexts.kv import EnvStore, KVTable, ParamsStore
from contexts.pages import MemberPage
from contexts.web import url_or_none
from heroweb.base import Context, Session
from sessions.forms import EnvBulkForm, SessionFieldsForm


def utc(ts: float | None) -> datetime | None:
    return datetime.fromtimestamp(ts, UTC) if ts is not None else None


class SessionPage(MemberPage):
    template = "sessions/session_detail.html"

    def __init__(self, request: HttpRequest, context: Context, role: str, session: Session) -> None:
        super().__init__(request, context, role)
        self.session = session
        self.url = reverse("hero_sessions:detail", args=[context.id, session.name])
        self.context_url = reverse("contexts:detail", args=[context.id])
        self.fields_form: forms.Form | None = None
        self.fields_editing = False
        self.bulk_form: forms.Form | None = None

    @property
    def start(self) -> datetime | None:
        return utc(self.session.start)

    @property
    def end(self) -> datetime | None:
        return utc(self.session.end_time)

    @cached_property
    def log_url(self) -> str | None:
        return url_or_none("hero_sessions:log", self.context.id, self.session.name)

    def _url(self, name: str) -> str:
        return reverse(f"hero_sessions:{name}", args=[self.context.id, self.session.name])

    @property
    def fields_form_or_new(self) -> forms.Form:
        s = self.session
        return self.fields_form or SessionFieldsForm(
            initial={"interactive": s.interactive, "description": s.description, "version": s.version},
            auto_id="session-%s",
        )

    @property
    def bulk_form_or_new(self) -> forms.Form:
        return self.bulk_form or EnvBulkForm(auto_id="env-bulk-%s")

    @cached_property
    def env(self) -> KVTable:
        return KVTable(
            id="env",
            store=EnvStore(self.session),
            base_url=self._url("env"),
            page_url=self.url,
            can_edit=self.can_edit,
            empty_text="No environment variables yet. Add one below, or paste or upload a .env file.",
            key_placeholder="NAME",
        )

    @cached_property
    def params(self) -> KVTable:
        return KVTable(
            id="params",
            store=ParamsStore(self.session),
            base_url=self._url("params"),
            page_url=self.url,
            can_edit=self.can_edit,
            empty_text="No parameters yet. Add one below: scripts read them with session.param_get(key).",
            key_placeholder="key",
        )

    @cached_property
    def db(self) -> DBBrowser:
        return DBBrowser(
            db=self.session.db_get(),
            label=f"session_{self.session.name}",
            base_url=self._url("db"),
            page_url=self.url,
            can_edit=self.can_edit,
        )
