"""Reminders before a meeting, at the times each series sets.

Woken every few minutes by beat. Of the reminders an issue is due, only the
latest goes out (after a desk that was down all day, "in an hour", not also
"tomorrow"), and each once per meeting time: the issue row is locked while
its outbox is read, and a meeting moved is reminded again.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from talk.models import Issue, IssueStatus, reminder_leads

from .. import dispatch
from ..kinds import Kind
from ..models import Event


def reminders_send(*, now: datetime.datetime | None = None) -> list[Event]:
    now = now or timezone.now()
    longest = datetime.timedelta(days=14)
    issues = Issue.objects.filter(
        status=IssueStatus.DRAFT, meeting_at__gt=now, meeting_at__lte=now + longest
    ).select_related("series")
    sent = []
    for issue in issues:
        assert issue.meeting_at is not None  # filtered on meeting_at__gt
        due = [
            lead
            for lead in reminder_leads(issue.series.reminders)
            if now >= issue.meeting_at - datetime.timedelta(minutes=lead)
        ]
        if due:
            event = _remind(issue.pk, min(due), now)
            if event is not None:
                sent.append(event)
    return sent


@transaction.atomic
def _remind(issue_id: int, lead: int, now: datetime.datetime) -> Event | None:
    issue = Issue.objects.select_for_update().get(pk=issue_id)
    assert issue.meeting_at is not None
    # Reminders are of one meeting time: a meeting moved is reminded anew.
    meeting = issue.meeting_at.isoformat()
    told = Event.objects.filter(issue=issue, kind=Kind.MEETING_REMINDER, subject__at=meeting)
    # This one, or a later (shorter) one already: nothing more to say.
    if any(subject["lead"] <= lead for subject in told.values_list("subject", flat=True)):
        return None
    event = Event.objects.create(
        kind=Kind.MEETING_REMINDER,
        series_id=issue.series_id,
        issue=issue,
        subject={"lead": lead, "at": meeting},
        created_at=now,
    )
    transaction.on_commit(lambda: dispatch.fan_out(event.pk), robust=True)
    return event
