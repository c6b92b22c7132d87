"""The Markdown export: the community's own layout (corpus/), nothing of the
snapshot dropped, the same bytes for the same snapshot.

`rich_issue` and `snapshot_strings` are shared with the other export tests.
"""

import datetime
import json
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

import talk
from sections.markup import render_markdown
from sections.models import Answer, ChatLine, Claim, Item, PostStatus, Question
from sections.services import answer_accept, section_set_theme
from talk.exports import html, jsonfmt, markdown
from talk.importing import issue_import
from talk.services import issue_create
from talk.snapshot import snapshot_build
from tests.conftest import section_of
from tests.factories import UserFactory
from tests.html import HOSTILE, HOSTILE_NAME, unsafe_markup

SHANGHAI_22H = datetime.datetime(2023, 6, 10, 14, 0, tzinfo=datetime.UTC)
ITEM_BODY = (
    "**动机**：扩展序列长度。\n\n方法：dilated attention，见 https://arxiv.org/abs/2307.02486"
)
QUESTION_BODY = "vllm 的显存怎么算？\r\n\r\n```python\nprint('gpu_memory_utilization')\n```"
CORPUS = Path(talk.__file__).parent / "corpus"
CODE = 'def f():\n    return "```"\n'


def rich_issue(issue) -> None:
    """Fill issue 008 with one of everything the corpus shows: claimed
    sections, grouped entries with links, points and code, nominations,
    suggestions, a theme, threaded Q&A with an accepted answer, replies, an
    unanswered and a carried-over question, chat lines."""
    host = UserFactory(alias="羡鱼")
    yuhan = UserFactory(alias="yuhan")
    chuqi = UserFactory(alias="初七")
    issue.host = host
    issue.editor_name = "suc16"
    issue.meeting_at = SHANGHAI_22H
    issue.highlights = "SuperCLUE-Open；文心盘古；chatlaw；"
    issue.video_url = "https://www.bilibili.com/video/BV1Kh4y1E7nX/"
    issue.save()
    news, recommend = section_of(issue, "news"), section_of(issue, "recommend")
    practice, free_talk = section_of(issue, "practice"), section_of(issue, "free-talk")
    Claim.objects.create(section=news, member=host, slot=1)
    Claim.objects.create(section=news, member=yuhan, slot=2)
    Claim.objects.create(section=recommend, member=chuqi, slot=1)

    def item(section, position, **fields):
        return Item.objects.create(section=section, position=position, **fields)

    item(
        news,
        1,
        subgroup="学术",
        title="LongNet: Scaling Transformers to 1,000,000,000 Tokens",
        url="https://arxiv.org/abs/2307.02486",
        body=ITEM_BODY,
        points="线性复杂度\n可以并行训练\n",
        author=yuhan,
    )
    item(news, 2, subgroup="项目", title="北大 chatlaw", author_name="群友")
    item(news, 3, subgroup="项目", url="https://github.com/InternLM/InternLM")
    item(news, 4, kind=Item.Kind.NOTE, body="注：论文+重点")
    item(news, 5, kind=Item.Kind.SUGGESTION, body="可以考虑 GitHub 的讨论区；", author=chuqi)
    rope = item(recommend, 1, kind=Item.Kind.NOMINATION, title="位置编码", author=chuqi)
    item(recommend, 2, kind=Item.Kind.NOMINATION, title="量化")
    item(
        recommend,
        3,
        subgroup="资料",
        title="苏神的新博客",
        url="https://spaces.ac.cn/archives/9675",
    )
    item(
        practice,
        1,
        kind=Item.Kind.SNIPPET,
        title="adaptive NTK",
        code=CODE,
        language="python",
        author=host,
    )
    section_set_theme(
        section_id=recommend.pk, user=host, version=recommend.version, item_id=rope.pk
    )

    earlier = issue_create(series=issue.series, by=None, number=7)
    left_over = Question.objects.create(
        section=section_of(earlier, "free-talk"), body="对齐税？", author=chuqi
    )

    def ask(position, subgroup, body, **fields):
        return Question.objects.create(
            section=free_talk, position=position, subgroup=subgroup, body=body, **fields
        )

    first = ask(1, "线上讨论", "LLaMA 只有几百个中文 token，汉字如何表示？", author=chuqi)
    plain = Answer.objects.create(question=first, body="byte-level 编码", author=yuhan)
    accepted = Answer.objects.create(question=first, body="BBPE 的方式", author_name="群友")
    reply = Answer.objects.create(
        question=first, parent=accepted, body="同意，sp model 有 byte fallback", author=host
    )
    Answer.objects.create(
        question=first, parent=reply, body="补充：见 tokenizer.json", author=chuqi
    )
    answer_accept(answer_id=accepted.pk, user=host, accepted=True)
    ask(2, "群里讨论", QUESTION_BODY, author=yuhan)
    ask(3, "群里讨论", "对齐税？", author=chuqi, carried_from=left_over)
    ask(4, "群里讨论", "待审的问题", author=chuqi, status=PostStatus.PENDING)
    assert plain.accepted is False
    chat = section_of(issue, "chat")
    ChatLine.objects.create(section=chat, speaker=host, said_at="21:05", text="大家好", position=1)
    ChatLine.objects.create(
        section=chat, speaker_name="群友", text="链接 https://example.org/chat", position=2
    )


