"""Telling an issue's open pages that something changed.

Services call `announce` inside their transaction; the event leaves only after
the commit, so a write that rolls back announces nothing and a page never
re-fetches a row that is not there yet. `sections` knows nothing of how events
travel: `talk.live` listens to `changed` and publishes them.

An event names what changed ("section 12", "question 40 of section 12"), never
its content: each page fetches the fragment again with its viewer's rights.
"""

from django.db import models, transaction
from django.dispatch import Signal

# Sent with issue_id (int), kind (str) and data (dict of ids).
changed = Signal()

SECTION = "section"
QUESTION = "question"
ISSUE = "issue"  # the record: roles, highlights, owners
STATUS = "status"  # draft/live/frozen/published: the whole page changes
POINTER = "pointer"  # the host's current section and spotlighted question
EXPORTS = "exports"
INBOX = "inbox"  # a member's unread count: sent to their own pages only


def announce(issue_id: int, kind: str, **data: int) -> None:
    # robust: a live-update failure (Redis down) is logged; the write stands.
    transaction.on_commit(
        lambda: changed.send(sender=None, issue_id=issue_id, kind=kind, data=data), robust=True
    )


def announce_row(row: models.Model) -> None:
    """Announce a change to any row of an issue: for writes that do not go
    through the services (the admin)."""
    from .models import Answer, ChatLine, Claim, Item, Question, Section, Vote

    if isinstance(row, Section):
        announce(row.issue_id, SECTION, id=row.pk)
    elif isinstance(row, Item | Claim | ChatLine):
        announce(row.section.issue_id, SECTION, id=row.section_id)
    elif isinstance(row, Question):
        announce(row.section.issue_id, QUESTION, id=row.pk, section=row.section_id)
    elif isinstance(row, Answer | Vote):
        question = row.question
        announce(question.section.issue_id, QUESTION, id=question.pk, section=question.section_id)


# Sent inside the write's transaction, with kind (str), actor (User or None),
# issue_id (int) and the ids it is about: `notify` writes its outbox row in
# the same transaction, so a write that rolls back tells nobody and one that
# commits is never left untold. The kinds are notify.kinds.Kind's values.
noteworthy = Signal()


def tell(kind: str, *, issue_id: int, actor: object = None, **subject: int | str | bool) -> None:
    noteworthy.send(sender=None, kind=kind, issue_id=issue_id, actor=actor, subject=subject)
