"""Importing the eight published issues (talk/corpus/): nothing is lost.

Each file is imported, and its content rendered as the Markdown export
(talk.snapshot.snapshot_build, then talk.exports.markdown.render) and the
JSON export. Measured on every file:

(a) every link of the source (joined again where the PDF wrapped it) is in
    the Markdown;
(b) every line of the source, reduced to its letters and digits, is in the
    Markdown reduced the same way (lines may have been joined, so each
    line's reduction is looked for in the whole);
(c) every question of Free Talk ("Q3：…", numbered ones under 线上讨论 and
    群里讨论) is a question of the JSON export;
(d) the number is the title line's and the meeting time is 【时间】's.

(b) has to allow for what the desk writes in its own words, each by a rule
below (EXPORT_WORDING); a line none of them explains fails the test.

Then: the preface is written once, in the source's words; no title is cut
to credit someone, 001's "--上期遗留" question is carried over, and 003 comes
back the same from its own Markdown export (every file's preface too).
"""

import datetime
import re
import unicodedata
import zoneinfo

import pytest

from sections.models import Item, Question
from sections.record import SUBGROUPS
from talk.exports import html, layout, markdown
from talk.importing import issue_import, parse_issue
from talk.snapshot import snapshot_build
from tests.responses import by_id
from tests.talk.conftest import CORPUS, FILES

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

# A question's, an answer's or a list item's own marker: the desk numbers
# them itself (Q1… across a section, A1 under Q1, lists 1. 2. …).
MARKER = re.compile(
    r"^[\s\uf06c\uf0a1]*(?:Q\s*\d+\s*[:：]|A\s*\d*\s*[:：]|答\s*[:：]|[（(]\s*A\s*[:：]|[a-z]\s*[.．]|"
    r"\d+\s*[.．、])"
)


def reduced(text: str) -> str:
    """Letters and digits only (Unicode categories L* and N*)."""
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN")


def source_links(text: str) -> list[str]:
    """Every link of the source, with those the PDF wrapped joined again: a
    long line ending in a link, then a line of nothing but URL characters."""
    lines: list[str] = []
    for line in text.replace("\f", "").split("\n"):
        line = line.strip()
        if (
            lines
            and re.fullmatch(r"[A-Za-z0-9\-._~:/?#\[\]@!$&*+,;=%]+", line)
            and "://" not in line
            and re.search(r"https?://\S+$", lines[-1])
            and len(lines[-1]) >= 60
        ):
            lines[-1] += line
        else:
            lines.append(line)
    found = re.findall(r"https?://[^\s，。；、（）【】《》<>\"']+", "\n".join(lines))
    return [link.rstrip(".,;:!?)") for link in found]


def free_talk_questions(text: str) -> list[str]:
    """The questions as the source writes them: "Q3：…" lines, and numbered
    lines under 线上讨论 / 群里讨论 (without their marker)."""
    questions, in_free_talk, grouped = [], False, False
    for line in text.replace("\f", "").split("\n"):
        line = line.strip()
        if line == "Free Talk":
            in_free_talk = True
        elif line in ("参考资料", "聊天区", "聊天区："):
            in_free_talk = False
        if not in_free_talk:
            continue
        if re.fullmatch(r"(线上讨论|群里讨论)\s*[:：]", line):
            grouped = True
        if (match := re.match(r"^Q\d+\s*[:：]\s*(\S.*)$", line)) or (
            grouped and (match := re.match(r"^\d+\s*[.．、]\s*(\S.*)$", line))
        ):
            questions.append(match.group(1))
    return questions


def meeting_of(text: str) -> datetime.datetime:
    match = re.search(r"【时间】\s*[:：]?\s*\n?\s*[:：]?\s*(\d{4})(\d\d)(\d\d)\s*晚上(.)点", text)
    day = [int(match.group(i)) for i in (1, 2, 3)]
    return datetime.datetime(*day, {"九": 21, "十": 22}[match.group(4)], tzinfo=SHANGHAI)


