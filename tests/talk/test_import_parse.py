"""Shapes the importer reads, on short texts (no database): credits on
entries, questions carried over, code that opens a Markdown list item, the
preface's labels as written."""

import pytest

from talk.importing import parse_issue
from talk.importing.parse import SeriesText

LINK = "https://arxiv.org/abs/2307.02486"


def section(text: str, key: str):
    return next(
        found for found in parse_issue(f"OpenLLM Talk 099\n{text}").sections if found.key == key
    )


def entries(text: str) -> list[tuple[str, str]]:
    return [(item.title, item.author) for item in section(f"本周新闻\n{text}", "news").items]


@pytest.mark.parametrize(
    ("line", "title", "author"),
    [
        ("一篇论文 -from 羡鱼", "一篇论文", "羡鱼"),
        ("一篇论文-from 羡鱼", "一篇论文", "羡鱼"),
        ("第三篇论文--yuhan", "第三篇论文", "yuhan"),
        ("第三篇论文 --yuhan", "第三篇论文", "yuhan"),
        ("北大 chatlaw —群友", "北大 chatlaw", "群友"),
        ("北大 chatlaw？—群友", "北大 chatlaw？", "群友"),
    ],
)
def test_it_credits_whoever_an_entry_names(line, title, author):
    assert entries(f"{line}\n{LINK}") == [(title, author)]
    assert entries(f"1. {line}\n{LINK}") == [(title, author)]


def test_it_credits_a_name_on_the_line_under_an_entry():
    assert entries(f"一篇论文\n{LINK}\n-from 羡鱼") == [("一篇论文", "羡鱼")]


@pytest.mark.parametrize(
    "title",
    [
        "GPT-4 技术报告",
        "LLaMA-2-70B",
        "text-davinci-003",
        "Self-Instruct--Aligning",
        "Learning-from Demonstrations",
        "DPO——RLHF 的替代",
        "LLaMA 2—开源可商用",
        "LLM 的推理优化技术纵览 - 紫气东来的文章 - 知乎--强烈推荐",
        "GUR：Generate to Understand for Representations--2023",
    ],
)
def test_it_keeps_the_dashes_of_a_title(title):
    assert entries(f"{title}\n{LINK}") == [(title, "")]


def test_it_keeps_a_link_whole_though_it_holds_a_double_hyphen():
    [question] = section("Free Talk\nQ1：见 https://example.com/docs--yuhan", "free-talk").questions
    assert (question.body, question.author) == ("见 https://example.com/docs--yuhan", "")


@pytest.mark.parametrize(
    ("line", "body", "author"),
    [
        ("Q1：LoRA 能用来做风格吗？--上期遗留", "LoRA 能用来做风格吗？", ""),
        ("Q1：LoRA 能用来做风格吗？—初七 —上期遗留", "LoRA 能用来做风格吗？", "初七"),
        # As the desk's Markdown export writes it: the earlier issue in brackets.
        ("Q1：LoRA 能用来做风格吗？ --初七 --上期遗留（007）", "LoRA 能用来做风格吗？", "初七"),
    ],
)
def test_it_carries_over_a_question_marked_so(line, body, author):
    [question] = section(f"Free Talk\n{line}\nA1：", "free-talk").questions
    assert (question.body, question.author, question.carried_over) == (body, author, True)


def test_it_keeps_a_remark_of_its_own_after_the_mark():
    [question] = section(
        "Free Talk\nQ1：LoRA 能用来做风格吗？--上期遗留（没人答）", "free-talk"
    ).questions
    assert (question.body, question.carried_over) == (
        "LoRA 能用来做风格吗？--上期遗留（没人答）",
        False,
    )


def test_it_reads_code_that_opens_a_list_item():
    # How the Markdown export writes an entry that is only code.
    text = "\n".join(
        [
            "# OpenLLM Talk 099",
            "",
            "## 本周实践",
            "",
            "1. ```python",
            "   def f(x):",
            "       return x",
            "   ```",
            "",
            "   --yuhan",
            "",
            "2. ```",
            "   pip install vllm",
            "   ```",
            "",
            f"3. [LongNet]({LINK})",
            f"   {LINK}",
            "",
            "## Free Talk",
            "",
            "Q1：显存怎么算？",
        ]
    )
    parsed = parse_issue(text)
    practice = next(found for found in parsed.sections if found.key == "practice")
    assert [(i.kind, i.title, i.url, i.code, i.language, i.author) for i in practice.items] == [
        ("snippet", "", "", "def f(x):\n    return x", "python", "yuhan"),
        ("snippet", "", "", "pip install vllm", "", ""),
        ("entry", "LongNet", LINK, "", "", ""),
    ]
    [free_talk] = [found for found in parsed.sections if found.key == "free-talk"]
    assert [question.body for question in free_talk.questions] == ["显存怎么算？"]


def test_it_keeps_the_labels_of_the_preface_as_written():
    series = SeriesText(privacy_notice="保护好你的马甲（别名）。")
    text = "\n".join(
        [
            "OpenLLM Talk 099",
            "序章",
            "【缘起】：起源于一场讨论",
            "【隐私提示】：保护好你的马甲（别名）。",
            "本期记录",
            "【编号】：OpenLLM Talk 099 (三位数是希望…）",
            "【本期贡献者】- 排名不分先后：",
            "【主持人】：羡鱼（后续每期由大家自行认领）",
            "【版块负责人】： 多人（后续每期由大家自行认领）",
            "【talk 视频】：后续放出",
            "本周新闻",
            "【时间】：20230715 晚上九点",
        ]
    )

    parsed = parse_issue(text, series)

    assert parsed.record == [
        ("缘起", "起源于一场讨论"),
        ("编号", "OpenLLM Talk 099 (三位数是希望…）"),
        ("主持人", "羡鱼（后续每期由大家自行认领）"),
        ("版块负责人", "多人（后续每期由大家自行认领）"),
        ("talk 视频", "后续放出"),
    ]
    # The fields are read as before; what the series says is not kept twice,
    # nor the contributors the desk lists itself.
    assert (parsed.host_name, parsed.video_url) == ("羡鱼", "")
    preface = next(found for found in parsed.sections if found.key == "preface")
    assert (preface.items, preface.subgroups) == ([], ["本期记录"])
    # Outside the preface a label is what it was: a field, its words a note.
    news = next(found for found in parsed.sections if found.key == "news")
    assert parsed.meeting_date is not None
    assert [item.body for item in news.items] == ["【时间】：20230715 晚上九点"]
