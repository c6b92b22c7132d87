"""Present mode and the host's keys in a real browser: the room's screen
follows the meeting with no login, and the host runs the meeting from the
keyboard (keys that do nothing while anyone types)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from sections.models import Vote
from sections.services import question_vote
from talk.models import Issue
from talk.services import issue_pointer_move, issue_spotlight, issue_start
from tests.conftest import section_of
from tests.factories import ItemFactory, QuestionFactory, UserFactory

from .asgi_server import log_in_cookie
from .live_pages import MARK_PAGE, SAME_PAGE
from .test_live import zh

pytestmark = pytest.mark.postgres  # the server process reads the test database

DISCUSSED = re.compile(r"\bis-discussed\b")


@pytest.fixture
def present(open_context, issue):
    """The issue's present mode in a browser of its own, as `user` or (None)
    as the room's screen nobody logged in on, once its stream is live."""

    def open_screen(server, user=None):
        context = open_context()
        if user is not None:
            log_in_cookie(context, server, user)
        page = context.new_page()
        page.goto(server.url + reverse("issue-present", args=[issue.series.slug, issue.code]))
        expect(page.locator("#live-state")).to_have_attribute("data-state", "live")
        page.evaluate(MARK_PAGE)
        return page

    return open_screen


def test_the_room_s_screen_follows_the_meeting_without_a_login(
    redis_server, transactional_db, issue, host, member, present
):
    news, recommend = section_of(issue, "news"), section_of(issue, "recommend")
    ItemFactory(section=news, title="Falcon 180B")
    ItemFactory(section=recommend, title="RoPE 外推")
    question = QuestionFactory(section=section_of(issue, "free-talk"), body="长上下文怎么评测？")
    issue_start(issue_id=issue.pk, user=host)
    screen = present(redis_server)
    expect(screen.locator("#present-section")).to_have_text(
        zh("The host has not started on a section yet.")
    )

    issue_pointer_move(issue_id=issue.pk, user=host, expected_id=None, section_id=news.pk)
    expect(screen.locator("#present-section")).to_contain_text(news.title)
    expect(screen.locator("#present-items")).to_have_text("Falcon 180B")
    expect(screen.locator("#present-next")).to_contain_text(recommend.title)
    expect(screen.locator("#countdown")).to_have_text(re.compile(r"^\d\d:\d\d "))

    issue_spotlight(issue_id=issue.pk, user=host, question_id=question.pk)
    spotlight = screen.locator("#present-spotlight")
    expect(spotlight).to_contain_text("长上下文怎么评测？")
    expect(screen.locator("#present-votes")).to_have_text("0")
    question_vote(question_id=question.pk, user=member)
    expect(screen.locator("#present-votes")).to_have_text("1")

    issue_pointer_move(issue_id=issue.pk, user=host, expected_id=news.pk, step=1)
    expect(screen.locator("#present-section")).to_contain_text(recommend.title)
    expect(screen.locator("#present-items")).to_have_text("RoPE 外推")
    # A visitor's screen has no console and takes no keys.
    expect(screen.locator("#present-console")).to_have_count(0)
    screen.keyboard.press("n")
    screen.wait_for_timeout(300)
    assert Issue.objects.get(pk=issue.pk).current_section_id == recommend.pk
    assert screen.evaluate(SAME_PAGE)


def test_the_host_runs_the_meeting_from_present_mode_with_the_keyboard(
    redis_server, transactional_db, issue, host, present
):
    news, recommend = section_of(issue, "news"), section_of(issue, "recommend")
    first = ItemFactory(section=news, title="Falcon 180B")
    ItemFactory(section=news, title="vllm")
    free = section_of(issue, "free-talk")
    QuestionFactory(section=free, body="少票的问题")
    voted = QuestionFactory(section=free, body="多票的问题")
    Vote.objects.create(question=voted, member=UserFactory())
    issue_start(issue_id=issue.pk, user=host)
    screen = present(redis_server, host)

    screen.keyboard.press("n")
    expect(screen.locator("#present-section")).to_contain_text(news.title)

    screen.keyboard.press("d")
    expect(screen.locator("#present-items li").first).to_have_class(DISCUSSED)
    first.refresh_from_db()
    assert first.discussed

    screen.keyboard.press("s")
    expect(screen.locator("#present-spotlight")).to_contain_text("多票的问题")
    screen.keyboard.press("s")
    expect(screen.locator("#present-spotlight")).to_contain_text("少票的问题")
    screen.keyboard.press("s")  # none left: said in words, the spotlight stays
    expect(screen.locator("#flash")).to_contain_text(
        zh("Every question has been discussed: none is left to spotlight.")
    )

    screen.keyboard.press("n")
    expect(screen.locator("#present-section")).to_contain_text(recommend.title)
    screen.keyboard.press("p")
    expect(screen.locator("#present-section")).to_contain_text(news.title)

    screen.keyboard.press("?")
    help = screen.locator("#shortcuts")
    expect(help).to_be_visible()
    expect(help).to_contain_text(zh("Spotlight the next most-voted question"))
    screen.keyboard.press("n")  # the list is open: no key moves the meeting
    screen.keyboard.press("Escape")
    expect(help).not_to_be_visible()
    assert Issue.objects.get(pk=issue.pk).current_section_id == news.pk
    assert screen.evaluate(SAME_PAGE)


def test_the_host_s_keys_do_nothing_while_the_host_types(
    redis_server, transactional_db, issue, host, visit
):
    news = section_of(issue, "news")
    issue_start(issue_id=issue.pk, user=host)
    issue_pointer_move(issue_id=issue.pk, user=host, expected_id=None, section_id=news.pk)
    console = visit(redis_server, host)
    field = console.locator("#highlights-form textarea[name=text]")
    field.click()

    field.press_sequentially("n p s d ?")

    expect(field).to_have_value("n p s d ?")
    expect(console.locator("#shortcuts")).not_to_be_visible()
    console.wait_for_timeout(300)
    issue.refresh_from_db()
    assert (issue.current_section_id, issue.spotlight_id) == (news.pk, None)

    # Out of the field, the same key moves the meeting on.
    field.blur()
    console.keyboard.press("n")
    expect(console.locator("#pointer-title")).not_to_have_text(news.title)
    assert Issue.objects.get(pk=issue.pk).current_section_id != news.pk
