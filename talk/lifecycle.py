"""The lifecycle of an issue as data: draft → live → frozen → published, and
a correction that reopens a frozen or published issue for its stewards until
it is frozen again as the next revision.

Each move names the states it starts from and the change it makes. The
services make a move with a conditional UPDATE on those states (so of two
clicks at once one moves and the other is refused); the host's desk offers
the moves open from the issue's state, in the words written here.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Issue, IssueStatus

START = "start"
FREEZE = "freeze"
PUBLISH = "publish"
CORRECT = "correct"


@dataclass(frozen=True)
class Move:
    action: str
    statuses: frozenset[str]
    # The correction flag the move needs; None: either.
    correcting: bool | None
    change: Mapping[str, object]
    label: Promise
    refusal: Promise
    confirm: Promise | None = None
    # The form asks what the correction changed (the next revision's note).
    takes_note: bool = False
    # Shown as a link beside the buttons: not the next step, a way back.
    minor: bool = False

    def opens_from(self, issue: Issue) -> bool:
        return issue.status in self.statuses and self.correcting in (None, issue.correcting)

    @property
    def condition(self) -> Q:
        """The same as `opens_from`, for a conditional UPDATE."""
        condition = Q(status__in=self.statuses)
        if self.correcting is not None:
            condition &= Q(correcting=self.correcting)
        return condition


_FREEZE_CONFIRM = _(
    "Freeze this issue? Its content will no longer change, and its files will be rendered."
)
_FROZEN_ALREADY = _("This issue is already frozen; open a correction to change it.")
_CLOSED = frozenset({IssueStatus.FROZEN, IssueStatus.PUBLISHED})

# In the order the desk shows them. A freeze is open exactly while the issue
# accepts content (Issue.accepts_content): from a draft, during the meeting,
# or during a correction, which keeps a published issue published.
MOVES: tuple[Move, ...] = (
    Move(
        action=START,
        statuses=frozenset({IssueStatus.DRAFT}),
        correcting=None,
        change={"status": IssueStatus.LIVE},
        label=_("Start the meeting"),
        refusal=_("Only a draft can start."),
    ),
    Move(
        action=FREEZE,
        statuses=frozenset({IssueStatus.DRAFT}),
        correcting=None,
        change={"status": IssueStatus.FROZEN, "correcting": False},
        label=_("Freeze the issue"),
        refusal=_FROZEN_ALREADY,
        confirm=_FREEZE_CONFIRM,
    ),
    Move(
        action=FREEZE,
        statuses=frozenset({IssueStatus.LIVE}),
        correcting=None,
        change={"status": IssueStatus.FROZEN, "correcting": False},
        label=_("End the meeting and freeze"),
        refusal=_FROZEN_ALREADY,
        confirm=_FREEZE_CONFIRM,
    ),
    Move(
        action=FREEZE,
        statuses=_CLOSED,
        correcting=True,
        change={"correcting": False},
        label=_("Freeze the correction"),
        refusal=_FROZEN_ALREADY,
        confirm=_FREEZE_CONFIRM,
        takes_note=True,
    ),
    Move(
        action=PUBLISH,
        statuses=frozenset({IssueStatus.FROZEN}),
        correcting=False,
        change={"status": IssueStatus.PUBLISHED},
        label=_("Publish"),
        refusal=_("Only a frozen issue can be published."),
    ),
    Move(
        action=CORRECT,
        statuses=_CLOSED,
        correcting=False,
        change={"correcting": True},
        label=_("Open a correction"),
        refusal=_("Only a frozen or published issue can be corrected."),
        confirm=_("Open this issue for a correction? It will be frozen again as a new revision."),
        minor=True,
    ),
)

ACTIONS = frozenset(move.action for move in MOVES)


def moves_named(action: str) -> list[Move]:
    """The rows of one action (a freeze has one per state it starts from)."""
    moves = [move for move in MOVES if move.action == action]
    if not moves:
        raise ValueError(f"No lifecycle move is called {action!r}.")
    return moves


def lifecycle_moves(issue: Issue) -> list[Move]:
    """The moves open from the issue's state, in the order the desk shows them."""
    return [move for move in MOVES if move.opens_from(issue)]


def lifecycle_move(issue: Issue, action: str) -> Move | None:
    """The move `action` from the issue's state, or None when it is not open."""
    return next((move for move in moves_named(action) if move.opens_from(issue)), None)
