"""Carried-over questions: a question carried into the next issue, unanswered,
and its copy there are one conversation. Each shows the answers given to the
others, wherever they were given."""

from collections.abc import Collection

from django.db import connection
from django.db.models import Exists, OuterRef

from accounts.models import Viewer

from ..models import Answer, PostStatus, Question
from .numbering import threads
from .views import AnswerView, CarriedAnswers, QuestionView
from .visibility import visible_posts

# The question was carried into a later issue: it shows the answers given
# there (looked up only for the questions that have such a copy).
CARRIED_ON = Exists(Question.objects.filter(carried_from=OuterRef("pk")))


def carried_links(question_ids: Collection[int]) -> dict[int, set[int]]:
    """For each question, every question it was carried from or into, over any
    number of issues: one recursive query up the `carried_from` links and down
    them (a question carried twice links back step by step)."""
    ids = list(question_ids)
    if not ids:
        return {}
    table = connection.ops.quote_name(Question._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    # UNION, not UNION ALL: a pair already found ends its branch, so even a
    # loop typed by hand in the admin cannot make the recursion endless.
    sql = f"""
        WITH RECURSIVE
        up(start, id) AS (
            SELECT id, carried_from_id FROM {table}
            WHERE id IN ({marks}) AND carried_from_id IS NOT NULL
            UNION
            SELECT up.start, q.carried_from_id FROM up JOIN {table} q ON q.id = up.id
            WHERE q.carried_from_id IS NOT NULL
        ),
        down(start, id) AS (
            SELECT carried_from_id, id FROM {table} WHERE carried_from_id IN ({marks})
            UNION
            SELECT down.start, q.id FROM down JOIN {table} q ON q.carried_from_id = down.id
        )
        SELECT start, id FROM up UNION SELECT start, id FROM down
    """
    links: dict[int, set[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, ids + ids)
        for start, other in cursor.fetchall():
            if start != other:
                links.setdefault(start, set()).add(other)
    return links


def carried_answers(questions: list[QuestionView], viewer: Viewer | None) -> None:
    """Fill `carried_answers`: the answers of each question's other copies,
    oldest issue first. Two queries when a question on the page has a copy or
    an original, none otherwise: the page's query count does not grow with it."""
    linked = [
        q.row.pk for q in questions if q.row.carried_from_id or getattr(q.row, "carried_on", False)
    ]
    links = carried_links(linked)
    others = {pk for ids in links.values() for pk in ids}
    if not others:
        return
    answers = (
        Answer.objects.filter(
            visible_posts(viewer), question_id__in=others, question__status=PostStatus.VISIBLE
        )
        .select_related("author", "question__section__issue__series")
        .order_by("created_at", "id")
    )
    by_question: dict[int, list[Answer]] = {}
    for answer in answers:
        by_question.setdefault(answer.question_id, []).append(answer)
    for question in questions:
        found = [by_question[pk] for pk in links.get(question.row.pk, ()) if pk in by_question]
        found.sort(key=lambda rows: (rows[0].question.section.issue.number or 0, rows[0].pk))
        for rows in found:
            # Changed where they were given, not here (that issue may be
            # frozen): no actions on them.
            other = QuestionView(
                row=rows[0].question,
                number=question.number,
                threads=threads([AnswerView(row=answer) for answer in rows]),
            )
            question.carried_answers.append(CarriedAnswers(question=other))
