"""The host's console on the issue page: the pointer, the spotlight, the
highlights line; the live bar and the console as fragments; items marked
discussed and dragged."""

import pytest
from django.urls import reverse

from sections.models import Item, Section
from talk.models import Issue
from tests.conftest import section_of
from tests.factories import ItemFactory, QuestionFactory
from tests.responses import (
    BOTH_WAYS,
    HTMX,
    assert_refused,
    by_id,
    headers,
    rendered,
    triggered,
)

pytestmark = pytest.mark.usefixtures("english")

STEWARDS_ONLY = "Only the host, the editor and admins can do that."


def url(name, issue):
    return reverse(name, args=[issue.series.slug, issue.code])


@pytest.fixture
def live(issue):
    Issue.objects.filter(pk=issue.pk).update(status="live")
    issue.refresh_from_db()
    return issue


def first_two(issue):
    return list(issue.sections.order_by("position", "id")[:2])


def pointer(issue):
    return Issue.objects.get(pk=issue.pk).current_section_id


# The page


def test_it_gives_the_page_its_stream_and_sequence_number(client, issue):
    page = client.get(issue.get_absolute_url()).text

    panel = by_id(page, "live")
    assert f'data-events="{url("issue-events", issue)}"' in panel
    assert 'data-seq="' in panel
    assert 'id="live-state"' in panel
    assert "Follow the host" in panel


def test_it_shows_everyone_where_the_meeting_is(client, live):
    news = section_of(live, "news")
    question = QuestionFactory(section=section_of(live, "free-talk"), body="位置编码怎么选？")
    Issue.objects.filter(pk=live.pk).update(current_section=news, spotlight=question)

    bar = by_id(client.get(live.get_absolute_url()).text, "live-bar")

    assert f'data-current="{news.pk}"' in bar
    assert f'data-spotlight="{question.pk}"' in bar
    assert news.title in bar
    assert "位置编码怎么选？" in bar
    assert 'data-budget="10"' in bar  # 本周新闻: ~10 分钟


@pytest.mark.parametrize("role", ["anonymous", "author", "owner"])
def test_it_keeps_the_console_from_everyone_else(client_as, live, role):
    page = client_as(role).get(live.get_absolute_url()).text

    assert url("meeting-pointer", live) not in page
    assert url("meeting-spotlight", live) not in page  # no "Discuss now"


@pytest.mark.parametrize("role", ["host", "admin"])
def test_it_gives_the_stewards_the_console(client_as, live, role):
    QuestionFactory(section=section_of(live, "free-talk"))

    page = client_as(role).get(live.get_absolute_url()).text

    console = by_id(page, "issue-steward")
    assert "Next section" not in console  # not started on a section yet
    assert "Begin with the first section" in console
    assert "End the meeting and freeze" in console
    assert "Discuss now" in page


# Fragments fetched again when an event names them


@pytest.mark.parametrize(
    ("name", "partial", "anchor"),
    [
        ("issue-live-bar", "talk/issue.html#live-bar", "live"),
        ("issue-steward", "talk/issue.html#issue-steward", "issue-steward"),
    ],
)
def test_it_serves_the_live_fragments(client_as, live, name, partial, anchor):
    client = client_as("host")

    fragment = client.get(url(name, live), headers=HTMX)
    plain = client.get(url(name, live))

    assert fragment.status_code == 200
    assert rendered(fragment) == partial
    assert plain.status_code == 302
    assert plain.url == f"{live.get_absolute_url()}#{anchor}"


def test_it_serves_visitors_an_empty_console(client, live):
    fragment = client.get(url("issue-steward", live), headers=HTMX)

    assert rendered(fragment) == "talk/issue.html#issue-steward"
    assert "hidden" in by_id(fragment.text, "issue-steward")
    assert url("meeting-pointer", live) not in fragment.text


# The pointer


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", ["host", "admin"])
def test_it_moves_the_meeting_on(client_as, live, role, htmx):
    first, second = first_two(live)
    Issue.objects.filter(pk=live.pk).update(current_section=first)

    response = client_as(role).post(
        url("meeting-pointer", live), {"from": first.pk, "step": "next"}, headers=headers(htmx)
    )

    assert pointer(live) == second.pk
    if htmx:
        assert rendered(response) == "talk/issue.html#issue-steward"
        assert second.title in by_id(response.text, "pointer-title")
    else:
        assert response.status_code == 302
        assert response.url == f"{live.get_absolute_url()}#live"


