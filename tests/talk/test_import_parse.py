"""Shapes the importer reads, on short texts (no database): credits on
entries, questions carried over, code that opens a Markdown list item, the
preface's labels as written."""

import pytest

from talk.importing import parse_issue
from talk.importing.parse.common import unwrap_code
from talk.importing.text import continues

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

    parsed = parse_issue(text)

    assert parsed.record == [
        ("缘起", "起源于一场讨论"),
        ("隐私提示", "保护好你的马甲（别名）。"),
        ("编号", "OpenLLM Talk 099 (三位数是希望…）"),
        ("主持人", "羡鱼（后续每期由大家自行认领）"),
        ("版块负责人", "多人（后续每期由大家自行认领）"),
        ("talk 视频", "后续放出"),
    ]
    # The fields are read as before; the notices are kept as the text has
    # them (its export writes its own, not the series'), the contributors
    # the desk lists itself are not.
    assert (parsed.host_name, parsed.video_url) == ("羡鱼", "")
    preface = next(found for found in parsed.sections if found.key == "preface")
    assert (preface.items, preface.subgroups) == ([], ["本期记录"])
    # Outside the preface a label is what it was: a field, its words a note.
    news = next(found for found in parsed.sections if found.key == "news")
    assert parsed.meeting_date is not None
    assert [item.body for item in news.items] == ["【时间】：20230715 晚上九点"]


def items(text: str, key: str = "news") -> list[tuple[str, str, str, str]]:
    heading = {"news": "本周新闻", "recommend": "本周推荐"}[key]
    found = section(f"{heading}\n{text}", key).items
    return [(item.kind, item.title, item.url, item.body) for item in found]


OTHER = "https://github.com/ymcui/Chinese-LLaMA-Alpaca-2"


def test_it_carries_a_line_that_ends_on_a_comma_to_the_next():
    text = f"它们超越了 Meta 三天前发布的 Llama-2-70b-hf，\n成功登顶 Open LLM 排行榜榜首。\n{LINK}"
    title = "它们超越了 Meta 三天前发布的 Llama-2-70b-hf，成功登顶 Open LLM 排行榜榜首。"
    assert items(text) == [("entry", title, LINK, "")]


def test_it_parts_two_titles_though_the_first_fills_the_line():
    # The first is as wide as the page: were it prose, the next line would carry it on.
    text = "\n".join(
        [
            "学术",
            "《TART:A plug-and-play transformer module for task-agnostic reasoning》",
            "《Self-Supervised Learning from Images with a Joint-Embedding Predictive",
            "Architecture》",
        ]
    )
    assert [title for _kind, title, _url, _body in items(text)] == [
        "《TART:A plug-and-play transformer module for task-agnostic reasoning》",
        "《Self-Supervised Learning from Images with a Joint-Embedding Predictive Architecture》",
    ]


def test_it_reads_a_remark_between_a_title_and_its_link_as_the_entry_s_text():
    text = f"中文 LLaMA2\n注：llama2 的词表很小，需要专门强化。\n商用许可：只允许英文；\n{OTHER}"
    assert items(text, "recommend") == [
        (
            "entry",
            "中文 LLaMA2",
            OTHER,
            "注：llama2 的词表很小，需要专门强化。\n商用许可：只允许英文；",
        )
    ]


def test_it_gives_a_link_a_blank_line_below_a_title_to_that_title():
    text = f"中文怎么进行 BPE 编码？ - Andy Yang 的回答 - 知乎\n\n{LINK}"
    assert items(text, "recommend") == [
        ("entry", "中文怎么进行 BPE 编码？ - Andy Yang 的回答 - 知乎", LINK, "")
    ]
    # Not across a sub-group's heading.
    assert items(f"资料\n一篇博客\n\n项目\n{LINK}", "recommend") == [
        ("entry", "一篇博客", "", ""),
        ("entry", "", LINK, ""),
    ]


def test_it_keeps_more_links_of_an_entry_in_its_text():
    text = f"《大语言模型综述》\n{LINK}\n论文链接：{OTHER}\n中文翻译版本链接：\n{OTHER}.pdf"
    assert items(text, "recommend") == [
        ("entry", "《大语言模型综述》", LINK, f"论文链接：{OTHER}\n中文翻译版本链接：{OTHER}.pdf")
    ]
    # At the head of a paragraph, such a line is an entry of its own.
    assert items(f"NLP 的 lora 融合：\n{LINK}", "recommend") == [
        ("entry", "NLP 的 lora 融合：", LINK, "")
    ]


