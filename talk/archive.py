"""Reads across a series' archive: a link's page (every time it was shared)
and a contributor's page (what one name brought to each issue).

Both show what the issue pages show, to the same viewer: posts through
`visible_posts`, people by alias or plain name, never anything of their
account. They live beside `talk.selectors`, which they build on (its
`Sighting`, its order of issues), so that module keeps to its size.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.db.models.functions import MD5, Left

from accounts.models import User, Viewer
from sections.links import DIGEST_LENGTH
from sections.models import Answer, ChatLine, Claim, Item, PostStatus, Question, Section
from sections.policy import is_admin
from sections.selectors import split_names, visible_posts

from .models import Issue, Series
from .selectors import Sighting, issue_recency, item_sighting, person_linked


def _posts(viewer: Viewer, series: Series, where: Q) -> tuple[QuerySet[Question], QuerySet[Answer]]:
    """The series' questions and answers matching `where` (on fields both
    have: body, author) that the issue pages show `viewer`: an answer only
    under a question they show."""
    posts = visible_posts(viewer)
    questions = (
        Question.objects.filter(posts, where, section__issue__series=series)
        .select_related("author", "section__issue__series")
        .order_by("section__position", "position", "id")
    )
    answers = (
        Answer.objects.filter(
            posts,
            where,
            question__in=Question.objects.filter(posts),
            question__section__issue__series=series,
        )
        .select_related("author", "question__section__issue__series")
        .order_by("question__section__position", "question__position", "created_at", "id")
    )
    return questions, answers


def _status(post: Question | Answer) -> str:
    """A post's status as the page names it, "" when everyone sees it."""
    return "" if post.status == PostStatus.VISIBLE else str(PostStatus(post.status).label)


# A link's page

DIGEST_RE = re.compile(rf"[0-9a-f]{{{DIGEST_LENGTH}}}")
SCHEME_RE = re.compile(r"^https?://", re.IGNORECASE)


@dataclass
class Mention:
    """A question or an answer that mentions a link."""

    kind: str  # "question" or "answer", as the issue page's ids name them
    pk: int
    body: str
    attribution: str
    person: str
    # Its status's name when not everyone sees it (its author and admins do).
    status: str
    section_title: str
    issue_title: str
    issue_url: str
    # What an answer answers.
    question: str = ""

    @property
    def anchor(self) -> str:
        return f"{self.kind}-{self.pk}"


@dataclass
class LinkPage:
    key: str
    # The link as last shared: the one to click.
    url: str
    title: str
    sightings: list[Sighting]
    questions: list[Mention]
    answers: list[Mention]


def link_page(*, series: Series, digest: str, viewer: Viewer) -> LinkPage | None:
    """Every item of `series` whose link has the key named by `digest`
    (`sections.links.key_digest`), newest issue first, and the questions and
    answers that mention the link as the issue pages show them to `viewer`;
    None when no item links there. Three queries however often it was
    shared."""
    if not DIGEST_RE.fullmatch(digest):
        return None
    items = list(
        Item.objects.alias(digest=Left(MD5("url_key"), DIGEST_LENGTH))
        .filter(section__issue__series=series, digest=digest)
        .exclude(url_key="")  # every item without a link has this key
        .select_related("author", "section__issue__series")
        .order_by("section__position", "position", "id")
    )
    if not items:
        return None
    items.sort(key=lambda item: issue_recency(item.section.issue), reverse=True)
    # Two keys of one digest would be a first: the page is the newest one's.
    key = items[0].url_key
    items = [item for item in items if item.url_key == key]
    # The key or a link as typed: a post may paste the PDF of a paper whose
    # key is its abstract, and a key has no scheme.
    mentioned = Q(body__icontains=key)
    for typed in {SCHEME_RE.sub("", item.url) for item in items}:
        mentioned |= Q(body__icontains=typed)
    questions, answers = _posts(viewer, series, mentioned)
    return LinkPage(
        key=key,
        url=items[0].url,
        title=next((item.title for item in items if item.title), items[0].url),
        sightings=[item_sighting(item, None) for item in items],
        questions=_newest_first(_mention(q, q.section) for q in questions),
        answers=_newest_first(_mention(a, a.question.section, a.question.body) for a in answers),
    )


def _mention(
    post: Question | Answer, section: Section, question: str = ""
) -> tuple[Issue, Mention]:
    where = section.issue
    mention = Mention(
        kind="question" if isinstance(post, Question) else "answer",
        pk=post.pk,
        body=post.body,
        attribution=post.attribution,
        person=person_linked(post.author),
        status=_status(post),
        section_title=section.title,
        issue_title=where.title,
        issue_url=where.get_absolute_url(),
        question=question,
    )
    return where, mention


def _newest_first(mentions: Iterable[tuple[Issue, Mention]]) -> list[Mention]:
    # Stable: within an issue, the order the queries gave.
    ordered = sorted(mentions, key=lambda pair: issue_recency(pair[0]), reverse=True)
    return [mention for _where, mention in ordered]


# A contributor's page


