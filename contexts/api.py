"""The JSON API for contexts: list, detail, hero config files, secrets (/api/v1/contexts/...).

Roles as on the pages (contexts.web.load_context): 404 for a context you cannot see, viewer to
read, editor to write and to read a secret's value (audited as a reveal).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

from contexts.models import Membership, Role
from contexts.permissions import visible_context_ids
from contexts.web import load_context
from heroweb.api import ApiError, api_audit, api_view, text_or_field
from heroweb.base import Context, context_list
from heroweb.base.errors import NotFound


def context_json(c: Context, role: str | None) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "description": c.description,
        "coderoot": c.coderoot,
        "interactive": c.interactive,
        "encrypt": c.encrypt,
        "params": c.params_dict,
        "params_text": c.params,
        "created": c.created,
        "version": c.version,
        "role": role,
    }


def _minimum(request: HttpRequest) -> str:
    return "viewer" if request.method == "GET" else "editor"


@api_view("GET")
def contexts(request: HttpRequest) -> HttpResponse:
    # One query for every role (staff: owner of all), not one per context.
    if visible_context_ids(request.user) is None:
        roles: dict[int, str] | None = None
    else:
        roles = dict(
            Membership.objects.filter(user_id=request.user.pk or 0).values_list("context_id", "role")
        )
    out = [
        {
            **context_json(c, roles[c.id] if roles is not None else Role.OWNER.value),
            "session_count": c.session_count,
        }
        for c in context_list()
        if roles is None or c.id in roles
    ]
    return JsonResponse({"contexts": out})


@api_view("GET")
def context(request: HttpRequest, context_id: int) -> HttpResponse:
    c, role = load_context(request, context_id)
    files = [{"category": cat, "name": name} for cat, name in c.hero_config_list()]
    return JsonResponse({**context_json(c, role), "config_files": files})


# -- hero config files ----------------------------------------------------------------------------
@api_view("GET")
def config_files(request: HttpRequest, context_id: int) -> HttpResponse:
    c, _ = load_context(request, context_id)
    return JsonResponse({"files": [{"category": cat, "name": name} for cat, name in c.hero_config_list()]})


@api_view("GET", "PUT", "DELETE")
def config_file(request: HttpRequest, context_id: int, category: str, name: str) -> HttpResponse:
    """PUT takes YAML text, or JSON ``{"content": ...}``; it answers with what was written (expanded)."""
    c, _ = load_context(request, context_id, _minimum(request))
    file = f"{category}__{name}.yaml"
    if request.method == "GET":
        return JsonResponse(
            {"category": category, "name": name, "content": c.hero_config_get(category, name)}
        )
    if request.method == "DELETE":
        if not c.hero_config_delete(category, name):
            raise NotFound(f"There is no config file {file} in context '{c.name}'.")
        api_audit(request, context_id, "config_file.delete", file)
        return HttpResponse(status=204)
    content = text_or_field(request, "content")
    existed = c.hero_config_exists(category, name)
    written = c.hero_config_set(category, name, content)
    api_audit(request, context_id, "config_file.save" if existed else "config_file.create", file)
    body = {"category": category, "name": name, "content": written}
    return JsonResponse(body, status=200 if existed else 201)


# -- secrets ------------------------------------------------------------------------------------------
@api_view("GET")
def secrets(request: HttpRequest, context_id: int) -> HttpResponse:
    """Names and update times only: values come one at a time, to editors, audited."""
    c, _ = load_context(request, context_id)
    return JsonResponse({"secrets": [{"name": n, "updated": t} for n, t in c.secrets.list()]})


@api_view("GET", "PUT", "DELETE")
def secret(request: HttpRequest, context_id: int, name: str) -> HttpResponse:
    """GET reveals the value (editor; audited as secret.reveal); PUT takes text or ``{"value": ...}``."""
    c, _ = load_context(request, context_id, "editor")
    if request.method == "GET":
        value = c.secrets.get(name)
        api_audit(request, context_id, "secret.reveal", name)
        return JsonResponse({"name": name, "value": value})
    if request.method == "DELETE":
        if not c.secrets.delete(name):
            raise NotFound(f"There is no secret '{name}' in context '{c.name}'.")
        api_audit(request, context_id, "secret.delete", name)
        return HttpResponse(status=204)
    value = text_or_field(request, "value")
    if not value:
        raise ApiError(422, "A secret value may not be empty.")
    existed = name in c.secrets.names()
    c.secrets.set(name, value)
    api_audit(request, context_id, "secret.set", name)
    return JsonResponse({"name": name}, status=200 if existed else 201)
