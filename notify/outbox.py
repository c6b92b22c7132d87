"""The outbox: one row per noteworthy change, written in its transaction.

Services say what happened (sections.events.tell); this writes it down and,
once the change commits, hands it to the fan-out. Nothing here reads who
will hear of it: that costs the request one insert, whatever the audience
(and, for the kinds that come in bursts, one look at the last few minutes).
"""

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone

from accounts.models import User, Viewer
from talk.models import Issue

from . import dispatch
from .kinds import Kind
from .models import Event

# A host tidying a section moves, edits and marks a dozen items in a few
# minutes: its owners hear of it once.
QUIET = datetime.timedelta(minutes=10)
BURSTS = {Kind.SECTION_CURATED}


def record(
    sender: object, *, kind: str, issue_id: int, actor: Viewer | None, subject: dict, **kwargs: Any
) -> Event | None:
    kind = Kind(kind)  # a misspelt kind fails the write in the tests
    actor = actor if actor is not None and actor.is_authenticated else None
    if kind in BURSTS and _told_lately(kind, issue_id, actor, subject):
        return None
    event = Event.objects.create(
        kind=kind,
        series_id=Subquery(Issue.objects.filter(pk=issue_id).values("series_id")[:1]),
        issue_id=issue_id,
        actor=actor,
        subject=subject,
    )
    transaction.on_commit(lambda: dispatch.fan_out(event.pk), robust=True)
    return event


def _told_lately(kind: str, issue_id: int, actor: User | None, subject: dict) -> bool:
    return Event.objects.filter(
        kind=kind,
        issue_id=issue_id,
        actor=actor,
        subject=subject,
        created_at__gt=timezone.now() - QUIET,
    ).exists()
