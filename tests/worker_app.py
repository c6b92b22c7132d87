"""The Celery app for tests that start real workers: the project's own app,
restoring unacknowledged messages at once instead of every ten idle polls,
so a killed worker's task comes back within seconds. TEST_QUEUE, when set, is
the queue tasks are sent to (by beat and by the sweep too), so a test's
processes keep to the test's own queue on the shared Redis."""

import os

from talk.celery import app

app.conf.broker_transport_options = {
    **app.conf.broker_transport_options,
    "unacked_restore_throttle": 1,
    "unacked_restore_interval": 1,
}
if os.environ.get("TEST_QUEUE"):
    app.conf.task_default_queue = os.environ["TEST_QUEUE"]

__all__ = ["app"]
