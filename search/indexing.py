"""Keeping the index current: rows rebuilt from the content.

Every write the services make is announced after its commit (sections.events:
"section 12", "question 40 of section 12", "the record", "the whole issue"
after an import or a lifecycle move); the index listens and rebuilds the rows
of what was named, so a search right after a write finds it. The importer and `manage.py search_rebuild` rebuild whole issues.
A section is rebuilt whole (items, chat, theme, its Q&A): a few queries,
whatever it holds.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Prefetch

from sections import events
from sections.models import Answer, PostStatus, Question, Section
from talk.models import Issue

from .models import Entry, Kind
from .terms import flat, index_terms

# Where a row sits on its issue page, for results in page order.
_SECTION_STEP = 1_000_000
_KIND_STEP = {Kind.THEME: 0, Kind.ITEM: 1, Kind.CHAT: 2, Kind.QUESTION: 3, Kind.ANSWER: 3}


def _entry(
    section: Section | None, issue: Issue, kind: str, target_id: int, text: str, **fields
) -> Entry:
    position = fields.pop("position", 0)
    if section is not None:
        position += section.position * _SECTION_STEP + _KIND_STEP[kind] * 100_000
    return Entry(
        series_id=issue.series_id,
        issue=issue,
        issue_at=issue.meeting_at or issue.created_at,
        issue_number=issue.number or 0,
        section=section,
        section_kind=section.kind if section else "",
        kind=kind,
        target_id=target_id,
        text=text,
        terms=index_terms(text),
        flat=flat(text),
        position=position,
        **fields,
    )


def _name(user, name: str) -> str:
    return user.alias if user is not None else name


def _section_rows(section: Section, issue: Issue) -> list[Entry]:
    rows = []
    if section.theme:
        rows.append(
            _entry(
                section,
                issue,
                Kind.THEME,
                section.pk,
                section.theme,
                anchor=f"section-{section.pk}",
            )
        )
    for item in section.items.select_related("author").order_by("position", "id"):
        text = "\n".join(
            part for part in (item.title, item.url, item.body, item.points, item.code) if part
        )
        rows.append(
            _entry(
                section,
                issue,
                Kind.ITEM,
                item.pk,
                text,
                anchor=f"item-{item.pk}",
                alias=_name(item.author, item.author_name),
                submitted_by_id=item.submitted_by_id,
                position=item.position,
            )
        )
    for line in section.chat_lines.select_related("speaker").order_by("position", "id"):
        rows.append(
            _entry(
                section,
                issue,
                Kind.CHAT,
                line.pk,
                line.text,
                anchor=f"section-{section.pk}",
                alias=line.attribution,
                submitted_by_id=line.submitted_by_id,
                status=line.status,
                position=line.position,
            )
        )
    questions = Question.objects.filter(section=section).select_related("author")
    answers = Answer.objects.select_related("author").order_by("created_at", "id")
    for question in questions.prefetch_related(Prefetch("answers", queryset=answers)):
        rows.extend(_question_rows(question, section, issue))
    return rows


def _question_rows(question: Question, section: Section, issue: Issue) -> list[Entry]:
    answers = list(question.answers.all())
    shown = [a for a in answers if a.status == PostStatus.VISIBLE]
    rows = [
        _entry(
            section,
            issue,
            Kind.QUESTION,
            question.pk,
            question.body,
            anchor=f"question-{question.pk}",
            alias=_name(question.author, question.author_name),
            submitted_by_id=question.submitted_by_id,
            status=question.status,
            unanswered=not question.answered and not shown,
            thread=question.pk,
            position=question.position,
        )
    ]
    for answer in answers:
        # Seen only where both it and its question are.
        status = answer.status if answer.status != PostStatus.VISIBLE else question.status
        rows.append(
            _entry(
                section,
                issue,
                Kind.ANSWER,
                answer.pk,
                answer.body,
                anchor=f"answer-{answer.pk}",
                alias=_name(answer.author, answer.author_name),
                submitted_by_id=answer.submitted_by_id,
                status=status,
                thread=question.pk,
                position=question.position,
            )
        )
    return rows


def _issue_rows(issue: Issue) -> list[Entry]:
    if not issue.highlights:
        return []
    return [_entry(None, issue, Kind.HIGHLIGHTS, issue.pk, issue.highlights, anchor="issue-record")]


def _replace(stale, rows: Iterable[Entry]) -> None:
    with transaction.atomic():
        stale.delete()
        Entry.objects.bulk_create(rows, batch_size=500)


def index_section(section_id: int) -> None:
    section = Section.objects.select_related("issue").filter(pk=section_id).first()
    if section is None:
        Entry.objects.filter(section_id=section_id).delete()
        return
    _replace(Entry.objects.filter(section=section), _section_rows(section, section.issue))


def index_question(question_id: int) -> None:
    question = (
        Question.objects.select_related("section__issue", "author")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("author")))
        .filter(pk=question_id)
        .first()
    )
    if question is None:
        Entry.objects.filter(thread=question_id).delete()
        return
    _replace(
        Entry.objects.filter(thread=question.pk),
        _question_rows(question, question.section, question.section.issue),
    )


def index_issue(issue_id: int) -> None:
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None:
        return
    rows = _issue_rows(issue)
    for section in issue.sections.order_by("position", "id"):
        rows.extend(_section_rows(section, issue))
    _replace(Entry.objects.filter(issue=issue), rows)


def index_record(issue_id: int) -> None:
    """The issue's own rows (its highlights), not its sections'."""
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is not None:
        _replace(Entry.objects.filter(issue=issue, section__isnull=True), _issue_rows(issue))


def reindex_changed(sender: object, *, issue_id: int, kind: str, data: dict, **kwargs) -> None:
    """What an announced change touched (see sections.events)."""
    if kind == events.SECTION:
        index_section(data["id"])
    elif kind == events.QUESTION:
        index_question(data["id"])
    elif kind == events.ISSUE:
        index_record(issue_id)
    elif kind == events.STATUS:
        # A freeze, a publication, an import: the issue as a whole.
        index_issue(issue_id)


def rebuild() -> int:
    """Every issue's rows again; the number of rows."""
    for issue_id in Issue.objects.values_list("pk", flat=True):
        index_issue(issue_id)
    return Entry.objects.count()
