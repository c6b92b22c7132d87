"""The meeting (live): the host walks the sections, spotlights questions and
writes the highlights line; everyone's page follows. And who may ask in the
room: whether guests may."""

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Viewer
from accounts.services import audit_record
from sections import events
from sections.errors import DeskError, Invalid, IssueClosed, StaleWrite
from sections.models import Item, PostStatus, Question
from sections.policy import require_open, require_steward
from sections.selectors import SHOWN, WALKED

from ..models import Issue, IssueStatus


class PointerMoved(DeskError):
    """The host and the editor pressed "next" at once: the second is told
    where the meeting is now instead of skipping a section."""

    status = 409


class NothingLeft(DeskError):
    """A key pressed for the next question or item when none is left."""

    status = 409


def _meeting_issue(issue_id: int, user: Viewer) -> Issue:
    issue = Issue.objects.select_related("series", "host", "editor").get(pk=issue_id)
    require_steward(user, issue)
    if issue.status != IssueStatus.LIVE:
        raise IssueClosed(_("That is for the meeting: start it first (it is not live)."))
    return issue


@transaction.atomic
def issue_pointer_move(
    *,
    issue_id: int,
    user: Viewer,
    expected_id: int | None,
    step: int = 0,
    section_id: int | None = None,
) -> Issue:
    """Move the meeting to a section: `step` +1/-1 from `expected_id` (where
    the host saw the pointer), or straight to `section_id`. The move is a
    conditional UPDATE on the pointer the host saw, so two stewards pressing
    "next" at once move it once; the second is told where it is now."""
    issue = _meeting_issue(issue_id, user)
    order = list(issue.sections.order_by("position", "id").values_list("pk", flat=True))
    # Only the sections the page shows: an imported block that holds nothing
    # (序章) is not on the page, so the room could not follow the host there.
    shown = set(issue.sections.filter(SHOWN).values_list("pk", flat=True))
    walk = [pk for pk in order if pk in shown]
    target: int | None
    if section_id is not None:
        if section_id not in walk:
            raise Invalid(_("That section is not part of this issue."))
        target = section_id
    elif expected_id is None:
        target = (walk[0] if step >= 0 else walk[-1]) if walk else None
    elif expected_id in order:
        # Counted from where the pointer is, even on a section not shown.
        index = order.index(expected_id)
        ahead = order[index + 1 :] if step > 0 else order[:index][::-1] if step < 0 else []
        target = next((pk for pk in ahead if pk in shown), expected_id)
    else:
        raise Invalid(_("That section is not part of this issue."))
    where_seen = Issue.objects.filter(
        pk=issue_id, status=IssueStatus.LIVE, current_section_id=expected_id
    )
    if target == expected_id:
        # Already there ("next" at the last section, or "go" to the current
        # one): the section's clock keeps running rather than start again.
        moved = where_seen.exists()
    else:
        moved = where_seen.update(current_section_id=target, section_started_at=timezone.now()) > 0
    issue = Issue.objects.select_related("current_section").get(pk=issue_id)
    if not moved:
        where = issue.current_section.title if issue.current_section else _("no section")
        raise PointerMoved(
            _("The meeting has already moved on: it is at %(section)s now.") % {"section": where}
        )
    if target != expected_id:
        events.announce(issue_id, events.POINTER)
    return issue


@transaction.atomic
def issue_spotlight(*, issue_id: int, user: Viewer, question_id: int | None) -> Issue:
    """Put a question in the spotlight for everyone (None: clear it)."""
    _meeting_issue(issue_id, user)
    if question_id is not None:
        visible = Question.objects.filter(
            pk=question_id, section__issue_id=issue_id, status=PostStatus.VISIBLE
        )
        if not visible.exists():
            raise Invalid(_("Only a visible question of this issue can be discussed."))
        # The pages show no mark of it: the pointer's event is all they need.
        visible.update(discussed=True)
    Issue.objects.filter(pk=issue_id).update(spotlight_id=question_id)
    events.announce(issue_id, events.POINTER)
    return Issue.objects.get(pk=issue_id)


@transaction.atomic
def issue_spotlight_next(*, issue_id: int, user: Viewer) -> Issue:
    """Spotlight the most-voted visible question not discussed yet (equal
    votes: the one asked first), wherever in the issue it was asked."""
    _meeting_issue(issue_id, user)
    waiting = (
        Question.objects.filter(
            section__issue_id=issue_id, status=PostStatus.VISIBLE, discussed=False
        )
        .annotate(vote_count=Count("votes"))
        .order_by("-vote_count", "created_at", "id")
    )
    question_id = waiting.values_list("pk", flat=True).first()
    if question_id is None:
        raise NothingLeft(_("Every question has been discussed: none is left to spotlight."))
    return issue_spotlight(issue_id=issue_id, user=user, question_id=question_id)


@transaction.atomic
def issue_discuss_next_item(*, issue_id: int, user: Viewer) -> Item:
    """Mark the current section's next item not discussed yet as discussed:
    the host walks the section's items one key press at a time."""
    issue = _meeting_issue(issue_id, user)
    if issue.current_section_id is None:
        raise Invalid(_("Begin with a section first: no section is under way."))
    item = (
        Item.objects.select_for_update()
        .filter(WALKED, section_id=issue.current_section_id, discussed=False)
        .order_by("position", "id")
        .first()
    )
    if item is None:
        raise NothingLeft(_("Every item of this section has been discussed."))
    Item.objects.filter(pk=item.pk).update(discussed=True)
    item.discussed = True
    events.announce(issue_id, events.SECTION, id=item.section_id)
    return item


@transaction.atomic
def issue_highlights_save(*, issue_id: int, user: Viewer, version: int, text: str) -> Issue:
    """Save the highlights line (本期提要). Host and editor may both type it
    during the meeting: a save over a newer version is refused, never lost."""
    issue = Issue.objects.select_related("host", "editor").get(pk=issue_id)
    require_steward(user, issue)
    require_open(issue, user)
    saved = Issue.objects.filter(pk=issue_id, version=version).update(
        highlights=text.strip(), version=F("version") + 1, updated_at=timezone.now()
    )
    current = Issue.objects.select_related("series", "host", "editor").get(pk=issue_id)
    if not saved:
        raise StaleWrite(current)
    events.announce(issue_id, events.ISSUE)
    return current


@transaction.atomic
def issue_guests_set(*, issue_id: int, user: Viewer, allowed: bool | None) -> Issue:
    """Let visitors without an account ask and vote in this issue (True),
    keep them out (False), or do as the series says (None). A steward's
    choice, in the audit log."""
    issue = Issue.objects.select_for_update().select_related("series").get(pk=issue_id)
    steward = require_steward(user, issue)
    require_open(issue, user)
    before = issue.guest_questions
    Issue.objects.filter(pk=issue_id).update(guest_questions=allowed)
    audit_record(
        actor=steward,
        action="issue.guest-questions",
        target=issue,
        scope=f"{issue.series.slug}/{issue.code}",
        before={"guest_questions": before},
        after={"guest_questions": allowed},
    )
    events.announce(issue_id, events.STATUS)
    return Issue.objects.select_related("series").get(pk=issue_id)
