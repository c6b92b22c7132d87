"""Posting limits per member and minute, counted in the cache (Redis when set)."""

import time

from django.conf import settings
from django.core.cache import cache

from .errors import RateLimited


def rate_limit(*, user, action: str, per_minute: int | None = None) -> None:
    """Count one `action` by `user`; refuse it past the limit for this minute.

    A fixed one-minute window: simple, and a burst at the edge of two windows
    is at most twice the limit, which is fine for keeping out floods.
    """
    limit = per_minute if per_minute is not None else settings.POSTS_PER_MINUTE
    key = f"rate:{action}:{user.pk}:{int(time.time() // 60)}"
    count = 1 if cache.add(key, 1, timeout=120) else cache.incr(key)
    if count > limit:
        raise RateLimited()
