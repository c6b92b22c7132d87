"""Read an issue's text into plain data (no database): `parse_issue`.

Stages:

1. Lines (`text`): form feeds and the page-break blank lines removed, links
   the PDF wrapped joined again, Markdown turned into the same kind of lines.
2. The title line gives the number (or a special edition's label); the lines
   before it are kept as notes.
3. Blocks: the lines are cut at section headings (本周新闻, Free Talk, 后续计划…).
   A heading the series has a template for fills that section; any other block
   becomes an extra section of notes.
4. Inside a block, labels (【主持人】：…, 【贡献者】：…) set fields, and the rest is
   read by the block's kind: entries (a title and its link, numbered entries,
   points, code) for item sections; questions and answers for Free Talk; chat
   lines for 聊天区. The preface's labels (【缘起】, 【编号】…) are also kept as
   the source wrote them (`ParsedIssue.record`): the exports write the preface
   and the record (本期记录) in the source's words.

Whatever is not recognised is kept, as a note where it stood: the parser may
read a line the wrong way, but never drops one.
"""

import datetime
import re
from dataclasses import dataclass, field

from sections.record import NOTICE_LABELS, PREFACE_LABELS

from . import text as T
from .text import Line

MAX_TITLE = 300
MAX_NAME = 80
MAX_SUBGROUP = 40
MAX_SECTION_TITLE = 80
MAX_THEME = 300
MAX_PLAIN_NAMES = 120
MAX_URL = 2000
MAX_NUMBER = 2**31 - 1

# Headings: what the corpus titles its blocks, and the section each fills.
# None as the template key: an extra section (no template).
HEADINGS = {
    "序章": ("preface", "序章"),
    "背景介绍": ("preface", "序章"),
    "本期记录": ("preface", "序章"),
    "注意事项": ("notices", "注意事项"),
    "本周新闻": ("news", None),
    "本周推荐": ("recommend", None),
    "本周经典": ("classic", None),
    "本周实践": ("practice", None),
    "free talk": ("free-talk", None),
    "聊天区": ("chat", None),
    "参考资料": ("references", None),
    "后续计划": ("plans", "后续计划"),
    "加入/赞助我们": ("join-us", "加入/赞助我们"),
    "往期精彩": ("past-issues", "往期精彩"),
}
TEMPLATE_TITLES = {
    "news": "本周新闻",
    "recommend": "本周推荐",
    "classic": "本周经典",
    "practice": "本周实践",
    "free-talk": "Free Talk",
    "chat": "聊天区",
    "references": "参考资料",
}
# Headings that are parts of the preface rather than blocks of their own.
PREFACE_PARTS = ("背景介绍", "本期记录")

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

ISSUE_LABELS = {"编号", "时间", "本期提要", "本期贡献者", "主持人", "编辑", "talk 视频"}
SECTION_LABELS = {"贡献者", "提名区", "建议区", "本期主题", "本周主题"}
OTHER_LABELS = {"版块负责人", "具体内容贡献者", "版本"}
# A preface label the desk writes itself, from the issue's content: when the
# source says the same, the record does not keep it a second time. (Notices,
# 隐私提示 included, are kept as written: an imported record is exported with
# its own, never the series'.)
DESK_WORDED = {"本期贡献者"}
# Labels whose content may stand on the lines below them rather than after
# the colon: nominations listed one per line, a video's title and link.
LISTED_LABELS = {"提名区", "建议区", "talk 视频", "本期提要"}
KNOWN_LABELS = (
    ISSUE_LABELS | set(PREFACE_LABELS) | set(NOTICE_LABELS) | SECTION_LABELS | OTHER_LABELS
)

LABEL = re.compile(
    r"^【(?P<label>[^【】\n]{1,24})】\s*(?P<remark>-\s*排名不分先后)?\s*(?P<colon>[:：])?\s*(?P<text>.*)$"
)
Q_LABEL = re.compile(r"^Q\s*(?P<n>\d{1,6})\s*[:：]\s*(?P<text>.*)$", re.IGNORECASE)
A_LABEL = re.compile(
    r"^(?:A\s*\d{0,6}|答)\s*[:：]\s*(?P<text>.*)$|^[（(]\s*A\s*\d{0,6}\s*[:：]\s*(?P<paren>.*)$"
)
SUB_ANSWER = re.compile(r"^(?P<letter>[a-z])\s*[.．]\s*(?P<text>\S.*)$")
NUMBERED = re.compile(r"^(?P<n>\d{1,4})\s*[.．、](?!\d)\s*(?P<text>.*)$")
POINT = re.compile(r"^(?P<n>\d{1,3})\s*[）)]\s*(?P<text>.*)$")
FROM_URL = re.compile(r"^from\s*[-:：]?\s*(?P<url>https?://\S+)$", re.IGNORECASE)
ONLY_URL = re.compile(rf"^(?P<url>https?://{T.URL_CHARS}+)$", re.IGNORECASE)
TEXT_THEN_URL = re.compile(rf"^(?P<title>.*?\S)\s*(?P<url>https?://{T.URL_CHARS}+)$", re.IGNORECASE)
# A remark in brackets after a name: 羡鱼（后续每期由大家自行认领）, 羡鱼（编辑）.
REMARK = re.compile(r"\s*[（(](?P<remark>[^（）()]*)[）)]\s*")
NAME = r"[^\s\-—－:：，,。；;？?！!（）()【】《》<>\"“”/\\|]{1,30}(?: [^\s\-—－:：，,。；;？?！!（）()【】《》<>\"“”/\\|]{1,30}){0,2}"
# "--初七", "—群友", "-from 羡鱼", " -qingwang", "？-yuhan" at the end of a text.
ATTRIBUTION = re.compile(
    rf"(?:\s*(?:--|－－|——|—)\s*(?:from\s+)?|\s*-\s*from[\s-]+|(?:(?<=[\s？?。！!）)])|^)-\s*)"
    rf"(?P<name>{NAME})\s*[；;。？?]?\s*$",
    re.IGNORECASE,
)
# Items are titles, and titles hold dashes ("GPT-4", "DPO——RLHF 的替代",
# "LLaMA 2—开源可商用", "Learning-from Demonstrations"). A spaced dash
# ("… --yuhan", as the desk writes it) or "-from 羡鱼" that does not follow a
# Latin letter credits someone; so does a double hyphen or a single em dash
# that follows CJK text or punctuation with no space, when one word comes
# after it ("第三篇论文--yuhan", "…？—群友").
ITEM_ATTRIBUTION = re.compile(
    r"(?:\s+(?:--|－－|——|—)\s*|(?<![A-Za-z0-9])-from\s+"
    r"|(?<=[^\s\-—－A-Za-z0-9])(?:--|－－|—)(?=\S+\s*$))"
    rf"(?P<name>{NAME})\s*$",
    re.IGNORECASE,
)
ALONE_ATTRIBUTION = re.compile(rf"^(?:--|－－|——|—|-\s*from\s+|-)\s*(?P<name>{NAME})\s*[；;]?$")
ITEM_ALONE_ATTRIBUTION = re.compile(
    rf"^(?:--|－－|——|—|-\s*from\s+)\s*(?P<name>{NAME})\s*$", re.IGNORECASE
)
# "--上期遗留", or "--上期遗留（007）" as the desk writes it (the earlier issue).
CARRIED_OVER = re.compile(r"\s*(?:--|——|—|-)\s*上期遗留(?:[（(][A-Za-z0-9-]{1,40}[）)])?\s*$")
ACCEPTED_MARK = "（已采纳）"
# Remarks the corpus writes where a name would go.
NOT_NAMES = {"上期遗留", "强烈推荐"}
BUDGET = re.compile(
    r"(?:共\s*)?~?\s*(?P<minutes>\d{1,3})\s*分钟\s*[；;]?\s*$|时间不限\s*[；;]?\s*$"
)
DATE = re.compile(r"(?P<y>20\d\d)\s*[-./年]?\s*(?P<m>\d{1,2})\s*[-./月]?\s*(?P<d>\d{1,2})\s*日?")
CLOCK = re.compile(r"(?P<h>\d{1,2})\s*[:：]\s*(?P<min>\d{2})")
CN_TIME = re.compile(
    r"(?P<part>凌晨|早上|上午|中午|下午|傍晚|晚上)?\s*(?P<h>[零〇一二两三四五六七八九十\d]{1,3})\s*[点點时]"
    r"\s*(?P<min>半|[零〇一二三四五六七八九十\d]{1,3}\s*分?)?"
)
CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
CN_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
SPECIAL_WORDS = {"番外": "extra", "特别篇": "special", "特别版": "special"}
PYTHON_HINTS = re.compile(r"^(def |class |import |from \S+ import |return\b)|\bself\.|\btorch\.")
CODE_START = re.compile(
    r"^(?:def |class |return\b|import |from \S+ import |for .+:$|if .+:$|elif .+:$|else:$|"
    r"while .+:$|with .+:$|try:$|except\b|raise |print\(|@\w|\"\"\"|'''|#)"
)
CODE_SHAPE = re.compile(
    r"^[\w.\[\]\"', ]+\s*(?:[-+*/%]?=)(?!=)\s*\S|[(\[{,:=]$|^[)\]}]|^\.\w+\(|\w=[\w\"'(\[-]"
    r"|^[\w.]+\(.*\)[:;]?$"
)
# The end of a title the page pushed to a line of its own: "- 知乎".
TITLE_TAIL = re.compile(r"^-\s+\S")
# A remark on what stands above it: "注：…", "ps：…".
ASIDE = re.compile(r"^(?:注|ps)\s*[:：]", re.IGNORECASE)
# Inside code: a line the PDF wrapped off a longer one, or a call.
CODE_PIECE = re.compile(
    r"^[^\u3000-\u9fff\uff00-\uffef]*[()\[\]{}=_.][^\u3000-\u9fff\uff00-\uffef]*$|^\w+$"
)
CJK_TEXT = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")


