"""What a section's moderators look at."""

from dataclasses import dataclass

from django.db.models import Count, Q

from ..models import Answer, PostStatus, Report, Section
from .numbering import number_shown, numbered_shown
from .views import QueuedPost


@dataclass
class QueuedReport:
    row: Report
    post: QueuedPost


@dataclass
class ModerationQueue:
    """Posts waiting for approval, open reports, posts taken off the page,
    and every shown question (to pin, lock, hide or merge)."""

    waiting: list[QueuedPost]
    reports: list[QueuedReport]
    removed: list[QueuedPost]
    questions: list[QueuedPost]


def moderation_queue(section: Section) -> ModerationQueue:
    """A section's review queue, in a fixed number of queries."""
    questions = list(
        section.questions.select_related("author", "submitted_by", "merged_into")
        .annotate(vote_count=Count("votes"))
        .order_by("position", "id")
    )
    answers = list(
        Answer.objects.filter(question__section=section)
        .select_related("author", "submitted_by", "question")
        .order_by("created_at", "id")
    )
    numbers = number_shown(questions, section.subgroups)
    posts = [QueuedPost(row=q, kind="question", number=numbers.get(q.pk)) for q in questions]
    posts += [QueuedPost(row=a, kind="answer") for a in answers]
    reports = (
        Report.objects.filter(
            Q(question__section=section) | Q(answer__question__section=section),
            resolved_at__isnull=True,
        )
        .select_related("reporter", "question", "answer__question")
        .order_by("created_at", "id")
    )
    return ModerationQueue(
        waiting=[p for p in posts if p.row.status == PostStatus.PENDING],
        reports=[QueuedReport(row=report, post=_reported(report, numbers)) for report in reports],
        removed=[p for p in posts if p.row.status in (PostStatus.REJECTED, PostStatus.HIDDEN)],
        # In the order of their numbers, which a merge is typed by.
        questions=sorted(
            (p for p in posts if p.kind == "question" and p.row.status == PostStatus.VISIBLE),
            key=lambda p: p.number or 0,
        ),
    )


def _reported(report: Report, numbers: dict[int, int]) -> QueuedPost:
    # A report loads its own copy of the post: it takes the queue's number.
    if report.question is not None:
        return QueuedPost(
            row=report.question, kind="question", number=numbers.get(report.question.pk)
        )
    # Report's check constraint: a report without a question has an answer.
    assert report.answer is not None
    return QueuedPost(row=report.answer, kind="answer")


def question_numbered(question_id: int, number: int) -> int | None:
    """The id of the shown question numbered `number` (Q7) in the section of
    `question_id`, as the page numbers them."""
    section = Section.objects.only("subgroups").get(questions=question_id)
    numbers = numbered_shown(section.pk, section.subgroups)
    return next((pk for pk, n in numbers.items() if n == number), None)
