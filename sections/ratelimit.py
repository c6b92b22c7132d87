"""Posting limits per member and minute, counted in the cache (Redis when set)."""

import time
from functools import cache as once

import redis
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from .errors import RateLimited

WINDOW = 60  # seconds


def rate_limit(*, user, action: str, per_minute: int | None = None) -> None:
    """Count one `action` by `user`; refuse it past the limit for this minute.

    A fixed one-minute window: simple, and a burst at the edge of two windows
    is at most twice the limit, which is fine for keeping out floods.
    """
    limit = per_minute if per_minute is not None else settings.POSTS_PER_MINUTE
    if _count(f"rate:{action}:{user.pk}:{int(time.time() // WINDOW)}") > limit:
        raise RateLimited()


def _count(key: str) -> int:
    counters = caches["default"]
    if isinstance(counters, RedisCache):
        # The key as the cache names it (its prefix keeps test runs apart).
        return _redis_count(counters.make_and_validate_key(key))
    return 1 if counters.add(key, 1, timeout=2 * WINDOW) else counters.incr(key)


def _redis_count(key: str) -> int:
    # Every post passes here: one round trip (MULTI INCR EXPIRE-NX EXEC) on a
    # client kept for the process, where the cache API would take three and
    # build a new client for each.
    with _client(settings.REDIS_URL).pipeline() as pipe:
        pipe.incr(key)
        pipe.expire(key, 2 * WINDOW, nx=True)
        count, _ = pipe.execute()
    return count


@once
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
