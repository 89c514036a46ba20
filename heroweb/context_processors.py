from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def heroweb(request: HttpRequest) -> dict[str, Any]:
    """Values every page template may use."""
    return {"product_name": "heroweb"}
