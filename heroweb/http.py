"""Typing help for views: the request that django-htmx's middleware has annotated."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """Annotate views' ``request`` with this to type ``request.htmx`` (never instantiated)."""

    htmx: HtmxDetails