def test_it_offers_no_step_past_either_end(client_as, live):
    sections = list(live.sections.order_by("position", "id"))

    Issue.objects.filter(pk=live.pk).update(current_section=sections[-1])
    at_the_end = client_as("host").get(url("issue-steward", live), headers=HTMX)
    Issue.objects.filter(pk=live.pk).update(current_section=sections[0])
    at_the_start = client_as("host").get(url("issue-steward", live), headers=HTMX)

    assert "disabled" in by_id(at_the_end.text, "pointer-next")
    assert "disabled" not in by_id(at_the_start.text, "pointer-next")
    assert "disabled" in by_id(at_the_start.text, "pointer-previous")
    assert "disabled" not in by_id(at_the_end.text, "pointer-previous")


def test_it_offers_only_the_sections_the_page_shows(client_as, live):
    # An imported issue keeps empty blocks for its record (序章, 后续计划):
    # the page leaves them out, so the console must not step onto them.
    last = list(live.sections.order_by("position", "id"))[-1]
    empty = Section.objects.create(
        issue=live, key="plans", title="后续计划", owner_cap=0, position=last.position + 1
    )
    Issue.objects.filter(pk=live.pk).update(current_section=last)

    console = client_as("host").get(url("issue-steward", live), headers=HTMX).text

    assert "后续计划" not in console
    assert f'value="{empty.pk}"' not in console
    assert "disabled" in by_id(console, "pointer-next")


def test_it_goes_straight_to_a_chosen_section(client_as, live):
    free_talk = section_of(live, "free-talk")

    client_as("host").post(
        url("meeting-pointer", live), {"from": "", "step": "", "section": free_talk.pk}
    )

    assert pointer(live) == free_talk.pk


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", ["anonymous", "outsider", "owner"])
def test_it_keeps_the_pointer_from_everyone_else(client_as, live, role, htmx):
    response = client_as(role).post(
        url("meeting-pointer", live), {"from": "", "step": "next"}, headers=headers(htmx)
    )

    message = "Log in to contribute." if role == "anonymous" else STEWARDS_ONLY
    assert_refused(response, htmx=htmx, status=403, message=message)
    assert pointer(live) is None


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_tells_the_late_steward_where_the_meeting_is(client_as, live, htmx):
    first, second = first_two(live)
    Issue.objects.filter(pk=live.pk).update(current_section=second)

    response = client_as("admin").post(
        url("meeting-pointer", live), {"from": first.pk, "step": "next"}, headers=headers(htmx)
    )

    assert_refused(
        response,
        htmx=htmx,
        status=409,
        message=f"The meeting has already moved on: it is at {second.title} now.",
    )
    assert pointer(live) == second.pk


def test_it_moves_the_pointer_only_while_live(client_as, issue):
    response = client_as("host").post(
        url("meeting-pointer", issue), {"from": "", "step": "next"}, headers=HTMX
    )

    assert_refused(
        response,
        htmx=True,
        status=409,
        message="That is for the meeting: start it first (it is not live).",
    )


# The spotlight


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_spotlights_a_question(client_as, live, htmx):
    question = QuestionFactory(section=section_of(live, "free-talk"))

    response = client_as("host").post(
        url("meeting-spotlight", live), {"question": question.pk}, headers=headers(htmx)
    )

    assert Issue.objects.get(pk=live.pk).spotlight_id == question.pk
    assert response.status_code == (200 if htmx else 302)


@pytest.mark.parametrize("role", ["anonymous", "author", "owner"])
def test_it_keeps_the_spotlight_from_everyone_else(client_as, live, role):
    question = QuestionFactory(section=section_of(live, "free-talk"))

    response = client_as(role).post(
        url("meeting-spotlight", live), {"question": question.pk}, headers=HTMX
    )

    assert response.status_code == 403
    assert Issue.objects.get(pk=live.pk).spotlight_id is None


# The highlights line


def test_it_suggests_highlights_without_saving_them(client_as, issue):
    ItemFactory(section=section_of(issue, "news"), title="Falcon")

    response = client_as("host").get(url("meeting-highlights", issue), headers=HTMX)

    assert rendered(response) == "talk/issue.html#highlights-form"
    assert "Falcon；" in by_id(response.text, "id_text")
    assert Issue.objects.get(pk=issue.pk).highlights == ""


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_saves_the_highlights(client_as, issue, htmx):
    response = client_as("host").post(
        url("meeting-highlights", issue),
        {"text": "Falcon；MusicGen；", "version": issue.version},
        headers=headers(htmx),
    )

    assert Issue.objects.get(pk=issue.pk).highlights == "Falcon；MusicGen；"
    if htmx:
        assert rendered(response) == "talk/issue.html#issue-steward"
        assert triggered(response)  # the record, which shows them, follows
    else:
        assert response.status_code == 302


