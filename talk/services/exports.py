"""A revision's files: queued after the freeze, rendered by the worker, sent
again by the sweep, tried again by the host."""

import datetime
import hashlib
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError

from accounts.models import Viewer
from accounts.services import audit_record
from sections import events
from sections.errors import Invalid
from sections.policy import require_steward

from ..exports import RenderError, render
from ..exports.fonts import NoCJKFont, cjk_font
from ..exports.storage import export_path, write_atomically
from ..models import Export, Revision
from ..tasks import export_render

logger = logging.getLogger(__name__)


def exports_create(*, revision: Revision) -> list[Export]:
    """One export of each format for a new revision, queued once the
    transaction commits (a worker never looks for a revision not there yet)."""
    exports = Export.objects.bulk_create(
        Export(revision=revision, format=f) for f in Export.Format.values
    )
    transaction.on_commit(lambda: _enqueue([export.pk for export in exports]))
    return exports


def _enqueue(export_ids: list[int]) -> list[int]:
    """Hand the exports' tasks to the queue (after the commit); returns the
    ids handed. When the queue cannot be reached (Redis down) the rest stay
    waiting, unqueued: the page says so in words, the freeze itself stands
    and answers at once (sending gives up within seconds, see
    CELERY_TASK_PUBLISH_RETRY_POLICY), and the sweep (`exports_requeue`)
    sends them once the queue is back. In-process (embedded mode) `delay`
    renders them there and then."""
    queued: list[int] = []
    for export_id in export_ids:
        try:
            export_render.delay(export_id)
        except OperationalError as error:  # kombu's word for "the broker did not answer"
            # The others would only wait as long again to fail the same way.
            logger.warning(
                "Exports %s not queued, the sweep sends them when the queue answers: %s",
                export_ids[len(queued) :],
                error,
            )
            break
        except Exception:
            logger.exception("Exports %s not queued", export_ids[len(queued) :])
            break
        now = timezone.now()
        Export.objects.filter(_waiting(now), pk=export_id).update(queued_at=now)
        queued.append(export_id)
    return queued


def _waiting(now: datetime.datetime) -> Q:
    """Exports no worker holds: not started, or started by a worker that
    died (its lease ran out)."""
    return Q(status=Export.Status.PENDING) | Q(status=Export.Status.RUNNING, lease_until__lt=now)


# A queued task no worker took after this long was probably lost (Redis
# restarted empty, or a worker died with it prefetched): it is sent again. A
# task that was only waiting its turn finds the row taken or done when its
# second copy comes, which changes nothing.
REQUEUE_AFTER = datetime.timedelta(minutes=2)


def exports_requeue(*, now: datetime.datetime | None = None) -> list[int]:
    """The sweep (beat, every EXPORT_SWEEP_SECONDS): send again the exports
    that nobody will render otherwise: never queued (Redis was down), queued
    long ago and never taken, or held by a worker whose lease ran out (killed
    mid-export; the broker would give its message back only after the
    visibility timeout). Returns the ids sent."""
    now = now or timezone.now()
    due = (
        Export.objects.filter(_waiting(now))
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - REQUEUE_AFTER))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return _enqueue(list(due))


