"""Present mode (the room's shared screen) and the host's "next" moves the
keys press: the next most-voted question, the next item discussed."""

import pytest
from django.urls import reverse

from sections.models import Item, PostStatus, Vote
from talk.models import Issue
from tests.conftest import section_of
from tests.factories import ItemFactory, QuestionFactory, UserFactory
from tests.responses import BOTH_WAYS, HTMX, assert_refused, by_id, headers, rendered

pytestmark = pytest.mark.usefixtures("english")


def url(name, issue):
    return reverse(name, args=[issue.series.slug, issue.code])


@pytest.fixture
def live(issue):
    Issue.objects.filter(pk=issue.pk).update(status="live")
    issue.refresh_from_db()
    return issue


def test_it_shows_the_room_the_section_its_items_the_question_and_what_is_next(client, live):
    news, papers = section_of(live, "news"), section_of(live, "recommend")
    ItemFactory(section=news, title="Falcon 180B", discussed=True)
    ItemFactory(section=news, title="vllm")
    ItemFactory(section=news, kind=Item.Kind.NOTE, title="", body="a steward's note")
    question = QuestionFactory(
        section=section_of(live, "free-talk"), body="RLHF 是 RL 起的作用吗？"
    )
    Vote.objects.create(question=question, member=UserFactory())
    Vote.objects.create(question=question, member=UserFactory())
    Issue.objects.filter(pk=live.pk).update(current_section=news, spotlight=question)

    page = client.get(url("issue-present", live)).text

    assert news.title in by_id(page, "present-section")
    assert 'id="countdown"' in page  # 本周新闻 has a budget
    items = by_id(page, "present-items")
    assert "Falcon 180B" in items
    assert "vllm" in items
    assert "a steward's note" not in items
    assert "discussed" in items
    assert "RLHF 是 RL 起的作用吗？" in by_id(page, "present-spotlight")
    assert by_id(page, "present-votes").endswith(">2</strong>")
    assert papers.title in by_id(page, "present-next")
    # A visitor's screen: no console, no keys.
    assert url("meeting-pointer", live) not in page
    assert "shortcuts.js" not in page


def test_it_shows_no_question_the_room_may_not_see(client_as, live):
    question = QuestionFactory(section=section_of(live, "free-talk"), body="被隐藏的问题")
    Issue.objects.filter(pk=live.pk).update(spotlight=question)
    question.status = PostStatus.HIDDEN
    question.save()

    page = client_as("admin").get(url("issue-present", live)).text

    assert "被隐藏的问题" not in page


@pytest.mark.parametrize(("status", "says"), [("draft", "not begun"), ("frozen", "is over")])
def test_it_says_when_there_is_no_meeting(client, issue, status, says):
    Issue.objects.filter(pk=issue.pk).update(status=status)

    page = client.get(url("issue-present", issue)).text

    assert says in by_id(page, "present-section")


def test_it_serves_the_stage_to_its_script(client, live):
    response = client.get(url("issue-present", live), headers=HTMX)

    assert rendered(response) == "talk/present.html#present-stage"


def test_it_gives_the_host_the_keys_on_the_shared_screen(client_as, live):
    page = client_as("host").get(url("issue-present", live)).text

    console = by_id(page, "present-console")
    for key in ("n", "p", "s", "d"):
        assert f'data-shortcut="{key}"' in console
    assert 'id="shortcuts"' in page
    assert "shortcuts.js" in page


def test_the_issue_page_gives_the_host_the_keys_and_the_way_to_present(client_as, live):
    page = client_as("host").get(live.get_absolute_url()).text

    console = by_id(page, "issue-steward")
    for key in ("n", "p", "s", "d"):
        assert f'data-shortcut="{key}"' in console
    assert url("issue-present", live) in console
    assert 'id="shortcuts"' in page


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_spotlights_the_next_most_voted_question(client_as, live, htmx):
    free = section_of(live, "free-talk")
    QuestionFactory(section=free)
    voted = QuestionFactory(section=free)
    Vote.objects.create(question=voted, member=UserFactory())

    response = client_as("host").post(
        url("meeting-spotlight-next", live), {"back": "present"}, headers=headers(htmx)
    )

    assert Issue.objects.get(pk=live.pk).spotlight_id == voted.pk
    if htmx:
        assert rendered(response) == "talk/issue.html#issue-steward"
    else:
        assert response.url == url("issue-present", live)


def test_it_says_when_no_question_is_left(client_as, live):
    response = client_as("host").post(url("meeting-spotlight-next", live), headers=HTMX)

    assert_refused(
        response,
        htmx=True,
        status=409,
        message="Every question has been discussed: none is left to spotlight.",
    )


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_marks_the_next_item_discussed(client_as, live, htmx):
    news = section_of(live, "news")
    first = ItemFactory(section=news, title="Falcon")
    ItemFactory(section=news, title="vllm")
    Issue.objects.filter(pk=live.pk).update(current_section=news)

    response = client_as("host").post(url("meeting-discuss-next", live), headers=headers(htmx))

    assert list(news.items.filter(discussed=True)) == [first]
    assert response.status_code == (200 if htmx else 302)


@pytest.mark.parametrize("name", ["meeting-spotlight-next", "meeting-discuss-next"])
@pytest.mark.parametrize("role", ["anonymous", "author", "owner"])
def test_it_keeps_the_next_moves_from_everyone_else(client_as, live, role, name):
    news = section_of(live, "news")
    ItemFactory(section=news, title="Falcon")
    QuestionFactory(section=section_of(live, "free-talk"))
    Issue.objects.filter(pk=live.pk).update(current_section=news)

    response = client_as(role).post(url(name, live), headers=HTMX)

    assert response.status_code == 403
    issue = Issue.objects.get(pk=live.pk)
    assert issue.spotlight_id is None
    assert not news.items.filter(discussed=True).exists()


def test_the_stage_costs_the_same_few_queries_however_many_items(
    client, live, django_assert_num_queries
):
    news = section_of(live, "news")
    question = QuestionFactory(section=section_of(live, "free-talk"))
    Issue.objects.filter(pk=live.pk).update(current_section=news, spotlight=question)
    client.get(url("issue-present", live), headers=HTMX)  # what a process reads once

    for count in (1, 30):
        for _ in range(count):
            ItemFactory(section=news)
        # The issue, the section's items, the next section, the question.
        with django_assert_num_queries(4):
            client.get(url("issue-present", live), headers=HTMX)
