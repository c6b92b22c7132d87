"""Which of a section's questions the viewer asked to see (`?show=` on the
issue page): all, the unanswered ones, the answered ones, or their own.

The page loads every question it would show anyway and leaves out here, in
Python, those the filter hides: its query count does not depend on the
filter, moderation decides what is loaded exactly as without one, and the
numbers stay those everyone reads.
"""

from accounts.models import Viewer

from .. import policy
from ..models import Answer
from .views import QuestionView

ALL = "all"
UNANSWERED = "unanswered"
ANSWERED = "answered"
MINE = "mine"
SHOWS = (ALL, UNANSWERED, ANSWERED, MINE)


def shows_for(viewer: Viewer | None) -> list[str]:
    """The filters offered: "mine" only to someone signed in."""
    if viewer is None or not viewer.is_authenticated:
        return [ALL, UNANSWERED, ANSWERED]
    return list(SHOWS)


def passes(question: QuestionView, show: str, viewer: Viewer | None) -> bool:
    """Whether the filter `show` keeps the question on the page."""
    if show == UNANSWERED:
        return not question.answered
    if show == ANSWERED:
        return question.answered
    if show == MINE:
        return viewer is not None and _is_mine(question, viewer)
    return True


def _is_mine(question: QuestionView, viewer: Viewer) -> bool:
    """Asked by the viewer, or answered by them: here, or on another copy of
    the question whose answers it shows. An anonymous viewer owns nothing
    (policy.is_own), so a `show=mine` typed into the address shows no
    question, and says how many it hides."""
    if policy.is_own(viewer, question.row):
        return True
    copies = [question, *(carried.question for carried in question.carried_answers)]
    return any(policy.is_own(viewer, answer) for copy in copies for answer in _answers(copy))


def _answers(question: QuestionView) -> list[Answer]:
    """Every answer shown under it, replies too."""
    rows = []
    pending = list(question.threads)
    while pending:
        answer = pending.pop()
        rows.append(answer.row)
        pending += answer.children
    return rows