EXPORT_WORDING = {
    # Q11 → Q7, 答： → A8：, a. → A1：, （A: → A2：, numbered lists.
    "marker": lambda line, ctx: reduced(MARKER.sub("", line)) in ctx["markdown"],
}


def test_the_corpus_is_there():
    assert len(FILES) == 8


@pytest.mark.parametrize("imported", FILES, indirect=True)
def test_it_keeps_every_link(imported):
    missing = [link for link in source_links(imported["text"]) if link not in imported["markdown"]]
    assert not missing


@pytest.mark.parametrize("imported", FILES, indirect=True)
def test_it_keeps_every_line(imported):
    context = {"markdown": reduced(imported["markdown"])}
    reworded: dict[str, list[str]] = {}
    lost = []
    for line in imported["text"].replace("\f", "").split("\n"):
        if not reduced(line) or reduced(line) in context["markdown"]:
            continue
        why = next((name for name, rule in EXPORT_WORDING.items() if rule(line, context)), None)
        if why is None:
            lost.append(line)
        else:
            reworded.setdefault(why, []).append(line)
    assert not lost, reworded


@pytest.mark.parametrize("imported", FILES, indirect=True)
def test_it_makes_every_question_a_question(imported):
    bodies = [reduced(question["body"]) for question in imported["json"]["questions"]]
    missing = [
        question
        for question in free_talk_questions(imported["text"])
        if not any(body.startswith(reduced(question)[:8]) for body in bodies)
    ]
    assert not missing


@pytest.mark.parametrize("imported", FILES, indirect=True)
def test_it_reads_the_number_and_the_meeting_time(imported):
    issue = imported["issue"]
    assert issue.number == int(imported["name"][-7:-4])
    assert issue.code == str(issue.number)
    assert issue.meeting_at == meeting_of(imported["text"])
    assert imported["json"]["number"] == issue.number
    assert issue.status == "draft"


def preface(written: str) -> str:
    """序章 and 本期记录 of a Markdown export: up to the next block."""
    start = written.index("\n## 序章\n")
    record = written.index("\n## 本期记录\n", start)
    end = written.find("\n## ", record + 1)
    return written[start : end if end != -1 else None]


# Where the source's line says otherwise than the issue, the record gives the
# issue's value and the source's line after it: 001's 【编号】 is "OpenLLM Talk
# 000"; 007's 【编辑】 names nobody, its Free Talk names "羡鱼（编辑）".
SAID_OTHERWISE = {"openllm-talk-001.txt": {"编号"}, "openllm-talk-007.txt": {"编辑"}}


@pytest.mark.parametrize("imported", FILES, indirect=True)
def test_it_writes_the_preface_once_in_the_words_of_the_source(imported):
    written, page = imported["markdown"], imported["html"]
    record = imported["json"]["record"]
    labels = [entry["label"] for entry in record]

    assert written.count("\n## 序章\n") == written.count("\n## 本期记录\n") == 1
    assert "### 本期记录" not in written
    assert page.count("<h2>序章</h2>") == page.count("<h2>本期记录</h2>") == 1
    assert set(labels) >= {"编号", "时间", "主持人", "具体内容贡献者"}
    for entry in record:
        label, text = entry["label"], layout.one_line(entry["text"])
        again = label in SAID_OTHERWISE.get(imported["name"], ())
        assert preface(written).count(f"【{label}】") == labels.count(label) + again, label
        # As read: a link touching other text is written <https://…>.
        assert text in re.sub(r"<(https?://[^<>\s]*)>", r"\1", preface(written))
        # Not again as a note, in a list of its own.
        assert not re.search(rf"^(?:\d+\.|-) 【{re.escape(label)}】", written, re.M)


