"""Small template filters for the dashboard."""

from __future__ import annotations

from datetime import UTC, datetime

from django import template

register = template.Library()


def _utc(when: float | datetime) -> datetime:
    # Redis documents hold epochs; Django models (the audit trail) hold aware datetimes.
    return when.astimezone(UTC) if isinstance(when, datetime) else datetime.fromtimestamp(when, UTC)


@register.filter
def isotime(when: float | datetime | None) -> str:
    """UTC ISO 8601 for <time datetime>; app.js shows it in the browser's own zone."""
    if when is None:
        return ""
    return _utc(when).strftime("%Y-%m-%dT%H:%M:%SZ")


@register.filter
def utctext(when: float | datetime | None) -> str:
    """What a page without JavaScript shows."""
    if when is None:
        return ""
    return _utc(when).strftime("%Y-%m-%d %H:%M:%S UTC")
