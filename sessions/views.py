"""Session views: parse with a form, call heroweb.base, render the page or its partial.

Every view checks the role first (contexts.web.load_context); templates only hide buttons.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from contexts import dbbrowser, kv
from contexts.dbbrowser import browser_from_query
from contexts.forms import VersionOnlyForm
from contexts.pages import ContextPage
from contexts.web import INVALID, attempt, audit, load_context, respond, save_fields
from heroweb.base.errors import NotFound
from sessions import dotenv
from sessions.forms import EnvBulkForm, SessionCreateForm, SessionFieldsForm
from sessions.pages import SessionPage

DETAIL = "sessions/session_detail.html"


def _page(request: HttpRequest, context_id: int, name: str, minimum: str = "viewer") -> SessionPage:
    context, role = load_context(request, context_id, minimum)
    try:
        session = context.session_get(name=name)
    except NotFound as e:
        raise Http404(e.message) from e
    except Exception as e:  # an invalid name in the URL: there is no such session
        from heroweb.base.errors import InvalidInput

        if isinstance(e, InvalidInput):
            raise Http404(e.message) from e
        raise
    return SessionPage(request, context, role, session)


def _minimum(request: HttpRequest) -> str:
    return "viewer" if request.method == "GET" else "editor"


@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest, context_id: int) -> HttpResponse:
    context, role = load_context(request, context_id, _minimum(request))
    page = ContextPage(request, context, role)
    if request.method == "GET":
        return redirect(f"{page.url}#sessions")
    form = SessionCreateForm(request.POST, auto_id="session-new-%s")
    page.session_form = form
    if not form.is_valid():
        return respond(
            request, page.template, "sessions", {"page": page}, status=INVALID, toast="Nothing was created."
        )
    d = form.cleaned_data
    out = attempt(
        form,
        lambda: context.session_new(
            name=d["name"], interactive=d["interactive"], description=d["description"]
        ),
        field="name",
    )
    if not out.ok:
        return respond(
            request,
            page.template,
            "sessions",
            {"page": page},
            status=out.status,
            toast="Nothing was created.",
        )
    audit(request, context_id, "session.create", d["name"])
    page.session_form = None
    return respond(
        request,
        page.template,
        "sessions",
        {"page": page},
        toast=f"Created session {d['name']}.",
        events=["sessionsChanged"],
        redirect_to=reverse("hero_sessions:detail", args=[context_id, d["name"]]),
    )


@require_GET
def session_detail(request: HttpRequest, context_id: int, name: str) -> HttpResponse:
    page = _page(request, context_id, name)
    browser_from_query(request, page.db)
    return render(request, DETAIL, {"page": page})


@require_http_methods(["GET", "POST"])
def session_fields(request: HttpRequest, context_id: int, name: str) -> HttpResponse:
    page = _page(request, context_id, name, _minimum(request))
    if request.method == "GET":
        page.fields_editing = request.GET.get("edit") == "1" and page.can_edit
        return respond(request, DETAIL, "session-info", {"page": page})
    form = SessionFieldsForm(request.POST, auto_id="session-%s")
    saved = save_fields(form, page.session, ("description", "interactive"))
    if not saved.ok:
        page.fields_form, page.fields_editing = saved.form, True
        return respond(
            request, DETAIL, "session-info", {"page": page}, status=saved.status, toast="Nothing was changed."
        )
    page.fields_form, page.fields_editing = None, False
    audit(
        request,
        context_id,
        "session.fields",
        f"session {name}: {', '.join(saved.changed) or 'nothing changed'}",
    )
    return respond(
        request,
        DETAIL,
        "session-info",
        {"page": page},
        toast="Saved the session's settings.",
        events=["configChanged"],
        redirect_to=page.url,
    )


@require_POST
def session_end(request: HttpRequest, context_id: int, name: str) -> HttpResponse:
    page = _page(request, context_id, name, "editor")
    form = VersionOnlyForm(request.POST)
    form.is_valid()
    if page.session.ended:
        return respond(request, DETAIL, "session-info", {"page": page}, toast=f"{name} had already ended.")
    out = attempt(form, lambda: page.session.end(expected_version=form.cleaned_data.get("version")))
    if not out.ok:
        page.session.refresh()
        return respond(
            request,
            DETAIL,
            "session-info",
            {"page": page, "errors": form.non_field_errors()},
            status=out.status,
            toast="The session was not ended.",
        )
    audit(request, context_id, "session.end", name)
    return respond(
        request,
        DETAIL,
        "session-info",
        {"page": page},
        toast=f"Ended session {name}.",
        events=["sessionEnded"],
        redirect_to=page.url,
    )


@require_GET
def session_state(request: HttpRequest, context_id: int, name: str) -> HttpResponse:
    """The header's running/ended badge: it asks again when the page says ``sessionEnded``."""
    page = _page(request, context_id, name)
    return respond(request, DETAIL, "session-state", {"page": page})