def test_it_cuts_no_title_to_credit_someone():
    """No entry of the published issues is signed, though their titles hold
    dashes ("GLM-130B", "… - 羡鱼智能的文章 - 知乎", "DPO——RLHF 的替代之…",
    "知乎--强烈推荐"): a name read off one would be a piece of its title."""
    signed = [
        (name, item.title, item.author)
        for name in FILES
        for section in parse_issue((CORPUS / name).read_text(encoding="utf-8")).sections
        for item in section.items
        if item.author
    ]
    assert not signed


@pytest.mark.parametrize("imported", FILES, indirect=True)
def test_it_adds_no_sub_group_the_source_did_not_have(imported):
    # 000 and 001 had no 线上讨论 / 群里讨论: the template's empty headings
    # would stand in the record as if they were part of it.
    written = {reduced(line) for line in imported["text"].split("\n")}
    # A heading as the source spelled it ("工业" is 工业界).
    spellings: dict[str, set[str]] = {}
    for spelled, name in SUBGROUPS.items():
        spellings.setdefault(name, set()).add(reduced(spelled))
    headings = re.findall(r"^### (.+)$", imported["markdown"], re.MULTILINE)
    added = [name for name in headings if not spellings.get(name, {reduced(name)}) & written]
    assert added == []


@pytest.mark.parametrize("imported", ["openllm-talk-001.txt"], indirect=True)
def test_it_carries_over_the_question_marked_so(imported):
    carried = [question for question in imported["json"]["questions"] if question["carried_over"]]
    assert [question["number"] for question in carried] == [1]
    assert carried[0]["body"].endswith("在语言模型中主要是用于优化。")
    assert carried[0]["carried_from"] is None
    # The export writes the marker from the flag: once.
    assert "主要是用于优化。 --上期遗留\n" in imported["markdown"]
    assert imported["markdown"].count("上期遗留") == 1


def contents(issue) -> tuple[list, list]:
    """Its questions with their answers, and its entries, as text."""
    questions = (
        Question.objects.filter(section__issue=issue)
        .select_related("section")
        .prefetch_related("answers")
        .order_by("section__position", "position")
    )
    # The export writes every link of the issue under 参考资料: they come back
    # as more entries. An entry's kind is left out: of a loose list under
    # 【建议区】 or 【提名区】, the entries after the first come back as plain
    # entries.
    items = (
        Item.objects.filter(section__issue=issue)
        .exclude(section__key="references")
        .select_related("section")
        .order_by("section__position", "position")
    )
    return [
        (
            q.section.key,
            q.subgroup,
            q.body,
            q.author_name,
            q.carried_over,
            [(a.body, a.author_name, a.accepted) for a in q.answers.all()],
        )
        for q in questions
    ], [
        (i.section.key, i.subgroup, i.title, i.url, i.body, i.points, i.code, i.author_name)
        for i in items
    ]


@pytest.mark.parametrize("imported", FILES, indirect=True)
def test_it_adds_no_notice_the_source_did_not_have(imported):
    # The series' privacy notice and notices came after these issues; a
    # record keeps its own (002-007 list 【小要求】 under 注意事项).
    for label in ("【隐私提示】", "【talk 模板】", "【小要求】"):
        assert imported["markdown"].count(label) == imported["text"].count(label), label


@pytest.mark.parametrize("imported", ["openllm-talk-003.txt"], indirect=True)
def test_it_writes_each_time_budget_as_the_source_did(imported):
    # 003 writes "共~10 分钟", "共 15 分钟" and "~15 分钟".
    for wording in ("共~10 分钟；", "共 15 分钟；", "~15 分钟；"):
        assert imported["markdown"].count(wording) == imported["text"].count(wording), wording
    news = next(s for s in imported["json"]["sections"] if s["key"] == "news")
    assert (news["time_budget_minutes"], news["time_budget_wording"]) == (10, "共~10 分钟")


def test_a_block_the_series_made_a_template_of_fills_that_template(series):
    series.templates.create(key="plans", title="后续计划", owner_cap=0, position=99)
    text = (CORPUS / "openllm-talk-007.txt").read_text(encoding="utf-8")

    issue = issue_import(series=series, text=text)

    (plans,) = issue.sections.filter(key="plans")
    assert plans.template_id is not None
    assert plans.items.exists()


