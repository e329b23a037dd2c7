"""A Redis cache that a Redis outage turns into misses, never into an error page."""

import logging

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is a dependency whenever REDIS_URL is set
    RedisError = OSError


def _degrading(name: str, fallback):
    def method(self, *args, **kwargs):
        try:
            return getattr(super(ResilientRedisCache, self), name)(*args, **kwargs)
        except (RedisError, OSError) as error:
            logger.warning("Cache unavailable (%s): %s treated as a miss.", error, name)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    method.__name__ = name
    return method


def _default(key, default=None, *args, **kwargs):
    return default


class ResilientRedisCache(RedisCache):
    """Reads miss, writes are dropped, counters fail as a missing key does, while Redis is
    unreachable; the portal works on without its cache."""

    get = _degrading("get", _default)
    get_many = _degrading("get_many", {})
    has_key = _degrading("has_key", False)
    set = _degrading("set", None)
    set_many = _degrading("set_many", [])
    add = _degrading("add", False)
    touch = _degrading("touch", False)
    delete = _degrading("delete", False)
    delete_many = _degrading("delete_many", None)
    clear = _degrading("clear", False)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except (RedisError, OSError) as error:
            logger.warning("Cache unavailable (%s): incr treated as a missing key.", error)
            raise ValueError(f"Key {key!r} not found (cache unavailable).") from error