@dataclass
class ParsedItem:
    kind: str = "entry"
    subgroup: str = ""
    title: str = ""
    url: str = ""
    body: str = ""
    points: list[str] = field(default_factory=list)
    code: str = ""
    language: str = ""
    author: str = ""


@dataclass
class ParsedAnswer:
    body: str
    author: str = ""
    accepted: bool = False
    replies: list["ParsedAnswer"] = field(default_factory=list)


@dataclass
class ParsedQuestion:
    body: str
    subgroup: str = ""
    author: str = ""
    carried_over: bool = False
    answers: list[ParsedAnswer] = field(default_factory=list)


@dataclass
class ParsedChatLine:
    text: str
    speaker: str = ""
    said_at: str = ""


@dataclass
class ParsedSection:
    key: str
    title: str
    template: bool  # filled from the series' template of that key
    description: str | None = None  # None: the template's
    budget: int | None = None
    budget_wording: str = ""  # as written; empty: the text gave no budget
    optional: bool = False
    subgroups: list[str] = field(default_factory=list)
    contributors: list[str] = field(default_factory=list)
    theme_label: str = ""
    theme: str = ""
    items: list[ParsedItem] = field(default_factory=list)
    questions: list[ParsedQuestion] = field(default_factory=list)
    chat: list[ParsedChatLine] = field(default_factory=list)

    def note(self, body: str, subgroup: str = "") -> None:
        if body.strip():
            self.items.append(ParsedItem(kind="note", subgroup=subgroup, body=body))


@dataclass
class ParsedIssue:
    number: int | None = None
    special_label: str = ""
    code: str = ""
    meeting_date: datetime.date | None = None
    meeting_time: datetime.time | None = None
    host_name: str = ""
    editor_name: str = ""
    highlights: str = ""
    video_url: str = ""
    # The preface's labels as the source wrote them, in order: (label, text).
    record: list[tuple[str, str]] = field(default_factory=list)
    sections: list[ParsedSection] = field(default_factory=list)

    @property
    def identified(self) -> bool:
        return bool(self.code)


@dataclass
class SeriesText:
    """What the series already says, so an issue does not repeat it."""

    name: str = "OpenLLM Talk"
    origin: str = ""
    structure: str = ""


def parse_issue(source: str, series: SeriesText | None = None) -> ParsedIssue:
    series = series or SeriesText()
    markdown = T.looks_like_markdown(source)
    lines = T.markdown_lines(source) if markdown else T.pdf_lines(source)
    return _Reader(lines, series, markdown).read()


def heading_of(line: Line) -> tuple[str, str | None, str, bool] | None:
    """(key, extra title or None, heading as written, optional) when the line
    starts a block."""
    if line.code or line.bullet or line.quote:
        return None
    written = line.text.strip()
    name = re.sub(r"\s*[:：]$", "", written)
    optional = name.lower().endswith("-optional")
    if optional:
        name = name[: -len("-optional")].rstrip()
    found = HEADINGS.get(name.lower() if name.lower() == "free talk" else name)
    if found:
        return found[0], found[1], name, optional
    if line.heading == 2 and name and len(name) <= MAX_SECTION_TITLE:
        return "", name, name, optional
    return None


def subgroup_of(line: Line) -> str:
    if line.code or line.bullet or line.quote or (line.heading and line.heading != 3):
        return ""
    name = re.sub(r"\s*[:：]$", "", line.text.strip())
    if line.heading == 3:
        return SUBGROUPS.get(name, name if len(name) <= MAX_SUBGROUP else "")
    return SUBGROUPS.get(name.lower() if name.lower() == "refs" else name, "")


