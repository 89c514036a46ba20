"""Cross-cutting web behaviour: CSP header, login for every page, a clear answer when Redis is down."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import redis.exceptions
from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render, resolve_url
from django.utils.deprecation import MiddlewareMixin
from django_htmx.http import HttpResponseClientRedirect

from heroweb.base.errors import RedisUnavailable
from heroweb.http import HtmxHttpRequest

logger = logging.getLogger(__name__)


class ContentSecurityPolicyMiddleware(MiddlewareMixin):
    """Adds the project's CSP (settings.CONTENT_SECURITY_POLICY) unless a view set its own."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        return response


class HtmxLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Django's login-for-every-view, plus: an HTMX request gets HX-Redirect, not a fragment.

    Without this, htmx would follow the 302 and swap the whole login page into a table cell.
    Views that anyone may see are marked with ``@login_not_required``.
    """

    def handle_no_permission(  # type: ignore[override]  # HX-Redirect is not a 302
        self, request: HtmxHttpRequest, view_func: Any
    ) -> HttpResponse:
        if request.path.startswith("/api/"):
            # API views authenticate by token (heroweb.api.api_view); one without it is closed.
            return JsonResponse({"error": "This API endpoint needs a token."}, status=401)
        if not getattr(request, "htmx", False):
            return super().handle_no_permission(request, view_func)
        # After login, come back to the page the user was on, not to the fragment's URL.
        next_path = _same_origin_path(request.htmx.current_url) or request.get_full_path()
        login = redirect_to_login(
            next_path,
            resolve_url(self.get_login_url(view_func)),
            self.get_redirect_field_name(view_func),
        )
        return HttpResponseClientRedirect(login["Location"])


def _same_origin_path(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


REDIS_ERRORS = (RedisUnavailable, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def redis_unavailable_message(exception: BaseException) -> str:
    if isinstance(exception, RedisUnavailable):
        return exception.message
    from heroweb.base import redisconn

    try:
        where = redisconn.describe()
    except Exception:  # the description must never hide the real problem
        where = "the configured address"
    return f"Redis at {where} is not reachable. Start it (or check REDIS_URL), then try again."


class RedisUnavailableMiddleware(MiddlewareMixin):
    """Turns a down Redis into a 503 page (or, for HTMX, a message in #messages), never a traceback."""

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, REDIS_ERRORS):
            return None
        message = redis_unavailable_message(exception)
        logger.warning("redis unavailable on %s %s: %s", request.method, request.path, message)
        if request.path.startswith("/api/"):
            return JsonResponse({"error": message}, status=503)
        if getattr(request, "htmx", False):
            response = render(
                request, "errors/redis_unavailable.html#redis-message", {"message": message}, status=503
            )
            # htmx swaps this 503 (see the htmx-config meta in base.html) into the messages area.
            response["HX-Retarget"] = "#messages"
            response["HX-Reswap"] = "innerHTML"
            return response
        return render(request, "errors/redis_unavailable.html", {"message": message}, status=503)
