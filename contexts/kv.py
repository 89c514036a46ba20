"""Editable key/value tables: a session's env, a context's or a session's params.

Each store changes its JSON document atomically through ``update(change)``. An edit or delete
carries the fingerprint of the value it showed; if someone changed *that key* meanwhile, it is a
conflict (the fresh value is shown), while edits of other keys of the same document go through.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse

from contexts.forms import KVAddForm, KVEditForm, fingerprint
from contexts.web import INVALID, attempt, audit, respond
from heroweb.base import Context, Session, params
from heroweb.base.errors import AlreadyExists, Conflict, TooLarge
from heroweb.base.session import check_env_key, check_env_value

MAX_PARAM_VALUE = 64 * 1024


class KVStore:
    noun = "entry"
    event = "changed"
    audit_name = "entry"  # the audit trail's action prefix: "<audit_name>.add" ...

    def describe(self, key: str) -> str:
        """What the audit trail names for a change of ``key``: never its value."""
        return key

    def rows(self) -> dict[str, str]:
        raise NotImplementedError

    def check_key(self, key: str) -> str:
        raise NotImplementedError

    def check_value(self, key: str, value: str) -> str:
        return value

    def mutate(self, change: Callable[[dict[str, str]], None]) -> None:
        raise NotImplementedError

    def refresh(self) -> None:
        raise NotImplementedError

    # -- the three changes a table makes -------------------------------------------------------
    def add(self, key: str, value: str) -> None:
        self.check_key(key)
        self.check_value(key, value)

        def change(values: dict[str, str]) -> None:
            if key in values:
                raise AlreadyExists(f"{key} already exists; edit its row instead.")
            values[key] = value

        self.mutate(change)

    def edit(self, key: str, value: str, original: str) -> None:
        self.check_key(key)
        self.check_value(key, value)

        def change(values: dict[str, str]) -> None:
            self._same_as_shown(values, key, original)
            values[key] = value

        self.mutate(change)

    def delete(self, key: str, original: str) -> None:
        self.check_key(key)

        def change(values: dict[str, str]) -> None:
            self._same_as_shown(values, key, original)
            del values[key]

        self.mutate(change)

    def _same_as_shown(self, values: dict[str, str], key: str, original: str) -> None:
        if key not in values:
            raise Conflict(f"{key} was deleted by someone else meanwhile.", current=values)
        if original and fingerprint(values[key]) != original:
            raise Conflict(f"{key} was changed by someone else meanwhile.", current=values)


class EnvStore(KVStore):
    noun = "variable"
    event = "envChanged"
    audit_name = "env"

    def __init__(self, session: Session) -> None:
        self.session = session

    def describe(self, key: str) -> str:
        return f"session {self.session.name}: {key}"

    def rows(self) -> dict[str, str]:
        return self.session.env

    def check_key(self, key: str) -> str:
        return check_env_key(key)

    def check_value(self, key: str, value: str) -> str:
        return check_env_value(key, value)

    def mutate(self, change: Callable[[dict[str, str]], None]) -> None:
        self.session.update(lambda d: change(d.setdefault("env", {})))

    def refresh(self) -> None:
        self.session.refresh()


class ParamsStore(KVStore):
    """herolib's paramsparser text as a table; positional args in the text are kept as they are."""

    noun = "parameter"
    event = "paramsChanged"
    audit_name = "param"

    def __init__(self, owner: Context | Session) -> None:
        self.owner = owner

    def describe(self, key: str) -> str:
        return f"session {self.owner.name}: {key}" if isinstance(self.owner, Session) else key

    def rows(self) -> dict[str, str]:
        return self.owner.params_dict

    def check_key(self, key: str) -> str:
        return params.check_key(key)

    def check_value(self, key: str, value: str) -> str:
        size = len(value.encode())
        if size > MAX_PARAM_VALUE:
            raise TooLarge(f"The value of {key} is {size} bytes; the limit is {MAX_PARAM_VALUE} bytes.")
        return value

    def mutate(self, change: Callable[[dict[str, str]], None]) -> None:
        def change_doc(doc: dict[str, Any]) -> None:
            parsed = params.parse(str(doc.get("params") or ""))
            change(parsed.values)
            doc["params"] = params.format_params(parsed)

        self.owner.update(change_doc)

    def refresh(self) -> None:
        self.owner.refresh()


@dataclass
class Row:
    key: str
    value: str
    original: str
    url: str


