import pytest
from django.urls import reverse

from sections.models import PostStatus, Vote
from tests.factories import QuestionFactory, UserFactory
from tests.responses import BOTH_WAYS, assert_changed, assert_refused, by_id, headers

pytestmark = pytest.mark.usefixtures("english")

MEMBERS = ["outsider", "owner", "host", "admin"]
LOG_IN = "Log in to contribute."


@pytest.fixture
def question(free_talk, member):
    return QuestionFactory(section=free_talk, author=member, submitted_by=member)


def vote(client, question, htmx):
    url = reverse("question-vote", args=[question.pk])
    return client.post(url, headers=headers(htmx))


def vote_button(response, question) -> str:
    head = by_id(response.text, f"question-{question.pk}")
    return head[head.index("<button") : head.index("</button>")]


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", MEMBERS)
def test_it_counts_a_member_s_vote(client_as, people, question, role, htmx):
    response = vote(client_as(role), question, htmx)

    assert_changed(
        response,
        htmx=htmx,
        fragment="sections/question.html",
        page=f"{question.section.issue.get_absolute_url()}#question-{question.pk}",
    )
    assert Vote.objects.filter(question=question, member=people[role]).count() == 1
    if htmx:
        button = vote_button(response, question)
        assert 'aria-pressed="true"' in button
        assert '<span class="vote-count">1</span>' in button


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_takes_the_vote_back_on_a_second_click(client_as, question, htmx):
    client = client_as("outsider")
    vote(client, question, htmx)

    response = vote(client, question, htmx)

    assert response.status_code == (200 if htmx else 302)
    assert not Vote.objects.filter(question=question).exists()
    if htmx:
        button = vote_button(response, question)
        assert 'aria-pressed="false"' in button
        assert '<span class="vote-count">0</span>' in button


def test_it_adds_up_the_votes_of_several_members(client, question):
    for n in range(3):
        client.force_login(UserFactory(alias=f"voter{n}"))
        response = vote(client, question, htmx=True)

    assert '<span class="vote-count">3</span>' in vote_button(response, question)


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_refuses_a_vote_for_one_s_own_question(client_as, question, htmx):
    response = vote(client_as("author"), question, htmx)

    assert_refused(
        response, htmx=htmx, status=403, message="You cannot vote for your own question."
    )
    assert not Vote.objects.exists()


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_asks_visitors_to_log_in_before_voting(client, question, htmx):
    response = vote(client, question, htmx)

    assert_refused(response, htmx=htmx, status=403, message=LOG_IN)
    assert not Vote.objects.exists()


def test_it_offers_no_vote_button_to_the_asker_or_visitors(client, client_as, question):
    page = client.get(question.section.issue.get_absolute_url()).text
    assert "vote-static" in by_id(page, f"question-{question.pk}")

    page = client_as("author").get(question.section.issue.get_absolute_url()).text
    assert "vote-static" in by_id(page, f"question-{question.pk}")


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_answers_404_for_a_question_the_member_cannot_see(client_as, question, htmx):
    question.status = PostStatus.HIDDEN
    question.save()

    response = vote(client_as("outsider"), question, htmx)

    assert response.status_code == 404
    assert not Vote.objects.exists()


def test_a_plain_vote_comes_back_to_the_order_the_page_had(client_as, question):
    page = question.section.issue.get_absolute_url()
    url = reverse("question-vote", args=[question.pk])

    by_votes = client_as("outsider").post(url, headers={"Referer": f"{page}?sort=votes"})
    in_order = client_as("host").post(url, headers={"Referer": f"{page}?sort=nonsense"})

    assert by_votes["Location"] == f"{page}?sort=votes#question-{question.pk}"
    assert in_order["Location"] == f"{page}#question-{question.pk}"
