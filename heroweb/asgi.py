"""ASGI entry point: `uvicorn heroweb.asgi:application` (ASGI so log streams hold no thread)."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "heroweb.settings")

application = get_asgi_application()