def label_of(line: Line) -> re.Match | None:
    if line.code or line.quote:
        return None
    match = LABEL.match(line.text.strip())
    if match is None:
        return None
    label = match.group("label").strip()
    if label in KNOWN_LABELS or match.group("colon") or label in TEMPLATE_TITLES.values():
        return match
    return None


def split_names(text: str) -> list[str]:
    return [n.strip() for n in re.split(r"[、，,+；;\n]", text) if n.strip()]


def strip_remarks(text: str) -> tuple[str, list[str]]:
    remarks = [m.group("remark") for m in REMARK.finditer(text)]
    return REMARK.sub("", text).strip(), remarks


def is_name(name: str) -> bool:
    """Not one of the words written where a name would go: a remark, a
    number, a source ("来自何枝大佬的分享": from someone's talk)."""
    return not (
        name in NOT_NAMES or name.isdigit() or name.startswith("来自") or len(name) > MAX_NAME
    )


def attribution(text: str, pattern: re.Pattern = ATTRIBUTION) -> tuple[str, str]:
    """(text without its closing attribution, name), or (text, "")."""
    match = pattern.search(text)
    if match is None or in_link(text, match.start()):
        return text, ""
    name = match.group("name").strip()
    if not is_name(name) or "://" in name:
        return text, ""
    rest = text[: match.start()].rstrip()
    if not T.letters_and_digits(rest):
        return text, ""
    return rest, name


def in_link(text: str, index: int) -> bool:
    """A dash inside a link ("https://…/a--b") is part of it, not a credit."""
    return any(link.start() < index < link.end() for link in T.URL.finditer(text))


def is_code(text: str) -> bool:
    if not text or CJK_TEXT.search(text.split("#", 1)[0]) or T.URL.search(text):
        return False
    return bool(CODE_START.match(text) or CODE_SHAPE.search(text))


def language_of(code: str) -> str:
    return "python" if any(PYTHON_HINTS.search(line) for line in code.splitlines()) else ""


def _budget(description: str) -> tuple[str, int | None, str]:
    """The description without its budget, the minutes and the budget's
    wording ("共 15 分钟"); the wording is empty when the text gives none."""
    match = BUDGET.search(description)
    if match is None:
        return description, None, ""
    minutes = int(match.group("minutes")) if match.group("minutes") else None
    wording = match.group(0).strip().rstrip("；;").strip()
    return description[: match.start()].rstrip(), minutes, wording


def _cn_number(text: str) -> int | None:
    text = text.strip().rstrip("分").strip()
    if text.isdigit():
        return int(text)
    if not text or any(c not in CN_DIGITS and c != "十" for c in text):
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (
            CN_DIGITS.get(ones, 0) if ones else 0
        )
    return CN_DIGITS[text[0]] if len(text) == 1 else None


def meeting_of(text: str) -> tuple[datetime.date | None, datetime.time | None]:
    """ "20230610 晚上十点" → 2023-06-10 22:00; "2023-07-08 21:00 (Asia/Shanghai)"."""
    date_match = DATE.search(text)
    if date_match is None:
        return None, None
    try:
        day = datetime.date(*(int(date_match.group(k)) for k in ("y", "m", "d")))
    except ValueError:
        return None, None
    rest = text[date_match.end() :]
    if clock := CLOCK.search(rest):
        hour, minute = int(clock.group("h")), int(clock.group("min"))
    elif spoken := CN_TIME.search(rest):
        hour = _cn_number(spoken.group("h"))
        raw_minute = spoken.group("min") or ""
        minute = 30 if raw_minute == "半" else (_cn_number(raw_minute) or 0)
        if hour is not None and spoken.group("part") in ("下午", "傍晚", "晚上") and hour < 12:
            hour += 12
    else:
        return day, None
    if hour is None or not (0 <= hour < 24 and 0 <= minute < 60):
        return day, None
    return day, datetime.time(hour, minute)


def _code_of_label(label: str) -> str:
    match = re.fullmatch(r"(?P<word>[^\W\d_]+)\s*(?P<n>\d{1,4})", label)
    if match is None:
        return ""
    word = SPECIAL_WORDS.get(match.group("word"))
    if word is None:
        ascii_word = re.sub(r"[^a-z0-9]+", "-", match.group("word").lower()).strip("-")
        word = ascii_word or "special"
    return f"{word}-{match.group('n')}"[:40]


