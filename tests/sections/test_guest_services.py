"""Guests' questions: where a steward allows it, a visitor without an account
asks under a nickname (always approved first) and votes once per browser;
nothing else about them is kept."""

import pytest
from django.contrib.auth.models import AnonymousUser

from sections import moderation, services
from sections.errors import Invalid, NotAllowed, RateLimited
from sections.models import PostStatus, Question, Vote
from sections.selectors import issue_content
from talk import services as talk
from talk.models import Issue, Series
from tests.factories import QuestionFactory

pytestmark = pytest.mark.usefixtures("english")

CLIENT = "a" * 32


@pytest.fixture
def free_talk(issue):
    return issue.sections.get(key="free-talk")


@pytest.fixture
def guests(issue):
    Series.objects.filter(pk=issue.series_id).update(guest_questions=True)


def ask(section, nickname="路过的", body="位置编码怎么选？", client=CLIENT) -> Question:
    return services.question_ask_as_guest(
        section_id=section.pk, nickname=nickname, body=body, client=client
    )


def test_guests_ask_nothing_unless_a_steward_allows_it(free_talk):
    with pytest.raises(NotAllowed, match="no guests' questions"):
        ask(free_talk)
    assert not Question.objects.exists()


@pytest.mark.usefixtures("guests")
def test_a_guest_s_question_waits_for_a_moderator_under_the_nickname(free_talk, host):
    question = ask(free_talk, nickname="  路过的   朋友 ")

    assert question.status == PostStatus.PENDING
    assert (question.author, question.author_name, question.submitted_by) == (
        None,
        "路过的 朋友",
        None,
    )
    assert question.by_guest
    assert question.subgroup == free_talk.subgroups[0]
    # The room sees it once approved, not before.
    assert not _shown(free_talk)
    moderation.post_approve(kind="question", post_id=question.pk, user=host)
    assert _shown(free_talk) == ["位置编码怎么选？"]


def _shown(section) -> list[str]:
    content = issue_content(section.issue, viewer=AnonymousUser())
    view = next(v for v in content.sections if v.row.pk == section.pk)
    return [q.row.body for q in view.numbered_questions]


def test_the_issue_s_switch_overrides_the_series(issue, free_talk, host):
    talk.issue_guests_set(issue_id=issue.pk, user=host, allowed=True)
    ask(free_talk)

    Series.objects.filter(pk=issue.series_id).update(guest_questions=True)
    talk.issue_guests_set(issue_id=issue.pk, user=host, allowed=False)
    with pytest.raises(NotAllowed):
        ask(free_talk)


@pytest.mark.parametrize("role", ["author", "owner", "outsider"])
def test_only_stewards_switch_guests_on(issue, people, role):
    with pytest.raises(NotAllowed):
        talk.issue_guests_set(issue_id=issue.pk, user=people[role], allowed=True)
    assert Issue.objects.get(pk=issue.pk).guest_questions is None


@pytest.mark.usefixtures("guests")
@pytest.mark.parametrize(
    ("nickname", "message"),
    [
        ("", "Give a nickname"),
        ("名" * 41, "at most 40"),
        ("me@example.com", "not an email address"),
        ("me＠example.com", "not an email address"),
        ("初七", "member's alias"),
    ],
)
def test_it_refuses_a_nickname_that_would_mislead(free_talk, member, nickname, message):
    with pytest.raises(Invalid, match=message):
        ask(free_talk, nickname=nickname)
    assert not Question.objects.exists()


@pytest.mark.usefixtures("guests")
def test_a_guest_asks_only_where_questions_go(issue):
    with pytest.raises(Invalid):
        ask(issue.sections.get(key="news"))


@pytest.mark.usefixtures("guests")
def test_a_guest_is_held_to_two_questions_a_minute_per_client(free_talk):
    ask(free_talk, body="一")
    ask(free_talk, body="二")

    with pytest.raises(RateLimited):
        ask(free_talk, body="三")
    ask(free_talk, body="另一个访客", client="b" * 32)
    assert Question.objects.count() == 3


@pytest.mark.usefixtures("guests")
def test_a_guest_votes_once_per_browser_and_can_take_it_back(free_talk, member):
    question = QuestionFactory(section=free_talk, author=member)

    assert services.question_vote_as_guest(question_id=question.pk, browser="x", client=CLIENT)
    assert services.question_vote_as_guest(question_id=question.pk, browser="y", client=CLIENT)
    assert Vote.objects.filter(question=question).count() == 2
    assert not services.question_vote_as_guest(question_id=question.pk, browser="x", client=CLIENT)
    assert Vote.objects.filter(question=question).count() == 1
    # What is kept says nothing of the browser's other votes.
    other = QuestionFactory(section=free_talk, author=member)
    services.question_vote_as_guest(question_id=other.pk, browser="y", client=CLIENT)
    keys = set(Vote.objects.values_list("guest", flat=True))
    assert len(keys) == 2
    assert "y" not in keys


@pytest.mark.usefixtures("guests")
def test_a_guest_votes_only_for_what_the_room_sees(free_talk):
    waiting = ask(free_talk)

    with pytest.raises(NotAllowed):
        services.question_vote_as_guest(question_id=waiting.pk, browser="x", client=CLIENT)


@pytest.mark.usefixtures("guests")
def test_a_guest_cannot_answer_or_curate(free_talk, member):
    question = QuestionFactory(section=free_talk, author=member)
    visitor = AnonymousUser()

    with pytest.raises(NotAllowed):
        services.answer_post(question_id=question.pk, user=visitor, body="我来回答")
    with pytest.raises(NotAllowed):
        services.question_set_answered(question_id=question.pk, user=visitor, answered=True)
    with pytest.raises(NotAllowed):
        moderation.post_hide(kind="question", post_id=question.pk, user=visitor, reason="x")
    with pytest.raises(NotAllowed):
        services.chat_say(
            section_id=free_talk.issue.sections.get(key="chat").pk, user=visitor, text="hi"
        )
