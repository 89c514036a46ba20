"""The database browser of a context's ``config`` DB and of a session's own DB.

Keys are listed a page at a time with a prefix filter (one ``count`` and one ``items`` query,
whatever the size of the database). Text is shown as text; bytes as their size and a hex view of
the first 256 bytes. An edit carries the fingerprint of the value it showed, so a value changed
meanwhile by someone else is a conflict, not a silent overwrite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NoReturn
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse

from contexts.forms import DBAddForm, DBEditForm, DBKeyForm, fingerprint
from contexts.web import INVALID, attempt, audit, respond
from heroweb.base import DB
from heroweb.base.errors import AlreadyExists, Conflict, NotFound

PER_PAGE = 50
PREVIEW_CHARS = 120
HEX_BYTES = 256
COMPONENT = "contexts/dbbrowser.html"


HEX_ROW = 8  # 8 bytes a row (like `xxd -c 8`): 39 characters, which fit the value pane beside the keys


def hex_preview(raw: bytes) -> str:
    """Rows of 8 bytes: offset, hex, printable ASCII (four offset digits cover the 256 shown)."""
    lines = []
    for start in range(0, min(len(raw), HEX_BYTES), HEX_ROW):
        chunk = raw[start : start + HEX_ROW]
        hexes = " ".join(f"{b:02x}" for b in chunk)
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{start:04x}  {hexes:<{HEX_ROW * 3 - 1}}  {text}")
    return "\n".join(lines)


SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def download_filename(key: str, *, is_text: bool) -> str:
    """A file name that is safe in a Content-Disposition header and on any file system.

    Keys may hold slashes, quotes, spaces or non-ASCII text: each run of anything but letters,
    digits, ``.``, ``_`` and ``-`` becomes one ``_``; leading dots go (no hidden or ``..`` names).
    """
    name = SAFE_NAME.sub("_", key).lstrip(".")[:120] or "value"
    return name if "." in name else f"{name}{'.txt' if is_text else '.bin'}"


@dataclass
class KeyRow:
    key: str
    is_text: bool
    size: int
    preview: str
    value_url: str


@dataclass
class Shown:
    """One key's value, as the value panel shows it."""

    key: str
    value: str | bytes
    edit_form: forms.Form | None = None

    @property
    def is_text(self) -> bool:
        return isinstance(self.value, str)

    @property
    def size(self) -> int:
        return len(self.value.encode() if isinstance(self.value, str) else self.value)

    @property
    def hex(self) -> str:
        return hex_preview(self.value) if isinstance(self.value, bytes) else ""

    @property
    def original(self) -> str:
        return fingerprint(self.value)

    @property
    def filename(self) -> str:
        return download_filename(self.key, is_text=self.is_text)


@dataclass
class DBBrowser:
    db: DB
    label: str  # "config" or "session_<name>"
    base_url: str  # list (GET) and add (POST); value/ and delete/ below it
    page_url: str
    can_edit: bool
    prefix: str = ""
    page: int = 1
    add_form: forms.Form | None = None
    shown: Shown | None = None
    value_error: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def total(self) -> int:
        return self.db.count(self.prefix)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))

    @cached_property
    def rows(self) -> list[KeyRow]:
        page = min(max(self.page, 1), self.pages)
        out = []
        for key, value in self.db.items(self.prefix, offset=(page - 1) * PER_PAGE, limit=PER_PAGE):
            if isinstance(value, str):
                preview = value[:PREVIEW_CHARS] + ("…" if len(value) > PREVIEW_CHARS else "")
                out.append(KeyRow(key, True, len(value.encode()), preview, self.value_url(key)))
            else:
                out.append(KeyRow(key, False, len(value), value[:16].hex(" "), self.value_url(key)))
        return out

    def query(self, **change: Any) -> str:
        values = {"prefix": self.prefix, "page": self.page} | change
        return urlencode({k: v for k, v in values.items() if v not in ("", None, 1)})

    @property
    def prev_query(self) -> str | None:
        return self.query(page=self.page - 1) if self.page > 1 else None

    @property
    def next_query(self) -> str | None:
        return self.query(page=self.page + 1) if self.page < self.pages else None

    @property
    def first_index(self) -> int:
        return (self.page - 1) * PER_PAGE + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.page * PER_PAGE, self.total)

    def new_add_form(self) -> forms.Form:
        return self.add_form or DBAddForm(auto_id="db-add-%s")

    def describe(self, key: str) -> str:
        """What the audit trail names for a change of ``key``: the database and the key, no value."""
        return f"{self.label} DB: {key}"

    def value_url(self, key: str) -> str:
        return f"{self.base_url}value/?{urlencode({'key': key})}"

    def download_url(self, key: str) -> str:
        return f"{self.base_url}download/?{urlencode({'key': key})}"

    @property
    def shown_download_url(self) -> str:
        return self.download_url(self.shown.key) if self.shown else ""

    @property
    def single_page(self) -> bool:
        """One page of keys: the pager then only says how many, with no page number or buttons."""
        return self.pages == 1


