"""Sessions live in Redis (heroweb.base); this app has no web-only models yet."""

from __future__ import annotations
