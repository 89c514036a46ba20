"""Small template filters for the dashboard."""

from __future__ import annotations

from datetime import UTC, datetime

from django import template

register = template.Library()


@register.filter
def isotime(epoch: float | None) -> str:
    """UTC ISO 8601 for <time datetime>; app.js shows it in the browser's own zone."""
    if epoch is None:
        return ""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@register.filter
def utctext(epoch: float | None) -> str:
    """What a page without JavaScript shows."""
    if epoch is None:
        return ""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