def browser_from_query(request: HttpRequest, browser: DBBrowser) -> DBBrowser:
    browser.prefix = request.GET.get("prefix", "")[:1024]
    try:
        browser.page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        browser.page = 1
    browser.page = min(browser.page, browser.pages)
    return browser


def list_response(
    request: HttpRequest, page: Any, *, status: int = 200, toast: str | None = None, changed: bool = False
) -> HttpResponse:
    b: DBBrowser = page.db
    return respond(
        request,
        page.template,
        "db",
        {"page": page},
        status=status,
        toast=toast,
        events=["dbChanged"] if changed else [],
        redirect_to=f"{b.page_url}?{b.query()}#db",
    )


def value_response(
    request: HttpRequest, page: Any, *, status: int = 200, toast: str | None = None, changed: bool = False
) -> HttpResponse:
    """The value panel; without HTMX the whole page with the panel open."""
    if getattr(request, "htmx", False):
        return respond(
            request,
            COMPONENT,
            "db-value",
            {"page": page, "b": page.db},
            status=status,
            toast=toast,
            events=["dbChanged"] if changed else [],
        )
    return list_response(request, page, status=status, toast=toast, changed=changed)


def db_add(request: HttpRequest, page: Any) -> HttpResponse:
    b: DBBrowser = page.db
    form = DBAddForm(request.POST, auto_id="db-add-%s")
    b.add_form = form
    if not form.is_valid():
        return list_response(request, page, status=INVALID, toast="Nothing was changed: see the form.")
    key, value = form.cleaned_data["key"], form.cleaned_data["value"]

    def add() -> None:
        with b.db.transaction():
            if b.db.exists(key):
                raise AlreadyExists(f"The key '{key}' already exists; open it to edit its value.")
            b.db.set(key, value)

    out = attempt(form, add, field="value")
    if not out.ok:
        return list_response(request, page, status=out.status, toast="Nothing was changed.")
    b.add_form = None
    audit(request, page.context.id, "db.add", b.describe(key))
    return list_response(request, page, toast=f"Added key {key}.", changed=True)


def db_value(request: HttpRequest, page: Any) -> HttpResponse:
    b: DBBrowser = page.db
    form = DBKeyForm(request.GET)
    if not form.is_valid():
        raise_not_found("Give the key to show.")
    key = form.cleaned_data["key"]
    try:
        b.shown = Shown(key=key, value=b.db.get(key))
    except NotFound as e:
        raise_not_found(e.message)
    return value_response(request, page)


def db_download(request: HttpRequest, page: Any) -> HttpResponse:
    """One key's whole value as a file (the panel shows at most 256 bytes of a binary value).

    The same role as viewing it; an encrypted DB is decrypted by ``DB.get`` as for the panel.
    ``no-store``: the value may be private, and it must not stay in a shared cache.
    """
    b: DBBrowser = page.db
    form = DBKeyForm(request.GET)
    if not form.is_valid():
        raise_not_found("Give the key to download.")
    key = form.cleaned_data["key"]
    try:
        value = b.db.get(key)
    except NotFound as e:
        raise_not_found(e.message)
    shown = Shown(key=key, value=value)
    if isinstance(value, str):
        response = HttpResponse(value.encode(), content_type="text/plain; charset=utf-8")
    else:
        response = HttpResponse(value, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{shown.filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def db_save(request: HttpRequest, page: Any) -> HttpResponse:
    b: DBBrowser = page.db
    form = DBEditForm(request.POST, auto_id="db-edit-%s")
    if not form.is_valid():
        key = request.POST.get("key", "")
        b.shown = Shown(key=key, value=b.db.get_default(key) or "", edit_form=form) if key else None
        return value_response(request, page, status=INVALID, toast="Nothing was changed.")
    key, value, original = (form.cleaned_data[k] for k in ("key", "value", "original"))

    def save() -> None:
        with b.db.transaction():
            current = b.db.get_default(key)
            if current is None:
                raise Conflict(f"The key '{key}' was deleted by someone else meanwhile.")
            if original and fingerprint(current) != original:
                raise Conflict(
                    f"The value of '{key}' was changed by someone else meanwhile.", current=current
                )
            b.db.set(key, value)

    out = attempt(form, save, field="value")
    current = b.db.get_default(key)
    if not out.ok:
        b.shown = Shown(key=key, value=current if current is not None else "", edit_form=form)
        return value_response(request, page, status=out.status, toast="Nothing was changed.")
    b.shown = Shown(key=key, value=current if current is not None else value)
    audit(request, page.context.id, "db.edit", b.describe(key))
    return value_response(request, page, toast=f"Saved {key}.", changed=True)


def db_delete(request: HttpRequest, page: Any) -> HttpResponse:
    form = DBKeyForm(request.POST)
    if not form.is_valid():
        return list_response(request, page, status=INVALID, toast="Give the key to delete.")
    key = form.cleaned_data["key"]
    if not page.db.db.delete(key):
        return list_response(request, page, toast=f"{key} was already gone.", changed=True)
    audit(request, page.context.id, "db.delete", page.db.describe(key))
    return list_response(request, page, toast=f"Deleted key {key}.", changed=True)


def raise_not_found(message: str) -> NoReturn:
    from django.http import Http404

    raise Http404(message)
