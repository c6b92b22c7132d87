"""The lifecycle's moves as data (talk/lifecycle.py): what the desk offers
from each state, and the services holding to the same table."""

import itertools

import pytest
from django.utils import translation

from sections.errors import IssueClosed
from talk import services
from talk.lifecycle import ACTIONS, FREEZE, MOVES, lifecycle_move, lifecycle_moves
from talk.models import Issue, IssueStatus

STATES = list(itertools.product(IssueStatus.values, [False, True]))


def an_issue(status: str, correcting: bool) -> Issue:
    return Issue(status=status, correcting=correcting)


@pytest.mark.parametrize(
    ("status", "correcting", "actions"),
    [
        ("draft", False, ["start", "freeze"]),
        ("live", False, ["freeze"]),
        ("frozen", False, ["publish", "correct"]),
        ("published", False, ["correct"]),
        ("frozen", True, ["freeze"]),
        ("published", True, ["freeze"]),
    ],
)
def test_it_offers_the_moves_open_from_each_state(status, correcting, actions):
    moves = lifecycle_moves(an_issue(status, correcting))

    assert [move.action for move in moves] == actions


@pytest.mark.parametrize(("status", "correcting"), STATES)
def test_it_opens_a_freeze_exactly_while_the_issue_accepts_content(status, correcting):
    issue = an_issue(status, correcting)

    assert (lifecycle_move(issue, FREEZE) is not None) == issue.accepts_content


@pytest.mark.parametrize(("status", "correcting"), STATES)
def test_it_opens_at_most_one_row_of_each_move(status, correcting):
    issue = an_issue(status, correcting)

    opened = [move.action for move in lifecycle_moves(issue)]
    assert len(opened) == len(set(opened))


@pytest.mark.parametrize(
    ("status", "correcting", "label"),
    [
        ("draft", False, "Freeze the issue"),
        ("live", False, "End the meeting and freeze"),
        ("published", True, "Freeze the correction"),
    ],
)
def test_it_names_the_freeze_by_what_it_ends(english, status, correcting, label):
    move = lifecycle_move(an_issue(status, correcting), FREEZE)

    assert str(move.label) == label
    assert move.takes_note == correcting


@pytest.mark.parametrize("move", MOVES, ids=[f"{m.action}-{sorted(m.statuses)}" for m in MOVES])
def test_every_word_of_the_table_is_translated(move):
    words = [move.label, move.refusal, *([move.confirm] if move.confirm else [])]
    with translation.override("en"):
        english = [str(word) for word in words]
    with translation.override("zh-hans"):
        chinese = [str(word) for word in words]

    assert all(zh != en for zh, en in zip(chinese, english, strict=True))


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize(("status", "correcting"), STATES)
def test_the_services_move_exactly_when_the_table_says(
    issue, monkeypatch, action, status, correcting
):
    monkeypatch.setattr(services.exports, "_enqueue", lambda export_ids: None)
    Issue.objects.filter(pk=issue.pk).update(status=status, correcting=correcting)
    issue.refresh_from_db()
    move = lifecycle_move(issue, action)

    try:
        services.issue_move(issue_id=issue.pk, user=None, action=action, note="A fix.")
    except IssueClosed:
        moved = False
    else:
        moved = True

    assert moved == (move is not None)
    issue.refresh_from_db()
    if move is not None:
        assert {field: getattr(issue, field) for field in move.change} == dict(move.change)