class _Reader:
    def __init__(self, lines: list[Line], series: SeriesText, markdown: bool):
        self.lines = lines
        self.series = series
        self.markdown = markdown
        self.limit = 10**6 if markdown else T.wrap_limit(lines)
        self.issue = ParsedIssue()
        self.sections: dict[str, ParsedSection] = {}

    # Stage 2: the title

    def read(self) -> ParsedIssue:
        start = self._title()
        for key, title, optional, block in self._blocks(start):
            section = self._section(key, title, optional)
            if key == "free-talk":
                _FreeTalk(self, section).read(block)
            elif key == "chat":
                _Chat(self, section).read(block)
            else:
                _Items(self, section).read(block)
        self.issue.sections = list(self.sections.values())
        return self.issue

    def _title(self) -> int:
        words = r"\s*".join(re.escape(word) for word in self.series.name.split())
        pattern = re.compile(
            rf"^(?P<before>.*?){words}\s*(?P<label>番外\s*\d{{1,4}}|[^\W\d_]{{1,10}}\s*\d{{1,4}}|\d{{1,12}})"
            rf"(?P<after>(?:\s|[^\w]).*)?$",
            re.IGNORECASE,
        )
        seen = 0
        for index, line in enumerate(self.lines):
            if line.blank or line.code:
                continue
            seen += 1
            if seen > 5:
                break
            if self.markdown and line.heading != 1:
                continue
            if line.text.startswith("【"):
                continue
            match = pattern.match(line.text.strip())
            if match is None:
                continue
            label = re.sub(r"\s+", " ", match.group("label"))
            if label.isdigit():
                if int(label) > MAX_NUMBER:
                    continue
                self.issue.number, self.issue.code = int(label), str(int(label))
            else:
                self.issue.special_label = label
                self.issue.code = _code_of_label(label.replace(" ", ""))
                if not self.issue.code:
                    continue
            preface = self._preface()
            for earlier in self.lines[:index]:
                preface.note(earlier.text)
            if match.group("before").strip() or (match.group("after") or "").strip():
                preface.note(line.text.strip())
            return index + 1
        return 0

    # Stage 3: blocks

    def _blocks(self, start: int):
        """(key, extra title, optional, lines) for each block, in order."""
        key, title, optional, block = "preface", "序章", False, []
        for line in self.lines[start:]:
            found = heading_of(line)
            if found is None:
                block.append(line)
                continue
            new_key, new_title, written, new_optional = found
            if not (new_key == "preface" and key == "preface"):
                yield key, title, optional, block
                key, title, optional, block = new_key, new_title, new_optional, []
            if written in PREFACE_PARTS:
                block.append(Line(written, heading=3))
        yield key, title, optional, block

    def _section(self, key: str, title: str | None, optional: bool) -> ParsedSection:
        if not key:
            key = self._extra_key(title)
        if key not in self.sections:
            self.sections[key] = ParsedSection(key=key, title=title or "", template=title is None)
        section = self.sections[key]
        section.optional = section.optional or optional
        return section

    def _extra_key(self, title: str) -> str:
        known = {extra: key for key, extra in HEADINGS.values() if extra}
        if title in known:
            return known[title]
        base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:30] or "extra"
        key, n = base, 1
        template_keys = {key for key, extra in HEADINGS.values() if extra is None}
        while key in self.sections or key in template_keys:
            n += 1
            key = f"{base}-{n}"
        return key

    def _preface(self) -> ParsedSection:
        if "preface" not in self.sections:
            self.sections["preface"] = ParsedSection(key="preface", title="序章", template=False)
        return self.sections["preface"]

    # Labels, wherever they stand

    def label_text(self, block: list[Line], index: int) -> tuple[str, int, str]:
        """The label's text, the index after it, and its wording as one line.

        Both shapes: "【x】：text" and "【x】" then "：text" on the next line.
        Text the page wrapped carries on; a label with nothing after its colon
        takes the lines below it (a list of nominations, a video's title and
        link) up to a blank line.
        """
        line = block[index].text.strip()
        match = LABEL.match(line)
        text, raw = match.group("text").strip(), line
        index += 1
        if (
            not text
            and match.group("colon") is None
            and index < len(block)
            and re.match(r"^[:：]", block[index].text.strip())
        ):
            raw = line + block[index].text.strip()
            text = block[index].text.strip()[1:].strip()
            index += 1
        label = match.group("label").strip()
        listed = not text and label in LISTED_LABELS
        last = raw  # the physical line, whose width tells whether the page cut it
        while index < len(block) and not self.markdown:
            following = block[index]
            stripped = following.text.strip()
            if following.blank or label_of(following) or subgroup_of(following):
                break
            if heading_of(following):
                break
            wraps = T.continues(last, stripped, self.limit)
            if listed:
                text = T.join_wrapped(text, stripped) if text and wraps else f"{text}\n{stripped}"
                text = text.strip("\n")
            elif wraps or (label in LISTED_LABELS and ONLY_URL.match(stripped)):
                text = T.join_wrapped(text, stripped)
            else:
                break
            raw = T.join_wrapped(raw, stripped)
            last = stripped
            index += 1
        return text, index, raw

    def issue_label(self, label: str, text: str, raw: str, section: ParsedSection, subgroup: str):
        """A label that belongs to the issue or the series, outside the
        preface. Its wording is kept as a note unless a field holds all of it."""
        if not self.read_field(label, text, raw):
            section.note(raw, subgroup)

    def record_label(self, label: str, text: str, raw: str) -> None:
        """A label of the preface (【缘起】, 【编号】, 【主持人】…): kept as the
        source wrote it, for the exports to write the preface and the record
        in its words; a label the issue has a field for sets that field too."""
        held = self.read_field(label, text, raw)
        if not (held and label in DESK_WORDED):
            self.issue.record.append((label, text))

    def read_field(self, label: str, text: str, raw: str) -> bool:
        """Set the field of the issue the label names; whether that field, or
        the series, holds all of the label's text."""
        issue = self.issue
        if label == "本期提要":
            issue.highlights = T.join_wrapped(issue.highlights, text) if issue.highlights else text
            return True
        if label in PREFACE_LABELS:
            return self._said_by_series(text, getattr(self.series, PREFACE_LABELS[label]))
        if label == "时间":
            day, time = meeting_of(text)
            if day and not issue.meeting_date:
                issue.meeting_date, issue.meeting_time = day, time
            return False
        if label in ("主持人", "编辑"):
            names, _remarks = strip_remarks(text)
            names = "、".join(split_names(names))
            attribute = "host_name" if label == "主持人" else "editor_name"
            if len(names) <= MAX_PLAIN_NAMES and not getattr(issue, attribute):
                setattr(issue, attribute, names)
            return text == names == getattr(issue, attribute)
        if label == "talk 视频":
            links = [link for link in T.links_in(text) if len(link) <= MAX_URL]
            if links and not issue.video_url:
                issue.video_url = links[0]
            return bool(text) and text == issue.video_url
        if label == "本期贡献者":
            # The desk lists them itself, from everyone's contributions.
            return not text or self.markdown
        if label == "编号":
            return self.markdown and text.strip() == f"{self.series.name} {self._label()}"
        return False

    def _label(self) -> str:
        issue = self.issue
        return f"{issue.number:03d}" if issue.number is not None else issue.special_label

    @staticmethod
    def _said_by_series(text: str, series_text: str) -> bool:
        wanted = T.letters_and_digits(text)
        return bool(wanted) and wanted in T.letters_and_digits(series_text)

    def contributors(self, section: ParsedSection, text: str, raw: str, subgroup: str) -> None:
        """【贡献者】: names; "羡鱼（编辑）" also names the editor. Any other
        remark, or a name too long to be one, keeps the line as a note."""
        # A second 【贡献者】 line adds its names and stays as written.
        kept = not section.contributors
        for name in split_names(text):
            plain, remarks = strip_remarks(name)
            if "编辑" in remarks and not self.issue.editor_name:
                self.issue.editor_name = plain
            kept = (
                kept
                and all(remark == "编辑" for remark in remarks)
                and len(plain) <= MAX_NAME
                and not T.URL.search(name)
            )
            if plain and len(plain) <= MAX_NAME and plain not in section.contributors:
                section.contributors.append(plain)
        if not kept:
            section.note(raw, subgroup)

    def describe(self, section: ParsedSection, text: str, raw: str, subgroup: str) -> None:
        if section.description is not None:
            section.note(raw, subgroup)  # a section has one description
            return
        description, minutes, wording = _budget(text)
        section.description = description
        if wording:
            section.budget, section.budget_wording = minutes, wording

    def section_label(self, section: ParsedSection, block: list[Line], index: int, subgroup: str):
        """Read the label at `index`; the index after it."""
        match = label_of(block[index])
        label = match.group("label").strip()
        text, after, raw = self.label_text(block, index)
        if section.key == "preface":
            self.record_label(label, text, raw)
        elif label in (section.title, *self._template_titles(section)):
            self.describe(section, text, raw, subgroup)
        elif label == "贡献者":
            self.contributors(section, text, raw, subgroup)
        elif label in ("提名区", "建议区"):
            kind = "nomination" if label == "提名区" else "suggestion"
            if any(item.kind == kind for item in section.items):
                section.note(raw, subgroup)  # a section has one of each area
            else:
                after = self._area(section, kind, text, block, after)
        elif label in ("本期主题", "本周主题"):
            theme = text.rstrip("；;").strip()
            if len(theme) <= MAX_THEME and not section.theme_label:
                section.theme_label, section.theme = label, theme
            else:
                section.note(raw, subgroup)
        elif label in ISSUE_LABELS | set(PREFACE_LABELS) | set(NOTICE_LABELS):
            self.issue_label(label, text, raw, section, subgroup)
        else:
            section.note(raw, subgroup)
        return after

    @staticmethod
    def _template_titles(section: ParsedSection) -> tuple[str, ...]:
        return (TEMPLATE_TITLES[section.key],) if section.key in TEMPLATE_TITLES else ()

    def _area(self, section, kind: str, text: str, block: list[Line], index: int) -> int:
        """提名区 and 建议区: "A、B；C" on the line, or one per line below it."""
        entries = []
        for piece in text.split("\n"):
            numbered = NUMBERED.match(piece.strip())
            piece = numbered.group("text") if numbered else piece
            splitter = r"[、；;]" if kind == "nomination" else r"[；;]"
            entries += [p.strip() for p in re.split(splitter, piece) if p.strip()]
        if not text:
            # Markdown writes them as a list under the label.
            probe = index
            while probe < len(block) and block[probe].blank:
                probe += 1
            while probe < len(block) and block[probe].bullet and not block[probe].nested:
                entries.append(block[probe].text.strip())
                probe += 1
            if probe > index and entries:
                index = probe
        for entry in entries:
            title, author = attribution(entry, ITEM_ATTRIBUTION)
            if len(title) <= MAX_TITLE:
                section.items.append(ParsedItem(kind=kind, title=title, author=author))
            else:
                section.items.append(ParsedItem(kind=kind, body=title, author=author))
        return index