@dataclass
class Contribution:
    """One thing a name brought to an issue."""

    # "owner" (of a section), "credited" (in an imported section's
    # contributors), "item", "question", "answer" or "chat".
    kind: str
    text: str
    section_title: str
    # The id of its place on the issue's page.
    anchor: str
    status: str = ""


@dataclass
class IssueContributions:
    title: str
    url: str
    hosted: bool = False
    edited: bool = False
    entries: list[Contribution] = field(default_factory=list)


@dataclass
class ContributorPage:
    name: str
    # An account's alias; otherwise a name the issues credit without one.
    is_member: bool
    # The member switched their page off: only they and admins get here.
    hidden: bool
    # The viewer is that member.
    is_own: bool
    issues: list[IssueContributions]


def contributor_page(*, series: Series, name: str, viewer: Viewer) -> ContributorPage | None:
    """What `name` contributed to `series`' issues as their pages show it to
    `viewer`, newest issue first: the sections they owned, the host's and
    editor's roles, items, questions, answers and chat lines. A member's
    alias (in any case) gathers the rows of their account and those an
    import credited to the same name; a name without an account, the latter
    only. None when there is nothing to show, or the member switched their
    page off and `viewer` is neither them nor an admin. Eight queries at most,
    however many issues."""
    member = User.objects.filter(alias__iexact=name).first()
    own = member is not None and viewer.pk == member.pk
    privileged = own or (member is not None and is_admin(viewer))
    if member is not None:
        name = member.alias
        if not member.public_profile and not privileged:
            return None
    found = _Found()
    if member is not None:
        claims = Claim.objects.filter(member=member, section__issue__series=series)
        for claim in claims.select_related("section__issue__series").order_by("section__position"):
            found.add(claim.section, "owner", "", f"section-{claim.section_id}")
    # Imported sections' contributors (【贡献者】) by name; compared here, as
    # SQLite stores the JSON list with its CJK escaped.
    imported = Section.objects.filter(issue__series=series).exclude(contributor_names=[])
    for section in imported.select_related("issue__series").order_by("position", "id"):
        if name in section.contributor_names:
            found.add(section, "credited", "", f"section-{section.pk}")
    by_name = Q(author__isnull=True, author_name=name)
    credited = by_name | Q(author=member) if member is not None else by_name
    items = Item.objects.filter(credited, section__issue__series=series)
    for item in items.select_related("section__issue__series").order_by(
        "section__position", "position", "id"
    ):
        text = item.title or item.url or item.body
        found.add(item.section, "item", text, f"item-{item.pk}")
    questions, answers = _posts(viewer, series, credited)
    for question in questions:
        anchor = f"question-{question.pk}"
        found.add(question.section, "question", question.body, anchor, _status(question))
    for answer in answers:
        anchor = f"answer-{answer.pk}"
        found.add(answer.question.section, "answer", answer.body, anchor, _status(answer))
    spoken = Q(speaker__isnull=True, speaker_name=name)
    if member is not None:
        spoken |= Q(speaker=member)
    lines = ChatLine.objects.filter(spoken, section__issue__series=series)
    for line in lines.select_related("section__issue__series").order_by(
        "section__position", "position", "id"
    ):
        found.add(line.section, "chat", line.text, f"section-{line.section_id}")
    roles = Q(host_name__contains=name) | Q(editor_name__contains=name)
    if member is not None:
        roles |= Q(host=member) | Q(editor=member)
    for issue in Issue.objects.filter(roles, series=series).select_related("series"):
        hosted = _plays(issue.host_id, issue.host_name, member, name)
        edited = _plays(issue.editor_id, issue.editor_name, member, name)
        if hosted or edited:
            shown = found.issue(issue)
            shown.hosted, shown.edited = hosted, edited
    if not found.issues and not privileged:
        return None
    return ContributorPage(
        name=name,
        is_member=member is not None,
        hidden=member is not None and not member.public_profile,
        is_own=own,
        issues=[shown for _issue, shown in found.newest_first()],
    )


def _plays(user_id: int | None, names: str, member: User | None, name: str) -> bool:
    # As `Issue.host_display`: the account when there is one, else the names.
    if user_id is not None:
        return member is not None and user_id == member.pk
    return name in split_names(names)


class _Found:
    """Contributions gathered by issue."""

    def __init__(self) -> None:
        self.issues: dict[int, tuple[Issue, IssueContributions]] = {}

    def issue(self, issue: Issue) -> IssueContributions:
        if issue.pk not in self.issues:
            shown = IssueContributions(title=issue.title, url=issue.get_absolute_url())
            self.issues[issue.pk] = (issue, shown)
        return self.issues[issue.pk][1]

    def add(self, section: Section, kind: str, text: str, anchor: str, status: str = "") -> None:
        entry = Contribution(
            kind=kind, text=text, section_title=section.title, anchor=anchor, status=status
        )
        self.issue(section.issue).entries.append(entry)

    def newest_first(self) -> list[tuple[Issue, IssueContributions]]:
        return sorted(self.issues.values(), key=lambda pair: issue_recency(pair[0]), reverse=True)