# -- env ------------------------------------------------------------------------------------------
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def session_env(request: HttpRequest, context_id: int, name: str) -> HttpResponse:
    page = _page(request, context_id, name, _minimum(request))
    if request.method == "POST":
        return kv.kv_add(request, page, page.env)
    return kv.table_response(request, page, page.env)


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def session_env_var(request: HttpRequest, context_id: int, name: str, key: str) -> HttpResponse:
    page = _page(request, context_id, name, "editor")
    if request.method == "POST":
        return kv.kv_save(request, page, page.env, key)
    return kv.kv_edit_row(request, page, page.env, key)


@require_POST
def session_env_delete(request: HttpRequest, context_id: int, name: str, key: str) -> HttpResponse:
    page = _page(request, context_id, name, "editor")
    return kv.kv_delete(request, page, page.env, key)


@sensitive_post_parameters()
@require_POST
def session_env_bulk(request: HttpRequest, context_id: int, name: str) -> HttpResponse:
    """Paste or upload .env text: every line checked first, then one atomic write (all or nothing)."""
    page = _page(request, context_id, name, "editor")
    form = EnvBulkForm(request.POST, request.FILES, auto_id="env-bulk-%s")
    page.bulk_form = form
    if not form.is_valid():
        return respond(
            request, DETAIL, "env-bulk", {"page": page}, status=INVALID, toast="Nothing was changed."
        )
    replace = form.cleaned_data["replace"]

    def apply() -> list[str]:
        values = dotenv.parse(form.cleaned_data["text"])
        page.session.env_set_many(values, replace=replace)
        return sorted(values)

    out = attempt(form, apply, field="text")
    if not out.ok:
        return respond(
            request, DETAIL, "env-bulk", {"page": page}, status=out.status, toast="Nothing was changed."
        )
    keys = out.value or []
    mode = " (others removed)" if replace else ""
    audit(request, context_id, "env.bulk", f"session {name}: {len(keys)} variables{mode}: {', '.join(keys)}")
    page.bulk_form = None
    return respond(
        request,
        DETAIL,
        "env-bulk",
        {"page": page},
        toast=f"Imported {len(keys)} variables{mode}.",
        events=["envChanged"],
        redirect_to=f"{page.url}#env",
    )


@require_GET
def session_env_download(request: HttpRequest, context_id: int, name: str) -> HttpResponse:
    page = _page(request, context_id, name)
    response = HttpResponse(dotenv.format_env(page.session.env), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.env"'
    response["Cache-Control"] = "no-store"
    return response


# -- params ---------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def session_params(request: HttpRequest, context_id: int, name: str) -> HttpResponse:
    page = _page(request, context_id, name, _minimum(request))
    if request.method == "POST":
        return kv.kv_add(request, page, page.params)
    return kv.table_response(request, page, page.params)


@require_http_methods(["GET", "POST"])
def session_param(request: HttpRequest, context_id: int, name: str, key: str) -> HttpResponse:
    page = _page(request, context_id, name, "editor")
    if request.method == "POST":
        return kv.kv_save(request, page, page.params, key)
    return kv.kv_edit_row(request, page, page.params, key)


@require_POST
def session_param_delete(request: HttpRequest, context_id: int, name: str, key: str) -> HttpResponse:
    page = _page(request, context_id, name, "editor")
    return kv.kv_delete(request, page, page.params, key)


# -- the session database -------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def session_db(request: HttpRequest, context_id: int, name: str) -> HttpResponse:
    page = _page(request, context_id, name, _minimum(request))
    if request.method == "POST":
        return dbbrowser.db_add(request, page)
    browser_from_query(request, page.db)
    return dbbrowser.list_response(request, page)


@require_http_methods(["GET", "POST"])
def session_db_value(request: HttpRequest, context_id: int, name: str) -> HttpResponse:
    page = _page(request, context_id, name, _minimum(request))
    if request.method == "POST":
        return dbbrowser.db_save(request, page)
    return dbbrowser.db_value(request, page)


@require_GET
def session_db_download(request: HttpRequest, context_id: int, name: str) -> HttpResponse:
    return dbbrowser.db_download(request, _page(request, context_id, name))


@require_POST
def session_db_delete(request: HttpRequest, context_id: int, name: str) -> HttpResponse:
    page = _page(request, context_id, name, "editor")
    browser_from_query(request, page.db)
    return dbbrowser.db_delete(request, page)


# -- deletion -------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def session_delete(request: HttpRequest, context_id: int, name: str) -> HttpResponse:
    """GET: what will go. POST: the session's Redis document, database and folder with its logs (owners)."""
    page = _page(request, context_id, name, "owner")
    if request.method == "POST":
        page.context.session_delete(name=name)
        audit(request, context_id, "session.delete", name)
        messages.success(request, f"Deleted session {name}.")
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(page.context_url)
        return redirect(page.context_url)
    logs = (
        sorted(p.name for p in page.session.logs_path.glob("*.log"))
        if page.session.logs_path.is_dir()
        else []
    )
    return render(request, "sessions/session_delete.html", {"page": page, "logs": logs})
