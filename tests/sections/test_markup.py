"""Member Markdown as the page and the exports show it."""

from sections.markup import render_code, render_markdown


def test_it_keeps_the_lines_a_member_typed():
    html = render_markdown("推荐阅读：\n1）attention mask\n2）tokenizer")

    assert html.count("<br>") == 2
    assert "推荐阅读：<br>\n1）attention mask<br>\n2）tokenizer" in html


def test_a_blank_line_still_starts_a_paragraph():
    assert render_markdown("一段\n\n另一段").count("<p>") == 2


def test_a_bare_link_ends_at_full_width_punctuation():
    html = render_markdown("模板见 https://zhuanlan.zhihu.com/p/640522290；可参考模板进行贡献")

    assert 'href="https://zhuanlan.zhihu.com/p/640522290"' in html
    assert "</a>；可参考模板进行贡献" in html


def test_a_bare_host_link_ends_at_a_full_width_comma_too():
    html = render_markdown("代码在 github.com/openllmai/talk，欢迎提 PR")

    assert 'href="http://github.com/openllmai/talk"' in html
    assert "</a>，欢迎提 PR" in html


def test_a_link_keeps_its_own_chinese_letters():
    html = render_markdown("https://zh.wikipedia.org/wiki/注意力机制 讲得清楚")

    assert ">https://zh.wikipedia.org/wiki/注意力机制</a> 讲得清楚" in html


def test_a_file_name_is_not_a_link():
    html = render_markdown("改 model.py、README.md 和 run.sh 就行")

    assert "<a" not in html


def test_a_link_without_its_scheme_needs_www_or_a_path():
    html = render_markdown("见 www.example.org 和 example.org/paper")

    assert 'href="http://www.example.org"' in html
    assert 'href="http://example.org/paper"' in html


def test_a_member_s_headings_sit_below_the_page_s_own():
    html = render_markdown("# 标题\n\n## 小节\n\n#### 更小")

    assert "<h4>标题</h4>" in html
    assert "<h5>小节</h5>" in html
    assert "<h6>更小</h6>" in html


def test_code_that_scrolls_sideways_takes_keyboard_focus():
    fenced = render_markdown("```python\nx = 1\n```")
    snippet = render_code("x = 1", "python")
    plain = render_code("x = 1", "")

    for html in (fenced, snippet, plain):
        assert '<pre tabindex="0">' in html, html
    # A member cannot hand out focus: the sanitiser keeps no tabindex.
    assert "<p tabindex" not in render_markdown('<p tabindex="5">x</p>')