class _Block:
    def __init__(self, reader: _Reader, section: ParsedSection):
        self.reader = reader
        self.section = section
        self.subgroup = ""
        self.limit = reader.limit
        self.above = ""  # the line above the one being read, as the page had it

    def wraps(self, line: str) -> bool:
        """`line` carries on the line just above it, cut by the page's edge."""
        return not self.reader.markdown and T.continues(self.above, line, self.limit)

    def walk(self, block: list[Line]) -> None:
        index = 0
        while index < len(block):
            above = block[index - 1] if index else None
            self.above = above.text.strip() if above is not None and not above.blank else ""
            index = self.step(block, index)

    def use_subgroup(self, name: str) -> None:
        self.subgroup = name
        if name not in self.section.subgroups:
            self.section.subgroups.append(name)

    def code_run(self, block: list[Line], index: int) -> int:
        """The end of the code that starts at `index` (== index: none). Code
        is two or more code-looking lines in a row; what the PDF wrapped
        inside it (plain ASCII) and comments after it come along."""
        if block[index].code:
            end = index + 1
            # A code line that starts a list item starts another entry's code.
            while end < len(block) and block[end].code and not block[end].bullet:
                end += 1
            return end
        if not is_code(block[index].text) or block[index].bullet:
            return index
        end, strong = index, 0
        while end < len(block):
            text = block[end].text
            if not text or block[end].code or block[end].heading:
                break
            if is_code(text):
                strong += 1
            elif T.URL.search(text) or not (
                strong and (CODE_PIECE.search(text) or text.startswith("#"))
            ):
                break
            end += 1
        return end if strong >= 2 else index

    def code_text(self, block: list[Line], start: int, end: int) -> tuple[str, str]:
        code = "\n".join(line.text for line in block[start:end])
        language = block[start].language or language_of(code)
        return code, language


