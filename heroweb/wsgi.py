"""WSGI entry point, for servers without ASGI (log streams then hold a thread each)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "heroweb.settings")

application = get_wsgi_application()