@pytest.mark.parametrize(
    ("after", "read"),
    [
        # A headline: an entry of its own, without a link.
        (
            "文心大模型升级 3.5 版本，有多强？我们帮你试了试",
            [("entry", "文心大模型升级 3.5 版本，有多强？我们帮你试了试", "", "")],
        ),
        # A remark or a sentence on the entry: its text.
        ("这个和 RWKV 的讨论；", []),
        ("~全网最小的语言模型，适用于个人开发者的训练和微调。", []),
    ],
)
def test_it_reads_a_line_under_a_link_as_a_headline_or_a_remark(after, read):
    found = items(f"SuperCLUE-Open 中文大模型开放域测评基准发布\n{LINK}\n{after}")
    body = "" if read else after
    assert found == [("entry", "SuperCLUE-Open 中文大模型开放域测评基准发布", LINK, body), *read]


def test_it_takes_the_line_under_a_link_with_no_title_for_its_title():
    text = f"项目\nLLM 打辩论 {OTHER}\n{LINK}\n上海 ai lab 的 7b llm 开源了"
    assert items(text) == [
        ("entry", "LLM 打辩论", OTHER, ""),
        ("entry", "上海 ai lab 的 7b llm 开源了", LINK, ""),
    ]


def free_talk(text: str):
    return section(f"Free Talk\n{text}", "free-talk")


def answers(question) -> list[tuple[str, str]]:
    return [(answer.body, answer.author) for answer in question.answers]


def test_it_credits_an_answer_signed_on_its_label_s_line_and_answers_nothing_after_it():
    found = free_talk(
        "\n".join(
            [
                "Q6: 小于 8bit 的量化在推理的时候是怎么计算的？",
                "-Dark Flame Master",
                "A6：指针会对齐到 8bit，一次算 N 个 4bit 数据 即 packed。-",
                "",
                "qingwang",
                "",
                "5 Levels Of Summarization ：5 种使用 langchain summarization 的层次",
                "",
                "时间关系-本期就先到这儿！",
                "",
                "Q11: 现在语言模型中有使用 LoRA 作为风格的案例吗？",
            ]
        )
    )
    first, second = found.questions
    assert (first.author, answers(first)) == (
        "Dark Flame Master",
        [("指针会对齐到 8bit，一次算 N 个 4bit 数据 即 packed。", "qingwang")],
    )
    assert not second.answers
    assert [(item.kind, item.body) for item in found.items] == [
        ("note", "5 Levels Of Summarization ：5 种使用 langchain summarization 的层次"),
        ("note", "时间关系-本期就先到这儿！"),
    ]


def test_it_reads_text_after_a_signed_answer_as_another_where_answers_have_no_labels():
    [question] = free_talk(
        "8. lora 和 p-tuning v2 ？\n答：\n个人喜欢 lora 方案--羡鱼\n\n看任务需求：lora 比较好。"
    ).questions
    assert answers(question) == [("个人喜欢 lora 方案", "羡鱼"), ("看任务需求：lora 比较好。", "")]


def test_it_reads_no_name_in_a_source():
    [question] = free_talk(
        "Q6: 模型参数和训练语料的合适比例？\n"
        "A6：OpenAI 1:1.7\n"
        "这两个数据的来源可以把链接放上来吗--来自何枝大佬的分享\n"
        "\n"
        "数据和模型的硬盘体积比：10-100 倍？"
    ).questions
    assert answers(question) == [
        (
            "OpenAI 1:1.7\n这两个数据的来源可以把链接放上来吗--来自何枝大佬的分享\n\n"
            "数据和模型的硬盘体积比：10-100 倍？",
            "",
        )
    ]


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        # Cut inside a name: joined without a space.
        (
            ["x = a.very_long_module_name.__i", "nit__", "y = a.very_long_module_name.for", "ward"],
            ["x = a.very_long_module_name.__init__", "y = a.very_long_module_name.forward"],
        ),
        # Cut after a comma: the space pdftotext dropped comes back.
        (
            [
                "def f(self, dim, max_position=2048,",
                "base=10000):",
                "return dim + max_position + dim_one",
            ],
            [
                "def f(self, dim, max_position=2048, base=10000):",
                "return dim + max_position + dim_one",
            ],
        ),
        # A line that ends on "=" goes on in the next.
        (
            ["old_init =", "llama.RotaryEmbedding.__init__"],
            ["old_init = llama.RotaryEmbedding.__init__"],
        ),
        # One line alone at the widest is no edge: nothing was cut.
        (["def f():", "    return some_long_function_name(x)", "y = 1"], None),
    ],
)
def test_it_joins_code_lines_the_pdf_cut_at_the_page_s_edge(lines, code):
    assert unwrap_code(lines) == (code if code is not None else lines)


@pytest.mark.parametrize(
    ("previous", "line", "joined"),
    [
        ("主持人（最近从杭州跑北京来了）", "、版块的负责", True),
        ("（二维码过期了！", "）", True),
        ("、版块的负责", "人；参与项目后续的开发", True),
        ("微信群：", "（请优先加入微信群）", False),
        ("后续计划", "正式开启 OpenLLM talk 的运营", False),
    ],
)
def test_a_line_chinese_would_not_start_with_ends_the_one_above(previous, line, joined):
    assert continues(previous, line, limit=80) is joined
