from __future__ import annotations

from django.apps import AppConfig


class ContextsConfig(AppConfig):
    name = "contexts"
    verbose_name = "Hero contexts"
    default_auto_field = "django.db.models.BigAutoField"
