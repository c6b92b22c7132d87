"""What a search of the eight published issues (talk/corpus/) finds first.

Each case is a query, what must come first (the issue, the kind of row and
words of its excerpt, read off the corpus) or None for nothing at all, and
its order and filters when they are not "relevance" and none. Relevance puts
the rows holding the query as typed (its case, width, spacing and the
punctuation between its words aside) first, then the newest issue, then the
page's order; "newest" leaves the phrase out.

The suite runs this module on PostgreSQL or SQLite, and test_both_databases
runs it again on the other one: with SEARCH_RESULTS_JSON set, it writes every
case's hits there for the two to be compared.
"""

import html
import json
import os
import re
import unicodedata

import pytest

from search.models import Entry
from search.selectors import Filters, Results, search

ITEM, QUESTION, ANSWER, THEME, HIGHLIGHTS = "item", "question", "answer", "theme", "highlights"


def name(query: str, order: str, filters: Filters) -> str:
    given = "".join(f" {k}={v}" for k, v in vars(filters).items() if v != getattr(Filters, k))
    return f"{query or '(empty)'} [{order}{given}]"


def case(query: str, first: tuple[str, str, str] | None, order: str = "relevance", **filters):
    given = Filters(**filters)
    return pytest.param(query, order, given, first, id=name(query, order, given))


CASES = [
    # Chinese words and phrases
    case("位置编码", ("007", ITEM, "State of GPT；位置编码")),  # 007 lists 001's topics
    case("位置编码", ("000", THEME, "位置编码"), number_to=0),  # 000's classic: its theme
    case("长度外推", ("007", ITEM, "NOPE；长度外推")),
    case("位置编码与长度外推", ("001", ITEM, "位置编码与长度外推性")),  # wrapped in 000's PDF
    case("心动不如行动", ("000", ITEM, "本着心动不如行动")),  # the preface, once in 000
    case("扩张注意力", ("003", ITEM, "扩张注意力")),
    case("对齐税", ("007", QUESTION, "对齐税？")),  # the question, then its answer
    case("灾难性遗忘", ("007", ANSWER, "防止灾难性遗忘")),
    case("哈佛", ("000", ANSWER, "哈佛 注释版")),  # Free Talk comes before 参考资料
    case("量化", ("000", QUESTION, "8bit 的量化"), number_from=0, number_to=0),
    # Two characters, one character
    case("掩码", ("000", QUESTION, "掩码的左右问题")),
    case("嵌入", ("004", ANSWER, "句嵌入")),
    case("替代", ("006", ITEM, "RLHF 的替代")),
    case("记住", ("001", QUESTION, "如何记住较长")),
    case("蜗", ("004", ITEM, "蜗牛在花园跑酷")),
    case("祸", ("006", ITEM, "罪魁祸首")),
    case("慢", ("007", QUESTION, "巨慢")),
    case("炼", ("004", ITEM, "炼完了")),
    case("鱼", ("007", ITEM, "羡鱼智能的文章")),
    # English, in any case
    case("LongNet", ("004", ITEM, "1B 长度的 LongNet")),
    case("LONGNET", ("003", ITEM, "LongNet: Scaling Transformers"), number_to=3),
    case("longnet", ("003", ITEM, "LongNet: Scaling Transformers"), number_to=3),
    case("dilated attention", ("003", ITEM, "扩张注意力(dilated attention)")),
    case("AdaLoRA", ("004", ITEM, "（AdaLoRA）")),
    case("adalora", ("004", ITEM, "（AdaLoRA）")),
    case("Qlora", ("006", ANSWER, "Qlora：int4 量化")),
    case("chathome", ("007", ANSWER, "链家的实验 chathome")),
    case("reward model", ("006", ITEM, "Secretly a Reward Model")),
    case("state of gpt", ("007", ITEM, "State of GPT")),
    case("falcon 相比 llama", ("000", QUESTION, "falcon 相比 llama")),
    # Hyphens and numbers
    case("C-Eval", ("001", HIGHLIGHTS, "C-eval；DeepSpeed")),
    case("c eval", ("001", HIGHLIGHTS, "C-eval；DeepSpeed")),  # the same words, not a hyphen
    case("c-eval 如何测试", ("001", ITEM, "c-eval 如何测试")),
    case("NTK-Aware", ("007", ITEM, "NTK-Aware Scaled RoPE")),
    case("ntk aware", ("007", ITEM, "NTK-Aware Scaled RoPE")),
    case("baichuan-7B", ("001", ITEM, "baichuan-7B 在 C-EVAL")),
    case("7B", ("007", ITEM, "百川智能 7B 模型")),
    case("70b", ("007", QUESTION, "llama-2-70b 部署问题")),
    case("A100", ("000", ANSWER, "1000 A100 卡")),
    case("3090", ("006", ANSWER, "3090 微调 13B")),
    case("1,000,000,000", ("003", ITEM, "1,000,000,000 Tokens")),
    # Mixed
    case("lora 融合", ("007", ITEM, "lora 融合；模型参数")),
    case("lora融合", ("007", ITEM, "lora 融合；模型参数")),  # no space: the same words
    case("LoRA 融合", ("001", HIGHLIGHTS, "Lora 融合；LLaMA"), number_to=1),
    case("RLHF 数据", ("007", ITEM, "RLHF 数据 - 羡鱼智能")),
    case("RLHF 的替代", ("006", ITEM, "RLHF 的替代")),
    case("llama2 汉化", ("007", ITEM, "llama2 汉化；多轮对话")),
    # Aliases
    case("羡鱼", ("007", ITEM, "羡鱼智能的文章")),
    case("初七", ("006", ITEM, "初七, qwang")),
    case("reward model", ("000", QUESTION, "reward model 哪家好"), alias="qingwang"),
    # Links, whole or in part
    case("zhuanlan.zhihu.com/p/640522290", ("007", ITEM, "【talk 模板】")),
    case("https://zhuanlan.zhihu.com/p/626828066", ("000", ITEM, "位置编码与长度外推性")),
    case("640522290", ("007", ITEM, "【talk 模板】")),
    case("arxiv.org/abs/2308.01320", ("007", ITEM, "ChatGPT-like Models")),
    case("github.com/InternLM/InternLM", ("003", ITEM, "InternLM/InternLM")),
    case(
        "hSWfkkWmQ0rmVPTucJh5zg", ("003", ITEM, "中文大模型开放域测评基准")
    ),  # case as in the link
    case("mp.weixin.qq.com/s/MYcnyG9vcw831hfkl58xIw", ("003", ITEM, "盘古大模型")),
    case("2023.baai.ac.cn", ("000", ITEM, "2023 智源大会")),
    # Full-width input, as a Chinese keyboard types it
    case("ＬｏＲＡ　融合", ("007", ITEM, "lora 融合；模型参数")),  # and an ideographic space
    case("ＲＬＨＦ 数据", ("007", ITEM, "RLHF 数据 - 羡鱼智能")),
    case("ｃ－ｅｖａｌ", ("001", HIGHLIGHTS, "C-eval；DeepSpeed")),
    case("７０Ｂ", ("007", QUESTION, "llama-2-70b 部署问题")),
    # Newest first: the phrase does not count
    case("RLHF 数据", ("007", ANSWER, "RLHF 阶段带上预训练数据"), order="newest"),
    # "c" whole, "eval" a beginning: C-Eval itself, not the newer "chat …
    # Evaluation of LLM" (006) that prefixes of both would find.
    case("c eval", ("001", HIGHLIGHTS, "C-eval；DeepSpeed"), order="newest"),
    case("evaluation of llm", ("006", QUESTION, "Evaluation of LLM"), order="newest"),
    # Filters
    case("lora", ("004", QUESTION, "lora 和 p-tuning v2"), section_kind="questions"),
    case("lora", ("003", QUESTION, "有没有用 lora 微调"), unanswered=True),
    case("lora", ("002", HIGHLIGHTS, "lora 融合"), number_from=2, number_to=2),
    # Nothing
    case("xyzzy", None),
    case("量子计算机", None),
    case("lora 量子", None),  # every word must be there
    case("编位", None),  # both characters are, never side by side
    case("。！？", None),  # no words at all
    case("", None),
]


