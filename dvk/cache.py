"""The Redis cache, degrading to misses while Redis is unreachable.

Sessions are `cached_db` (read from the cache, written through to the database), so with a
plain RedisCache a Redis outage turns every page into a 500. Here a failed cache call is
logged and answered as a miss (or a no-op), the session falls back to its database row, and
users keep working; Celery work waits in its own queue until Redis is back. Short socket
timeouts keep a dead Redis from stalling each request."""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


def _default(args, kwargs):
    return kwargs.get("default", args[1] if len(args) > 1 else None)


# method name -> what it answers when Redis is down (a function of its arguments)
FALLBACKS = {
    "get": _default,
    "get_many": lambda args, kwargs: {},
    "has_key": lambda args, kwargs: False,
    "add": lambda args, kwargs: False,
    "set": lambda args, kwargs: None,
    "set_many": lambda args, kwargs: [],
    "touch": lambda args, kwargs: False,
    "delete": lambda args, kwargs: False,
    "delete_many": lambda args, kwargs: None,
    "clear": lambda args, kwargs: None,
}


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1)
        super().__init__(server, params)


def _degrading(name, fallback):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except RedisError as exc:
            log.warning("Cache %s failed (Redis unreachable?), answered as a miss: %s", name, exc)
            return fallback(args, kwargs)

    call.__name__ = name
    return call


for _name, _fallback in FALLBACKS.items():
    setattr(ResilientRedisCache, _name, _degrading(_name, _fallback))
