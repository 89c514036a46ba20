"""Session pages, under /contexts/<context_id>/sessions/: every view receives ``context_id``."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from sessions.logviews import session_urlpatterns

app_name = "hero_sessions"

urlpatterns: list[URLPattern | URLResolver] = []

# Live logs (issue 4): the page, its SSE stream, search, scroll-back, download.
urlpatterns += session_urlpatterns
