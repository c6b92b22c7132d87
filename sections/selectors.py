"""Reads for the issue page, its fragments and the exports, in a fixed number
of queries.

`issue_content` loads every section of an issue with its claims, items,
questions, answers and chat in one query per table, then arranges them in
Python (groups, threads, numbering, what the viewer may do) and derives what
the corpus lists by hand: the contributors (排名不分先后) and the references
(every link, in order, without duplicates).
"""

import hashlib
import re
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from . import policy
from .markup import safe_url
from .models import Answer, ChatLine, Claim, Item, PostStatus, Question, Section, SectionKind, Vote

URL_RE = re.compile(r"https?://[^\s<>()\[\]{}\"'，。；、（）【】]+")
TRAILING_PUNCTUATION = ".,;:!?"
SORTS = ("time", "votes")


@dataclass
class Group:
    name: str
    entries: list = field(default_factory=list)

    @property
    def key(self) -> str:
        """A stable id part for the group's list, so a new row can be
        appended to it: sub-group names are free text (Chinese, spaces)."""
        return group_key(self.name)


def group_key(name: str) -> str:
    return hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()[:8] if name else "main"


@dataclass
class Reference:
    title: str
    url: str


@dataclass
class IssueContent:
    sections: list[Section]
    contributors: list[str]
    references: list[Reference]

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


def visible_posts(viewer) -> Q:
    """Posts everyone sees, plus the viewer's own pending or rejected ones."""
    visible = Q(status=PostStatus.VISIBLE)
    if viewer is not None and viewer.is_authenticated:
        if viewer.is_staff:
            return Q()
        return visible | Q(submitted_by=viewer)
    return visible


def _sections(viewer) -> QuerySet:
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
            .select_related("author", "carried_from__section__issue")
            .annotate(vote_count=Count("votes"))
            .order_by("position", "id"),
        ),
        Prefetch(
            "questions__answers", queryset=Answer.objects.filter(posts).select_related("author")
        ),
        Prefetch("chat_lines", queryset=ChatLine.objects.select_related("speaker")),
    )


def _voted(viewer, **where) -> set[int]:
    if viewer is None or not viewer.is_authenticated:
        return set()
    return set(Vote.objects.filter(member=viewer, **where).values_list("question_id", flat=True))


def issue_content(issue, *, viewer=None, sort: str = "time") -> IssueContent:
    sections = list(_sections(viewer).filter(issue=issue))
    voted = _voted(viewer, question__section__issue=issue)
    for section in sections:
        section.issue = issue  # the caller's instance: no query per section
        _arrange(section, viewer, voted, sort)
    return IssueContent(
        sections=sections,
        contributors=_issue_contributors(issue, sections),
        references=_references(sections),
    )


def section_content(section_id: int, *, issue, viewer=None, sort: str = "time") -> Section:
    """One section, arranged as on the page (for its fragment)."""
    section = _sections(viewer).get(pk=section_id, issue=issue)
    section.issue = issue
    _arrange(section, viewer, _voted(viewer, question__section=section), sort)
    return section


def question_content(question_id: int, *, issue, viewer=None) -> Question:
    """One question with its answers and its number in the section."""
    posts = visible_posts(viewer)
    question = (
        Question.objects.filter(posts, section__issue=issue)
        .select_related("author", "section")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.filter(posts).select_related("author")),
            Prefetch("section__claims", queryset=Claim.objects.select_related("member")),
        )
        .annotate(vote_count=Count("votes"))
        .get(pk=question_id)
    )
    question.section.issue = issue
    question.section.viewer_can_curate = viewer is not None and policy.can_curate_section(
        viewer, question.section
    )
    earlier = Question.objects.filter(posts, section=question.section_id).filter(
        Q(position__lt=question.position) | Q(position=question.position, pk__lt=question.pk)
    )
    question.number = earlier.count() + 1
    _arrange_question(question, question.section, viewer, _voted(viewer, question=question))
    return question


