"""What an issue left open, copied into the issue after it: questions not
answered, nominations not chosen. Nothing comes twice, and a copy someone
deleted comes back when the carry-over runs again."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from accounts.models import Viewer
from accounts.services import audit_record
from sections import events
from sections.errors import Invalid, IssueClosed, NotAllowed
from sections.models import Answer, Item, PostStatus, Question, Section, SectionKind
from sections.policy import can_curate_issue, require_member
from sections.selectors import carried_links

from ..models import Issue, IssueStatus


@dataclass(frozen=True)
class CarriedOver:
    questions: int
    nominations: int


@transaction.atomic
def issue_carry_over(*, issue: Issue, user: Viewer | None) -> CarriedOver:
    """Carry over into `issue` again from the issue before it, adding only
    what is missing: a copy someone deleted comes back, nothing comes twice.
    Admins, or the host or editor of either issue."""
    issue = (
        Issue.objects.select_for_update(of=("self",))
        .select_related("series", "host", "editor")
        .get(pk=issue.pk)
    )
    previous = (
        Issue.objects.filter(series=issue.series_id, number__lt=issue.number)
        .select_related("series", "host", "editor")
        .order_by("-number")
        .first()
        if issue.number is not None
        else None
    )
    if user is not None:
        user = require_member(user)
        if not (
            can_curate_issue(user, issue)
            or (previous is not None and can_curate_issue(user, previous))
        ):
            raise NotAllowed(_("Only the host, the editor and admins can do that."))
    if previous is None:
        raise Invalid(_("%(title)s has no issue before it.") % {"title": issue.title})
    if issue.status not in (IssueStatus.DRAFT, IssueStatus.LIVE):
        raise IssueClosed(_("Only a draft or a live issue takes what is carried over."))
    carried = copy_left_open(previous=previous, issue=issue)
    audit_record(
        actor=user,
        action="issue.carry_over",
        target=issue,
        scope=f"{issue.series.slug}/{issue.code}",
        after={
            "from": previous.code,
            "questions": carried.questions,
            "nominations": carried.nominations,
        },
    )
    return carried


def copy_left_open(*, previous: Issue, issue: Issue) -> CarriedOver:
    """The copying itself, for the services that have checked who asks and
    the issues' states (`issue_carry_over`, `issue_open_next`)."""
    targets = {section.key: section for section in issue.sections.all()}
    questions = _carry_questions(previous, issue, targets)
    nominations = _carry_nominations(previous, issue, targets)
    rows: list[Question | Item] = [*questions, *nominations]
    for section_id in {row.section_id for row in rows}:
        events.announce(issue.pk, events.SECTION, id=section_id)
    return CarriedOver(questions=len(questions), nominations=len(nominations))


def _next_positions(model: type[Question | Item], issue: Issue) -> dict[int, int]:
    rows = model.objects.filter(section__issue=issue).values("section_id")
    return dict(rows.annotate(last=Max("position")).values_list("section_id", "last"))


def _carry_questions(previous: Issue, issue: Issue, targets: dict[str, Section]) -> list[Question]:
    """Questions the previous issue left open: shown, not merged into another,
    not marked answered and without a shown answer (their own, or one given
    to another copy of them), into the section with the same key."""
    left = list(
        Question.objects.filter(
            section__issue=previous,
            section__kind=SectionKind.QUESTIONS,
            status=PostStatus.VISIBLE,
            merged_into__isnull=True,
            answered=False,
        )
        .select_related("section")
        .order_by("section__position", "position", "id")
    )
    links = carried_links([q.pk for q in left])
    thread = {q.pk: {q.pk, *links.get(q.pk, ())} for q in left}
    answered = set(
        Answer.objects.filter(
            status=PostStatus.VISIBLE,
            question_id__in={pk for ids in thread.values() for pk in ids},
        ).values_list("question_id", flat=True)
    )
    there = set(
        Question.objects.filter(section__issue=issue, carried_from__in=left).values_list(
            "carried_from_id", flat=True
        )
    )
    last = _next_positions(Question, issue)
    copies = []
    for question in left:
        target = targets.get(question.section.key)
        if (
            target is None
            or target.kind != SectionKind.QUESTIONS
            or question.pk in there
            or thread[question.pk] & answered
        ):
            continue
        last[target.pk] = last.get(target.pk, 0) + 1
        copies.append(
            Question(
                section=target,
                carried_from=question,
                body=question.body,
                author_id=question.author_id,
                author_name=question.author_name,
                subgroup=question.subgroup,
                # Still closed to answers: the stewards closed it, not the week.
                locked=question.locked,
                position=last[target.pk],
            )
        )
    # The unique (section, carried_from) constraint is the last word if two
    # carry-overs ever met; the issue row lock makes that not happen.
    Question.objects.bulk_create(copies, ignore_conflicts=True)
    return copies


def _chosen(nomination: Item) -> bool:
    section = nomination.section
    theme = section.theme.strip()
    return nomination.pk == section.theme_item_id or bool(
        theme and nomination.title.strip() == theme
    )


def _carry_nominations(previous: Issue, issue: Issue, targets: dict[str, Section]) -> list[Item]:
    """Nominations that were not chosen as their section's theme, into the
    nominations area of the section with the same key."""
    left = [
        nomination
        for nomination in Item.objects.filter(section__issue=previous, kind=Item.Kind.NOMINATION)
        .select_related("section")
        .order_by("section__position", "position", "id")
        if not _chosen(nomination)
    ]
    there = set(
        Item.objects.filter(section__issue=issue, carried_from__in=left).values_list(
            "carried_from_id", flat=True
        )
    )
    last = _next_positions(Item, issue)
    copies = []
    for nomination in left:
        target = targets.get(nomination.section.key)
        if target is None or not target.has_nominations or nomination.pk in there:
            continue
        last[target.pk] = last.get(target.pk, 0) + 1
        copies.append(
            Item(
                section=target,
                kind=Item.Kind.NOMINATION,
                carried_from=nomination,
                subgroup=nomination.subgroup,
                title=nomination.title,
                url=nomination.url,
                url_key=nomination.url_key,
                body=nomination.body,
                points=nomination.points,
                code=nomination.code,
                language=nomination.language,
                author_id=nomination.author_id,
                author_name=nomination.author_name,
                position=last[target.pk],
            )
        )
    Item.objects.bulk_create(copies, ignore_conflicts=True)
    return copies
