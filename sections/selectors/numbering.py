"""Where rows stand: sub-groups, question numbers, answer threads."""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..models import PostStatus, Question
from .views import AnswerView, Group


def group(
    entries: Iterable[Any],
    subgroups: list[str],
    subgroup: Callable[[Any], str] = lambda v: v.row.subgroup,
) -> list[Group]:
    """Entries (view objects, or rows with `subgroup=`) under their
    sub-group: ungrouped first, then the template's order, then any sub-group
    the template does not know (imported issues). Every group is there even
    when empty: a new row is appended to its list."""
    groups = {"": Group("")}
    for name in subgroups:
        groups[name] = Group(name)
    for entry in entries:
        name = subgroup(entry)
        groups.setdefault(name, Group(name)).entries.append(entry)
    return list(groups.values())


def number_shown(questions: Sequence[Question], subgroups: list[str]) -> dict[int, int]:
    """Q1, Q2… for the shown questions (given in the order asked), by id, in
    the order they are read: sub-group by sub-group as `group` lists them, so
    a question asked in 线上讨论 after one in 群里讨论 still comes first. One
    that is not shown (waiting, rejected, hidden, merged) gets no number: its
    author and the moderators see it among the others, and the numbers must
    stay those everyone else reads, the exports print and the queue merges by."""
    read = (q for g in group(questions, subgroups, lambda q: q.subgroup) for q in g.entries)
    shown = (q for q in read if q.status == PostStatus.VISIBLE)
    return {question.pk: number for number, question in enumerate(shown, start=1)}


def numbered_shown(section_id: int, subgroups: list[str]) -> dict[int, int]:
    """The numbers of a section's shown questions, read alone."""
    shown = list(
        Question.objects.filter(section=section_id, status=PostStatus.VISIBLE)
        .only("pk", "subgroup", "status")
        .order_by("position", "pk")
    )
    return number_shown(shown, subgroups)


def numbered_alongside(question: Question) -> dict[int, int]:
    """The numbers of the shown questions of its section; none while it is
    not shown itself (it has no number then)."""
    if question.status != PostStatus.VISIBLE:
        return {}
    return numbered_shown(question.section_id, question.section.subgroups)


def threads(answers: list[AnswerView]) -> list[AnswerView]:
    """Top-level answers, each with `children` holding its replies, nested."""
    by_parent: dict[int | None, list[AnswerView]] = {}
    for answer in answers:
        by_parent.setdefault(answer.row.parent_id, []).append(answer)
    for answer in answers:
        answer.children = by_parent.get(answer.row.pk, [])
    known = {a.row.pk for a in answers}
    # A reply whose parent is hidden from this viewer still shows, at the top.
    return [a for a in answers if a.row.parent_id is None or a.row.parent_id not in known]
