"""Business rules for series and issues."""

import datetime
import hashlib
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.services import audit_record
from sections.errors import DeskError, Invalid, IssueClosed, NotAllowed, RoleTaken
from sections.models import Section, SectionShape
from sections.policy import is_admin, require_member, require_open

from .exports import render
from .exports.storage import export_path, write_atomically
from .models import Export, Issue, IssueStatus, Revision, Series
from .snapshot import snapshot_build

logger = logging.getLogger(__name__)


class IssueExists(DeskError):
    status = 409


@transaction.atomic
def issue_create(
    *,
    series: Series,
    by,
    number: int | None = None,
    special_label: str = "",
    code: str = "",
    meeting_at: datetime.datetime | None = None,
) -> Issue:
    """Create an issue with its sections copied from the series' templates.

    `by` is None only for system callers (demo data, import, the schedule).
    """
    if by is not None and not is_admin(by):
        raise NotAllowed(_("Only admins can open an issue."))
    code = str(number) if number is not None else code
    if Issue.objects.filter(series=series, code=code).exists():
        raise IssueExists(
            _("%(series)s already has an issue %(code)s.") % {"series": series.name, "code": code}
        )
    issue = Issue.objects.create(
        series=series,
        number=number,
        code=code,
        special_label=special_label,
        meeting_at=meeting_at,
    )
    Section.objects.bulk_create(
        Section(issue=issue, template=template, **SectionShape.shape_of(template))
        for template in series.templates.all()
    )
    return issue


ROLES = {"host": _("host"), "editor": _("editor")}


@transaction.atomic
def issue_role_claim(*, issue_id: int, user, role: str) -> Issue:
    """Take the host or editor role of an issue if nobody holds it.

    A conditional UPDATE: of two members clicking at once, one gets the role
    and the other is told who has it.
    """
    require_member(user)
    # Locked for update before require_open takes its shared lock: two
    # claimers sharing the row and then both updating it would deadlock.
    issue = Issue.objects.select_for_update().get(pk=issue_id)
    require_open(issue, user)
    if role not in ROLES:
        raise Invalid(_("There is no such role."))
    taken = Issue.objects.filter(
        pk=issue_id, **{f"{role}__isnull": True, f"{role}_name": ""}
    ).update(**{role: user})
    issue = Issue.objects.select_related("host", "editor").get(pk=issue_id)
    if not taken and getattr(issue, f"{role}_id") != user.pk:
        holder = issue.host_display if role == "host" else issue.editor_display
        raise RoleTaken(
            _("%(holder)s is already the %(role)s of this issue.")
            % {"holder": holder, "role": ROLES[role]}
        )
    return issue


@transaction.atomic
def issue_role_release(*, issue_id: int, user, role: str) -> Issue:
    require_member(user)
    issue = Issue.objects.select_for_update().get(pk=issue_id)
    require_open(issue, user)
    if role not in ROLES:
        raise Invalid(_("There is no such role."))
    if getattr(issue, f"{role}_id") != user.pk and not is_admin(user):
        raise NotAllowed(_("Only whoever holds the role, or an admin, can give it up."))
    Issue.objects.filter(pk=issue_id).update(**{role: None, f"{role}_name": ""})
    return Issue.objects.select_related("host", "editor").get(pk=issue_id)


# Lifecycle: draft → live → frozen → published; a correction reopens a frozen
# or published issue for its host until it is frozen as the next revision.


def _require_steward(user, issue: Issue) -> None:
    """The host, the editor or an admin; `user` None is the system itself
    (commands, the schedule)."""
    if user is None:
        return
    require_member(user)
    if not (is_admin(user) or issue.is_hosted_by(user)):
        raise NotAllowed(_("Only the host, the editor and admins can do that."))


def _move(issue_id: int, user, *, action: str, expect: Q, change: dict, refusal) -> Issue:
    issue = Issue.objects.select_related("series", "host", "editor").get(pk=issue_id)
    _require_steward(user, issue)
    if not Issue.objects.filter(expect, pk=issue_id).update(**change):
        raise IssueClosed(refusal)
    issue.refresh_from_db()
    audit_record(
        actor=user,
        # Named by the verb, as every audit action is ("issue.freeze"): the
        # status it led to ("issue.published") gave one log two spellings.
        action=f"issue.{action}",
        target=issue,
        scope=f"{issue.series.slug}/{issue.code}",
        after={key: str(value) for key, value in change.items()},
    )
    return issue


@transaction.atomic
def issue_start(*, issue_id: int, user) -> Issue:
    """The meeting begins: draft → live."""
    return _move(
        issue_id,
        user,
        action="start",
        expect=Q(status=IssueStatus.DRAFT),
        change={"status": IssueStatus.LIVE},
        refusal=_("Only a draft can start."),
    )


@transaction.atomic
def issue_publish(*, issue_id: int, user) -> Issue:
    """A frozen issue goes to the public archive and the feed."""
    return _move(
        issue_id,
        user,
        action="publish",
        expect=Q(status=IssueStatus.FROZEN, correcting=False),
        change={"status": IssueStatus.PUBLISHED},
        refusal=_("Only a frozen issue can be published."),
    )


