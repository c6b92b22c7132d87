"""The record format: the words of a published issue, and which list an item
kind goes in.

The community publishes each issue as text (talk/corpus/ has eight, as
their PDFs read; docs/importing.md says what the importer recognises). The
desk writes that text (talk.exports) and reads it back (talk.importing), and
the round trip holds only while both use the same words: they take them from
here. The issue page lists items by the same rule as the exports (`list_of`).

A word here is one the published text shows its readers. How the text is cut
into lines, and the many ways a hand-written issue spells a mark ("--初七",
"—群友", "-from 羡鱼"), are the importer's business and stay with it.
"""

from typing import Literal, NamedTuple

# Which list an item goes in

ListName = Literal["nomination", "suggestion", "body"]

BODY: ListName = "body"


class Area(NamedTuple):
    """An area a section may have above its body: its items' kind (an
    `Item.Kind`, which is also the list's name), its label in the record, and
    the section's field that says whether the section has it."""

    kind: ListName
    heading: str
    flag: str


NOMINATIONS = Area("nomination", "提名区", "has_nominations")
SUGGESTIONS = Area("suggestion", "建议区", "has_suggestions")
# In the order the record writes them, after the section's 【贡献者】 line.
AREAS = (NOMINATIONS, SUGGESTIONS)


def list_of(kind: str) -> ListName:
    """The list an item of `kind` goes in: its area (nominations,
    suggestions), or the section's body (entries, notes, snippets), where
    items stand under their sub-group."""
    for area in AREAS:
        if kind == area.kind:
            return area.kind
    return BODY


def area_headed(heading: str) -> Area | None:
    """The area a record label names (提名区 → nominations), if any."""
    return next((area for area in AREAS if area.heading == heading), None)


# Blocks: the headings an issue's text is cut at

PREFACE_HEADING = "序章"
# 序章's parts in the corpus: 背景介绍 (the series' origin and structure) and
# 本期记录, the record proper (number, time, host…). The desk writes 本期记录
# as a heading of its own, after 序章.
BACKGROUND_HEADING = "背景介绍"
RECORD_HEADING = "本期记录"
PREFACE_PARTS = (BACKGROUND_HEADING, RECORD_HEADING)
NOTICES_HEADING = "注意事项"
REFERENCES_HEADING = "参考资料"
# What follows the heading of a section the issue may leave out: "本周经典-optional".
OPTIONAL_MARK = "-optional"
# The key of the section an import makes of 序章: it holds what the importer
# could not place in the record, under the text's own sub-headings.
PREFACE = "preface"

# The series' template sections as the corpus titles them, by their key.
TEMPLATE_TITLES = {
    "news": "本周新闻",
    "recommend": "本周推荐",
    "classic": "本周经典",
    "practice": "本周实践",
    "free-talk": "Free Talk",
    "chat": "聊天区",
    "references": REFERENCES_HEADING,
}
# Every heading the corpus writes, and the section it fills: (key, title).
# A title of None: the template's section of that key; a title: a section of
# notes with that title, which no template has.
HEADINGS = {
    PREFACE_HEADING: (PREFACE, PREFACE_HEADING),
    BACKGROUND_HEADING: (PREFACE, PREFACE_HEADING),
    RECORD_HEADING: (PREFACE, PREFACE_HEADING),
    NOTICES_HEADING: ("notices", NOTICES_HEADING),
    **{
        (title.lower() if key == "free-talk" else title): (key, None)
        for key, title in TEMPLATE_TITLES.items()
    },
    "后续计划": ("plans", "后续计划"),
    "加入/赞助我们": ("join-us", "加入/赞助我们"),
    "往期精彩": ("past-issues", "往期精彩"),
}
# Sub-group headings inside a section, as the corpus spells them, and the
# sub-group each is (工业 is 工业界 written short).
SUBGROUPS = {
    "学术": "学术",
    "项目": "项目",
    "工业界": "工业界",
    "工业": "工业界",
    "资料": "资料",
    "模型": "模型",
    "杂项": "杂项",
    "其他": "其他",
    "refs": "refs",
    "线上讨论": "线上讨论",
    "群里讨论": "群里讨论",
}


# Labels: "【主持人】：羡鱼"


def label(word: str, remark: str = "") -> str:
    """A label as the record writes it, before its text: 【主持人】：, or with
    a remark, 【本期贡献者】- 排名不分先后："""
    return f"【{word}】{remark}："


# 序章's labels, and the series' field each stands for.
PREFACE_LABELS = {"缘起": "origin", "结构": "structure"}
# The notices 序章 writes after them (隐私提示 is the series' privacy notice).
NOTICE_LABELS = ("隐私提示", "talk 模板", "小要求")

# 本期记录's labels, in the order the desk writes them.
NUMBER_LABEL = "编号"
TIME_LABEL = "时间"
HIGHLIGHTS_LABEL = "本期提要"
ISSUE_CONTRIBUTORS_LABEL = "本期贡献者"
HOST_LABEL = "主持人"
EDITOR_LABEL = "编辑"
OWNERS_LABEL = "版块负责人"
VIDEO_LABEL = "talk 视频"
RECORD_LABELS = (
    NUMBER_LABEL,
    TIME_LABEL,
    HIGHLIGHTS_LABEL,
    ISSUE_CONTRIBUTORS_LABEL,
    HOST_LABEL,
    EDITOR_LABEL,
    OWNERS_LABEL,
    VIDEO_LABEL,
)
# What the corpus writes after 【本期贡献者】, after a dash: "in no particular order".
UNRANKED = "排名不分先后"
# The desk's last line of the record, for a corrected revision: "r2 — …".
REVISION_LABEL = "版本"
# A line of the corpus' record the desk has no field for: "see the names
# after each item".
CONTENT_CONTRIBUTORS_LABEL = "具体内容贡献者"

# A section's labels: its own (【本周新闻】：description；~10 分钟；), then these.
CONTRIBUTORS_LABEL = "贡献者"
# The theme picked from the nominations; the corpus words it either way.
THEME_LABEL = "本期主题"
THEME_LABELS = (THEME_LABEL, "本周主题")


# Names, marks and budgets

# Between names: "羡鱼、初七".
NAME_SEPARATOR = "、"
# Before the name of whoever wrote something: "北大 chatlaw --群友".
BY = "--"
# After an answer the asker accepted.
ACCEPTED = "（已采纳）"
# After a question left from the issue before: "--上期遗留", or
# "--上期遗留（007）" as the desk writes it, with that issue.
CARRIED_OVER = "上期遗留"
# A section's time budget: "~10 分钟", or no limit.
MINUTES = "分钟"
NO_TIME_LIMIT = "时间不限"


def budget_words(minutes: int | None) -> str:
    """A section's budget as the desk words it."""
    return f"~{minutes} {MINUTES}" if minutes else NO_TIME_LIMIT
