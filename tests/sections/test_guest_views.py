"""Guests' questions in the page: the form a visitor gets where guests are
allowed, its answer in place, a guest's vote, and the host's switch."""

import pytest
from django.urls import reverse

from sections.models import Question, Vote
from talk.models import Issue, Series
from tests.factories import QuestionFactory
from tests.responses import BOTH_WAYS, HTMX, assert_refused, by_id, headers, rendered

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def free_talk(issue):
    return issue.sections.get(key="free-talk")


@pytest.fixture
def guests(issue):
    Series.objects.filter(pk=issue.series_id).update(guest_questions=True)


def test_visitors_get_no_guest_form_unless_guests_are_allowed(client, free_talk):
    page = client.get(free_talk.issue.get_absolute_url()).text

    assert reverse("guest-ask", args=[free_talk.pk]) not in page


@pytest.mark.usefixtures("guests")
def test_a_visitor_gets_the_guest_form_with_what_is_public(client, free_talk):
    box = by_id(client.get(free_talk.issue.get_absolute_url()).text, f"guest-ask-{free_talk.pk}")

    assert reverse("guest-ask", args=[free_talk.pk]) in box
    assert "Nothing else about you is kept" in box


@pytest.mark.usefixtures("guests")
def test_members_ask_as_themselves_not_as_guests(client_as, free_talk):
    page = client_as("author").get(free_talk.issue.get_absolute_url()).text

    assert reverse("guest-ask", args=[free_talk.pk]) not in page


@pytest.mark.usefixtures("guests")
@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_a_guest_asks_and_is_told_it_waits(client, free_talk, htmx):
    response = client.post(
        reverse("guest-ask", args=[free_talk.pk]),
        {"nickname": "路过的", "body": "长上下文怎么评测？"},
        headers=headers(htmx),
    )

    question = Question.objects.get()
    assert (question.author_name, question.status, question.by_guest) == ("路过的", "pending", True)
    if htmx:
        assert rendered(response) == "sections/section.html#guest-ask"
        assert "waits for a moderator" in response.text
    else:
        assert response.url == f"{free_talk.issue.get_absolute_url()}#section-{free_talk.pk}"
    # Not on the public page while it waits.
    assert "长上下文怎么评测？" not in client.get(free_talk.issue.get_absolute_url()).text


@pytest.mark.usefixtures("guests")
def test_a_refused_nickname_comes_back_in_the_form_with_the_question(client, free_talk, member):
    response = client.post(
        reverse("guest-ask", args=[free_talk.pk]),
        {"nickname": "初七", "body": "长上下文怎么评测？"},
        headers=HTMX,
    )

    assert response.status_code == 422
    box = by_id(response.text, f"guest-ask-{free_talk.pk}")
    assert "member's alias" in box
    assert "长上下文怎么评测？" in box
    assert not Question.objects.exists()


def test_a_guest_post_where_guests_are_not_allowed_is_refused_in_words(client, free_talk):
    response = client.post(
        reverse("guest-ask", args=[free_talk.pk]),
        {"nickname": "路过的", "body": "？"},
        headers=HTMX,
    )

    assert_refused(
        response,
        htmx=True,
        status=403,
        message="Log in to ask: this issue takes no guests' questions.",
    )


@pytest.mark.usefixtures("guests")
def test_a_guest_votes_with_a_cookie_that_names_nobody(client, free_talk, member):
    question = QuestionFactory(section=free_talk, author=member)
    page = client.get(free_talk.issue.get_absolute_url()).text
    assert reverse("guest-vote", args=[question.pk]) in by_id(page, f"question-{question.pk}")

    first = client.post(reverse("guest-vote", args=[question.pk]), headers=HTMX)
    again = client.post(reverse("guest-vote", args=[question.pk]), headers=HTMX)

    assert 'aria-pressed="true"' in first.text
    assert first.cookies["desk_guest"]["httponly"]
    assert 'aria-pressed="false"' in again.text
    assert Vote.objects.count() == 0


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_the_host_lets_guests_ask_in_the_issue(client_as, issue, htmx):
    response = client_as("host").post(
        reverse("issue-guests", args=[issue.series.slug, issue.code]),
        {"allowed": "1"},
        headers=headers(htmx),
    )

    assert Issue.objects.get(pk=issue.pk).guest_questions is True
    if htmx:
        assert "Guests may ask" in by_id(response.text, "guests-switch")


@pytest.mark.parametrize("role", ["anonymous", "author", "owner"])
def test_only_stewards_let_guests_in(client_as, issue, role):
    response = client_as(role).post(
        reverse("issue-guests", args=[issue.series.slug, issue.code]),
        {"allowed": "1"},
        headers=HTMX,
    )

    assert response.status_code == 403
    assert Issue.objects.get(pk=issue.pk).guest_questions is None
