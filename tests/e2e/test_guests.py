"""A guest's question in a real browser: where the host lets guests in, a
visitor with no account asks under a nickname, the question waits in the
review queue, and once the host approves it the room sees it (the guest's
own page too, live), where the guest can vote for it."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from sections.models import PostStatus, Question
from talk.services import issue_guests_set
from tests.conftest import section_of

from .asgi_server import log_in_cookie
from .live_pages import SAME_PAGE
from .test_live import PROPAGATION_MS, zh

pytestmark = pytest.mark.postgres  # the server process reads the test database


def test_a_guest_s_question_goes_through_the_queue(
    redis_server, transactional_db, issue, host, open_context
):
    free_talk = section_of(issue, "free-talk")
    issue_guests_set(issue_id=issue.pk, user=host, allowed=True)
    guest = open_context().new_page()
    guest.goto(redis_server.url + issue.get_absolute_url())
    expect(guest.locator("#live-state")).to_have_attribute("data-state", "live")
    guest.evaluate("window.__sameDocument = true")
    box = guest.locator(f"#guest-ask-{free_talk.pk}")

    box.locator("input[name=nickname]").fill("路过的朋友")
    box.locator("textarea[name=body]").fill("访客也能提问吗？")
    box.get_by_role("button", name=zh("Send the question")).click()

    expect(box).to_contain_text(
        zh("Thank you: your question waits for a moderator and shows here once approved.")
    )
    question = Question.objects.get(body="访客也能提问吗？")
    assert (question.status, question.author_name) == (PostStatus.PENDING, "路过的朋友")
    expect(guest.locator(f"#question-{question.pk}")).to_have_count(0)

    context = open_context()
    log_in_cookie(context, redis_server, host)
    moderator = context.new_page()
    moderator.goto(redis_server.url + reverse("section-moderation", args=[free_talk.pk]))
    row = moderator.locator(f"#moderate-question-{question.pk}")
    expect(row).to_contain_text("路过的朋友")
    row.get_by_role("button", name=zh("Approve")).click()

    shown = guest.locator(f"#question-{question.pk}")
    expect(shown).to_contain_text("访客也能提问吗？", timeout=PROPAGATION_MS)
    expect(shown).to_contain_text(zh("(guest)"))
    shown.locator("button.vote").click()
    expect(shown.locator(".vote-count")).to_have_text("1")
    assert question.votes.count() == 1
    assert guest.evaluate(SAME_PAGE)
