"""The header's unread count, live: a member with the issue page open sees
it go up when someone answers their question, without a reload, over the
page's own event stream (which also carries the member's own events).

The pages talk to a real uvicorn process (see asgi_server), with events
through Redis or, without REDIS_URL, through the process's own broker; the
answer is posted from another member's browser, so the server does the
fan-out as it would in production (in place: tests.stack sets
NOTIFY_BACKGROUND=0 and eager Celery for every process the suite starts).
"""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from notify.models import Notice
from sections.models import Answer
from sections.services import question_ask
from tests.conftest import section_of
from tests.factories import UserFactory

from .asgi_server import AsgiServer, log_in_cookie

pytestmark = pytest.mark.postgres  # the server process reads the test database

PROPAGATION_MS = 2_000
MARK_PAGE = "window.__sameDocument = true"
SAME_PAGE = "window.__sameDocument === true"


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


@pytest.fixture(scope="module")
def servers(django_db_setup, tmp_path_factory):
    started = {}

    def get(mode: str) -> AsgiServer:
        if mode not in started:
            log = tmp_path_factory.mktemp("asgi") / f"{mode}.log"
            redis_url = settings.REDIS_URL if mode == "redis" else ""
            started[mode] = AsgiServer(redis_url=redis_url, log=log).start()
        return started[mode]

    yield get
    for server in started.values():
        server.stop()


@pytest.fixture
def visit(open_context, issue):
    """The issue page as `user`, once its live stream is connected."""

    def open_page(server: AsgiServer, user):
        context = open_context()
        log_in_cookie(context, server, user)
        page = context.new_page()
        page.goto(server.url + issue.get_absolute_url())
        expect(page.locator("#live-state")).to_have_attribute("data-state", "live")
        page.evaluate(MARK_PAGE)
        return page

    return open_page


def answer(page, question, text: str) -> None:
    block = page.locator(f"#question-{question.pk}")
    block.locator("> .actions").get_by_role("link", name=re.compile("^" + zh("Answer"))).click()
    slot = page.locator(f"#answer-slot-{question.pk}")
    slot.locator(f"textarea#answer-new-q{question.pk}-body").fill(text)
    slot.locator("button[type=submit]").click()
    expect(block.locator(".answers > li.answer .answer-body")).to_have_text(text)


@pytest.mark.parametrize("mode", [pytest.param("redis", marks=pytest.mark.redis), "fallback"])
def test_it_counts_an_answer_in_the_askers_header_without_a_reload(
    mode, servers, transactional_db, issue, visit
):
    server = servers(mode)
    asker = UserFactory(alias="提问者")
    question = question_ask(
        section=section_of(issue, "free-talk"), user=asker, body="长上下文怎么评测？"
    )
    reader = visit(server, asker)
    link = reader.locator("#inbox-link")
    expect(link).to_have_text(zh("Inbox"))
    expect(link.locator(".badge")).to_have_count(0)

    answer(visit(server, UserFactory(alias="回答者")), question, "看 LongBench。")

    expect(link.locator(".badge")).to_have_text(re.compile(r"^1\b"), timeout=PROPAGATION_MS)
    expect(link).to_have_class("has-unread")
    assert reader.evaluate(SAME_PAGE), "no reload"
    # Still the link, with its live source, ready for the next change.
    expect(link).to_have_attribute("data-live-src", reverse("notify-link"))

    # Opened from the inbox, the entry leads to the answer and the count goes.
    link.click()
    reader.wait_for_url(server.url + reverse("notify-inbox"))
    reader.locator("#inbox .notice.is-unread button").click()
    found = Answer.objects.get(question=question)
    reader.wait_for_url(
        re.compile(re.escape(f"{issue.get_absolute_url()}#answer-{found.pk}") + "$")
    )
    expect(reader.locator("#inbox-link .badge")).to_have_count(0)
    assert Notice.objects.get(recipient=asker).read_at is not None