class _Items(_Block):
    """Entries, points, code and notes of an item section (or an extra one).

    A title line followed by a link line is an entry; a numbered line (or a
    Markdown list item) opens an entry that runs to the next one, taking its
    link, text, points and code; text after a link describes that entry; text
    with no link is a title-only entry when it is one short line of a news-like
    section, a note otherwise.
    """

    def __init__(self, reader, section):
        super().__init__(reader, section)
        self.pending: list[str] = []  # text waiting for its link
        self.paragraph: list[ParsedItem] = []  # entries made in this paragraph
        self.open: ParsedItem | None = None  # a numbered entry (or list item)
        self.open_body: list[str] = []
        self.pointed: ParsedItem | None = None  # the item the last line was a point of
        self.carried: ParsedItem | None = None  # a bulleted note the next line carries on
        self.references = section.key == "references"

    def read(self, block: list[Line]) -> None:
        self.walk(block)
        self.end_paragraph()
        self.close_open()

    def step(self, block: list[Line], index: int) -> int:
        line = block[index]
        stripped = line.text.strip()
        carried, self.carried = self.carried, None
        if line.blank:
            self.end_paragraph()
            return index + 1
        if self.plain(line, stripped):
            self.carried = carried
        if label_of(line) and not line.bullet:
            self.close_all()
            return self.reader.section_label(self.section, block, index, self.subgroup)
        if name := subgroup_of(line):
            self.close_all()
            self.use_subgroup(name)
            return index + 1
        if line.heading:
            self.close_all()
            self.section.note(stripped, self.subgroup)
            return index + 1
        end = self.code_run(block, index)
        if end > index:
            if line.bullet and not line.nested:
                # A list item that is only code, as the desk exports a snippet.
                self.close_all()
                self.open = ParsedItem(subgroup=self.subgroup)
            self.code(*self.code_text(block, index, end))
            return end
        # An extra section holds notes: its numbers are the writer's words.
        listing = self.section.template or self.reader.markdown
        numbered = NUMBERED.match(stripped) if listing and not line.quote else None
        if not self.reader.markdown and line.bullet:
            # A PDF bullet decorates a numbered entry, a point or a link as
            # well as a plain point: what follows it decides.
            if not (numbered or (listing and POINT.match(stripped)) or self.url_of(stripped)):
                self.bullet(stripped)
                return index + 1
        elif line.nested:
            self.point(stripped)
            return index + 1
        elif line.bullet:
            numbered = None
        if (line.bullet and self.reader.markdown) or numbered:
            self.close_all()
            title = stripped
            if numbered and int(numbered.group("n")) == self.next_position():
                title = numbered.group("text").strip()
            elif numbered and not numbered.group("text").strip():
                title = ""
            if title:  # "4." alone is an empty slot
                self.open = ParsedItem(subgroup=self.subgroup)
                self.open_title(title)
            return index + 1
        if listing and (point := POINT.match(stripped)):
            self.point(stripped, int(point.group("n")), point.group("text").strip())
            return index + 1
        alone = ITEM_ALONE_ATTRIBUTION.match(stripped)
        if alone and (item := self.last_item()) and not item.author:
            item.author = alone.group("name").strip()
            return index + 1
        self.text(stripped)
        return index + 1

    @staticmethod
    def plain(line: Line, stripped: str) -> bool:
        """Text with no marker of its own (it may carry on the line above)."""
        return not (
            line.bullet
            or line.heading
            or line.code
            or label_of(line)
            or subgroup_of(line)
            or NUMBERED.match(stripped)
            or POINT.match(stripped)
            or T.URL.search(stripped)
        )

    def last_item(self) -> ParsedItem | None:
        if self.open is not None:
            return self.open
        return self.paragraph[-1] if self.paragraph else None

    def open_title(self, title: str) -> None:
        item = self.open
        found = self.url_of(title)
        if found and found[1] != "from":
            item.url, title = found[0], found[1]
        title, item.author = attribution(title, ITEM_ATTRIBUTION)
        if len(title) > MAX_TITLE:
            self.open_body.append(title)
        else:
            item.title = title

    def text(self, stripped: str) -> None:
        if self.carried is not None:
            self.carried.body = T.join_wrapped(self.carried.body, stripped)
            return
        if self.pointed is not None:
            # A line right under a point carries it on.
            points = self.pointed.points
            points[-1] = T.join_wrapped(points[-1], stripped)
            return
        found = self.url_of(stripped)
        if self.open is not None:
            self.open_text(stripped, found)
            return
        if found is not None:
            link, title = found
            if title == "from":
                self.from_link(link)
            elif title:
                self.flush_pending()
                if not self.another_link(title, stripped):
                    self.add(ParsedItem(subgroup=self.subgroup, title=title, url=link))
            elif item := self.unlinked_above():
                item.url = link
            else:
                self.bare_link(link)
            return
        if self.pending and (self.wraps(stripped) or TITLE_TAIL.match(stripped)):
            self.pending[-1] = T.join_wrapped(self.pending[-1], stripped)
        else:
            self.pending.append(stripped)

    def bare_link(self, link: str) -> None:
        """A link on a line of its own. The line just above it is its title,
        unless a remark ("注：…") stands between them: then the title is the
        line above the remark, and the remark and what follows it describe
        the entry. Text before the title stands on its own."""
        pending = self.pending
        aside = next((i for i, line in enumerate(pending) if i and ASIDE.match(line)), None)
        at = aside - 1 if aside is not None else len(pending) - 1
        title, described = (pending[at], pending[at + 1 :]) if pending else ("", [])
        self.pending = pending[:at]
        self.flush_pending()
        if not described and self.another_link(title, T.join_wrapped(title, link)):
            return
        self.pending = [title] if title else []
        title = self.take_pending()
        self.add(
            ParsedItem(subgroup=self.subgroup, title=title, url=link, body="\n".join(described))
        )

    def another_link(self, title: str, written: str) -> bool:
        """ "论文链接：https://…" under an entry of the same paragraph: a
        title that ends with a colon names one more link of that entry, which
        its text keeps as written."""
        item = self.paragraph[-1] if self.paragraph else None
        if item is None or not item.url or not title.endswith(("：", ":")):
            return False
        item.body = "\n".join(filter(None, [item.body, written]))
        return True

    def unlinked_above(self) -> ParsedItem | None:
        """The entry just above when it has no link and a blank line is all
        that parts them from this link, which is its own: the page put the
        link a line further down."""
        if self.pending or self.paragraph or self.above or not self.section.items:
            return None
        item = self.section.items[-1]
        if item.kind == "entry" and item.title and not item.url and not item.code:
            return item if item.subgroup == self.subgroup else None
        return None

    def open_text(self, stripped: str, found: tuple[str, str] | None) -> None:
        item, body = self.open, self.open_body
        if found and not item.url and found[1] in ("", "from"):
            item.url = found[0]
        elif not body and not item.url and item.title and self.wraps(stripped):
            joined = T.join_wrapped(item.title, stripped)
            if len(joined) <= MAX_TITLE:
                item.title = joined
            else:
                body.append(stripped)
        elif body and body[-1] and self.wraps(stripped):
            body[-1] = T.join_wrapped(body[-1], stripped)
        else:
            body.append(stripped)

    def url_of(self, stripped: str) -> tuple[str, str] | None:
        """(link, the title written before it) when the line ends with a
        link; the title is "from" for a source link ("from-https://…")."""
        if match := FROM_URL.match(stripped):
            link = match.group("url")
            return (link, "from") if len(link) <= MAX_URL else None
        if ONLY_URL.match(stripped):
            return (stripped, "") if len(stripped) <= MAX_URL else None
        if match := TEXT_THEN_URL.match(stripped):
            title, link = match.group("title").strip(), match.group("url")
            if len(link) <= MAX_URL and len(title) <= MAX_TITLE:
                return link, title
        return None

    def from_link(self, link: str) -> None:
        item = self.last_item() or (self.section.items[-1] if self.section.items else None)
        if self.pending:
            self.add(ParsedItem(subgroup=self.subgroup, title=self.take_pending(), url=link))
        elif item is not None and not item.url and item.kind == "entry":
            item.url = link
        else:
            self.add(ParsedItem(subgroup=self.subgroup, url=link))

    def take_pending(self) -> str:
        title = ""
        for piece in self.pending:
            title = T.join_wrapped(title, piece) if title else piece
        self.pending = []
        if len(title) > MAX_TITLE:
            self.section.note(title, self.subgroup)
            return ""
        return title

    def add(self, item: ParsedItem) -> None:
        if item.title:
            item.title, item.author = attribution(item.title, ITEM_ATTRIBUTION)
        self.section.items.append(item)
        self.paragraph.append(item)
        self.pointed = None

    def bullet(self, text: str) -> None:
        """A bulleted line: a point of the entry above it, or a note of its
        own when it stands alone (后续计划's list)."""
        if self.open or self.pointed or self.paragraph or self.pending:
            self.point(text)
        else:
            self.standalone(text)

    def standalone(self, text: str) -> None:
        note = ParsedItem(kind="note", subgroup=self.subgroup, body=text)
        self.section.items.append(note)
        self.carried = note

    def point(self, line: str, number: int | None = None, text: str | None = None) -> None:
        """A point of the entry above ("1）…" or a bullet). Its number goes
        when it is the one the export writes before it."""
        target = self.open or self.pointed or (self.paragraph[-1] if self.paragraph else None)
        if target is None and self.pending:
            target = ParsedItem(subgroup=self.subgroup, title=self.take_pending())
            self.add(target)
        if target is None or target.kind == "note":
            self.standalone(line)
            return
        if number is not None and number != len(target.points) + 1:
            text = line
        target.points.append(text if text is not None else line)
        self.pointed = target

    def next_position(self) -> int:
        """The number the export gives the next entry of this sub-group."""
        body = [i for i in self.section.items if i.kind not in ("nomination", "suggestion")]
        return 1 + sum(1 for item in body if item.subgroup == self.subgroup)

    def code(self, code: str, language: str) -> None:
        self.pointed = None
        if self.open is not None and not self.open.code:
            self.open.code, self.open.language, self.open.kind = code, language, "snippet"
            return
        title = self.take_pending() if self.pending else ""
        self.section.items.append(
            ParsedItem(
                kind="snippet", subgroup=self.subgroup, title=title, code=code, language=language
            )
        )

    def flush_pending(self) -> None:
        """Text with no link: title-only entries in a news-like section when
        each line is a short title, a note otherwise."""
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        if self.section.template and all(self.title_like(line) for line in pending):
            for line in pending:
                self.add(ParsedItem(subgroup=self.subgroup, title=line))
            return
        self.section.note("\n".join(pending), self.subgroup)

    @staticmethod
    def title_like(line: str) -> bool:
        return (
            not ASIDE.match(line)
            and not line.endswith(("：", ":", "。"))
            and T.width(line) <= 120
            and len(line) <= MAX_TITLE
        )

    @classmethod
    def headline(cls, line: str) -> bool:
        """A title of its own rather than a remark on the entry above, which
        ends as a sentence or a clause does ("这个和 RWKV 的讨论；")."""
        return cls.title_like(line) and not line.endswith(("；", ";"))

    def end_paragraph(self) -> None:
        self.pointed = None
        if self.pending and self.references:
            # 参考资料 lists references; one without a link is still one.
            for line in self.pending:
                item = ParsedItem(subgroup=self.subgroup, title=line)
                self.add(item) if len(line) <= MAX_TITLE else self.section.note(line)
            self.pending = []
        elif self.pending and self.paragraph:
            item = self.paragraph[-1]
            if not item.title and self.title_like(self.pending[0]):
                # A link with its title written under it.
                item.title, item.author = attribution(self.pending.pop(0), ITEM_ATTRIBUTION)
            if not all(self.headline(line) for line in self.pending):
                # Words after an entry's link describe it; headlines stand on
                # their own (below), as entries without a link.
                item.body = "\n".join(filter(None, [item.body, *self.pending]))
                self.pending = []
        self.flush_pending()
        self.paragraph = []
        if self.open is not None and self.open_body and self.open_body[-1]:
            self.open_body.append("")

    def close_all(self) -> None:
        self.end_paragraph()
        self.close_open()

    def close_open(self) -> None:
        item = self.open
        if item is None:
            return
        self.open = None
        item.body = "\n".join(filter(None, [item.body, "\n".join(self.open_body).strip("\n")]))
        self.open_body = []
        if not self.section.template and not item.url and not item.code:
            # An extra section's list (后续计划…) holds notes.
            item.kind = "note"
            item.body = "\n".join(filter(None, [item.title, item.body]))
            item.title = ""
        self.section.items.append(item)
        self.pointed = None