def test_a_desk_issue_s_notices_come_back_from_its_export(series, issue):
    written = markdown.render(snapshot_build(issue)).decode()
    assert f"【隐私提示】：{series.privacy_notice}" in written

    again = issue_import(series=series, text=written, replace=True)

    rewritten = markdown.render(snapshot_build(again)).decode()
    assert rewritten.startswith(written[: written.index("## 本期记录")])


@pytest.mark.parametrize("imported", ["openllm-talk-003.txt"], indirect=True)
def test_it_reads_its_own_markdown_export_again(series, imported):
    # 本周实践's snippet stands on its own in the text, so in the export: a
    # fence outside any list (one that opens a list item: test_import_parse).
    assert "\n\n```python\nold_init = transformers." in imported["markdown"]
    again = issue_import(
        series=series, text=imported["markdown"].replace("# OpenLLM Talk 003", "# OpenLLM Talk 103")
    )
    assert again.number == 103
    questions, items = contents(imported["issue"])
    assert len(questions) == 6
    assert contents(again) == (questions, items)
    # The record comes back as the record, not as notes of the preface.
    assert not Item.objects.filter(section__issue=again, section__key="preface").exists()
    assert sorted(map(tuple, again.record_as_imported)) == sorted(
        map(tuple, imported["issue"].record_as_imported)
    )


@pytest.mark.parametrize("imported", FILES, indirect=True)
def test_its_own_markdown_export_brings_the_same_preface_back(series, imported):
    again = issue_import(series=series, text=imported["markdown"], replace=True)
    written = markdown.render(snapshot_build(again)).decode()

    assert preface(written) == preface(imported["markdown"])


def test_the_page_shows_the_record_as_written_and_no_empty_preface(client, series):
    text = (CORPUS / "openllm-talk-004.txt").read_text()
    issue = issue_import(series=series, text=text)

    page = client.get(issue.get_absolute_url()).text

    record = by_id(page, "record-as-imported")
    assert "【版块负责人】" in record
    assert "多人（后续每期由大家自行认领）" in record
    assert "【talk 视频】" in record
    assert "背景介绍" not in page  # the import's preface block, empty now, is left out
    notices = issue.sections.get(key="notices")
    assert f'id="section-{notices.pk}"' in page  # a block with notes still shows


# Places an audit found misread: what each now gives (the source's lines in brackets).


def entries_of(imported, key: str) -> list[dict]:
    [section] = [found for found in imported["json"]["sections"] if found["key"] == key]
    return section["items"]


def entry_titled(imported, key: str, title: str) -> dict:
    [entry] = [item for item in entries_of(imported, key) if item["title"] == title]
    return entry


def question_of(imported, start: str) -> dict:
    [question] = [q for q in imported["json"]["questions"] if q["body"].startswith(start)]
    return question


@pytest.mark.parametrize("imported", ["openllm-talk-005.txt"], indirect=True)
def test_005_keeps_a_wrapped_title_and_a_remark_with_their_entries(imported):
    # [50–53] a title the page wrapped after a comma, then its link.
    [freewilly] = [i for i in entries_of(imported, "news") if "FreeWilly" in i["title"]]
    assert freewilly["title"].endswith(
        "Llama-2-70b-hf，成功登顶 HuggingFace 的 Open LLM 排行榜榜首。"
    )
    assert freewilly["url"] == "https://mp.weixin.qq.com/s/kAPl101G_-eFAmC_HdTmgQ"
    # [93–97] a title, a remark and a licence line, then the link.
    chinese_llama = entry_titled(imported, "recommend", "中文 LLaMA2")
    assert (chinese_llama["subgroup"], chinese_llama["url"], chinese_llama["body"]) == (
        "项目",
        "https://github.com/ymcui/Chinese-LLaMA-Alpaca-2",
        "注：llama2 的词表很小，在中文上需要专门强化。\n商用许可：只允许英文；",
    )


