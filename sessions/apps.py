from __future__ import annotations

from django.apps import AppConfig


class HeroSessionsConfig(AppConfig):
    name = "sessions"
    # django.contrib.sessions already owns the label "sessions".
    label = "hero_sessions"
    verbose_name = "Hero sessions"
    default_auto_field = "django.db.models.BigAutoField"