def item_content(item_id: int, *, issue, viewer=None) -> Item:
    """One item with what the viewer may do with it (for its fragment)."""
    item = (
        Item.objects.select_related("author", "section")
        .prefetch_related(
            Prefetch("section__claims", queryset=Claim.objects.select_related("member"))
        )
        .get(pk=item_id, section__issue=issue)
    )
    section = item.section
    section.issue = issue
    section.viewer_can_curate = viewer is not None and policy.can_curate_section(viewer, section)
    item.viewer_can_edit = _can_post(viewer, section) and policy.can_edit_post(
        viewer, item, section
    )
    return item


def fresh_item(item: Item, section: Section, viewer) -> Item:
    """A just-created item, ready for its template (no query)."""
    section.viewer_can_curate = policy.can_curate_section(viewer, section)
    item.viewer_can_edit = _can_post(viewer, section) and policy.can_edit_post(
        viewer, item, section
    )
    return item


def fresh_question(question: Question, section: Section, viewer) -> Question:
    """A just-asked question, numbered after the ones before it."""
    section.viewer_can_curate = policy.can_curate_section(viewer, section)
    # It was appended last: every other question the viewer sees comes first.
    others = Question.objects.filter(visible_posts(viewer), section=section).exclude(pk=question.pk)
    question.number = others.count() + 1
    question.vote_count = 0
    _arrange_question(question, section, viewer, voted=set())
    return question


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


def new_contributor(section: Section, row) -> str:
    """The name `row` (just added) brings to the section's contributors, or ""
    when that name is already listed. A few EXISTS queries, so an add does not
    read the whole section back to update one line."""
    name = row.attribution
    if not name or name in section.contributor_names:
        return ""
    by_name = Q(author__alias=name) | Q(author__isnull=True, author_name=name)
    visible = Q(status=PostStatus.VISIBLE)
    # Lazily, most likely first: usually the first check already finds them.
    already = (
        lambda: Item.objects.filter(by_name, section=section).exclude(pk=_pk_if(row, Item)),
        lambda: Question.objects.filter(by_name, visible, section=section).exclude(
            pk=_pk_if(row, Question)
        ),
        lambda: Answer.objects.filter(by_name, visible, question__section=section),
        lambda: Claim.objects.filter(section=section, member__alias=name),
        lambda: ChatLine.objects.filter(
            Q(speaker__alias=name) | Q(speaker__isnull=True, speaker_name=name), section=section
        ),
    )
    return "" if any(rows().exists() for rows in already) else name


def _pk_if(row, model) -> int | None:
    return row.pk if isinstance(row, model) else None


def _attributed(rows: QuerySet) -> list[str]:
    return [alias or name for alias, name in rows.values_list("author__alias", "author_name")]


def _arrange(section: Section, viewer, voted: set[int], sort: str) -> None:
    """Lay a loaded section out for its template. Permissions are worked out
    here per row, from the section's own flags, so a page of hundreds of rows
    does not ask the policy (and the lazy request.user) hundreds of times."""
    items = list(section.items.all())
    section.owners = [claim.member for claim in section.claims.all()]
    section.viewer_owns = viewer is not None and any(o.pk == viewer.pk for o in section.owners)
    section.viewer_can_curate = viewer is not None and policy.can_curate_section(viewer, section)
    section.viewer_can_post = _can_post(viewer, section)
    may_edit = _editor_check(viewer, section)
    for item in items:
        item.viewer_can_edit = may_edit(item)
    section.nominations = [i for i in items if i.kind == Item.Kind.NOMINATION]
    section.suggestions = [i for i in items if i.kind == Item.Kind.SUGGESTION]
    body = [i for i in items if i.kind not in (Item.Kind.NOMINATION, Item.Kind.SUGGESTION)]
    section.groups = _group(body, section.subgroups)
    section.numbered_questions = []
    section.sort = sort
    if section.kind == SectionKind.QUESTIONS:
        questions = list(section.questions.all())
        for number, question in enumerate(questions, start=1):
            question.number = number
            _arrange_question(question, section, viewer, voted)
        section.numbered_questions = questions
        if sort == "votes":
            questions = sorted(questions, key=lambda q: (-q.vote_count, q.number))
        section.question_groups = _group(questions, section.subgroups)
    section.contributors = _section_contributors(section, items)


