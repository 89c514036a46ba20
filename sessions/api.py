"""The JSON API for sessions: create, read, end, env (one variable or an atomic patch), log lines.

Viewer to read, editor to change; a session that does not exist (or whose name cannot exist) is 404.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from contexts.web import load_context
from heroweb.api import ApiError, api_audit, api_view, field, json_object, text_or_field
from heroweb.base import Session
from heroweb.base.errors import InvalidInput, NotFound
from heroweb.base.session import check_env_key, check_env_value

MAX_LOG_ENTRIES = 1000
MAX_LOG_TEXT = 64 * 1024


def session_json(s: Session) -> dict[str, Any]:
    return {
        "name": s.name,
        "context_id": s.context.id,
        "description": s.description,
        "interactive": s.interactive,
        "start": s.start,
        "end": s.end_time,
        "ended": s.ended,
        "params": s.params_dict,
        "params_text": s.params,
        "env": s.env,
        "version": s.version,
    }


def _minimum(request: HttpRequest) -> str:
    return "viewer" if request.method == "GET" else "editor"


def _session(request: HttpRequest, context_id: int, name: str, minimum: str = "viewer") -> Session:
    context, _ = load_context(request, context_id, minimum)
    try:
        return context.session_get(name=name)
    except InvalidInput as e:  # a name that cannot exist: there is no such session
        raise Http404(e.message) from e


@api_view("GET", "POST")
def sessions(request: HttpRequest, context_id: int) -> HttpResponse:
    """POST ``{"name", "description"?, "interactive"?, "params"?, "env"?}`` creates one (201)."""
    context, _ = load_context(request, context_id, _minimum(request))
    if request.method == "GET":
        return JsonResponse({"sessions": [session_json(s) for s in context.session_list()]})
    data = json_object(request)
    name = field(data, "name", str, "")
    env = field(data, "env", dict, {})
    params = data.get("params", "")
    if not isinstance(params, str | dict):
        raise ApiError(400, "'params' must be paramsparser text or an object.")
    session = context.session_new(
        name=name,
        description=field(data, "description", str, ""),
        interactive=field(data, "interactive", bool, False),
        params=params,
        env=env,
    )
    api_audit(request, context_id, "session.create", name)
    return JsonResponse(session_json(session), status=201)


@api_view("GET")
def session(request: HttpRequest, context_id: int, name: str) -> HttpResponse:
    return JsonResponse(session_json(_session(request, context_id, name)))


@api_view("POST")
def session_end(request: HttpRequest, context_id: int, name: str) -> HttpResponse:
    """Record the end time; ending an ended session keeps the first time (and is not audited again)."""
    s = _session(request, context_id, name, "editor")
    if not s.ended:
        s.end()
        api_audit(request, context_id, "session.end", name)
    return JsonResponse(session_json(s))


# -- env ------------------------------------------------------------------------------------------
@api_view("GET", "PATCH")
def env(request: HttpRequest, context_id: int, name: str) -> HttpResponse:
    """PATCH is a JSON merge patch (RFC 7396): ``{"A": "1", "B": null}`` sets A and removes B, atomically."""
    s = _session(request, context_id, name, _minimum(request))
    if request.method == "GET":
        return JsonResponse({"env": s.env})
    patch = json_object(request)
    # Every key and value is checked before anything is written: all or nothing.
    for key, value in patch.items():
        check_env_key(key)
        if value is not None:
            check_env_value(key, value)

    def change(doc: dict[str, Any]) -> None:
        values = doc.setdefault("env", {})
        for key, value in patch.items():
            if value is None:
                values.pop(key, None)
            else:
                values[key] = value

    s.update(change)
    changed = [k for k, v in patch.items() if v is not None]
    removed = [k for k, v in patch.items() if v is None]
    detail = f"session {name}: set {', '.join(sorted(changed)) or 'nothing'}"
    if removed:
        detail += f"; removed {', '.join(sorted(removed))}"
    api_audit(request, context_id, "env.bulk", detail)
    return JsonResponse({"env": s.env})


@api_view("GET", "PUT", "DELETE")
def env_var(request: HttpRequest, context_id: int, name: str, key: str) -> HttpResponse:
    """PUT takes the value as text, or JSON ``{"value": ...}``."""
    s = _session(request, context_id, name, _minimum(request))
    if request.method == "GET":
        return JsonResponse({"key": key, "value": s.env_get(key)})
    if request.method == "DELETE":
        if not s.env_delete(key):
            raise NotFound(f"No environment variable {key} in session '{name}'.")
        api_audit(request, context_id, "env.delete", f"session {name}: {key}")
        return HttpResponse(status=204)
    value = text_or_field(request, "value")
    existed = key in s.env
    s.env_set(key, value)
    api_audit(request, context_id, "env.edit" if existed else "env.add", f"session {name}: {key}")
    return JsonResponse({"key": key, "value": value}, status=200 if existed else 201)


# -- log ------------------------------------------------------------------------------------------
@api_view("POST")
def log(request: HttpRequest, context_id: int, name: str) -> HttpResponse:
    """Append ``{"entries": [{"log", "cat"?, "logtype"?}]}`` (or one such entry) to the session's log.

    Not audited: a job feeding its output line by line would drown the trail; the log is its own record.
    """
    s = _session(request, context_id, name, "editor")
    data = json_object(request)
    entries = data.get("entries", [data])
    if not isinstance(entries, list) or not entries:
        raise ApiError(400, "'entries' must be a non-empty list of {log, cat, logtype}.")
    if len(entries) > MAX_LOG_ENTRIES:
        raise ApiError(413, f"At most {MAX_LOG_ENTRIES} entries per request.")
    checked: list[tuple[str, str, str]] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("log"), str):
            raise ApiError(400, f"Entry {i}: needs a text field 'log'.")
        cat, logtype = entry.get("cat", ""), entry.get("logtype", "stdout")
        if not isinstance(cat, str):
            raise ApiError(400, f"Entry {i}: 'cat' must be text.")
        if logtype not in ("stdout", "error"):
            raise ApiError(422, f"Entry {i}: 'logtype' is 'stdout' or 'error'.")
        if len(entry["log"].encode()) > MAX_LOG_TEXT:
            raise ApiError(413, f"Entry {i}: 'log' is over {MAX_LOG_TEXT} bytes.")
        checked.append((entry["log"], cat, logtype))
    logger = s.logger()
    try:
        for text, cat, logtype in checked:
            logger.log(log=text, cat=cat, logtype=logtype)  # type: ignore[arg-type]  # checked above
    finally:
        logger.close()
    return JsonResponse({"written": len(checked)}, status=201)
