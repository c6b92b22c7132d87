"""The Q&A filter in a real browser: picked on the page (htmx, the address
follows), kept through the live refresh of its section when someone else
answers a question, without a reload.

The pages talk to a real uvicorn process (see asgi_server), events through
the process's own broker: both pages are served by it.
"""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.conftest import section_of
from tests.factories import AnswerFactory, QuestionFactory, UserFactory

from .asgi_server import AsgiServer, log_in_cookie

pytestmark = pytest.mark.postgres  # the server process reads the test database

PROPAGATION_MS = 2_000
MARK_PAGE = "window.__sameDocument = true"
SAME_PAGE = "window.__sameDocument === true"


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


def hidden_by_the_filter(count: int) -> str:
    with translation.override("zh-hans"):
        return translation.ngettext(
            "%(hidden)s question hidden by the filter",
            "%(hidden)s questions hidden by the filter",
            count,
        ) % {"hidden": count}


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory):
    started = AsgiServer(redis_url="", log=tmp_path_factory.mktemp("asgi") / "asgi.log").start()
    yield started
    started.stop()


@pytest.fixture
def visit(open_context, issue, server):
    """The issue page as `user`, once its live stream is connected."""

    def open_page(user):
        context = open_context()
        log_in_cookie(context, server, user)
        page = context.new_page()
        page.goto(server.url + issue.get_absolute_url())
        expect(page.locator("#live-state")).to_have_attribute("data-state", "live")
        page.evaluate(MARK_PAGE)
        return page

    return open_page


def test_it_keeps_the_unanswered_filter_through_a_live_refresh(
    transactional_db, server, issue, member, visit
):
    free_talk = section_of(issue, "free-talk")
    waiting = QuestionFactory(section=free_talk, body="长上下文怎么评测？")
    answered = QuestionFactory(section=free_talk, body="RLHF 是 RL 起的作用吗？")
    AnswerFactory(question=answered, body="RM 的数据类似排序数据")
    reader = visit(member)
    section = reader.locator(f"#section-{free_talk.pk}")
    expect(section.locator(".question")).to_have_count(2)

    section.locator(f"#show-links-{free_talk.pk} a[href*='show=unanswered']").click()

    expect(section.locator(".question-body")).to_have_text(["长上下文怎么评测？"])
    expect(section.locator(f"#filter-hidden-{free_talk.pk}")).to_contain_text(
        hidden_by_the_filter(1)
    )
    expect(reader).to_have_url(re.compile(r"\?sort=time&show=unanswered$"))

    answerer = visit(UserFactory(alias="回答者"))
    block = answerer.locator(f"#question-{waiting.pk}")
    block.locator("> .actions").get_by_role("link", name=re.compile("^" + zh("Answer"))).click()
    slot = answerer.locator(f"#answer-slot-{waiting.pk}")
    slot.locator(f"textarea#answer-new-q{waiting.pk}-body").fill("看 LongBench。")
    slot.locator("button[type=submit]").click()
    expect(block.locator(".answers .answer-body")).to_have_text("看 LongBench。")

    # Answered now, it leaves the reader's unanswered view, and the count says so.
    expect(reader.locator(f"#question-{waiting.pk}")).to_have_count(0, timeout=PROPAGATION_MS)
    expect(section.locator(".question")).to_have_count(0)
    expect(section.locator(f"#filter-hidden-{free_talk.pk}")).to_contain_text(
        hidden_by_the_filter(2)
    )
    expect(section.locator(f"#show-links-{free_talk.pk} a[aria-current]")).to_have_attribute(
        "href", re.compile(r"show=unanswered")
    )
    expect(reader).to_have_url(re.compile(r"\?sort=time&show=unanswered$"))
    assert reader.evaluate(SAME_PAGE), "no reload"

    # Show all brings both back, answered.
    section.locator(f"#filter-hidden-{free_talk.pk} a").click()
    expect(section.locator(".question-body")).to_have_text(
        ["长上下文怎么评测？", "RLHF 是 RL 起的作用吗？"]
    )
    expect(section.locator(f"#filter-hidden-{free_talk.pk}")).to_have_count(0)
    assert reader.evaluate(SAME_PAGE), "no reload"
