"""The issue page and its fragments as view objects, in a fixed number of
queries.

`issue_content` loads every section of an issue with its claims, items,
questions, answers and chat in one query per table, then arranges them in
Python (groups, threads, numbering, what the viewer may do) and derives what
the corpus lists by hand: the contributors (排名不分先后) and the references.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, QuerySet

from accounts.models import Viewer

from .. import policy, record
from ..models import (
    Answer,
    Attributed,
    ChatLine,
    Claim,
    Item,
    PostStatus,
    Question,
    Section,
    SectionKind,
    Vote,
)
from .carried import CARRIED_ON, carried_answers
from .contributors import issue_contributors, section_contributors, section_contributors_of
from .filters import ALL, passes, shows_for
from .numbering import group, number_shown, numbered_alongside, threads
from .references import references
from .views import (
    AnswerView,
    IssueContent,
    ItemView,
    QuestionView,
    SectionView,
)
from .visibility import visible_posts

if TYPE_CHECKING:
    from talk.models import Issue

SORTS = ("time", "votes")


def _sections(viewer: Viewer | None) -> QuerySet[Section]:
    posts = visible_posts(viewer)
    return Section.objects.prefetch_related(
        Prefetch("claims", queryset=Claim.objects.select_related("member")),
        Prefetch(
            "items", queryset=Item.objects.select_related("author").order_by("position", "id")
        ),
        Prefetch(
            "questions",
            # Explicit order: counting votes groups the rows, and Django then
            # drops the model's default ordering.
            queryset=Question.objects.filter(posts)
            .select_related("author", "carried_from__section__issue__series")
            .annotate(vote_count=Count("votes"), carried_on=CARRIED_ON)
            .order_by("position", "id"),
        ),
        Prefetch(
            "questions__answers", queryset=Answer.objects.filter(posts).select_related("author")
        ),
        Prefetch("chat_lines", queryset=ChatLine.objects.filter(posts).select_related("speaker")),
    )


def _voted(viewer: Viewer | None, **where: Any) -> set[int]:
    if viewer is None or not viewer.is_authenticated:
        return set()
    return set(Vote.objects.filter(member=viewer, **where).values_list("question_id", flat=True))


def issue_content(
    issue: "Issue", *, viewer: Viewer | None = None, sort: str = "time", show: str = ALL
) -> IssueContent:
    rows = list(_sections(viewer).filter(issue=issue))
    voted = _voted(viewer, question__section__issue=issue)
    sections = []
    for row in rows:
        row.issue = issue  # the caller's instance: no query per section
        sections.append(_arrange(row, viewer, voted, sort, show))
    return IssueContent(
        sections=sections,
        contributors=issue_contributors(issue, sections),
        references=references(sections),
    )


def section_content(
    section_id: int,
    *,
    issue: "Issue",
    viewer: Viewer | None = None,
    sort: str = "time",
    show: str = ALL,
) -> SectionView:
    """One section, arranged as on the page (for its fragment)."""
    row = _sections(viewer).get(pk=section_id, issue=issue)
    row.issue = issue
    return _arrange(row, viewer, _voted(viewer, question__section=row), sort, show)


def question_content(
    question_id: int, *, issue: "Issue", viewer: Viewer | None = None
) -> QuestionView:
    """One question with its answers and its number in the section."""
    posts = visible_posts(viewer)
    question = (
        Question.objects.filter(posts, section__issue=issue)
        .select_related("author", "section", "carried_from__section__issue__series")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.filter(posts).select_related("author")),
            Prefetch("section__claims", queryset=Claim.objects.select_related("member")),
        )
        .annotate(vote_count=Count("votes"), carried_on=CARRIED_ON)
        .get(pk=question_id)
    )
    question.section.issue = issue
    number = numbered_alongside(question).get(question.pk)
    rights = _rights(viewer, question.section)
    view = _question_view(question, rights, _voted(viewer, question=question), number)
    carried_answers([view], viewer)
    return view


def item_content(item_id: int, *, issue: "Issue", viewer: Viewer | None = None) -> ItemView:
    """One item with what the viewer may do with it (for its fragment)."""
    item = (
        Item.objects.select_related("author", "section")
        .prefetch_related(
            Prefetch("section__claims", queryset=Claim.objects.select_related("member"))
        )
        .get(pk=item_id, section__issue=issue)
    )
    item.section.issue = issue
    return fresh_item(item, item.section, viewer)


def fresh_item(item: Item, section: Section, viewer: Viewer | None) -> ItemView:
    """An item as the viewer sees it, from rows already loaded (no query)."""
    return _item_view(item, _rights(viewer, section))


def fresh_question(question: Question, section: Section, viewer: Viewer | None) -> QuestionView:
    """A just-asked question, numbered after the ones before it (none while
    it waits for approval)."""
    numbered = numbered_alongside(question)
    number = numbered.get(question.pk)
    view = _question_view(question, _rights(viewer, section), voted=set(), number=number)
    view.renumbered_others = number is not None and number < len(numbered)
    return view


def _by_list(items: list[Item]) -> dict[str, list[Item]]:
    """The section's items by the list they go in (record.list_of)."""
    lists: dict[str, list[Item]] = {area.kind: [] for area in record.AREAS}
    lists[record.BODY] = []
    for item in items:
        lists[record.list_of(item.kind)].append(item)
    return lists