def export_run(*, export_id: int, task_id: str) -> Export | None:
    """Render one export, if this task may: returns None when the row is done,
    failed, or held by another live task (a duplicate delivery changes nothing).

    A content error (the renderer refuses) marks the export failed with the
    message; a passing fault (database, disk) propagates so the task retries.
    """
    now = timezone.now()
    lease = datetime.timedelta(seconds=settings.EXPORT_LEASE_SECONDS)
    claimable = (
        Q(status=Export.Status.PENDING)
        | Q(status=Export.Status.RUNNING, task_id=task_id)
        | Q(status=Export.Status.RUNNING, lease_until__lt=now)
    )
    claimed = Export.objects.filter(claimable, pk=export_id).update(
        status=Export.Status.RUNNING,
        task_id=task_id,
        lease_until=now + lease,
        started_at=now,
        attempts=F("attempts") + 1,
        error="",
        queued_at=None,
    )
    if not claimed:
        return None
    export = Export.objects.select_related("revision__issue__series").get(pk=export_id)
    issue_id = export.revision.issue_id
    events.announce(issue_id, events.EXPORTS)
    mine = Export.objects.filter(pk=export_id, task_id=task_id, status=Export.Status.RUNNING)
    font = ""
    try:
        if export.format == Export.Format.PDF:
            # The renderer finds the same font again; it refuses to draw boxes.
            found = cjk_font()
            if found is None:
                raise NoCJKFont()
            font = found.name
        data = render(export.format, export.revision.snapshot)
    except Exception as error:  # the renderers read only the snapshot: this is its content
        mine.update(
            status=Export.Status.FAILED,
            error=describe_failure(error),
            finished_at=timezone.now(),
            lease_until=None,
        )
        events.announce(issue_id, events.EXPORTS)
        return Export.objects.get(pk=export_id)
    path = export_path(export)
    write_atomically(path, data)
    mine.update(
        status=Export.Status.DONE,
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        font=font,
        finished_at=timezone.now(),
        lease_until=None,
    )
    events.announce(issue_id, events.EXPORTS)
    return Export.objects.get(pk=export_id)


def export_give_up(*, export_id: int, task_id: str, reason: str) -> None:
    """The task ran out of retries: say so on the row the host sees."""
    failed = Export.objects.filter(pk=export_id, task_id=task_id, status=Export.Status.RUNNING)
    issue_id = failed.values_list("revision__issue_id", flat=True).first()
    if (
        failed.update(
            status=Export.Status.FAILED,
            error=reason[:2000],
            finished_at=timezone.now(),
            lease_until=None,
        )
        # None only if the row came to match between the two statements.
        and issue_id is not None
    ):
        events.announce(issue_id, events.EXPORTS)


@transaction.atomic
def export_retry(*, export_id: int, user: Viewer) -> Export:
    export = Export.objects.select_related("revision__issue__host", "revision__issue__editor").get(
        pk=export_id
    )
    require_steward(user, export.revision.issue)
    stalled = Q(status=Export.Status.RUNNING, lease_until__lt=timezone.now())
    if not Export.objects.filter(Q(status=Export.Status.FAILED) | stalled, pk=export_id).update(
        status=Export.Status.PENDING, error="", task_id="", lease_until=None, queued_at=None
    ):
        raise Invalid(_("Only a failed or stalled export can be tried again."))
    transaction.on_commit(lambda: _enqueue([export_id]))
    events.announce(export.revision.issue_id, events.EXPORTS)
    export.refresh_from_db()
    return export


@transaction.atomic
def pdf_exports_rerender() -> int:
    """Queue again the PDFs that have no CJK font recorded: rendered before
    the desk made sure of one (their Chinese may be boxes) or failed; returns
    how many. Nothing while no CJK font can be found, or they would fail
    again. The revision and its snapshot stay as they are: when the render is
    done, the file and its checksum are replaced (the audit log keeps the old
    checksum). Once rendered, a PDF records its font and is left alone."""
    if cjk_font() is None:
        return 0
    unset = Export.objects.filter(
        format=Export.Format.PDF, font="", status__in=[Export.Status.DONE, Export.Status.FAILED]
    )
    exports = list(unset.select_related("revision__issue__series").select_for_update(of=("self",)))
    unset.filter(pk__in=[export.pk for export in exports]).update(
        status=Export.Status.PENDING, error="", task_id="", lease_until=None
    )
    for export in exports:
        issue = export.revision.issue
        audit_record(
            actor=None,
            action="export.rerender",
            target=export,
            reason="no CJK font recorded",
            before={"status": export.status, "sha256": export.sha256},
            scope=f"{issue.series.slug}/{issue.code}",
        )
    for issue_id in {export.revision.issue_id for export in exports}:
        events.announce(issue_id, events.EXPORTS)
    transaction.on_commit(lambda: _enqueue([export.pk for export in exports]))
    return len(exports)


def describe_failure(error: Exception) -> str:
    """What a failed row says (an export, a scheduled run): a renderer's
    refusal is written for the host; any other error is a fault, and its
    type says where to look."""
    if isinstance(error, RenderError):
        return str(error)[:2000]
    return f"{type(error).__name__}: {error}"[:2000]
