"""The next issue: opened by a steward once an issue is over, or by the
schedule's job; it carries over what the last one left open."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Viewer
from accounts.services import audit_record
from sections import events
from sections.errors import Invalid, IssueClosed
from sections.policy import require_steward

from ..models import Issue, IssueStatus, JobRun, Series
from ..schedule import meeting_after
from ..selectors import latest_issues
from .carry_over import copy_left_open
from .exports import describe_failure
from .issues import IssueExists, issue_create

logger = logging.getLogger(__name__)

OPEN_NEXT_JOB = "open_next_issues"


def _has_met(issue: Issue, now: datetime.datetime) -> bool:
    return issue.status in (IssueStatus.FROZEN, IssueStatus.PUBLISHED) or (
        issue.meeting_at is not None and issue.meeting_at <= now
    )


@transaction.atomic
def issue_open_next(*, series: Series, user: Viewer | None, after: Issue | None = None) -> Issue:
    """Open the issue after the series' latest: its number + 1, sections copied
    from the templates, host, editor and owners left to be claimed, the
    meeting at the series' next time after the latest one's (or now),
    skipping holidays; then carry over what the latest left open.

    Admins or the latest issue's host and editor; `user` None is the
    schedule. `after` is the issue the caller took for the latest (the page
    the button was on, the schedule's check). The series row is locked, so of
    two openers at once the second sees the first's issue and is refused:
    one issue, whoever asks and however often.
    """
    series = Series.objects.select_for_update().get(pk=series.pk)
    latest = (
        Issue.objects.filter(series=series, number__isnull=False)
        .select_related("series", "host", "editor")
        .order_by("-number")
        .first()
    )
    if latest is None:
        raise Invalid(
            _("%(series)s has no numbered issue yet to follow.") % {"series": series.name}
        )
    if after is None or after.pk == latest.pk:
        member = require_steward(user, latest)
    else:
        # Asked on an earlier issue's page: its own stewards hear the news.
        member = require_steward(
            user, Issue.objects.select_related("host", "editor").get(pk=after.pk)
        )
    now = timezone.now()
    if after is not None and after.pk != latest.pk:
        raise IssueExists(_("%(title)s is already open.") % {"title": latest.title})
    if not _has_met(latest, now):
        if after is None:
            # The latest is still to meet: it is the next issue, already open.
            raise IssueExists(_("%(title)s is already open.") % {"title": latest.title})
        raise IssueClosed(
            _("%(title)s has not met yet: freeze it before opening the next one.")
            % {"title": latest.title}
        )
    assert latest.number is not None  # filtered on number__isnull=False
    start = max(latest.meeting_at, now) if latest.meeting_at else now
    meeting_at = meeting_after(series, start)
    issue = issue_create(series=series, by=None, number=latest.number + 1, meeting_at=meeting_at)
    carried = copy_left_open(previous=latest, issue=issue)
    audit_record(
        actor=member,
        action="issue.open_next",
        target=issue,
        scope=f"{series.slug}/{issue.code}",
        after={
            "after": latest.code,
            "meeting_at": meeting_at.isoformat(),
            "questions": carried.questions,
            "nominations": carried.nominations,
        },
    )
    events.tell("issue_opened", issue_id=issue.pk, actor=member)
    return issue


def issues_open_due(*, now: datetime.datetime | None = None) -> JobRun:
    """The schedule's run: open the next issue of every series whose latest
    issue met more than NEXT_ISSUE_AFTER_MINUTES ago (and not more than
    NEXT_ISSUE_WITHIN_DAYS: an older one has paused). The run is a JobRun row
    (running, then done or failed with the reasons) for the admins' jobs
    page; a series that fails does not stop the others."""
    run = JobRun.objects.create(job=OPEN_NEXT_JOB)
    now = now or timezone.now()
    due_before = now - datetime.timedelta(minutes=settings.NEXT_ISSUE_AFTER_MINUTES)
    due_after = now - datetime.timedelta(days=settings.NEXT_ISSUE_WITHIN_DAYS)
    opened, failures = [], []
    try:
        due = [
            issue
            for issue in latest_issues()
            if issue.meeting_at and due_after <= issue.meeting_at <= due_before
        ]
    except Exception as error:
        logger.exception("The issues due could not be read")
        due, failures = [], [describe_failure(error)]
    for latest in due:
        try:
            issue = issue_open_next(series=latest.series, user=None, after=latest)
        except IssueExists:
            continue  # a host was quicker: that is the point
        except Exception as error:
            logger.exception("The issue after %s could not be opened", latest)
            failures.append(f"{latest.title}: {describe_failure(error)}")
        else:
            opened.append(issue.title)
    detail: str | Promise
    if opened:
        detail = _("Opened %(titles)s.") % {"titles": "、".join(opened)}
    else:
        detail = _("Nothing was due.")
    JobRun.objects.filter(pk=run.pk).update(
        status=JobRun.Status.FAILED if failures else JobRun.Status.DONE,
        detail="\n".join([str(detail), *failures])[:4000],
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    return run