class _FreeTalk(_Block):
    """Questions with their answers, in the shapes the corpus uses.

    "Q3：…—yuhan" or a numbered line opens a question; "A3：", "答：", "（A: …）"
    and "a. …" open an answer. Lines between a question and its first answer
    marker belong to the question; with no marker at all they answer it. A
    paragraph that ends with a name closes that person's answer, and text after
    it is another answer. A signed question after an answer replies to it.
    """

    def __init__(self, reader, section):
        super().__init__(reader, section)
        self.question: ParsedQuestion | None = None
        self.question_lines: list[str] = []
        self.before_answer: list[str] = []
        self.answer: ParsedAnswer | None = None
        self.answer_lines: list[str] = []
        self.paren = False  # the answer opened with "（A:" and closes its bracket
        self.last_answer: ParsedAnswer | None = None
        self.reply_lines: list[str] | None = None
        self.reply_target: ParsedAnswer | None = None
        self.note_lines: list[str] = []
        self.last_number = 0
        self.labelled = False

    def read(self, block: list[Line]) -> None:
        block = self.undangle(block)
        # Where questions carry "Q1：" labels, numbered lines are answers' lists.
        self.labelled = any(Q_LABEL.match(line.text.strip()) for line in block if not line.code)
        self.walk(block)
        self.end_reply()
        self.close_question()
        self.flush_note()

    @staticmethod
    def undangle(block: list[Line]) -> list[Line]:
        """ "…即 packed。-" then, after a blank line, "qingwang": one signature."""
        out: list[Line] = []
        skip: set[int] = set()
        for index, line in enumerate(block):
            if index in skip:
                continue
            text = line.text.rstrip()
            if text.endswith(("-", "—")) and not text.endswith("--") and not line.code:
                probe = index + 1
                while probe < len(block) and block[probe].blank and probe - index <= 2:
                    probe += 1
                name = block[probe].text.strip() if probe < len(block) else ""
                if name and re.fullmatch(NAME, name) and not Q_LABEL.match(name):
                    # The signature ends its paragraph.
                    out += [Line(f"{text}{name}"), Line("")]
                    skip.update(range(index + 1, probe + 1))
                    continue
            out.append(line)
        return out

    def step(self, block: list[Line], index: int) -> int:
        line = block[index]
        stripped = line.text.strip()
        if line.quote and self.quote(stripped):
            return index + 1
        self.end_reply()
        if line.blank:
            self.blank()
            return index + 1
        if label_of(line) and not line.bullet:
            self.close_question()
            self.flush_note()
            return self.reader.section_label(self.section, block, index, self.subgroup)
        if name := subgroup_of(line):
            self.close_question()
            self.flush_note()
            self.use_subgroup(name)
            self.last_number = 0
            return index + 1
        if line.heading:
            self.close_question()
            self.flush_note()
            self.section.note(stripped, self.subgroup)
            return index + 1
        end = self.code_run(block, index)
        if end > index:
            code, language = self.code_text(block, index, end)
            fence = "~~~" if "```" in code else "```"
            self.add_text(f"{fence}{language}\n{code}\n{fence}", code=True)
            return end
        if match := Q_LABEL.match(stripped):
            self.open_question(match.group("text").strip())
            return index + 1
        numbered = None if self.labelled else NUMBERED.match(stripped)
        if numbered and self.in_sequence(int(numbered.group("n"))):
            self.last_number = int(numbered.group("n"))
            text = numbered.group("text").strip()
            if text:
                self.open_question(text)
            else:
                self.close_question()  # an empty slot such as "8."
            return index + 1
        following = block[index + 1] if index + 1 < len(block) else None
        ends_paragraph = following is None or following.blank
        if self.question is not None:
            if match := A_LABEL.match(stripped):
                paren = match.group("paren") is not None
                self.open_answer((match.group("paren") if paren else match.group("text")).strip())
                self.paren = paren
                if ends_paragraph:
                    self.sign_off()
                return index + 1
            if match := SUB_ANSWER.match(stripped):
                self.open_answer(match.group("text").strip())
                return index + 1
            alone = ALONE_ATTRIBUTION.match(stripped)
            if alone and self.credit(alone.group("name")):
                return index + 1
            if self.reply(stripped, block, index):
                return index + 1
        self.add_text(stripped, ends_paragraph=ends_paragraph)
        return index + 1

    def in_sequence(self, number: int) -> bool:
        return self.last_number == 0 or number == self.last_number + 1

    # Questions

    def open_question(self, text: str) -> None:
        self.close_question()
        self.flush_note()
        self.question = ParsedQuestion(body="", subgroup=self.subgroup)
        self.question_lines = [text] if text else []

    def close_question(self) -> None:
        question = self.question
        if question is None:
            return
        self.close_answer()
        if self.before_answer:
            if self.question_lines:
                # Lines under a question that no answer marker follows answer it.
                question.answers.append(self.signed(self.before_answer))
            else:
                self.question_lines = self.before_answer
            self.before_answer = []
        body = "\n".join(self.question_lines).strip("\n")
        carried = CARRIED_OVER.search(body)
        if carried and T.letters_and_digits(body[: carried.start()]):
            # The exports write the marker from the flag. The desk's "（007）"
            # goes with it: an imported question has no earlier one to link to.
            body, question.carried_over = body[: carried.start()], True
        if not question.author:
            body, question.author = attribution(body)
        question.body = body
        if question.body or question.answers:
            self.section.questions.append(question)
        self.question, self.question_lines = None, []
        self.last_answer = None

    def credit(self, name: str) -> bool:
        """A name alone on its line: whoever wrote what is just above it."""
        name = name.strip()
        if not is_name(name):
            return False
        if self.answer is not None:
            if self.answer.author or not self.answer_lines:
                return False
            self.answer.author = name
            self.close_answer()
            return True
        if not self.question.answers and not self.question.author:
            self.question.author = name
            return True
        return False

    # Answers

    def open_answer(self, text: str) -> None:
        self.close_answer()
        if not self.question.answers and self.before_answer:
            self.question_lines += self.before_answer
            self.before_answer = []
        self.answer = ParsedAnswer(body="")
        self.answer_lines = [text] if text else []

    def close_answer(self) -> None:
        answer = self.answer
        if answer is None:
            return
        body = "\n".join(self.answer_lines).strip("\n")
        self.answer, self.answer_lines = None, []
        if self.paren and body.endswith(("）", ")")):
            body = body[:-1].rstrip()
        self.paren = False
        if body.endswith(ACCEPTED_MARK):
            body, answer.accepted = body[: -len(ACCEPTED_MARK)].rstrip(), True
        if body and not answer.author:
            body, answer.author = attribution(body)
        answer.body = body
        if body or answer.replies:
            self.question.answers.append(answer)
            self.last_answer = answer

    @staticmethod
    def signed(lines: list[str]) -> ParsedAnswer:
        body, author = attribution("\n".join(lines).strip("\n"))
        return ParsedAnswer(body=body, author=author)

    # Replies

    def reply(self, stripped: str, block: list[Line], index: int) -> bool:
        """After an answer and a blank line, a question signed by someone is
        their reply to that answer: "那么…如何…？-yuhan"."""
        if not block[index - 1].blank or (self.answer is None and self.last_answer is None):
            return False
        rest, name = attribution(stripped)
        if not name or not rest.endswith(("？", "?")):
            return False
        self.close_answer()
        if self.last_answer is None:
            return False
        self.last_answer.replies.append(ParsedAnswer(body=rest, author=name))
        return True

    def quote(self, stripped: str) -> bool:
        """A Markdown quote under an answer: a reply to it (the desk's export)."""
        if self.reply_lines is None:
            target = self.answer or self.last_answer
            if target is None:
                return False
            self.reply_target, self.reply_lines = target, []
        self.reply_lines.append(stripped)
        return True

    def end_reply(self) -> None:
        if self.reply_lines is None:
            return
        body, author = attribution("\n".join(self.reply_lines).strip("\n"))
        if body:
            self.reply_target.replies.append(ParsedAnswer(body=body, author=author))
        self.reply_lines = None

    # Text

    def blank(self) -> None:
        if self.answer is not None:
            if self.answer_lines and self.answer_lines[-1]:
                self.answer_lines.append("")
        elif self.question is not None and not self.note_lines:
            if self.before_answer and self.before_answer[-1]:
                self.before_answer.append("")
        else:
            self.flush_note()

    def add_text(self, text: str, *, code: bool = False, ends_paragraph: bool = False) -> None:
        closed = self.question is not None and self.answer is None and self.question.answers
        if self.question is None or (closed and self.labelled):
            # Where answers carry labels (A3：), text after a closed one
            # answers nothing: it is not another answer.
            self.note_lines.append(text)
            return
        if closed:
            self.answer, self.answer_lines = ParsedAnswer(body=""), []
        if self.answer is not None:
            lines = self.answer_lines
            if lines and lines[-1] and not code and self.wraps(text):
                lines[-1] = T.join_wrapped(lines[-1], text)
            else:
                lines.append(text)
            if ends_paragraph and not code:
                self.sign_off()
            return
        lines = self.before_answer or self.question_lines
        if lines and lines[-1] and not code and self.wraps(text):
            lines[-1] = T.join_wrapped(lines[-1], text)
        else:
            self.before_answer.append(text)

    def sign_off(self) -> None:
        """A paragraph that ends with a name closes that person's answer."""
        lines = self.answer_lines
        rest, name = attribution(lines[-1]) if lines else ("", "")
        if name and not self.answer.author:
            lines[-1] = rest
            self.answer.author = name
            self.close_answer()

    def flush_note(self) -> None:
        if self.note_lines:
            self.section.note("\n".join(self.note_lines), self.subgroup)
            self.note_lines = []


