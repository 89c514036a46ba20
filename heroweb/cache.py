"""Django's cache on heroweb's Redis, resolved on first use.

Settings cannot call ``redis_url()`` at import: that would start the embedded server for every
``manage.py`` command, type check and tool that merely imports the settings.
"""

from __future__ import annotations

from typing import Any

from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted

from heroweb.base import redisconn
from heroweb.base.errors import HeroError


class HeroRedisCache(RedisCache):  # type: ignore[misc]  # django_redis is untyped under mypy here
    """django-redis with LOCATION defaulting to ``heroweb.base.redisconn.redis_url()``."""

    @property
    def client(self) -> Any:
        server: str = getattr(self, "_server", "")
        if self._client is None and not server:
            try:
                self._server = redisconn.redis_url()
            except HeroError as e:
                # Raised as django-redis's own error so IGNORE_EXCEPTIONS applies: login still works.
                raise ConnectionInterrupted(connection=None) from e
        return super().client
