"""聊天区 in a real browser: a member's line shows on the others' pages at
once, and a block copied from WeChat becomes chat lines with speakers and
times."""

import pytest
from playwright.sync_api import expect

from sections.models import ChatLine
from talk.services import issue_start
from tests.conftest import section_of

from .live_pages import SAME_PAGE
from .test_live import PROPAGATION_MS, zh

pytestmark = pytest.mark.postgres  # the server process reads the test database

WECHAT = """初七 2023-06-10 21:05
位置编码怎么选？

群里的朋友 21:06
看任务长度
要外推就 RoPE"""


def test_a_chat_line_shows_on_the_others_pages_at_once(
    redis_server, transactional_db, issue, host, member, visit
):
    chat = section_of(issue, "chat")
    issue_start(issue_id=issue.pk, user=host)
    writer = visit(redis_server, member, follow=False)
    reader = visit(redis_server, host, follow=False)

    field = writer.locator(f"#section-{chat.pk}-chat-text")
    field.fill("今天讲长上下文吗？")
    writer.locator(f"#chat-say-{chat.pk} button[type=submit]").click()

    line = reader.locator(f"#chat-{chat.pk} .chat-line")
    expect(line).to_contain_text("初七", timeout=PROPAGATION_MS)
    expect(line).to_contain_text("今天讲长上下文吗？")
    expect(writer.locator(f"#section-{chat.pk}-chat-text")).to_have_value("")
    assert reader.evaluate(SAME_PAGE)
    assert writer.evaluate(SAME_PAGE)


def test_the_host_pastes_a_wechat_block(redis_server, transactional_db, issue, host, member, visit):
    chat = section_of(issue, "chat")
    console = visit(redis_server, host, follow=False)
    viewer = visit(redis_server, member, follow=False)
    paste = console.locator(f"#chat-paste-{chat.pk}")

    paste.locator("> summary").click()
    console.locator(f"#section-{chat.pk}-paste-text").fill(WECHAT)
    paste.get_by_role("button", name=zh("Add the lines")).click()

    lines = viewer.locator(f"#chat-{chat.pk} .chat-line")
    expect(lines).to_have_count(2, timeout=PROPAGATION_MS)
    expect(lines.nth(0)).to_contain_text("初七")
    expect(lines.nth(0)).to_contain_text("2023-06-10 21:05")
    expect(lines.nth(0)).to_contain_text("位置编码怎么选？")
    expect(lines.nth(1)).to_contain_text("群里的朋友")
    expect(lines.nth(1)).to_contain_text("看任务长度")
    saved = list(ChatLine.objects.order_by("position").values_list("speaker", "speaker_name"))
    assert saved == [(member.pk, ""), (None, "群里的朋友")]