CHAT_LINE = [
    re.compile(
        r"^(?P<speaker>[^\s：:]{1,40})\s+(?P<time>(?:\d{4}-\d{2}-\d{2}\s+)?\d{1,2}:\d{2}(?::\d{2})?)\s*[：:]\s*(?P<text>.*)$"
    ),
    re.compile(r"^(?P<speaker>[^\s：:【】]{1,20})\s*[：:]\s*(?P<text>.+)$"),
]


class _Chat(_Block):
    """Chat lines: "speaker time：text", "speaker：text", or plain text."""

    def read(self, block: list[Line]) -> None:
        index = 0
        while index < len(block):
            line = block[index]
            if line.blank:
                index += 1
                continue
            if label_of(line):
                index = self.reader.section_label(self.section, block, index, self.subgroup)
                continue
            self.section.chat.append(self.chat_line(line.text.strip()))
            index += 1

    @staticmethod
    def chat_line(text: str) -> ParsedChatLine:
        for pattern in CHAT_LINE:
            match = pattern.match(text)
            if match and match.group("text").strip():
                speaker = match.group("speaker").strip()
                said_at = (match.groupdict().get("time") or "").strip()
                if len(speaker) <= MAX_NAME and len(said_at) <= 20 and not T.URL.match(text):
                    return ParsedChatLine(
                        text=match.group("text").strip(), speaker=speaker, said_at=said_at
                    )
        return ParsedChatLine(text=text)