@transaction.atomic
def issue_correct(*, issue_id: int, user) -> Issue:
    """Open a frozen or published issue for a correction."""
    return _move(
        issue_id,
        user,
        action="correct",
        expect=Q(status__in=[IssueStatus.FROZEN, IssueStatus.PUBLISHED], correcting=False),
        change={"correcting": True},
        refusal=_("Only a frozen or published issue can be corrected."),
    )


@transaction.atomic
def issue_freeze(*, issue_id: int, user, note: str = "") -> Revision:
    """Freeze the issue as its next revision and queue its exports.

    The issue row is locked for update: writes in flight (which hold it
    shared) finish first, later ones see the frozen status. The exports are
    queued only after the commit, so a worker never looks for a revision that
    is not there yet.
    """
    issue = (
        Issue.objects.select_for_update(of=("self",))
        .select_related("series", "host", "editor")
        .get(pk=issue_id)
    )
    _require_steward(user, issue)
    if issue.status in (IssueStatus.FROZEN, IssueStatus.PUBLISHED) and not issue.correcting:
        raise IssueClosed(_("This issue is already frozen; open a correction to change it."))
    number = (issue.revisions.aggregate(last=Max("number"))["last"] or 0) + 1
    if number > 1 and not note.strip():
        raise Invalid(_("Say in a few words what the correction changed."))
    now = timezone.now()
    # A corrected published issue stays in the archive and the feed, now
    # with its new revision: it was already public, and taking it off until
    # someone publishes it again would hide it for a typo fix.
    if issue.status != IssueStatus.PUBLISHED:
        issue.status = IssueStatus.FROZEN
    issue.correcting = False
    issue.save(update_fields=["status", "correcting", "updated_at"])
    revision = Revision.objects.create(
        issue=issue,
        number=number,
        note=note.strip(),
        snapshot=snapshot_build(issue, revision=number, note=note.strip(), frozen_at=now),
        created_by=user,
    )
    exports = Export.objects.bulk_create(
        Export(revision=revision, format=f) for f in Export.Format.values
    )
    audit_record(
        actor=user,
        action="issue.freeze",
        target=issue,
        scope=f"{issue.series.slug}/{issue.code}",
        after={"revision": number, "note": revision.note},
    )
    transaction.on_commit(lambda: _enqueue([export.pk for export in exports]))
    return revision


def _enqueue(export_ids: list[int]) -> None:
    """Queue the exports (after the commit). An export that cannot be queued
    (no broker), or that fails when rendered in-process (embedded mode), is
    marked failed with the reason, so the host can try it again; the others
    are still queued and the freeze itself stands."""
    from .tasks import export_render  # the task module imports these services

    for export_id in export_ids:
        try:
            export_render.delay(export_id)
        except Exception as error:
            logger.exception("Export %s could not be rendered now", export_id)
            Export.objects.filter(
                pk=export_id, status__in=[Export.Status.PENDING, Export.Status.RUNNING]
            ).update(
                status=Export.Status.FAILED,
                error=_describe(error),
                lease_until=None,
                finished_at=timezone.now(),
            )


# Exports


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
    )
    if not claimed:
        return None
    export = Export.objects.select_related("revision__issue__series").get(pk=export_id)
    mine = Export.objects.filter(pk=export_id, task_id=task_id, status=Export.Status.RUNNING)
    try:
        data = render(export.format, export.revision.snapshot)
    except Exception as error:  # the renderers read only the snapshot: this is its content
        mine.update(
            status=Export.Status.FAILED,
            error=_describe(error),
            finished_at=timezone.now(),
            lease_until=None,
        )
        return Export.objects.get(pk=export_id)
    path = export_path(export)
    write_atomically(path, data)
    mine.update(
        status=Export.Status.DONE,
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        finished_at=timezone.now(),
        lease_until=None,
    )
    return Export.objects.get(pk=export_id)


def export_give_up(*, export_id: int, task_id: str, reason: str) -> None:
    """The task ran out of retries: say so on the row the host sees."""
    Export.objects.filter(pk=export_id, task_id=task_id, status=Export.Status.RUNNING).update(
        status=Export.Status.FAILED,
        error=reason[:2000],
        finished_at=timezone.now(),
        lease_until=None,
    )


@transaction.atomic
def export_retry(*, export_id: int, user) -> Export:
    export = Export.objects.select_related("revision__issue__host", "revision__issue__editor").get(
        pk=export_id
    )
    _require_steward(user, export.revision.issue)
    if not Export.objects.filter(pk=export_id, status=Export.Status.FAILED).update(
        status=Export.Status.PENDING, error="", task_id="", lease_until=None
    ):
        raise Invalid(_("Only a failed export can be tried again."))
    transaction.on_commit(lambda: _enqueue([export_id]))
    export.refresh_from_db()
    return export


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:2000]