@pytest.mark.parametrize("htmx", BOTH_WAYS)
def test_it_keeps_both_texts_when_two_stewards_save_at_once(client_as, issue, htmx):
    Issue.objects.filter(pk=issue.pk).update(highlights="编辑写的；", version=issue.version + 1)

    response = client_as("host").post(
        url("meeting-highlights", issue),
        {"text": "主持人写的；", "version": issue.version},
        headers=headers(htmx),
    )

    assert response.status_code == 409
    form = by_id(response.text, "highlights-form")
    assert "主持人写的；" in form  # what the host typed, still in the form
    assert "编辑写的；" in form  # beside what was saved meanwhile
    assert f'value="{issue.version + 1}"' in form  # saving again is on purpose
    assert Issue.objects.get(pk=issue.pk).highlights == "编辑写的；"


def test_a_plain_highlights_save_refused_as_frozen_gives_the_text_back(client_as, issue, english):
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.FROZEN)

    response = client_as("host").post(
        url("meeting-highlights", issue), {"text": "主持人写的；", "version": issue.version}
    )

    assert response.status_code == 409
    flash = by_id(response.text, "flash")
    assert "frozen" in flash
    assert "主持人写的；" in by_id(response.text, "kept-text")  # to copy, not lost
    assert Issue.objects.get(pk=issue.pk).highlights == ""


@pytest.mark.parametrize("role", ["anonymous", "author", "owner"])
def test_it_keeps_the_highlights_from_everyone_else(client_as, issue, role):
    response = client_as(role).post(
        url("meeting-highlights", issue), {"text": "我的；", "version": issue.version}, headers=HTMX
    )

    assert response.status_code == 403
    assert Issue.objects.get(pk=issue.pk).highlights == ""


# Items during the meeting


@pytest.mark.parametrize("htmx", BOTH_WAYS)
@pytest.mark.parametrize("role", ["owner", "host", "admin"])
def test_it_marks_an_item_discussed(client_as, live, role, htmx):
    item = ItemFactory(section=section_of(live, "news"))

    response = client_as(role).post(
        reverse("item-discussed", args=[item.pk]),
        {"discussed": "1"},
        headers=headers(htmx),
    )

    assert Item.objects.get(pk=item.pk).discussed
    if htmx:
        assert rendered(response) == "sections/item.html"
        assert "is-discussed" in by_id(response.text, f"item-{item.pk}")
    else:
        assert response.status_code == 302


@pytest.mark.parametrize("role", ["anonymous", "author", "outsider"])
def test_it_keeps_discussed_from_everyone_else(client_as, people, live, role):
    item = ItemFactory(section=section_of(live, "news"), author=people["author"])

    response = client_as(role).post(
        reverse("item-discussed", args=[item.pk]), {"discussed": "1"}, headers=HTMX
    )

    assert response.status_code == 403
    assert not Item.objects.get(pk=item.pk).discussed


def test_it_offers_mark_discussed_only_while_live(client_as, issue):
    item = ItemFactory(section=section_of(issue, "news"))
    discussed = reverse("item-discussed", args=[item.pk])

    assert discussed not in client_as("host").get(issue.get_absolute_url()).text
    Issue.objects.filter(pk=issue.pk).update(status="live")
    assert discussed in client_as("host").get(issue.get_absolute_url()).text


def test_it_drops_a_dragged_item_before_another(client_as, issue):
    news = section_of(issue, "news")
    a, _b, c = (ItemFactory(section=news, subgroup="学术", title=t) for t in "ABC")

    response = client_as("owner").post(
        reverse("item-move", args=[c.pk]), {"before": a.pk}, headers=HTMX
    )

    assert rendered(response) == "sections/section.html"
    order = news.items.order_by("position", "id").values_list("title", flat=True)
    assert list(order) == ["C", "A", "B"]
    assert "draggable" in by_id(response.text, f"item-{a.pk}")


def test_it_tells_a_page_on_a_wsgi_server_that_updates_are_off(client, issue):
    # The test server (and runserver) cannot hold a stream open: the page
    # hears at once that live updates are off, and asks again much later.
    response = client.get(url("issue-events", issue))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    assert response.content.decode().startswith("retry: 60000\ndata: ")
    assert '"live": false' in response.content.decode()


def test_it_answers_404_for_the_stream_of_an_unknown_issue(client, series):
    response = client.get(reverse("issue-events", args=[series.slug, "404"]))

    assert response.status_code == 404