@dataclass(frozen=True)
class _Rights:
    """What the viewer may do in one section, decided once from the policy:
    a page of hundreds of rows does not ask it (and the lazy request.user)
    hundreds of times."""

    viewer: Viewer | None
    may_post: bool
    may_curate: bool
    # A visitor where guests may ask and vote (policy.guests_may_ask).
    guest: bool = False

    def may_edit(self, post: Attributed) -> bool:
        """`policy.can_edit_post`, from the flags."""
        if not self.may_post or self.viewer is None:
            return False
        return self.may_curate or policy.is_own(self.viewer, post)

    def may_see_history(self, post: Attributed) -> bool:
        """An edited post, and `policy.can_see_history` from the flags: read
        on a closed issue too, where nobody may edit any more."""
        if post.edited_at is None or self.viewer is None:
            return False
        return self.may_curate or policy.is_own(self.viewer, post)


def _rights(viewer: Viewer | None, section: Section) -> _Rights:
    if viewer is None:
        return _Rights(viewer=None, may_post=False, may_curate=False)
    return _Rights(
        viewer=viewer,
        may_post=policy.may_contribute(viewer, section.issue),
        may_curate=policy.can_curate_section(viewer, section),
        guest=not viewer.is_authenticated and policy.guests_may_ask(section.issue),
    )


def _item_view(item: Item, rights: _Rights) -> ItemView:
    return ItemView(
        row=item,
        may_edit=rights.may_edit(item),
        may_curate=rights.may_curate,
        may_see_history=rights.may_see_history(item),
    )


def _arrange(
    row: Section, viewer: Viewer | None, voted: set[int], sort: str, show: str
) -> SectionView:
    """Lay a loaded section out for its template."""
    items = list(row.items.all())
    owners = [claim.member for claim in row.claims.all()]
    rights = _rights(viewer, row)
    views = {item.pk: _item_view(item, rights) for item in items}
    lists = _by_list(items)
    body = [views[item.pk] for item in lists[record.BODY]]
    section = SectionView(
        row=row,
        owners=owners,
        viewer_owns=viewer is not None and any(o.pk == viewer.pk for o in owners),
        may_curate=rights.may_curate,
        may_post=rights.may_post,
        guests_ask=rights.guest and row.kind == SectionKind.QUESTIONS,
        nominations=[views[item.pk] for item in lists[record.NOMINATIONS.kind]],
        suggestions=[views[item.pk] for item in lists[record.SUGGESTIONS.kind]],
        groups=group(body, row.subgroups),
        # Sections of other kinds take no items, but an import keeps there,
        # as notes, what it could not classify; a references section's
        # entries with a link are in the references list already.
        notes=[v for v in body if not (row.kind == SectionKind.REFERENCES and v.row.url)],
        sort=sort,
    )
    if row.kind == SectionKind.QUESTIONS:
        questions = list(row.questions.all())
        numbers = number_shown(questions, row.subgroups)
        arranged = [_question_view(q, rights, voted, numbers.get(q.pk)) for q in questions]
        carried_answers(arranged, viewer)
        section.numbered_questions = arranged
        section.show, section.shows = show, shows_for(viewer)
        kept = [q for q in arranged if passes(q, show, viewer)]
        section.hidden = len(arranged) - len(kept)
        arranged = kept
        if sort == "votes":
            # A stable sort: equal votes stay in the order they were asked.
            arranged = sorted(arranged, key=lambda q: -q.vote_count)
        # Pinned questions lead, in either order; numbers stay as asked.
        arranged = sorted(arranged, key=lambda q: not q.row.pinned)
        notes = {g.name: g.entries for g in group(section.notes, row.subgroups)}
        section.question_groups = group(arranged, [*row.subgroups, *notes])
        for question_group in section.question_groups:
            question_group.notes = notes.get(question_group.name, [])
    section.contributors = section_contributors_of(section)
    return section


def _question_view(
    question: Question, rights: _Rights, voted: set[int], number: int | None
) -> QuestionView:
    """What the viewer may do with a question and its answers, worked out
    once here rather than in the template for each of hundreds of rows."""
    viewer = rights.viewer
    asker = rights.may_post and viewer is not None and policy.is_own(viewer, question)
    # Only a shown question takes answers and votes (the services say so):
    # its author and the admins also see it while it waits or is hidden.
    shown = question.status == PostStatus.VISIBLE
    answers = [
        AnswerView(
            row=answer,
            may_edit=rights.may_edit(answer),
            may_report=viewer is not None and policy.may_report(viewer, answer),
            may_see_history=rights.may_see_history(answer),
        )
        for answer in question.answers.all()
    ]
    return QuestionView(
        row=question,
        number=number,
        vote_count=getattr(question, "vote_count", 0),
        threads=threads(answers),
        voted=question.pk in voted,
        is_asker=asker,
        may_answer=rights.may_post and shown and not question.locked,
        may_vote=rights.may_post and shown and not asker,
        may_guest_vote=rights.guest and shown,
        may_settle=rights.may_post and shown and (asker or rights.may_curate),
        may_edit=rights.may_edit(question),
        may_report=viewer is not None and policy.may_report(viewer, question),
        may_see_history=rights.may_see_history(question),
    )


def section_lines(
    row: Section,
    viewer: Viewer | None,
    *,
    with_contributors: bool = True,
    with_nominations: bool = False,
) -> SectionView:
    """A section's lines around its rows, read narrowly after a post or a
    removal, and only what is asked for: the contributors, and the
    nominations for the theme picker. Not its rows."""
    rights = _rights(viewer, row)
    return SectionView(
        row=row,
        contributors=section_contributors(row) if with_contributors else [],
        may_curate=rights.may_curate,
        may_post=rights.may_post,
        nominations=(
            [
                ItemView(row=item)
                for item in row.items.filter(kind=record.NOMINATIONS.kind).order_by(
                    "position", "id"
                )
            ]
            if with_nominations
            else []
        ),
    )
