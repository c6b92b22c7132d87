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
from collections.abc import Collection
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value, When

from . import policy
from .links import normalize_url
from .markup import links_in, safe_url
from .models import (
    Answer,
    ChatLine,
    Claim,
    Item,
    PostStatus,
    Question,
    Report,
    Section,
    SectionKind,
    Vote,
)

SORTS = ("time", "votes")


@dataclass
class Group:
    name: str
    entries: list = field(default_factory=list)
    # Questions' groups: the notes an import kept under the same sub-group.
    notes: list = field(default_factory=list)

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

    @property
    def shown(self) -> list[Section]:
        """The sections the page shows. A block an import made that holds
        nothing (the preface, whose labels the issue keeps as its record) has
        nothing to show and no owner to fill it; the exports, built from
        `sections`, still write its headings. SHOWN says the same in SQL."""
        return [
            s
            for s in self.sections
            if s.template_id is not None or s.kind != SectionKind.ITEMS or s.items.all()
        ]


# IssueContent.shown as a filter, for what reads sections without their
# items: the meeting walks only the sections the page shows.
SHOWN = (
    Q(template__isnull=False)
    | ~Q(kind=SectionKind.ITEMS)
    | Exists(Item.objects.filter(section=OuterRef("pk")))
)


def visible_posts(viewer) -> Q:
    """Posts everyone sees, plus the viewer's own pending or rejected ones."""
    visible = Q(status=PostStatus.VISIBLE)
    if viewer is not None and viewer.is_authenticated:
        if viewer.is_staff:
            return Q()
        return visible | Q(submitted_by=viewer)
    return visible


# The question was carried into a later issue: it shows the answers given
# there (looked up only for the questions that have such a copy).
CARRIED_ON = Exists(Question.objects.filter(carried_from=OuterRef("pk")))


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
            .select_related("author", "carried_from__section__issue__series")
            .annotate(vote_count=Count("votes"), carried_on=CARRIED_ON)
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
        .select_related("author", "section", "carried_from__section__issue__series")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.filter(posts).select_related("author")),
            Prefetch("section__claims", queryset=Claim.objects.select_related("member")),
        )
        .annotate(vote_count=Count("votes"), carried_on=CARRIED_ON)
        .get(pk=question_id)
    )
    question.section.issue = issue
    question.section.viewer_can_curate = viewer is not None and policy.can_curate_section(
        viewer, question.section
    )
    question.number = _number_of(question)
    _arrange_question(question, question.section, viewer, _voted(viewer, question=question))
    _attach_carried_answers([question], viewer)
    return question


def _number_of(question: Question) -> int | None:
    """The number `_number_shown` gives the question, read alone."""
    return _number_among(question, _numbered_alongside(question))


def _numbered_alongside(question: Question) -> list[Question]:
    """The shown questions of its section, numbered; none while it is not
    shown itself (it has no number then)."""
    if question.status != PostStatus.VISIBLE:
        return []
    return _numbered_shown(question.section_id, question.section.subgroups)


def _number_among(question: Question, numbered: list[Question]) -> int | None:
    return next((q.number for q in numbered if q.pk == question.pk), None)


