"""The outbox: one row per noteworthy change, written in its transaction.

Services say what happened (sections.events.tell); this writes it down and,
once the change commits, hands it to the fan-out. Nothing here reads who
will hear of it: that costs the request one insert, whatever the audience.
"""

from django.db import transaction
from django.db.models import Subquery

from talk.models import Issue

from . import dispatch
from .kinds import Kind
from .models import Event


def record(sender: object, *, kind: str, issue_id: int, actor, subject: dict, **kwargs) -> Event:
    event = Event.objects.create(
        kind=Kind(kind),  # a misspelt kind fails the write in the tests
        series_id=Subquery(Issue.objects.filter(pk=issue_id).values("series_id")[:1]),
        issue_id=issue_id,
        actor=actor if actor is not None and actor.is_authenticated else None,
        subject=subject,
    )
    transaction.on_commit(lambda: dispatch.fan_out(event.pk), robust=True)
    return event