# Fields that are keys, enums or timestamps rather than text someone wrote;
# the meeting time is checked in its written form.
MACHINE_FIELDS = {
    "schema",
    "slug",
    "code",
    "label",
    "time_zone",
    "key",
    "kind",
    "section",
    "meeting_at",
    "frozen_at",
    "issue",
    "language",
}
MARKDOWN_FIELDS = {"body"}


def snapshot_strings(snapshot) -> list[tuple[str, str]]:
    """(field, text) for every piece of text the snapshot holds."""
    found = []

    def walk(value, field):
        if isinstance(value, dict):
            for key, inner in value.items():
                if key not in MACHINE_FIELDS:
                    walk(inner, key)
        elif isinstance(value, list):
            for inner in value:
                walk(inner, field)
        elif isinstance(value, str) and value.strip():
            found.append((field, value))

    walk(snapshot, "")
    return found


@pytest.fixture
def snapshot(issue):
    rich_issue(issue)
    return snapshot_build(issue)


@pytest.fixture
def text(snapshot):
    return markdown.render(snapshot).decode()


def section_text(text, heading):
    """The lines of one `## ` section of the Markdown."""
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def test_it_opens_with_the_title_and_the_preface(text, series):
    assert text.startswith("# OpenLLM Talk 008\n\n## 序章\n\n【缘起】：OpenLLM Talk 这个事情起源于")
    assert f"\n【结构】：{series.structure}\n" in text
    assert f"\n【隐私提示】：{series.privacy_notice}\n" in text
    assert f"\n{series.notices}\n" in text


def test_it_writes_the_record_lines_in_the_corpus_order(text):
    record = section_text(text, "本期记录")

    assert re.findall(r"^【.+?】.*$", record, re.M) == [
        "【编号】：OpenLLM Talk 008",
        "【时间】：2023-06-10 22:00 (Asia/Shanghai)",
        "【本期提要】：SuperCLUE-Open；文心盘古；chatlaw；",
        "【本期贡献者】- 排名不分先后：羡鱼、suc16、yuhan、群友、初七",
        "【主持人】：羡鱼",
        "【编辑】：suc16",
        "【版块负责人】：本周新闻：羡鱼、yuhan；本周推荐：初七；",
        # A link touching other text is written as one (docs/decisions.md).
        "【talk 视频】：<https://www.bilibili.com/video/BV1Kh4y1E7nX/>",
    ]


def imported_004(series):
    """004 as the import makes it: its preface says "多人（后续每期由大家自行认领）"."""
    text = (CORPUS / "openllm-talk-004.txt").read_text(encoding="utf-8")
    return issue_import(series=series, text=text)


RECORD_004 = [
    "【编号】：OpenLLM Talk 004 (三位数是希望 LLM 的热度+我们的热情+读者的热情可以支撑我们做到三位数）",
    "【时间】：20230715 晚上九点（每周六晚上九点，节假日顺延）",
    "【本期提要】：检索+LLM；抱抱脸 daily papers；MOSS-RLHF；长驼；GPT4 细节泄露；OpenAI 代码解释器；"
    "百川 13B；RWKV7B；LLM 面经；多轮对话；数学能力；反思；lora 与 p-tuning v2；知识在哪儿；",
    "【本期贡献者】- 排名不分先后：羡鱼、suc16、OpenLLM 群友",
    "【主持人】：羡鱼（后续每期由大家自行认领）",
    "【编辑】：羡鱼、suc16（最好由主持人兼任）",
    "【版块负责人】：多人（后续每期由大家自行认领）",
    "【具体内容贡献者】：请查看具体内容后面的署名，比如问题、回答和观点的来源",
    "【talk 视频】：后续放出",
]


