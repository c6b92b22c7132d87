"""What the issue page reads: typed view objects built by the selectors.

Each holds its row (the model instance, read for its own fields) and what
was worked out for it: its place (numbers, groups, threads), its counts,
and what this viewer may do with it, decided once from the policy functions
the services also call. Nothing is stuck onto model instances: a template
reads `question.number` from a QuestionView, never from a Question.
"""

import hashlib
from dataclasses import dataclass, field
from typing import Any

from accounts.models import User

from ..models import Answer, Item, Question, Section, SectionKind


def group_key(name: str) -> str:
    """A stable id part for a group's list, so a new row can be appended to
    it: sub-group names are free text (Chinese, spaces)."""
    return hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()[:8] if name else "main"


@dataclass
class Group:
    """Rows under one sub-group (the name "" for those without)."""

    name: str
    entries: list[Any] = field(default_factory=list)
    # Questions' groups: the notes an import kept under the same sub-group.
    notes: list["ItemView"] = field(default_factory=list)

    @property
    def key(self) -> str:
        return group_key(self.name)


@dataclass
class ItemView:
    row: Item
    may_edit: bool = False  # edit and delete it
    may_curate: bool = False  # move it, mark it discussed: the section's curators
    # Edited, and the viewer may read its history (policy.can_see_history).
    may_see_history: bool = False


@dataclass
class AnswerView:
    row: Answer
    may_edit: bool = False
    may_report: bool = False
    may_see_history: bool = False
    children: list["AnswerView"] = field(default_factory=list)


@dataclass
class QuestionView:
    row: Question
    # Q1, Q2… as everyone reads them; None while it is not shown.
    number: int | None = None
    vote_count: int = 0
    threads: list[AnswerView] = field(default_factory=list)
    carried_answers: list["CarriedAnswers"] = field(default_factory=list)
    voted: bool = False
    is_asker: bool = False
    may_answer: bool = False
    may_vote: bool = False
    may_guest_vote: bool = False
    # Mark it answered, accept an answer: its asker and the curators.
    may_settle: bool = False
    may_edit: bool = False
    may_report: bool = False
    may_see_history: bool = False
    # The answer just posted, where the keyboard goes.
    posted: int | None = None
    # Asked above others (线上讨论 above 群里讨论), it moved their numbers.
    renumbered_others: bool = False

    @property
    def has_answers(self) -> bool:
        """Answers show under it: its own, or another copy's."""
        return bool(self.threads or self.carried_answers)

    @property
    def answered(self) -> bool:
        """Not waiting for an answer: one shows, or it was marked answered."""
        return self.has_answers or self.row.answered


@dataclass
class CarriedAnswers:
    """Answers given to another copy of a question (`question`, in its own
    issue, numbered as the one they are shown under), threaded as there.
    Changed where they were given, not here: no actions."""

    question: QuestionView


@dataclass
class SectionView:
    row: Section
    owners: list[User] = field(default_factory=list)
    contributors: list[str] = field(default_factory=list)
    viewer_owns: bool = False
    may_curate: bool = False
    may_post: bool = False
    # A visitor may ask here as a guest (the page offers the guest's form).
    guests_ask: bool = False
    nominations: list[ItemView] = field(default_factory=list)
    suggestions: list[ItemView] = field(default_factory=list)
    # The section's body, by sub-group (every group there, even empty).
    groups: list[Group] = field(default_factory=list)
    # In sections of other kinds, what an import kept there as notes.
    notes: list[ItemView] = field(default_factory=list)
    question_groups: list[Group] = field(default_factory=list)
    # In the order asked, numbered as read.
    numbered_questions: list[QuestionView] = field(default_factory=list)
    sort: str = "time"
    # Which questions `question_groups` keeps (sections.selectors.filters),
    # the filters this viewer is offered, and how many the filter leaves out.
    show: str = "all"
    shows: list[str] = field(default_factory=list)
    hidden: int = 0

    @property
    def pk(self) -> int:
        return self.row.pk

    @property
    def filtered(self) -> bool:
        return self.show != "all"

    @property
    def shown(self) -> bool:
        """A block an import made that holds nothing (the preface, whose
        labels the issue keeps as its record) has nothing to show and no
        owner to fill it; the exports still write its headings. SHOWN says
        the same in SQL."""
        row = self.row
        return row.template_id is not None or row.kind != SectionKind.ITEMS or bool(row.items.all())


@dataclass
class Reference:
    title: str
    url: str


@dataclass
class IssueContent:
    sections: list[SectionView]
    contributors: list[str]
    references: list[Reference]

    def section(self, key: str) -> SectionView | None:
        return next((s for s in self.sections if s.row.key == key), None)

    @property
    def shown(self) -> list[SectionView]:
        """The sections the page shows (see SectionView.shown)."""
        return [s for s in self.sections if s.shown]


@dataclass
class QueuedPost:
    """A post in the review queue, with the number the page gives it."""

    row: Question | Answer
    kind: str  # "question" or "answer", as the moderation URLs name it
    number: int | None = None