@pytest.mark.parametrize("imported", ["openllm-talk-004.txt"], indirect=True)
def test_004_gives_a_link_below_a_blank_line_to_its_title(imported):
    # [113–115]
    entry = entry_titled(imported, "recommend", "中文怎么进行 BPE 编码？ - Andy Yang 的回答 - 知乎")
    assert entry["url"] == "https://www.zhihu.com/question/600945415/answer/3058758758"
    assert not [i for i in entries_of(imported, "recommend") if i["url"] and not i["title"]]


@pytest.mark.parametrize("imported", ["openllm-talk-003.txt"], indirect=True)
def test_003_tells_a_headline_from_more_links_of_an_entry(imported):
    # [63–65] a headline under an entry's link is an entry of its own.
    industry = [i for i in entries_of(imported, "news") if i["subgroup"] == "工业界"]
    assert [(i["title"], i["url"], i["body"]) for i in industry[:2]] == [
        (
            "首测生成、多轮对话能力！SuperCLUE-Open 中文大模型开放域测评基准发布",
            "https://mp.weixin.qq.com/s/hSWfkkWmQ0rmVPTucJh5zg",
            "",
        ),
        ("文心大模型升级 3.5 版本，有多强？我们帮你试了试", "", ""),
    ]
    # [81–87] the survey's paper, project and translation links are its own.
    survey = entry_titled(imported, "recommend", "《大语言模型综述》")
    assert (survey["url"], survey["body"]) == (
        "https://arxiv.org/pdf/2303.18223.pdf",
        "论文链接：https://arxiv.org/abs/2303.18223\n"
        "GitHub 项目链接：https://github.com/RUCAIBox/LLMSurvey\n"
        "中文翻译版本链接：https://github.com/RUCAIBox/LLMSurvey/blob/main/assets/"
        "LLM_Survey__Chinese_V1.pdf",
    )


@pytest.mark.parametrize("imported", ["openllm-talk-001.txt"], indirect=True)
def test_001_lists_three_papers(imported):
    # [28–32] three titles, the last wrapped across a page break.
    academic = [i for i in entries_of(imported, "news") if i["subgroup"] == "学术"]
    assert [(i["kind"], i["title"]) for i in academic] == [
        ("entry", "《Augmenting Language Models with Long-Term Memory》"),
        ("entry", "《TART:A plug-and-play transformer module for task-agnostic reasoning》"),
        (
            "entry",
            "《Self-Supervised Learning from Images with a Joint-Embedding Predictive "
            "Architecture》",
        ),
    ]


@pytest.mark.parametrize("imported", ["openllm-talk-000.txt"], indirect=True)
def test_000_credits_qingwang_s_answer_and_answers_nothing_after_it(imported):
    # [153–159]
    question = question_of(imported, "小于 8bit 的量化")
    [answer] = question["answers"]
    assert answer["body"].endswith("一次算 N 个 4bit 数据 即 packed。")
    assert answer["author"] == "qingwang"
    notes = [i["body"] for i in entries_of(imported, "free-talk") if i["kind"] == "note"]
    assert notes == [
        "5 Levels Of Summarization ：5 种使用 langchain summarization 的层次",
        "时间关系-本期就先到这儿，欢迎关注我们之后的更多精彩内容！",
    ]


@pytest.mark.parametrize("imported", ["openllm-talk-002.txt"], indirect=True)
def test_002_credits_no_one_with_a_source(imported):
    # [141–155] "--来自何枝大佬的分享" says where the numbers come from.
    question = question_of(imported, "模型参数和训练语料的合适比例")
    [answer] = question["answers"]
    assert answer["author"] == ""
    assert "可以把链接放上来吗--来自何枝大佬的分享\n\n数据和模型的硬盘体积比" in answer["body"]
    assert "来自何枝大佬的分享" not in imported["json"]["contributors"]


