"""The issue's lifecycle: the moves of talk.lifecycle, made by its stewards."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Viewer
from accounts.services import audit_record
from sections import events
from sections.errors import Invalid, IssueClosed
from sections.policy import require_steward

from ..lifecycle import CORRECT, FREEZE, PUBLISH, START, lifecycle_move, moves_named
from ..models import Issue, Revision
from ..snapshot import snapshot_build
from .exports import exports_create

# The moves the members and the series' chats hear of.
TOLD = {START: "meeting_started", PUBLISH: "issue_published"}


def _move(issue_id: int, user: Viewer | None, action: str) -> Issue:
    issue = Issue.objects.select_related("series", "host", "editor").get(pk=issue_id)
    member = require_steward(user, issue)
    # A conditional UPDATE on the states the move starts from: of two clicks
    # at once, the second finds the state changed and is refused.
    for move in moves_named(action):
        if Issue.objects.filter(move.condition, pk=issue_id).update(**move.change):
            break
    else:
        raise IssueClosed(move.refusal)
    events.announce(issue_id, events.STATUS)
    if action in TOLD:
        events.tell(TOLD[action], issue_id=issue_id, actor=member)
    issue.refresh_from_db()
    audit_record(
        actor=member,
        # Named by the verb, as every audit action is ("issue.freeze"): the
        # status it led to ("issue.published") gave one log two spellings.
        action=f"issue.{action}",
        target=issue,
        scope=f"{issue.series.slug}/{issue.code}",
        after={key: str(value) for key, value in move.change.items()},
    )
    return issue


@transaction.atomic
def issue_start(*, issue_id: int, user: Viewer | None) -> Issue:
    """The meeting begins: draft → live."""
    return _move(issue_id, user, START)


@transaction.atomic
def issue_publish(*, issue_id: int, user: Viewer | None) -> Issue:
    """A frozen issue goes to the public archive and the feed."""
    return _move(issue_id, user, PUBLISH)


@transaction.atomic
def issue_correct(*, issue_id: int, user: Viewer | None) -> Issue:
    """Open a frozen or published issue for a correction."""
    return _move(issue_id, user, CORRECT)


CHANGE_NOTE_MAX = 2000


@transaction.atomic
def issue_freeze(*, issue_id: int, user: Viewer | None, note: str = "") -> Revision:
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
    member = require_steward(user, issue)
    move = lifecycle_move(issue, FREEZE)
    if move is None:
        raise IssueClosed(moves_named(FREEZE)[0].refusal)
    number = (issue.revisions.aggregate(last=Max("number"))["last"] or 0) + 1
    if number > 1 and not note.strip():
        raise Invalid(_("Say in a few words what the correction changed."))
    try:
        MaxLengthValidator(CHANGE_NOTE_MAX)(note.strip())
    except ValidationError as error:
        raise Invalid(error.messages[0]) from None
    now = timezone.now()
    # A corrected published issue stays in the archive and the feed, now
    # with its new revision (the move keeps its status): it was already
    # public, and taking it off until someone publishes it again would hide
    # it for a typo fix.
    for field, value in move.change.items():
        setattr(issue, field, value)
    # The meeting is over: nothing is "current" in a frozen record.
    issue.current_section = issue.spotlight = issue.section_started_at = None
    issue.save(
        update_fields=[
            "status",
            "correcting",
            "current_section",
            "spotlight",
            "section_started_at",
            "updated_at",
        ]
    )
    revision = Revision.objects.create(
        issue=issue,
        number=number,
        note=note.strip(),
        snapshot=snapshot_build(issue, revision=number, note=note.strip(), frozen_at=now),
        created_by=member,
    )
    audit_record(
        actor=member,
        action="issue.freeze",
        target=issue,
        scope=f"{issue.series.slug}/{issue.code}",
        after={"revision": number, "note": revision.note},
    )
    events.announce(issue.pk, events.STATUS)
    exports_create(revision=revision)
    return revision


def issue_move(*, issue_id: int, user: Viewer | None, action: str, note: str = "") -> Issue:
    """Make a lifecycle move by its name (what the host's desk posts); `note`
    is the freeze's: what a correction changed."""
    if action == FREEZE:
        return issue_freeze(issue_id=issue_id, user=user, note=note).issue
    with transaction.atomic():
        return _move(issue_id, user, action)
