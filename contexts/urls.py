"""Context pages, under /contexts/ (the dashboard fills these in)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "contexts"

urlpatterns: list[URLPattern | URLResolver] = []
