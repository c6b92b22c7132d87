"""Member Markdown as the page and the exports show it."""

from sections.markup import render_markdown


def test_it_keeps_the_lines_a_member_typed():
    html = render_markdown("推荐阅读：\n1）attention mask\n2）tokenizer")

    assert html.count("<br>") == 2
    assert "推荐阅读：<br>\n1）attention mask<br>\n2）tokenizer" in html


def test_a_blank_line_still_starts_a_paragraph():
    assert render_markdown("一段\n\n另一段").count("<p>") == 2
