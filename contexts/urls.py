"""Context pages, under /contexts/ (the dashboard fills these in)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from sessions.logviews import context_urlpatterns

app_name = "contexts"

urlpatterns: list[URLPattern | URLResolver] = []

# Live logs (issue 4): the page, its SSE stream, search, scroll-back, download.
urlpatterns += context_urlpatterns
