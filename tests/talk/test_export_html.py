"""The standalone HTML export: the Markdown's content and structure as one
self-contained page, member text sanitised, the same bytes every time."""

import json
import re
from html.parser import HTMLParser

import pytest

from sections.markup import render_markdown
from sections.models import Answer, ChatLine, Item, Question
from talk.exports import html
from talk.importing import issue_import
from talk.snapshot import snapshot_build
from tests.conftest import section_of
from tests.html import HOSTILE, HOSTILE_NAME, unsafe_markup
from tests.talk.test_export_markdown import (
    CORPUS,
    MARKDOWN_FIELDS,
    RECORD_004,
    imported_004,
    rich_issue,
    snapshot_strings,
)

BLOCKS = {
    "p", "div", "li", "br", "h1", "h2", "h3", "blockquote", "pre", "figure", "figcaption",
    "ol", "ul", "section", "table", "tr", "td", "th",
}  # fmt: skip


class _Page(HTMLParser):
    """The page's visible text (block edges read as spaces, as a reader sees
    them), and every tag with its attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in BLOCKS:
            self.text.append(" ")
        if tag in ("style", "title", "script"):
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self.text.append(" ")
        if tag in ("style", "title", "script"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)


def read(document: str) -> _Page:
    page = _Page()
    page.feed(document)
    page.close()
    return page


def plain(text: str) -> str:
    return " ".join(text.split())


def visible_text(fragment: str) -> str:
    return plain("".join(read(fragment).text))


@pytest.fixture
def snapshot(issue):
    rich_issue(issue)
    return snapshot_build(issue)


@pytest.fixture
def document(snapshot):
    return html.render(snapshot).decode()


def test_it_is_a_standalone_chinese_document(document):
    page = read(document)
    tags = [tag for tag, _attrs in page.tags]

    assert document.startswith(
        '<!doctype html>\n<html lang="zh-Hans">\n<head>\n<meta charset="utf-8">'
    )
    assert "<title>OpenLLM Talk 008</title>" in document
    assert tags.count("style") == 1
    assert "script" not in tags
    assert not {"link", "img", "iframe", "object", "embed", "base", "source"} & set(tags)
    assert not re.search(r"@import|@font-face|url\(", document)
    assert '"Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif' in document


def test_its_only_references_are_links_to_http_pages(document):
    references = [
        (tag, name, value)
        for tag, attrs in read(document).tags
        for name, value in attrs.items()
        if name in ("href", "src", "srcset", "action", "data", "poster")
    ]

    assert references
    assert {(tag, name) for tag, name, _value in references} == {("a", "href")}
    assert all(value.startswith(("https://", "http://")) for _tag, _name, value in references)


def test_it_follows_the_markdown_layout(document):
    text = visible_text(document)

    for line in (
        "【编号】：OpenLLM Talk 008",
        "【时间】：2023-06-10 22:00 (Asia/Shanghai)",
        "【本期提要】：SuperCLUE-Open；文心盘古；chatlaw；",
        "【本期贡献者】- 排名不分先后：羡鱼、suc16、yuhan、群友、初七",
        "【版块负责人】：本周新闻：羡鱼、yuhan；本周推荐：初七；",
        "【talk 视频】：https://www.bilibili.com/video/BV1Kh4y1E7nX/",
        "【本期主题】：位置编码",
        "Q3：对齐税？ --初七 --上期遗留（007）",
        "A1：BBPE 的方式 --群友（已采纳）",
        "羡鱼 21:05：大家好",
    ):
        assert line in text, line
    headings = re.findall(r"<h([23])>(.*?)</h\1>", document)
    assert [title for level, title in headings if level == "2"] == [
        "序章",
        "本期记录",
        "本周新闻",
        "本周推荐",
        "本周经典-optional",
        "本周实践-optional",
        "Free Talk",
        "聊天区",
        "参考资料",
    ]
    assert [title for level, title in headings if level == "3"][:3] == ["学术", "项目", "工业界"]


def test_it_links_titles_and_urls_and_threads_replies(document):
    assert (
        '<a class="entry-title" href="https://arxiv.org/abs/2307.02486" rel="nofollow noopener">'
        "LongNet: Scaling Transformers to 1,000,000,000 Tokens</a><br>"
        '<a class="url" href="https://arxiv.org/abs/2307.02486"'
    ) in document
    assert '<ol class="points"><li>线性复杂度</li><li>可以并行训练</li></ol>' in document
    assert (
        '<figure class="code"><figcaption>python</figcaption><pre tabindex="0"><code>' in document
    )
    accepted = document[document.index('<div class="post answer accepted">') :]
    reply = accepted.index('<blockquote class="reply">')
    nested = accepted.index('<blockquote class="reply">', reply + 1)
    assert reply < accepted.index("同意，sp model") < nested < accepted.index("补充：见")
    assert '<div class="post answer empty"><p><span class="label">A2：</span></p></div>' in document


def test_it_drops_nothing_the_snapshot_holds(snapshot, document):
    text = visible_text(document)

    missing = [
        (field, value)
        for field, value in snapshot_strings(snapshot)
        if (visible_text(render_markdown(value)) if field in MARKDOWN_FIELDS else plain(value))
        not in text
    ]

    assert missing == []


def test_it_renders_the_same_bytes_every_time_and_after_a_json_round_trip(snapshot):
    stored = json.loads(json.dumps(snapshot))

    first = html.render(snapshot)

    assert first == html.render(snapshot) == html.render(stored)


def test_it_writes_an_imported_preface_once_in_the_words_of_the_source(series):
    snapshot = snapshot_build(imported_004(series))

    document = html.render(snapshot).decode()

    start = document.index('<section id="record">')
    record = document[start : document.index("</section>", start)]
    assert [visible_text(line) for line in re.findall(r"<p .*?</p>", record)] == RECORD_004
    assert document.count("<h2>序章</h2>") == document.count("本期记录") == 1
    assert "<h2>序章</h2>\n<h3>背景介绍</h3>\n" in document
    assert html.render(snapshot) == html.render(json.loads(json.dumps(snapshot)))


def test_it_links_the_video_an_imported_record_names(series):
    text = (CORPUS / "openllm-talk-003.txt").read_text(encoding="utf-8")
    document = html.render(snapshot_build(issue_import(series=series, text=text))).decode()

    video = next(line for line in document.splitlines() if "【talk 视频】" in line)
    assert "【精准空降到 10:10】<a" in video
    assert 'href="https://www.bilibili.com/video/BV1Kh4y1E7nX/?share_source=' in video


def test_it_writes_an_issue_made_in_the_desk_as_before(snapshot, document):
    earlier = {key: value for key, value in snapshot.items() if key != "record"}

    assert html.render(earlier).decode() == document
    assert "<h3>背景介绍</h3>" not in document


def hostile_issue(issue):
    """HOSTILE everywhere a member or an admin can type."""
    issue.host_name = HOSTILE_NAME
    issue.highlights = HOSTILE
    issue.video_url = HOSTILE
    issue.save()
    issue.series.notices = HOSTILE
    issue.series.save()
    news = section_of(issue, "news")
    news.title = HOSTILE[:80]
    news.description = HOSTILE
    news.subgroups = [*news.subgroups, HOSTILE[:40]]
    news.theme_label = HOSTILE[:20]
    news.theme = HOSTILE[:300]
    news.contributor_names = [HOSTILE_NAME]
    news.save()
    for kind in (Item.Kind.ENTRY, Item.Kind.NOMINATION, Item.Kind.SUGGESTION):
        Item.objects.create(
            section=news,
            kind=kind,
            subgroup=HOSTILE[:40] if kind == Item.Kind.ENTRY else "",
            title=HOSTILE,
            url=HOSTILE,
            body=HOSTILE,
            points=HOSTILE,
            code=HOSTILE,
            language=HOSTILE[:30],
            author_name=HOSTILE_NAME,
        )
    Item.objects.create(section=news, title="javascript", url='javascript:alert("evil")')
    free_talk = section_of(issue, "free-talk")
    question = Question.objects.create(section=free_talk, body=HOSTILE, author_name=HOSTILE_NAME)
    answer = Answer.objects.create(question=question, body=HOSTILE, author_name=HOSTILE_NAME)
    Answer.objects.create(question=question, parent=answer, body=HOSTILE, author_name="x")
    ChatLine.objects.create(
        section=section_of(issue, "chat"), speaker_name=HOSTILE_NAME, said_at="<b>", text=HOSTILE
    )


def test_it_keeps_an_imported_record_inert(series):
    text = f"OpenLLM Talk 021\n【缘起】：{HOSTILE}\n【具体内容贡献者】：{HOSTILE}\n"

    document = html.render(snapshot_build(issue_import(series=series, text=text))).decode()

    assert unsafe_markup(document) == []
    assert visible_text(document).count('<script>alert("evil")</script>') == 2


def test_it_keeps_hostile_input_inert(issue):
    hostile_issue(issue)
    snapshot = snapshot_build(issue)

    document = html.render(snapshot).decode()

    assert unsafe_markup(document) == []
    tags = [tag for tag, _attrs in read(document).tags]
    assert tags.count("style") == 1
    assert {"div", "blockquote", "figure"} <= set(tags)
    assert 'javascript:alert("evil")' in visible_text(document)  # shown, not linked
    # The hostile text is still there for the reader, as text.
    assert visible_text(document).count('<script>alert("evil")</script>') >= 10