def test_it_writes_an_imported_preface_once_in_the_words_of_the_source(series):
    text = markdown.render(snapshot_build(imported_004(series))).decode()

    assert re.findall(r"^【.+?】.*$", section_text(text, "本期记录"), re.M) == RECORD_004
    preface = section_text(text, "序章")
    assert preface.startswith("\n## 序章\n\n### 背景介绍\n\n【缘起】：OpenLLM Talk 这个事情起源于")
    assert text.count("\n## 序章\n") == text.count("本期记录") == 1
    assert "1. 【编号】" not in text


def test_it_gives_the_issues_value_once_the_issue_says_otherwise(series):
    issue = imported_004(series)
    issue.host_name = "yuhan"  # changed after the import
    issue.video_url = "https://www.bilibili.com/video/BV1vM4y1s7vr/"
    issue.save()

    text = markdown.render(snapshot_build(issue)).decode()

    lines = re.findall(r"^【.+?】.*$", section_text(text, "本期记录"), re.M)
    assert lines[4:] == [
        "【主持人】：yuhan",
        "【编辑】：羡鱼、suc16（最好由主持人兼任）",
        "【版块负责人】：多人（后续每期由大家自行认领）",
        "【talk 视频】：<https://www.bilibili.com/video/BV1vM4y1s7vr/>",
        "【具体内容贡献者】：请查看具体内容后面的署名，比如问题、回答和观点的来源",
        # What the text said is still there, after everything else.
        "【主持人】：羡鱼（后续每期由大家自行认领）",
        "【talk 视频】：后续放出",
    ]


@pytest.mark.parametrize("name", ["openllm-talk-003.txt", "openllm-talk-004.txt"])
def test_it_writes_an_imported_record_in_the_text_s_order(series, name):
    issue = issue_import(series=series, text=(CORPUS / name).read_text(encoding="utf-8"))

    text = markdown.render(snapshot_build(issue)).decode()

    written = re.findall(r"^【(.+?)】", section_text(text, "本期记录"), re.M)
    typed = [label for label, _text in issue.record_as_imported if label in written]
    assert [label for label in written if label in typed] == typed


def test_it_writes_an_issue_made_in_the_desk_as_before(snapshot, text):
    assert snapshot["record"] == []
    # As a revision frozen before the desk kept imported records renders.
    earlier = {key: value for key, value in snapshot.items() if key != "record"}
    assert markdown.render(earlier).decode() == text
    assert "### 背景介绍" not in text


def test_it_renders_an_imported_issue_the_same_bytes_every_time(series):
    snapshot = snapshot_build(imported_004(series))
    stored = json.loads(json.dumps(snapshot))

    assert snapshot["record"]
    assert markdown.render(snapshot) == markdown.render(snapshot) == markdown.render(stored)


def test_it_keeps_an_imported_record_inert(series):
    text = f"OpenLLM Talk 021\n【主持人】：羡鱼\n【具体内容贡献者】：{HOSTILE}\n"
    snapshot = snapshot_build(issue_import(series=series, text=text))

    written = markdown.render(snapshot).decode()

    assert unsafe_markup(MarkdownIt("commonmark", {"html": True}).render(written)) == []
    assert unsafe_markup(render_markdown(written)) == []
    assert "\n【具体内容贡献者】：\\<script>" in written


def test_it_names_the_correction_of_a_later_revision(issue):
    rich_issue(issue)
    first = snapshot_build(issue, revision=1)
    second = snapshot_build(issue, revision=2, note="修正链接")

    assert "【版本】" not in markdown.render(first).decode()
    assert "\n【版本】：r2 — 修正链接\n" in markdown.render(second).decode()


def test_it_leaves_out_the_video_line_until_there_is_a_video(issue):
    text = markdown.render(snapshot_build(issue)).decode()

    assert "【talk 视频】" not in text
    assert "\n【主持人】：\n" in text  # an unclaimed role still has its line


