"""Publishing what the services announce (see sections.events)."""

import time

import redis

from .broker import Outage, broker

# Writes go on while Redis is down; the log says so once, not once an event.
OUTAGE = Outage("Live events")


def publish_change(sender, *, issue_id: int, kind: str, data: dict, **kwargs) -> None:
    # `at` lets a subscriber measure the delay from commit to receipt.
    payload = {"kind": kind, **data, "at": round(time.time(), 4)}
    try:
        broker().publish(issue_id, payload)
    except (redis.RedisError, OSError) as error:
        # Pages stay usable without live updates; they catch up when their
        # stream is back (see RedisSubscription).
        OUTAGE.failed(error)
    else:
        OUTAGE.answered()


def publish_user(user_id: int, payload: dict) -> None:
    """An event for one member's open pages (outside any issue's sequence)."""
    try:
        broker().publish_user(user_id, payload)
    except (redis.RedisError, OSError) as error:
        OUTAGE.failed(error)
    else:
        OUTAGE.answered()
