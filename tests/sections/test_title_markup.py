"""Markdown in one-line fields, as members type it ("**7B** 模型",
"`vllm`"): shown as emphasis and code wherever a title or the highlights
line is shown, as words where the text is plain, and never as a link,
an image or HTML."""

import pytest
from django.urls import reverse

from sections.markup import plain_line, plain_text, render_line
from talk import selectors
from talk.exports.html import render
from talk.models import Issue
from talk.snapshot import snapshot_build
from tests.conftest import section_of
from tests.factories import ItemFactory, QuestionFactory
from tests.responses import by_id


@pytest.mark.parametrize(
    ("typed", "shown", "words"),
    [
        ("**7B** 模型", "<strong>7B</strong> 模型", "7B 模型"),
        ("`vllm` 与 *LoRA*", "<code>vllm</code> 与 <em>LoRA</em>", "vllm 与 LoRA"),
        ("~~旧~~新", "<s>旧</s>新", "旧新"),
        ("[x](javascript:alert(1))", "[x](javascript:alert(1))", "[x](javascript:alert(1))"),
        (
            "![i](https://t.example/p.png)",
            "![i](https://t.example/p.png)",
            "![i](https://t.example/p.png)",
        ),
        (
            "<b onmouseover=x>hi</b>",
            "&lt;b onmouseover=x&gt;hi&lt;/b&gt;",
            "<b onmouseover=x>hi</b>",
        ),
        ("# 不是标题", "# 不是标题", "# 不是标题"),
    ],
)
def test_a_one_line_field_shows_emphasis_and_code_and_nothing_else(typed, shown, words):
    assert render_line(typed) == shown
    assert plain_line(typed) == words


def test_a_body_quoted_in_a_line_reads_as_its_words():
    assert plain_text("**RLHF** 是 RL 起的作用吗？\n见 [论文](https://arxiv.org/abs/1)") == (
        "RLHF 是 RL 起的作用吗？\n见 论文"
    )


def test_the_page_the_references_and_the_record_show_a_title_s_emphasis(client, issue):
    news = section_of(issue, "news")
    item = ItemFactory(section=news, title="**7B** 模型", url="https://example.com/7b")
    Issue.objects.filter(pk=issue.pk).update(highlights="**7B** 模型；")

    page = client.get(issue.get_absolute_url()).text

    assert "<strong>7B</strong> 模型" in by_id(page, f"item-{item.pk}")
    assert "<strong>7B</strong> 模型" in by_id(page, "references")
    assert by_id(page, "highlights") == '<dd id="highlights"><strong>7B</strong> 模型；</dd>'
    assert "**7B**" not in page


def test_the_live_bar_quotes_the_question_under_discussion_as_words(client, issue):
    question = QuestionFactory(section=section_of(issue, "free-talk"), body="**RLHF** 有用吗？")
    Issue.objects.filter(pk=issue.pk).update(status="live", spotlight=question)

    bar = by_id(client.get(issue.get_absolute_url()).text, "live-spotlight")

    assert ">RLHF 有用吗？</a>" in bar


def test_the_highlights_suggestion_takes_the_titles_words(issue):
    ItemFactory(section=section_of(issue, "news"), title="**7B** 模型")

    assert selectors.highlights_suggestion(issue) == "7B 模型；"


def test_the_archive_shows_the_highlights_emphasis(client, issue):
    Issue.objects.filter(pk=issue.pk).update(status="published", highlights="**7B** 模型；")

    page = client.get(reverse("series-archive", args=[issue.series.slug])).text

    assert "<strong>7B</strong> 模型；" in page


def test_the_html_export_shows_a_title_s_emphasis(issue):
    ItemFactory(
        section=section_of(issue, "news"), title="**7B** 模型", url="https://example.com/7b"
    )

    exported = render(snapshot_build(issue)).decode()

    assert "<strong>7B</strong> 模型</a>" in exported
