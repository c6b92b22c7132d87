"""Contributors (【贡献者】, and the issue's 排名不分先后): who brought what,
by alias or plain name, never anything of their account."""

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Q, QuerySet

from ..models import Answer, Attributed, ChatLine, Claim, Item, PostStatus, Question, Section
from .views import SectionView

if TYPE_CHECKING:
    from talk.models import Issue


def section_contributors(section: Section) -> list[str]:
    """The section's contributors (【贡献者】) read with narrow queries, for
    updating that line alone after a post; `_section_contributors` is the
    same list built from a fully loaded section."""
    posts = Q(status=PostStatus.VISIBLE)
    names = list(
        Claim.objects.filter(section=section)
        .order_by("slot")
        .values_list("member__alias", flat=True)
    )
    names += list(section.contributor_names)
    names += _attributed(Item.objects.filter(section=section).order_by("position", "id"))
    questions = Question.objects.filter(posts, section=section).order_by("position", "id")
    names += _attributed(questions)
    answers = Answer.objects.filter(posts, question__in=questions)
    names += _attributed(answers.order_by("question__position", "question_id", "created_at", "id"))
    speakers = ChatLine.objects.filter(section=section).order_by("position", "id")
    names += [
        alias or name for alias, name in speakers.values_list("speaker__alias", "speaker_name")
    ]
    return _unique(names)


# Whether a name is already among a section's contributors, as one
# statement: it runs on every post, and the ORM takes longer to build five
# subqueries than the database takes to answer them. The same sources as
# `section_contributors`: owners, items, visible questions and answers, chat.
NAME_LISTED_SQL = """
SELECT EXISTS (
    SELECT 1 FROM sections_item p LEFT JOIN accounts_user u ON u.id = p.author_id
    WHERE p.section_id = %(section)s AND p.id <> %(item)s
      AND (u.alias = %(name)s OR (p.author_id IS NULL AND p.author_name = %(name)s))
) OR EXISTS (
    SELECT 1 FROM sections_question p LEFT JOIN accounts_user u ON u.id = p.author_id
    WHERE p.section_id = %(section)s AND p.id <> %(question)s AND p.status = %(visible)s
      AND (u.alias = %(name)s OR (p.author_id IS NULL AND p.author_name = %(name)s))
) OR EXISTS (
    SELECT 1 FROM sections_answer p
    JOIN sections_question q ON q.id = p.question_id
    LEFT JOIN accounts_user u ON u.id = p.author_id
    WHERE q.section_id = %(section)s AND q.status = %(visible)s AND p.status = %(visible)s
      AND (u.alias = %(name)s OR (p.author_id IS NULL AND p.author_name = %(name)s))
) OR EXISTS (
    SELECT 1 FROM sections_claim c JOIN accounts_user u ON u.id = c.member_id
    WHERE c.section_id = %(section)s AND u.alias = %(name)s
) OR EXISTS (
    SELECT 1 FROM sections_chatline c LEFT JOIN accounts_user u ON u.id = c.speaker_id
    WHERE c.section_id = %(section)s
      AND (u.alias = %(name)s OR (c.speaker_id IS NULL AND c.speaker_name = %(name)s))
)
"""


def new_contributor(section: Section, row: Item | Question) -> str:
    """The name `row` (just added) brings to the section's contributors, or ""
    when that name is already listed; one query, so an add does not read the
    whole section back to update one line."""
    name = row.attribution
    if not name or name in section.contributor_names:
        return ""
    params: dict[str, int | str] = {
        "section": section.pk,
        # The new row itself does not count; ids start at 1.
        "item": row.pk if isinstance(row, Item) else 0,
        "question": row.pk if isinstance(row, Question) else 0,
        "visible": PostStatus.VISIBLE.value,
        "name": name,
    }
    with connection.cursor() as cursor:
        cursor.execute(NAME_LISTED_SQL, params)
        (listed,) = cursor.fetchone()
    return "" if listed else name


def _attributed(rows: QuerySet) -> list[str]:
    return [alias or name for alias, name in rows.values_list("author__alias", "author_name")]


def _names(rows: Iterable[Attributed | ChatLine]) -> list[str]:
    return [row.attribution for row in rows if row.attribution]


def section_contributors_of(section: SectionView) -> list[str]:
    """`section_contributors`, from a section already arranged (no query)."""
    row = section.row
    names = [m.alias for m in section.owners] + list(row.contributor_names)
    names += _names(item for item in row.items.all())
    questions = [q.row for q in section.numbered_questions]
    names += _names(questions) + [n for q in questions for n in _names(q.answers.all())]
    names += _names(row.chat_lines.all())
    return _unique(names)


def issue_contributors(issue: "Issue", sections: list[SectionView]) -> list[str]:
    names = [issue.host_display, issue.editor_display]
    for section in sections:
        names += section.contributors
    return _unique(n for part in names for n in split_names(part))


def split_names(text: str) -> list[str]:
    """The names in a host or editor line."""
    # Imported hosts read "suc16、初七"; each is a contributor of their own.
    return [n.strip() for n in re.split(r"[、,，]", text or "") if n.strip()]


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))