def test_it_heads_each_section_with_its_description_budget_and_contributors(text):
    news = section_text(text, "本周新闻")

    assert news.startswith(
        "\n## 本周新闻\n\n【本周新闻】：LLM/AI news，包括但不限于学术、项目、工业界新闻和进展；"
    )
    assert "尽量减少信息冗余和缺漏；~10 分钟；\n" in news
    assert "\n【贡献者】：羡鱼、yuhan、群友、初七\n" in news
    assert "\n【Free Talk】：自由提问，自由讨论；" in text
    assert "也可以将讨论结果搬运过来；时间不限；\n" in text


def test_it_marks_optional_sections_as_the_corpus_does(text):
    assert (
        "\n## 本周经典-optional\n\n【本周经典】：NLP/LLM 领域的经典话题探讨；~15 分钟；\n" in text
    )
    assert "\n## 本周新闻\n" in text


def test_it_lists_nominations_suggestions_and_the_theme(text):
    recommend = section_text(text, "本周推荐")
    news = section_text(text, "本周新闻")

    assert (
        "\n【提名区】：\n\n- 位置编码 --初七\n\n- 量化\n\n【建议区】：\n\n【本期主题】：位置编码\n"
        in (recommend)
    )
    assert "\n【建议区】：\n\n- 可以考虑 GitHub 的讨论区； --初七\n" in news
    assert "\n【本周主题】：\n" in section_text(text, "本周经典-optional")


def test_it_numbers_entries_under_their_sub_groups_keeping_empty_ones(text):
    news = section_text(text, "本周新闻")

    assert re.findall(r"^### .+$", news, re.M) == ["### 学术", "### 项目", "### 工业界"]
    # A note among the entries stands as a bullet, not a number.
    assert news.index("\n- 注：论文+重点") < news.index("### 学术")
    assert news.endswith("### 工业界\n")
    assert (
        "### 学术\n\n"
        # The linked title carries its URL, once.
        "1. [LongNet: Scaling Transformers to 1,000,000,000 Tokens](https://arxiv.org/abs/2307.02486)\n"
        "\n"
        "   **动机**：扩展序列长度。\n"
        "\n"
        "   方法：dilated attention，见 https://arxiv.org/abs/2307.02486\n"
        "\n"
        "   1. 线性复杂度\n"
        "   2. 可以并行训练\n"
        "\n"
        "   --yuhan\n"
    ) in news
    assert (
        "### 项目\n\n1. 北大 chatlaw --群友\n\n2. https://github.com/InternLM/InternLM\n"
    ) in news


def test_it_fences_code_with_its_language_and_a_fence_longer_than_its_content(text):
    practice = section_text(text, "本周实践-optional")

    assert (
        '1. adaptive NTK\n\n   ````python\n   def f():\n       return "```"\n   ````\n\n   --羡鱼\n'
    ) in practice


def test_it_writes_questions_and_answers_as_the_corpus_does(text):
    free_talk = section_text(text, "Free Talk")

    assert (
        "### 线上讨论\n\n"
        "Q1：LLaMA 只有几百个中文 token，汉字如何表示？ --初七\n\n"
        "A1：byte-level 编码 --yuhan\n\n"
        "A1：BBPE 的方式 --群友（已采纳）\n"
        "\n"
        "> 同意，sp model 有 byte fallback --羡鱼\n"
        ">\n"
        "> > 补充：见 tokenizer.json --初七\n"
        "\n### 群里讨论\n"
    ) in free_talk
    assert (
        "Q2：vllm 的显存怎么算？\n"
        "\n"
        "```python\n"
        "print('gpu_memory_utilization')\n"
        "```\n"
        "\n"
        "--yuhan\n"
        "\n"
        "A2：\n"
    ) in free_talk
    assert "\nQ3：对齐税？ --初七 --上期遗留（007）\n\nA3：\n" in free_talk
    assert "待审的问题" not in text


def test_it_writes_chat_lines_and_numbered_references(text):
    assert "\n- 羡鱼 21:05：大家好\n- 群友：链接 https://example.org/chat\n" in section_text(
        text, "聊天区"
    )
    references = section_text(text, "参考资料")
    assert (
        # Its two lines stay two: a hard break, which CommonMark keeps.
        "1. LongNet: Scaling Transformers to 1,000,000,000 Tokens  \n"
        "   https://arxiv.org/abs/2307.02486\n"
    ) in references
    assert "\n2. 北大 chatlaw\n" not in references  # it has no link
    assert re.search(r"^\d+\. https://example\.org/chat$", references, re.M)