def _can_post(viewer, section: Section) -> bool:
    return (
        viewer is not None
        and viewer.is_authenticated
        and section.issue.accepts_content_from(viewer)
    )


def _editor_check(viewer, section: Section):
    """`policy.can_edit_post` for many rows of one section, decided once."""
    if not _can_post(viewer, section):
        return lambda post: False
    if policy.can_curate_section(viewer, section):
        return lambda post: True
    return lambda post: policy.is_own(viewer, post)


def _arrange_question(question: Question, section: Section, viewer, voted: set[int]) -> None:
    """What the viewer may do with a question and its answers, worked out
    once here rather than in the template for each of hundreds of rows."""
    answers = list(question.answers.all())
    question.threads = _threads(answers)
    question.viewer_voted = question.pk in voted
    can_post = _can_post(viewer, section)
    asker = can_post and policy.is_own(viewer, question)
    question.viewer_is_asker = asker
    question.viewer_can_answer = can_post
    question.viewer_can_vote = can_post and not asker
    question.viewer_can_settle = can_post and (asker or section.viewer_can_curate)
    may_edit = _editor_check(viewer, section)
    question.viewer_can_edit = may_edit(question)
    for answer in answers:
        answer.viewer_can_edit = may_edit(answer)


def _group(rows: list, subgroups: list[str]) -> list[Group]:
    """Rows under their sub-group: ungrouped first, then the template's order,
    then any sub-group the template does not know (imported issues). Every
    group is there even when empty: a new row is appended to its list."""
    groups = {"": Group("")}
    for name in subgroups:
        groups[name] = Group(name)
    for row in rows:
        groups.setdefault(row.subgroup, Group(row.subgroup)).entries.append(row)
    return list(groups.values())


def _threads(answers: list[Answer]) -> list[Answer]:
    """Top-level answers, each with `.children` holding its replies, nested."""
    by_parent: dict[int | None, list[Answer]] = {}
    for answer in answers:
        by_parent.setdefault(answer.parent_id, []).append(answer)
    for answer in answers:
        answer.children = by_parent.get(answer.pk, [])
    known = {a.pk for a in answers}
    # A reply whose parent is hidden from this viewer still shows, at the top.
    return [a for a in answers if a.parent_id is None or a.parent_id not in known]


def _names(rows) -> list[str]:
    return [row.attribution for row in rows if row.attribution]


def _section_contributors(section: Section, items: list[Item]) -> list[str]:
    names = [m.alias for m in section.owners] + list(section.contributor_names) + _names(items)
    questions = section.numbered_questions
    names += _names(questions) + [n for q in questions for n in _names(q.answers.all())]
    names += _names(section.chat_lines.all())
    return _unique(names)


def _issue_contributors(issue, sections: list[Section]) -> list[str]:
    names = [issue.host_display, issue.editor_display]
    for section in sections:
        names += section.contributors
    return _unique(n for part in names for n in _split_names(part))


def _split_names(text: str) -> list[str]:
    # Imported hosts read "suc16、初七"; each is a contributor of their own.
    return [n.strip() for n in re.split(r"[、,，]", text or "") if n.strip()]


def _unique(values) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def links_in(text: str) -> list[str]:
    return [match.rstrip(TRAILING_PUNCTUATION) for match in URL_RE.findall(text or "")]


def _references(sections: list[Section]) -> list[Reference]:
    found: dict[str, Reference] = {}

    def add(url: str, title: str = "") -> None:
        url = safe_url(url)
        if url and url not in found:
            found[url] = Reference(title=title or url, url=url)
        elif url and title and found[url].title == url:
            found[url].title = title

    for section in sections:
        for item in section.items.all():
            add(item.url, item.title)
            for url in links_in(item.title) + links_in(item.body) + links_in(item.points):
                add(url)
        for question in section.numbered_questions:
            for url in links_in(question.body):
                add(url)
            for answer in question.answers.all():
                for url in links_in(answer.body):
                    add(url)
        for line in section.chat_lines.all():
            for url in links_in(line.text):
                add(url)
    return list(found.values())
