"""Celery tasks: thin, they take ids and call a service.

The services are imported inside the tasks: the services send tasks, so they
import this module at the top.
"""

from celery import Task, shared_task
from django.db import DatabaseError


class ExportTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Retries ran out (or a fault was not worth retrying): the host sees
        # why on the page and can try again from there.
        from . import services

        export_id = args[0] if args else kwargs["export_id"]
        services.export_give_up(
            export_id=export_id, task_id=task_id, reason=f"{type(exc).__name__}: {exc}"
        )


@shared_task(
    bind=True,
    base=ExportTask,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError, OSError),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=5,
    soft_time_limit=120,
    time_limit=180,
)
def export_render(self, export_id: int) -> None:
    from . import services

    services.export_run(export_id=export_id, task_id=self.request.id)


@shared_task(soft_time_limit=600, time_limit=660)
def open_next_issues() -> None:
    """Woken by beat: open what the series' schedules say is due (the run is
    recorded as a JobRun, failures included)."""
    from . import services

    services.issues_open_due()


@shared_task(soft_time_limit=60, time_limit=90)
def requeue_exports() -> None:
    """Woken by beat: send again the exports nobody will render otherwise
    (never queued while Redis was down, lost, or their worker killed)."""
    from . import services

    services.exports_requeue()
