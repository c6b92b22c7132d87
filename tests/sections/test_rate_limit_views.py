import logging

import pytest
from django.urls import reverse

from sections import ratelimit
from sections.errors import RateLimited
from sections.models import Answer, Item, Question
from talk.models import Series
from tests.factories import QuestionFactory
from tests.redis_server import free_port
from tests.responses import BOTH_WAYS, by_attr, by_id, headers, rendered, says, triggered

pytestmark = pytest.mark.usefixtures("english")

TOO_FAST = RateLimited().message


@pytest.fixture(autouse=True)
def _two_a_minute(settings):
    settings.POSTS_PER_MINUTE = 2


@pytest.fixture
def question(free_talk, member):
    return QuestionFactory(section=free_talk, author=member, submitted_by=member)


def post_item(client, rows, n, htmx):
    url = reverse("item-create", args=[rows["news"].pk])
    data = {"kind": "entry", "title": f"第{n}条", "subgroup": ""}
    return client.post(url, data, headers=headers(htmx))


def post_question(client, rows, n, htmx):
    url = reverse("question-ask", args=[rows["free_talk"].pk])
    return client.post(url, {"body": f"第{n}个问题？", "subgroup": ""}, headers=headers(htmx))


def post_answer(client, rows, n, htmx):
    url = reverse("answer-create", args=[rows["question"].pk])
    return client.post(url, {"body": f"第{n}个回答"}, headers=headers(htmx))


POSTS = {
    "item": (post_item, lambda: Item.objects.count()),
    "question": (post_question, lambda: Question.objects.count() - 1),
    "answer": (post_answer, lambda: Answer.objects.count()),
}


@pytest.fixture
def rows(news, free_talk, question):
    # Questions and answers have limits of their own, set per series by admins.
    Series.objects.update(questions_per_minute=2, answers_per_minute=2)
    return {"news": news, "free_talk": free_talk, "question": question}


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("kind", POSTS)
@pytest.mark.parametrize("role", ["outsider", "owner"])
def test_it_refuses_posts_past_the_limit(client_as, rows, role, kind, htmx):
    post, count = POSTS[kind]
    client = client_as(role)
    for n in range(2):
        assert post(client, rows, n, htmx).status_code in (200, 302)

    response = post(client, rows, 3, htmx)

    assert response.status_code == 429
    assert not triggered(response)
    assert says(response, TOO_FAST)
    if not htmx and kind == "answer":
        # The answer page, the words in its form (see below).
        assert rendered(response) == "sections/answer_new.html"
        assert str(TOO_FAST) in by_attr(response.text, "class", "answer-form")
    elif not htmx:
        assert str(TOO_FAST) in by_id(response.text, "flash")
    assert count() == 2


def test_it_keeps_the_typed_item_when_refused(client_as, rows):
    client = client_as("outsider")
    for n in range(2):
        post_item(client, rows, n, htmx=False)

    response = post_item(client, rows, 3, htmx=False)

    form = by_id(response.text, f"add-item-{rows['news'].pk}")
    assert 'value="第3条"' in form
    assert str(TOO_FAST) in form


def test_it_keeps_the_typed_answer_when_refused(client_as, rows):
    client = client_as("outsider")
    for n in range(2):
        post_answer(client, rows, n, htmx=False)

    response = post_answer(client, rows, 3, htmx=False)

    form = by_attr(response.text, "class", "answer-form")
    assert "第3个回答</textarea>" in form
    assert str(TOO_FAST) in form


def test_it_counts_questions_and_answers_each_against_their_own_limit(client_as, rows):
    # Items, questions and answers have limits of their own: a member who
    # added two items may still ask, and one who asked twice may still answer.
    client = client_as("outsider")
    for n in range(2):
        post_item(client, rows, n, htmx=True)
        post_question(client, rows, n, htmx=True)

    answered = post_answer(client, rows, 1, htmx=True)
    third = post_question(client, rows, 3, htmx=True)

    assert answered.status_code == 200
    assert third.status_code == 429
    assert Answer.objects.count() == 1


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("kind", POSTS)
@pytest.mark.parametrize("role", ["host", "admin"])
def test_it_does_not_limit_the_host_or_admins(client_as, rows, role, kind, htmx):
    # During the meeting the host adds a lot, and admins tidy up after floods.
    post, count = POSTS[kind]
    client = client_as(role)

    for n in range(5):
        assert post(client, rows, n, htmx).status_code in (200, 302)

    assert count() == 5


def test_it_counts_each_member_on_their_own(client_as, people, rows):
    client = client_as("outsider")
    for n in range(2):
        post_item(client, rows, n, htmx=True)
    client.force_login(people["owner"])

    assert post_item(client, rows, 3, htmx=True).status_code == 200


# Redis stopped: the limit is counted in the process, posts never fail for it.


@pytest.fixture
def redis_down(settings, monkeypatch):
    """The counters' Redis as it is when stopped: nothing on its port."""
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    monkeypatch.setattr(ratelimit, "_redis_down", False)


@pytest.mark.redis
@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("kind", POSTS)
def test_with_redis_down_it_takes_posts_and_refuses_past_the_limit_in_words(
    client_as, rows, redis_down, kind, htmx
):
    post, count = POSTS[kind]
    client = client_as("outsider")
    for n in range(2):
        assert post(client, rows, n, htmx).status_code in (200, 302)

    response = post(client, rows, 3, htmx)

    assert response.status_code == 429
    assert says(response, TOO_FAST)
    assert count() == 2


@pytest.mark.redis
def test_with_redis_down_it_says_so_once_in_the_log(client_as, rows, redis_down, caplog):
    client = client_as("outsider")

    with caplog.at_level(logging.WARNING, logger="sections.ratelimit"):
        for n in range(3):
            post_item(client, rows, n, htmx=True)

    said = [r.getMessage() for r in caplog.records if r.name == "sections.ratelimit"]
    assert len(said) == 1
    assert said[0].startswith("Posting limits counted per process: Redis did not answer")
