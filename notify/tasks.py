"""Celery tasks: thin, they take ids and call a service.

The services are imported inside the tasks: the services send tasks, so they
import this module (through dispatch).
"""

from celery import shared_task
from django.db import DatabaseError


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=2,
    max_retries=5,
    soft_time_limit=120,
    time_limit=180,
)
def event_fan_out(event_id: int) -> None:
    from . import services

    services.event_fan_out(event_id=event_id)


# A delivery's own failures are the service's to retry (with the receiver's
# Retry-After); a database fault is the task's.
@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=2,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def delivery_send(self, delivery_id: int) -> None:
    from . import services

    services.delivery_send(delivery_id=delivery_id, task_id=self.request.id or "")


@shared_task(soft_time_limit=60, time_limit=90)
def requeue_deliveries() -> None:
    """Woken by beat: events and deliveries nobody will send otherwise."""
    from . import services

    services.deliveries_requeue()


@shared_task(soft_time_limit=60, time_limit=90)
def send_reminders() -> None:
    """Woken by beat: the reminders due before the coming meetings."""
    from . import services

    services.reminders_send()


@shared_task(soft_time_limit=1800, time_limit=1900)
def send_digests() -> None:
    """Woken by beat once a day: every member's digest."""
    from . import services

    services.digests_send()
