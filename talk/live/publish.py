"""Publishing what the services announce (see sections.events)."""

import logging
import time

import redis

from .broker import broker

logger = logging.getLogger(__name__)


def publish_change(sender, *, issue_id: int, kind: str, data: dict, **kwargs) -> None:
    # `at` lets a subscriber measure the delay from commit to receipt.
    payload = {"kind": kind, **data, "at": round(time.time(), 4)}
    try:
        broker().publish(issue_id, payload)
    except (redis.RedisError, OSError):
        # Pages stay usable without live updates; they catch up on reconnect.
        logger.warning(
            "Live event %s of issue %s not published: Redis did not answer", kind, issue_id
        )
