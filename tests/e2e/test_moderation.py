"""Moderation in a real browser: under pre-moderation a member's question
waits, a host rejects it from the review queue with a reason, and the asker
sees the question as rejected, with the reason, while others never see it."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from sections.models import PostStatus, Question
from talk.models import Series
from tests.conftest import section_of

from .test_member_desk import open_issue, zh

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_asker_sees_why_their_question_was_rejected(
    live_server, page_of, issue, member, host, outsider
):
    Series.objects.update(moderation="pre")
    free_talk = section_of(issue, "free-talk")
    asker = page_of(member)
    open_issue(asker, live_server, issue)

    ask = asker.locator(f"#ask-{free_talk.pk}")
    ask.locator("summary").click()
    ask.locator("textarea[name=body]").fill("能说说我们公司的模型吗？")
    ask.locator("button[type=submit]").click()
    waiting = asker.locator(".question", has_text="能说说我们公司的模型吗？")
    expect(waiting).to_contain_text(zh("Waiting for approval"))
    question = Question.objects.get(body="能说说我们公司的模型吗？")
    assert question.status == PostStatus.PENDING

    moderator = page_of(host)
    moderator.goto(live_server.url + reverse("section-moderation", args=[free_talk.pk]))
    row = moderator.locator(f"#moderate-question-{question.pk}")
    row.locator("summary", has_text=zh("Reject")).click()
    row.locator("input[name=reason]").fill("请勿提及雇主")
    row.locator("button[type=submit]", has_text=zh("Reject")).click()
    expect(moderator.locator("#removed-title")).to_be_visible()
    expect(
        moderator.locator(f"#moderate-question-{question.pk}", has_text="请勿提及雇主")
    ).to_be_visible()

    asker.reload()
    rejected = asker.locator(f"#question-{question.pk}")
    expect(rejected).to_contain_text(zh("Rejected"))
    expect(rejected).to_contain_text("请勿提及雇主")

    someone_else = page_of(outsider)
    open_issue(someone_else, live_server, issue)
    expect(someone_else.locator(f"#question-{question.pk}")).to_have_count(0)