def _numbered_shown(section_id: int, subgroups: list[str]) -> list[Question]:
    """A section's shown questions (their id and sub-group), numbered."""
    shown = list(
        Question.objects.filter(section=section_id, status=PostStatus.VISIBLE)
        .only("pk", "subgroup", "status")
        .order_by("position", "pk")
    )
    _number_shown(shown, subgroups)
    return shown


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
    """A just-asked question, numbered after the ones before it (none while
    it waits for approval)."""
    section.viewer_can_curate = policy.can_curate_section(viewer, section)
    numbered = _numbered_alongside(question)
    question.number = _number_among(question, numbered)
    # Asked above others (线上讨论, above 群里讨论), it moved their numbers.
    question.renumbered_others = question.number is not None and question.number < len(numbered)
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
    params = {
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
    # Sections of other kinds take no items, but an import keeps there, as
    # notes, what it could not classify; a references section's entries with
    # a link are in the references list already.
    section.notes = [i for i in body if not (section.kind == SectionKind.REFERENCES and i.url)]
    section.numbered_questions = []
    section.sort = sort
    if section.kind == SectionKind.QUESTIONS:
        questions = list(section.questions.all())
        _number_shown(questions, section.subgroups)
        for question in questions:
            _arrange_question(question, section, viewer, voted)
        _attach_carried_answers(questions, viewer)
        section.numbered_questions = questions
        if sort == "votes":
            # A stable sort: equal votes stay in the order they were asked.
            questions = sorted(questions, key=lambda q: -q.vote_count)
        # Pinned questions lead, in either order; numbers stay as asked.
        questions = sorted(questions, key=lambda q: not q.pinned)
        notes = {group.name: group.entries for group in _group(section.notes, section.subgroups)}
        section.question_groups = _group(questions, [*section.subgroups, *notes])
        for group in section.question_groups:
            group.notes = notes.get(group.name, [])
    section.contributors = _section_contributors(section, items)


def _number_shown(questions: list[Question], subgroups: list[str]) -> None:
    """Q1, Q2… for the shown questions (given in the order asked) in the order
    they are read: sub-group by sub-group as `_group` lists them, so a
    question asked in 线上讨论 after one in 群里讨论 still comes first. One that
    is not shown (waiting, rejected, hidden, merged) gets no number: its
    author and the moderators see it among the others, and the numbers must
    stay those everyone else reads, the exports print and the queue merges by."""
    for question in questions:
        question.number = None
    read = (q for group in _group(questions, subgroups) for q in group.entries)
    shown = (q for q in read if q.status == PostStatus.VISIBLE)
    for number, question in enumerate(shown, start=1):
        question.number = number


def _can_post(viewer, section: Section) -> bool:
    return (
        viewer is not None
        and viewer.is_authenticated
        and not viewer.is_suspended
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
    # Only a shown question takes answers and votes (the services say so):
    # its author and the admins also see it while it waits or is hidden.
    shown = question.status == PostStatus.VISIBLE
    question.viewer_can_answer = can_post and shown and not question.locked
    question.viewer_can_vote = can_post and shown and not asker
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


# Carried-over questions: a question carried into the next issue, unanswered,
# and its copy there are one conversation. Each shows the answers given to
# the others, wherever they were given.


@dataclass
class CarriedAnswers:
    """Answers given to another copy of a question (`question`, in its own
    issue), threaded as there."""

    question: Question
    threads: list[Answer]


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


def _attach_carried_answers(questions: list[Question], viewer) -> None:
    """`question.carried_answers`: the answers of its other copies, oldest
    issue first. Two queries when a question on the page has a copy or an
    original, none otherwise: the page's query count does not grow with it."""
    for question in questions:
        question.carried_answers = []
    linked = [q.pk for q in questions if q.carried_from_id or getattr(q, "carried_on", False)]
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
        # Changed where it was given, not here (that issue may be frozen).
        answer.viewer_can_edit = False
        by_question.setdefault(answer.question_id, []).append(answer)
    for question in questions:
        found = [by_question[pk] for pk in links.get(question.pk, ()) if pk in by_question]
        found.sort(key=lambda rows: (rows[0].question.section.issue.number or 0, rows[0].pk))
        for rows in found:
            other = rows[0].question
            other.number = question.number
            question.carried_answers.append(CarriedAnswers(question=other, threads=_threads(rows)))


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


def _references(sections: list[Section]) -> list[Reference]:
    """Every link of the issue once, in the order the record shows them (the
    page and the exports): per section its nominations and suggestions, then
    each sub-group's entries and questions, then its chat. Two links to the
    same page (the keys `normalize_url` gives, as the duplicate-link check
    uses) are one reference: the first, named by the first title given."""
    found: dict[str, Reference] = {}

    def add(url: str, title: str = "") -> None:
        url = safe_url(url)
        if not url:
            return
        key = normalize_url(url) or url
        if key not in found:
            found[key] = Reference(title=title or url, url=url)
        elif title and found[key].title == found[key].url:
            found[key].title = title

    for section in sections:
        for row in _record_order(section):
            if isinstance(row, Item):
                add(row.url, row.title)
                texts = [row.title, row.body, row.points]
            else:
                texts = [row.body, *(answer.body for answer in row.answers.all())]
            for text in texts:
                for url in links_in(text):
                    add(url)
        for line in section.chat_lines.all():
            for url in links_in(line.text):
                add(url)
    return list(found.values())


def _record_order(section: Section) -> list:
    """A section's items and questions as the record lists them: the areas
    first, then per sub-group its entries (or an import's notes) before its
    questions, in the exports' order of sub-groups; questions as numbered."""
    body = [item for group in section.groups for item in group.entries]
    asked = {g.name: g.entries for g in _group(section.numbered_questions, section.subgroups)}
    rows = [*section.nominations, *section.suggestions]
    for group in _group(body, [*section.subgroups, *asked]):
        rows += group.entries + asked.get(group.name, [])
    return rows


@dataclass
class ModerationQueue:
    """What a section's moderators look at: posts waiting for approval, open
    reports, posts taken off the page, and every shown question (to pin,
    lock, hide or merge)."""

    waiting: list
    reports: list
    removed: list
    questions: list


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
    _number_shown(questions, section.subgroups)
    posts = [*questions, *answers]
    reports = list(
        Report.objects.filter(
            Q(question__section=section) | Q(answer__question__section=section),
            resolved_at__isnull=True,
        )
        .select_related("reporter", "question", "answer__question")
        .order_by("created_at", "id")
    )
    # A report loads its own copy of the question: it takes the queue's number.
    numbers = {question.pk: question.number for question in questions}
    for report in reports:
        if report.question is not None:
            report.question.number = numbers.get(report.question_id)
    return ModerationQueue(
        waiting=[p for p in posts if p.status == PostStatus.PENDING],
        reports=reports,
        removed=[p for p in posts if p.status in (PostStatus.REJECTED, PostStatus.HIDDEN)],
        # In the order of their numbers, which a merge is typed by.
        questions=sorted(
            (q for q in questions if q.status == PostStatus.VISIBLE), key=lambda q: q.number
        ),
    )


def question_numbered(question_id: int, number: int) -> int | None:
    """The id of the shown question numbered `number` (Q7) in the section of
    `question_id`, as the page numbers them."""
    section = Section.objects.only("subgroups").get(questions=question_id)
    numbered = _numbered_shown(section.pk, section.subgroups)
    return next((q.pk for q in numbered if q.number == number), None)


# Links shared before

SIGHTINGS_MAX = 12


@dataclass
class Sighting:
    """Where a link was shared before: enough to say so, and who brought it
    (an alias or a plain name, never anything of their account)."""

    item_id: int
    title: str
    attribution: str
    section_title: str
    issue_title: str
    issue_label: str
    issue_url: str
    in_this_issue: bool


def link_sightings(*, url: str, issue, limit_issues: int = 25) -> list[Sighting]:
    """The items whose link has the same key as `url`, in `issue` and in the
    `limit_issues` most recent other issues of its series (by number, then
    meeting time), this issue's first. One query; none for a text that is no
    link. At most SIGHTINGS_MAX: a link shared that often is well known."""
    key = normalize_url(url)
    if not key:
        return []
    # sections does not import talk: the issue model is the one Section points to.
    issues = Section.issue.field.related_model._default_manager
    recent = (
        issues.filter(series_id=issue.series_id)
        .exclude(pk=issue.pk)
        .order_by(*_recent_first())
        .values("pk")[:limit_issues]
    )
    items = (
        Item.objects.filter(Q(section__issue=issue) | Q(section__issue__in=recent), url_key=key)
        .select_related("author", "section__issue__series")
        .alias(elsewhere=Case(When(section__issue=issue, then=Value(1)), default=Value(2)))
        .order_by(
            "elsewhere", *_recent_first("section__issue__"), "section__position", "position", "id"
        )
    )
    return [_sighting(item, issue) for item in items[:SIGHTINGS_MAX]]


def _recent_first(prefix: str = "") -> list:
    return [
        F(f"{prefix}number").desc(nulls_last=True),
        F(f"{prefix}meeting_at").desc(nulls_last=True),
        F(f"{prefix}created_at").desc(),
    ]


def _sighting(item: Item, issue) -> Sighting:
    where = item.section.issue
    return Sighting(
        item_id=item.pk,
        title=item.title or item.url,
        attribution=item.attribution,
        section_title=item.section.title,
        issue_title=where.title,
        issue_label=where.label,
        issue_url=where.get_absolute_url(),
        in_this_issue=where.pk == issue.pk,
    )
