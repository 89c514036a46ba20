"""Session pages, under /contexts/<context_id>/sessions/: every view receives ``context_id``."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "hero_sessions"

urlpatterns: list[URLPattern | URLResolver] = []
