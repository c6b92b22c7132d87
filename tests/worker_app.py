"""The Celery app for tests that start real workers: the project's own app,
restoring unacknowledged messages at once instead of every ten idle polls,
so a killed worker's task comes back within seconds."""

from talk.celery import app

app.conf.broker_transport_options = {
    **app.conf.broker_transport_options,
    "unacked_restore_throttle": 1,
    "unacked_restore_interval": 1,
}

__all__ = ["app"]