def hits(results: Results) -> list[dict]:
    """Every hit in the order shown, with its issue's number."""
    return [
        {"issue": group.title[-3:], "kind": hit.kind, "excerpt": str(hit.excerpt), "url": hit.url}
        for group in results.groups
        for hit in group.hits
    ]


def comparable(hits: list[dict]) -> list[dict]:
    """The hits as both databases must give them: the addresses hold row ids,
    which differ between them."""
    return [{k: v for k, v in hit.items() if k != "url"} for hit in hits]


def plain(excerpt: str) -> str:
    return html.unescape(re.sub(r"</?mark>", "", excerpt))


def folded(text: str) -> str:
    """Letters and digits only, folded: what "holds the query as typed" compares."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def holds_phrase(hit: dict, query: str) -> bool:
    anchor = hit["url"].rsplit("#", 1)[1]
    entry = Entry.objects.filter(anchor=anchor, issue__code=str(int(hit["issue"]))).get()
    return folded(query) in folded(entry.text)


RECORDED: dict[str, list[dict]] = {}


@pytest.fixture(scope="module", autouse=True)
def _record():
    yield
    if path := os.environ.get("SEARCH_RESULTS_JSON"):
        with open(path, "w", encoding="utf-8") as out:
            json.dump(RECORDED, out, ensure_ascii=False, indent=1)


@pytest.mark.parametrize(("query", "order", "filters", "first"), CASES)
def test_it_finds_first(db, corpus, query, order, filters, first):
    series, member = corpus

    results = search(series=series, viewer=member, text=query, order=order, filters=filters)

    shown = hits(results)
    RECORDED[name(query, order, filters)] = comparable(shown)
    if first is None:
        assert shown == []
        return
    assert shown, "nothing found"
    issue, kind, words = first
    top = shown[0]
    assert (top["issue"], top["kind"]) == (issue, kind), plain(top["excerpt"])
    assert words in plain(top["excerpt"])
    if order == "relevance":
        phrase = [holds_phrase(hit, query) for hit in shown]
        assert phrase == sorted(phrase, reverse=True), "a row without the phrase before one with it"


@pytest.mark.parametrize(("query", "order", "filters", "first"), CASES)
def test_a_walk_of_the_newest_rows_first_finds_the_same(
    db, corpus, monkeypatch, query, order, filters, first
):
    """A query of several terms tests the newest rows in turn, then asks the
    index for the rest: whatever the window, the same hits in the same order
    (the corpus is smaller than the window a real archive has)."""
    series, member = corpus
    whole = hits(search(series=series, viewer=member, text=query, order=order, filters=filters))

    for window in (1, 40, 400):
        monkeypatch.setattr("search.selectors.WINDOW", window)
        walked = search(series=series, viewer=member, text=query, order=order, filters=filters)
        assert hits(walked) == whole, window
