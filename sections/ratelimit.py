"""Posting limits per member (or guest) and minute, counted in the cache
(Redis when set).

While Redis does not answer, each process counts in its own memory instead:
a post is never refused, nor failed, for want of Redis, and a flood is still
held to the limit once per web process (docs/decisions.md).
"""

import logging
import time
from functools import cache as once

import redis
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from accounts.models import User

from .errors import RateLimited

logger = logging.getLogger(__name__)

WINDOW = 60  # seconds

# Room for every member posting in a minute: a full cache culls counters,
# and a culled counter starts again at zero.
_in_process = LocMemCache("rate-limits", {"OPTIONS": {"MAX_ENTRIES": 100_000}})
_redis_down = False


def rate_limit(*, user: User, action: str, per_minute: int | None = None) -> None:
    """Count one `action` by `user`; refuse it past the limit for this minute.

    A fixed one-minute window: simple, and a burst at the edge of two windows
    is at most twice the limit, which is fine for keeping out floods.
    """
    limit = per_minute if per_minute is not None else settings.POSTS_PER_MINUTE
    if _count(f"rate:{action}:{user.pk}:{int(time.time() // WINDOW)}") > limit:
        raise RateLimited()


def rate_limit_guest(*, client: str, action: str, per_minute: int) -> None:
    """The same limit for a visitor without an account, counted by `client`
    (a digest of their address: the counter is all that is kept, for two
    minutes)."""
    if _count(f"rate:{action}:guest:{client}:{int(time.time() // WINDOW)}") > per_minute:
        raise RateLimited()


def _count(key: str) -> int:
    counters = caches["default"]
    if isinstance(counters, RedisCache):
        # The key as the cache names it (its prefix keeps test runs apart).
        return _redis_count(counters.make_and_validate_key(key))
    return _cache_count(counters, key)


def _cache_count(counters: BaseCache, key: str) -> int:
    return 1 if counters.add(key, 1, timeout=2 * WINDOW) else counters.incr(key)


def _redis_count(key: str) -> int:
    # Every post passes here: one round trip (MULTI INCR EXPIRE-NX EXEC) on a
    # client kept for the process, where the cache API would take three and
    # build a new client for each.
    global _redis_down
    try:
        with _client(settings.REDIS_URL).pipeline() as pipe:
            pipe.incr(key)
            pipe.expire(key, 2 * WINDOW, nx=True)
            count, _ = pipe.execute()
    except (redis.RedisError, OSError) as error:
        if not _redis_down:
            logger.warning("Posting limits counted per process: Redis did not answer (%s)", error)
            _redis_down = True
        return _cache_count(_in_process, key)
    if _redis_down:
        logger.warning("Posting limits counted in Redis again")
        _redis_down = False
    return count


@once
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
