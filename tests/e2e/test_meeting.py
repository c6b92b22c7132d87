"""The host's desk in a real browser: items dragged into place, the
highlights line suggested, edited and saved."""

import pytest
from playwright.sync_api import expect

from talk.models import Issue
from tests.conftest import section_of
from tests.factories import ItemFactory

from .test_member_desk import open_issue, zh

pytestmark = pytest.mark.django_db(transaction=True)


def titles(section) -> list[str]:
    return list(section.items.order_by("position", "id").values_list("title", flat=True))


def test_the_host_drags_an_item_before_another(live_server, page_of, issue, host):
    news = section_of(issue, "news")
    for title in ("Falcon", "百川 7B", "MusicGen"):
        ItemFactory(section=news, subgroup="学术", title=title)
    page = page_of(host)
    open_issue(page, live_server, issue)
    rows = page.locator(f"#section-{news.pk} li.entry")

    rows.filter(has_text="MusicGen").drag_to(rows.filter(has_text="Falcon"))

    expect(rows.first).to_contain_text("MusicGen")
    assert titles(news) == ["MusicGen", "Falcon", "百川 7B"]


def test_the_host_writes_the_highlights_from_a_suggestion(live_server, page_of, issue, host):
    news = section_of(issue, "news")
    ItemFactory(section=news, subgroup="学术", title="RoPE 外推")
    ItemFactory(section=news, subgroup="项目", title="vllm")
    page = page_of(host)
    open_issue(page, live_server, issue)
    form = page.locator("#highlights-form")

    form.get_by_role("link", name=zh("Suggest from the items and themes")).click()
    field = page.locator("#highlights-form textarea[name=text]")
    expect(field).to_have_value("RoPE 外推；vllm；")
    field.press("End")
    field.type("lora 融合；")
    page.locator("#highlights-form button[type=submit]").click()

    expect(page.locator("#highlights")).to_have_text("RoPE 外推；vllm；lora 融合；")
    assert Issue.objects.get(pk=issue.pk).highlights == "RoPE 外推；vllm；lora 融合；"