@dataclass
class KVTable:
    """What the shared table template (contexts/kvtable.html) shows."""

    id: str  # the page's partial name and the table's element id
    store: KVStore
    base_url: str  # GET: the table; POST: add. "<base>/<key>/": edit row (GET) and save (POST)
    page_url: str
    can_edit: bool
    title: str = ""
    editing: str | None = None
    edit_form: forms.Form | None = None
    add_form: forms.Form | None = None
    empty_text: str = ""
    key_placeholder: str = "KEY"
    added: bool = False  # just added one: the empty Name field takes the focus for the next
    extra: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def rows(self) -> list[Row]:
        # URLs by concatenation: both key rules allow only URL-safe characters, and reverse()
        # per row would cost more than the row itself on a 500-variable table.
        return [
            Row(key=k, value=v, original=fingerprint(v), url=f"{self.base_url}{k}/")
            for k, v in sorted(self.store.rows().items())
        ]

    @property
    def noun(self) -> str:
        return self.store.noun

    def new_add_form(self) -> forms.Form:
        return self.add_form or KVAddForm(check_key=self.store.check_key, auto_id=f"{self.id}-add-%s")


def table_response(
    request: HttpRequest,
    page: Any,
    table: KVTable,
    *,
    status: int = 200,
    toast: str | None = None,
    changed: bool = False,
) -> HttpResponse:
    return respond(
        request,
        page.template,
        table.id,
        {"page": page},
        status=status,
        toast=toast,
        events=[table.store.event] if changed else [],
        redirect_to=f"{table.page_url}#{table.id}",
    )


def kv_add(request: HttpRequest, page: Any, table: KVTable) -> HttpResponse:
    form = KVAddForm(request.POST, check_key=table.store.check_key, auto_id=f"{table.id}-add-%s")
    table.add_form = form
    if not form.is_valid():
        return table_response(
            request, page, table, status=INVALID, toast="Nothing was changed: see the form."
        )
    key, value = form.cleaned_data["key"], form.cleaned_data["value"]
    out = attempt(form, lambda: table.store.add(key, value), field="value")
    if not out.ok:
        table.store.refresh()
        return table_response(request, page, table, status=out.status, toast="Nothing was changed.")
    table.add_form = None
    table.added = True
    audit(request, page.context.id, f"{table.store.audit_name}.add", table.store.describe(key))
    return table_response(request, page, table, toast=f"Added {table.noun} {key}.", changed=True)


def kv_edit_row(request: HttpRequest, page: Any, table: KVTable, key: str) -> HttpResponse:
    """GET: the table with ``key``'s row as a form (Enter saves, Escape cancels)."""
    if key not in table.store.rows():
        raise_missing(table, key)
    table.editing = key
    return table_response(request, page, table)


def kv_save(request: HttpRequest, page: Any, table: KVTable, key: str) -> HttpResponse:
    form = KVEditForm(request.POST, auto_id=f"{table.id}-edit-%s")
    table.editing, table.edit_form = key, form
    if not form.is_valid():
        return table_response(request, page, table, status=INVALID, toast="Nothing was changed.")
    value = form.cleaned_data["value"]
    out = attempt(form, lambda: table.store.edit(key, value, form.cleaned_data["original"]), field="value")
    if not out.ok:
        table.store.refresh()
        if key not in table.store.rows():
            table.editing = None
        return table_response(request, page, table, status=out.status, toast="Nothing was changed.")
    table.editing, table.edit_form = None, None
    audit(request, page.context.id, f"{table.store.audit_name}.edit", table.store.describe(key))
    return table_response(request, page, table, toast=f"Saved {key}.", changed=True)


def kv_delete(request: HttpRequest, page: Any, table: KVTable, key: str) -> HttpResponse:
    form = KVEditForm(request.POST)
    form.is_valid()
    original = form.cleaned_data.get("original", "") if hasattr(form, "cleaned_data") else ""
    out = attempt(form, lambda: table.store.delete(key, original or ""))
    if not out.ok:
        table.store.refresh()
        message = " ".join(str(e) for e in form.non_field_errors()) or "Nothing was deleted."
        return table_response(request, page, table, status=out.status, toast=message)
    audit(request, page.context.id, f"{table.store.audit_name}.delete", table.store.describe(key))
    return table_response(request, page, table, toast=f"Deleted {table.noun} {key}.", changed=True)


def raise_missing(table: KVTable, key: str) -> None:
    from django.http import Http404

    raise Http404(f"There is no {table.noun} {key}.")
