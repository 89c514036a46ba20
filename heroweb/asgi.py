"""ASGI entry point: `uvicorn heroweb.asgi:application` (ASGI so log streams hold no thread)."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "heroweb.settings")

application = get_asgi_application()

# Log streams (issue 4) are served without Django's per-request thread; see sessions/logviews.py.
from sessions.logviews import with_log_streams  # noqa: E402 - needs the app registry loaded

application = with_log_streams(application)