def test_it_drops_nothing_the_snapshot_holds(snapshot, text):
    strings = snapshot_strings(snapshot)
    assert len(strings) > 60

    missing = [
        (field, line)
        for field, value in strings
        for line in markdown.text_lines(value)
        if line.strip() not in text
    ]

    assert missing == []
    assert "【时间】：2023-06-10 22:00 (Asia/Shanghai)" in text


def test_it_renders_the_same_bytes_every_time_and_after_a_json_round_trip(snapshot):
    stored = json.loads(json.dumps(snapshot))  # what Revision.snapshot gives back

    first = markdown.render(snapshot)

    assert first == markdown.render(snapshot) == markdown.render(stored)
    assert first.endswith(b"\n")
    assert not first.endswith(b"\n\n")
    assert b"\r" not in first
    first.decode("utf-8")


def test_it_is_markdown_that_keeps_each_entry_in_its_list_item(text):
    rendered = render_markdown(text)

    # Body, points and name stay inside the entry: every list item opened in
    # it is closed in it, and the entry's own item is still open.
    longnet = rendered[rendered.index("LongNet") : rendered.index("--yuhan")]
    assert longnet.count("<li>") == longnet.count("</li>") == 2
    assert '<pre tabindex="0"><code><span class="k">def</span>' in rendered.replace("\n", "")
    assert "<blockquote>" in rendered
    assert "<h6>工业界</h6>" in rendered  # ### 工业界, demoted as a member's heading


def test_it_numbers_points_typed_with_their_own_numbers_once(issue):
    Item.objects.create(
        section=section_of(issue, "news"),
        title="LongNet",
        points="1. 扩张注意力\n2）对数依赖\n- 可以并行\n3.5 亿参数",
    )

    snapshot = snapshot_build(issue)
    text = markdown.render(snapshot).decode()

    (item,) = [i for s in snapshot["sections"] for i in s["items"] if i["title"] == "LongNet"]
    assert item["points"] == ["扩张注意力", "对数依赖", "可以并行", "3.5 亿参数"]
    assert "1. 1." not in text
    assert "扩张注意力" in text


def test_it_numbers_questions_in_the_order_they_are_read(issue):
    free_talk = section_of(issue, "free-talk")
    Question.objects.create(section=free_talk, subgroup="群里讨论", body="群里先问的", position=1)
    Question.objects.create(section=free_talk, subgroup="线上讨论", body="会上后问的", position=2)

    snapshot = snapshot_build(issue)
    text = markdown.render(snapshot).decode()

    assert text.index("Q1：会上后问的") < text.index("### 群里讨论") < text.index("Q2：群里先问的")
    assert [q["body"] for q in snapshot["questions"]] == ["会上后问的", "群里先问的"]


def test_it_keeps_hostile_input_inert_once_rendered(issue):
    news = section_of(issue, "news")
    Item.objects.create(
        section=news, title=HOSTILE, url=HOSTILE, body=HOSTILE, code=HOSTILE, author_name="<b>"
    )

    text = markdown.render(snapshot_build(issue)).decode()

    assert unsafe_markup(render_markdown(text)) == []
    assert "[" + HOSTILE not in text  # an unsafe URL is never made a link


def test_it_keeps_the_notes_an_import_left_in_free_talk_and_the_references(series):
    # 003 says "有空会同步…" under 群里讨论, and names a reference without a
    # link; the import keeps both as notes where they stood.
    text = (CORPUS / "openllm-talk-003.txt").read_text(encoding="utf-8")
    text = text.replace("参考资料\n", "参考资料\n《深度学习》花书第五章\n", 1)
    snapshot = snapshot_build(issue_import(series=series, text=text))

    written = markdown.render(snapshot).decode()
    page = html.render(snapshot).decode()

    group = written.index("### 群里讨论")
    note = written.index("- 有空会同步，取决于人力，希望大家积极认领~")
    assert group < note < written.index("：vllm", group)
    # After the list, which holds every link of the issue, the section's own included.
    refs = written.index("## 参考资料")
    assert refs < written.index("\n1. ", refs) < written.index("- 《深度学习》花书第五章")
    assert "有空会同步，取决于人力，希望大家积极认领~" in page
    assert "《深度学习》花书第五章" in page
    free_talk = next(
        s for s in json.loads(jsonfmt.render(snapshot))["sections"] if s["key"] == "free-talk"
    )
    assert [item["body"] for item in free_talk["items"]] == [
        "有空会同步，取决于人力，希望大家积极认领~"
    ]


