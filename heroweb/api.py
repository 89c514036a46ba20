"""The JSON API's machinery: bearer-token auth, JSON in and out, one map from errors to statuses.

Only ``Authorization: Bearer <token>`` authenticates an API request; a browser's session cookie
does not (a logged-in browser gets 401 like anyone without a token). A browser never attaches
that header to a cross-site request on its own, so CSRF cannot happen here and every API view
is ``csrf_exempt``, while the cookie-authenticated pages keep their CSRF checks.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from contexts.models import ApiToken
from contexts.tokens import token_authenticate
from contexts.web import audit
from heroweb.base.errors import (
    AlreadyExists,
    Conflict,
    HeroError,
    InvalidInput,
    InvalidYAML,
    NotFound,
    RedisUnavailable,
    SecretError,
    WrongPassphrase,
)

PREFIX = "/api/"
# Above the 1 MiB config-file cap, so that limit answers with its own message.
MAX_BODY = 2 * 1024 * 1024

View = Callable[..., HttpResponse]


class ApiError(Exception):
    """A refusal the API itself decides (bad JSON, a missing field): ``status`` and ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error(status: int, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def unauthorized(message: str) -> JsonResponse:
    response = error(401, message)
    response["WWW-Authenticate"] = 'Bearer realm="heroweb"'
    return response


def hero_error(e: HeroError) -> JsonResponse:
    """The one map from a domain error to an API answer (RedisUnavailable: the middleware's 503)."""
    if isinstance(e, NotFound):
        return error(404, e.message)
    if isinstance(e, AlreadyExists | Conflict):
        # Conflict.current is not sent: for a context it is the stored document.
        return error(409, e.message)
    if isinstance(e, InvalidYAML):
        return error(422, e.message, line=e.line, column=e.column)
    if isinstance(e, InvalidInput | WrongPassphrase | SecretError):
        return error(422, e.message)
    return error(500, e.message)


def api_token(request: HttpRequest) -> ApiToken:
    token: ApiToken = getattr(request, "api_token")  # noqa: B009  # set by api_view only
    return token


def _authenticate(request: HttpRequest) -> JsonResponse | None:
    header = request.headers.get("Authorization", "")
    scheme, _, presented = header.partition(" ")
    if not header:
        return unauthorized("Send 'Authorization: Bearer <token>'; create a token at /account/tokens/.")
    if scheme.lower() != "bearer" or not presented.strip():
        return unauthorized("Use 'Authorization: Bearer <token>'.")
    check = token_authenticate(presented.strip())
    if check.token is None:
        return unauthorized(check.problem)
    request.user = check.token.user
    request.api_token = check.token  # type: ignore[attr-defined]
    return None


def api_view(*methods: str) -> Callable[[View], View]:
    """Token auth, allowed methods, JSON errors, ``Cache-Control: no-store`` (values may be secret)."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = _authenticate(request) or _call(view, methods, request, *args, **kwargs)
            response["Cache-Control"] = "no-store"
            return response

        return login_not_required(csrf_exempt(wrapper))

    return decorate


def _call(
    view: View, methods: tuple[str, ...], request: HttpRequest, *args: Any, **kwargs: Any
) -> HttpResponse:
    if request.method not in methods:
        response = error(405, f"{request.method} is not allowed here; use {', '.join(methods)}.")
        response["Allow"] = ", ".join(methods)
        return response
    try:
        return view(request, *args, **kwargs)
    except ApiError as e:
        return error(e.status, e.message)
    except Http404 as e:
        return error(404, str(e) or "Not found.")
    except PermissionDenied as e:
        return error(403, str(e) or "You may not do this.")
    except RedisUnavailable:
        raise  # heroweb.middleware answers 503 for every view alike
    except HeroError as e:
        return hero_error(e)


@login_not_required
@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any other path under /api/: JSON, not the HTML 404 page."""
    return error(404, f"There is no API endpoint {request.path} (paths end with '/').")


# -- reading bodies ---------------------------------------------------------------------------------
def _body(request: HttpRequest) -> bytes:
    length = request.META.get("CONTENT_LENGTH") or "0"
    if length.isdigit() and int(length) > MAX_BODY:
        raise ApiError(413, f"The body is larger than {MAX_BODY} bytes.")
    try:
        body = request.body
    except RequestDataTooBig:
        raise ApiError(413, f"The body is larger than {MAX_BODY} bytes.") from None
    if len(body) > MAX_BODY:
        raise ApiError(413, f"The body is larger than {MAX_BODY} bytes.")
    return body


def is_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json"


def json_body(request: HttpRequest) -> Any:
    try:
        return json.loads(_body(request))
    except (ValueError, UnicodeDecodeError) as e:
        raise ApiError(400, f"The body is not valid JSON: {e}") from None


def json_object(request: HttpRequest) -> dict[str, Any]:
    data = json_body(request)
    if not isinstance(data, dict):
        raise ApiError(400, "The body must be a JSON object.")
    return data


def text_or_field(request: HttpRequest, field: str) -> str:
    """A JSON body's ``field`` (Content-Type: application/json), else the whole body as UTF-8 text."""
    if is_json(request):
        value = json_object(request).get(field)
        if not isinstance(value, str):
            raise ApiError(400, f"The JSON body needs a text field '{field}'.")
        return value
    try:
        return _body(request).decode()
    except UnicodeDecodeError:
        raise ApiError(400, "The body is not UTF-8 text.") from None


def field(data: dict[str, Any], name: str, kind: type, default: Any) -> Any:
    value = data.get(name, default)
    if not isinstance(value, kind):
        raise ApiError(400, f"'{name}' must be {kind.__name__}.")
    return value


def api_audit(request: HttpRequest, context_id: int | None, action: str, detail: str) -> None:
    """The web's audit trail, with the token that did it (names, never values)."""
    audit(request, context_id, action, f"{detail} (API, {api_token(request).label})")
