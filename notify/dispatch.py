"""Handing the outbox's work to whoever does it.

With a broker (REDIS_URL), Celery workers: tasks go to the queue after the
commit. In the embedded mode Celery runs tasks in the caller, which would put
a slow chat bot inside a member's request; so there they run on a small pool
of background threads instead, and retries wait on a timer. Either way a
send that is lost (a full queue, a process that ends) is picked up by the
sweep (`deliveries_requeue`), since the rows say what is still to do.
"""

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

from django.conf import settings
from django.db import close_old_connections

from talk.celery import app

logger = logging.getLogger(__name__)


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=4, thread_name_prefix="notify")


def _in_background(job: Callable[[], object]) -> None:
    def run() -> None:
        try:
            job()
        except Exception:
            logger.exception("A notification job failed; the sweep tries it again")
        finally:
            close_old_connections()

    _pool().submit(run)


def _embedded() -> bool:
    # The Celery app's word, which is the settings' unless a test says otherwise.
    return bool(app.conf.task_always_eager)


def fan_out(event_id: int) -> None:
    from . import tasks

    if not _embedded():
        _queue(tasks.event_fan_out, event_id)
    elif settings.NOTIFY_BACKGROUND:
        _in_background(lambda: tasks.event_fan_out.apply(args=[event_id]))
    else:
        tasks.event_fan_out.apply(args=[event_id])


def deliver(delivery_id: int, *, countdown: float = 0) -> None:
    from . import tasks

    if not _embedded():
        _queue(tasks.delivery_send, delivery_id, countdown=countdown)
    elif not settings.NOTIFY_BACKGROUND:
        # Tests: at once, whatever the wait (they move the clock themselves).
        tasks.delivery_send.apply(args=[delivery_id])
    elif countdown:
        timer = threading.Timer(countdown, deliver, args=[delivery_id])
        timer.daemon = True
        timer.start()
    else:
        _in_background(lambda: tasks.delivery_send.apply(args=[delivery_id]))


def _queue(task: Any, *args: int, countdown: float = 0) -> None:
    try:
        task.apply_async(args=args, countdown=countdown or None)
    except Exception as error:  # kombu's OperationalError, a refused connection
        # The row stands; the sweep sends it once the queue answers.
        logger.warning("Not queued (the sweep sends it later): %s", error)