def test_it_adds_no_empty_answer_line_the_text_did_not_have(series):
    """000 writes "A1：" empty under Q1, "A：" under its last question and
    no answer line at all under Q2; 003 none under its two questions left
    unanswered."""
    exported = {}
    for name in ("openllm-talk-000.txt", "openllm-talk-003.txt"):
        issue = issue_import(series=series, text=(CORPUS / name).read_text(encoding="utf-8"))
        snapshot = snapshot_build(issue)
        exported[name] = (markdown.render(snapshot).decode(), html.render(snapshot).decode())

    written, page = exported["openllm-talk-000.txt"]
    assert re.search(r"^Q1：falcon 相比 llama 有何特殊之处？.*\n\nA1：\n\nQ2：", written, re.M)
    assert re.search(r"^Q2：掩码的左右问题.*\n\nQ3：", written, re.M)
    assert len(re.findall(r"^A\d+：$", written, re.M)) == 2
    assert page.count('class="post answer empty"') == 2
    written, page = exported["openllm-talk-003.txt"]
    assert not re.search(r"^A\d+：$", written, re.M)
    assert 'class="post answer empty"' not in page


@pytest.mark.parametrize("imported", ["openllm-talk-003.txt"], indirect=True)
def test_003_is_written_back_as_the_community_wrote_it(imported):
    written, page = imported["markdown"], imported["html"]

    # 提名区 and 建议区 on the label's line, with their separators.
    assert "\n【建议区】：可以考虑 GitHub 的讨论区，看个人习惯；论文可以写个摘要；\n" in written
    assert "\n【提名区】：位置编码、量化\n" in written
    assert "【提名区】：</span>位置编码、量化</p>" in page
    # The LongNet points were bullets, 后续计划 a bulleted list, 注意事项 lines.
    assert "\n   - 动机：在大型语言模型时代" in written
    assert '<ul class="points"><li>动机：' in page
    assert "\n- 正式开启 OpenLLM talk 的运营，P1；\n" in written
    assert (
        "\n【talk 模板】：<https://zhuanlan.zhihu.com/p/640522290>；可参考模板进行贡献\n" in written
    )
    # The source link after the points, as "from-" had it.
    assert "\n1. LongNet: Scaling Transformers to 1,000,000,000 Tokens\n" in written
    assert "\n   from-<https://hub.baai.ac.cn/view/27697>\n" in written
    # The code outside any list, its lines as written before the PDF cut them.
    assert "\n\n```python\nold_init = transformers.models.llama.modeling_llama." in written
    assert "LlamaRotaryEmbedding.__init__ = adaptive_ntk_init\n```" in written
    assert "__i\n" not in written
    # A word the PDF's layout cut ("负责" / "人；") is one again.
    assert "、版块的负责人；参与项目" in written


@pytest.mark.parametrize("imported", ["openllm-talk-001.txt"], indirect=True)
def test_001_keeps_its_contributors_line_and_numbered_points(imported):
    written = imported["markdown"]

    assert "\n【贡献者】：羡鱼（编辑）+OpenLLM 群友" in written
    assert imported["issue"].editor_name == "羡鱼"
    # "1）…" points stay numbered.
    assert re.search(r"^ +1\. 抱抱脸与 EleutherAI", written, re.M)


def test_a_contributors_line_as_written_gives_way_once_its_names_are_edited(series):
    text = (CORPUS / "openllm-talk-001.txt").read_text(encoding="utf-8")
    issue = issue_import(series=series, text=text)
    section = issue.sections.get(key="free-talk")
    assert (
        "【贡献者】：羡鱼（编辑）+OpenLLM 群友、" in markdown.render(snapshot_build(issue)).decode()
    )

    section.contributor_names = ["羡鱼", "群友"]
    section.save()

    written = markdown.render(snapshot_build(issue)).decode()
    assert "（编辑）+" not in written
    assert "\n【贡献者】：羡鱼、群友、" in written