def test_it_heads_only_the_series_sections_with_their_labels(series):
    # 005 has blocks the series has no section for (注意事项, 后续计划…).
    text = (CORPUS / "openllm-talk-005.txt").read_text(encoding="utf-8")
    written = markdown.render(snapshot_build(issue_import(series=series, text=text))).decode()

    assert "## 后续计划" in written
    assert "【后续计划】" not in written
    assert "【本周新闻】：LLM/AI news" in written
    assert written.count("【贡献者】：") == 7  # the series' seven sections


def test_it_is_inert_even_where_a_renderer_lets_html_through(issue):
    news, free_talk = section_of(issue, "news"), section_of(issue, "free-talk")
    Item.objects.create(
        section=news, title=HOSTILE, body=HOSTILE, code=HOSTILE, author_name=HOSTILE_NAME
    )
    Question.objects.create(section=free_talk, body=HOSTILE, author_name=HOSTILE_NAME)
    ChatLine.objects.create(section=section_of(issue, "chat"), speaker_name="x", text=HOSTILE)

    text = markdown.render(snapshot_build(issue)).decode()
    unsanitised = MarkdownIt("commonmark", {"html": True}).render(text)

    assert unsafe_markup(unsanitised) == []
    # The code keeps what was typed: a fence shows it as text.
    assert f"```\n{HOSTILE}\n" in text.replace("   ", "")


# Link and image syntax that a renderer's own filter may not catch: entities
# and escapes in the scheme, angle brackets, a reference definition, an image.
SNEAKY = [
    "[X8](jav&#x61;script:alert(8))",
    "![X9](https://tracker.example/t.png)",
    "[X10](<javascript:alert(10)>)",
    "[X11](java\\script:alert(11))",
    "\\\\[X12](javascript:alert(12))",
    "[X13][r13]\n\n[r13]: javascript:alert(13)",
]


def any_link_renderer() -> MarkdownIt:
    """A CommonMark renderer that links bare URLs, passes HTML through and
    follows any link it is given (markdown-it's own check turned off)."""
    renderer = MarkdownIt("commonmark", {"html": True, "linkify": True}).enable("linkify")
    renderer.validateLink = lambda url: True
    return renderer


def test_it_makes_no_link_or_image_from_a_title_or_a_name(issue):
    news, free_talk = section_of(issue, "news"), section_of(issue, "free-talk")
    for n, title in enumerate(SNEAKY):
        Item.objects.create(
            section=news,
            title=title.split("\n")[0],
            url="https://example.com/" if n % 2 else "",
            author_name=title.split("\n")[0][:80],
            position=n,
        )
    Question.objects.create(
        section=free_talk, body="问题", author_name="![q](https://tracker.example/q.png)"
    )
    ChatLine.objects.create(
        section=section_of(issue, "chat"), speaker_name="[s](javascript:s)", text="好"
    )

    text = markdown.render(snapshot_build(issue)).decode()
    page = any_link_renderer().render(text)

    assert unsafe_markup(page) == []
    # The titles read as typed, the one with a link linked to it.
    assert '<a href="https://example.com/">![X9](https://tracker.example/t.png)</a>' in page
    assert "[X8](jav&amp;#x61;script:alert(8))" in page


def test_it_neutralises_unsafe_links_and_images_in_a_body_and_keeps_the_rest(issue):
    news = section_of(issue, "news")
    body = "\n\n".join([*SNEAKY, "[safe](https://example.com/ok) and \\[literal](javascript:x)"])
    Item.objects.create(section=news, title="t", body=body)

    text = markdown.render(snapshot_build(issue)).decode()
    page = any_link_renderer().render(text)

    assert unsafe_markup(page) == []
    # An image reads as a link to it, as on the page.
    assert '!<a href="https://tracker.example/t.png">X9</a>' in page
    assert '<a href="https://example.com/ok">safe</a>' in page
    # What was escaped already is left as it was typed: no backslash shows.
    assert "[literal](javascript:x)" in page
    assert "\\[literal]" not in page
