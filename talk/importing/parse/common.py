"""What the readers share: the limits of the fields they fill, how a
heading, a label, a name and its credit are told, and the base of the block
readers (`BlockReader`)."""

import re
from typing import TYPE_CHECKING

from sections import record as words

from .. import text as T
from ..text import Line
from .parsed import ParsedSection

if TYPE_CHECKING:
    from .issue import IssueReader

MAX_TITLE = 300
MAX_NAME = 80
MAX_SUBGROUP = 40
MAX_SECTION_TITLE = 80
MAX_THEME = 300
MAX_WRITTEN = 300  # Section.contributors_written
MAX_PLAIN_NAMES = 120
MAX_URL = 2000
MAX_NUMBER = 2**31 - 1

# The labels the readers know: any other 【…】 without a colon is text.
# The record's that name a field of the issue,
ISSUE_LABELS = {
    words.NUMBER_LABEL,
    words.TIME_LABEL,
    words.HIGHLIGHTS_LABEL,
    words.ISSUE_CONTRIBUTORS_LABEL,
    words.HOST_LABEL,
    words.EDITOR_LABEL,
    words.VIDEO_LABEL,
}
# a section's,
SECTION_LABELS = {
    words.CONTRIBUTORS_LABEL,
    *(area.heading for area in words.AREAS),
    *words.THEME_LABELS,
}
# and the record's others, which are kept as written.
OTHER_LABELS = {words.OWNERS_LABEL, words.CONTENT_CONTRIBUTORS_LABEL, words.REVISION_LABEL}
KNOWN_LABELS = (
    ISSUE_LABELS
    | set(words.PREFACE_LABELS)
    | set(words.NOTICE_LABELS)
    | SECTION_LABELS
    | OTHER_LABELS
)

LABEL = re.compile(
    r"^【(?P<label>[^【】\n]{1,24})】"
    rf"\s*(?P<remark>-\s*{words.UNRANKED})?\s*(?P<colon>[:：])?\s*(?P<text>.*)$"
)
NUMBERED = re.compile(r"^(?P<n>\d{1,4})\s*[.．、](?!\d)\s*(?P<text>.*)$")
ONLY_URL = re.compile(rf"^(?P<url>https?://{T.URL_CHARS}+)$", re.IGNORECASE)
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
# Remarks the corpus writes where a name would go.
NOT_NAMES = {words.CARRIED_OVER, "强烈推荐"}
PYTHON_HINTS = re.compile(r"^(def |class |import |from \S+ import |return\b)|\bself\.|\btorch\.")
CODE_START = re.compile(
    r"^(?:def |class |return\b|import |from \S+ import |for .+:$|if .+:$|elif .+:$|else:$|"
    r"while .+:$|with .+:$|try:$|except\b|raise |print\(|@\w|\"\"\"|'''|#)"
)
CODE_SHAPE = re.compile(
    r"^[\w.\[\]\"', ]+\s*(?:[-+*/%]?=)(?!=)\s*\S|[(\[{,:=]$|^[)\]}]|^\.\w+\(|\w=[\w\"'(\[-]"
    r"|^[\w.]+\(.*\)[:;]?$"
)
# Inside code: a line the PDF wrapped off a longer one, or a call.
CODE_PIECE = re.compile(
    r"^[^\u3000-\u9fff\uff00-\uffef]*[()\[\]{}=_.][^\u3000-\u9fff\uff00-\uffef]*$|^\w+$"
)
CJK_TEXT = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")


def heading_of(line: Line) -> tuple[str, str | None, str, bool] | None:
    """(key, extra title or None, heading as written, optional) when the line
    starts a block."""
    if line.code or line.bullet or line.quote:
        return None
    written = line.text.strip()
    name = re.sub(r"\s*[:：]$", "", written)
    optional = name.lower().endswith(words.OPTIONAL_MARK)
    if optional:
        name = name[: -len(words.OPTIONAL_MARK)].rstrip()
    found = words.HEADINGS.get(name.lower() if name.lower() == "free talk" else name)
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
        return words.SUBGROUPS.get(name, name if len(name) <= MAX_SUBGROUP else "")
    return words.SUBGROUPS.get(name.lower() if name.lower() == "refs" else name, "")


def label_of(line: Line) -> re.Match | None:
    if line.code or line.quote:
        return None
    match = LABEL.match(line.text.strip())
    if match is None:
        return None
    label = match.group("label").strip()
    if label in KNOWN_LABELS or match.group("colon") or label in words.TEMPLATE_TITLES.values():
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


# How far short of the widest line a line cut by the page's edge may end.
CODE_EDGE = 3
NAME_CHAR = re.compile(r"\w")


def language_of(code: str) -> str:
    return "python" if any(PYTHON_HINTS.search(line) for line in code.splitlines()) else ""


class BlockReader:
    def __init__(self, reader: "IssueReader", section: ParsedSection):
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
        lines = [line.text for line in block[start:end]]
        if not block[start].code:  # a PDF's, not fenced
            lines = unwrap_code(lines)
        code = "\n".join(lines)
        language = block[start].language or language_of(code)
        return code, language


def unwrap_code(lines: list[str]) -> list[str]:
    """Code lines as written, where the PDF cut them at the page's edge
    ("…LlamaRotaryEmbedding.__i" / "nit__"). The edge is where two or more
    lines end, within a few letters of the widest; a line that reaches it,
    or ends on "=", goes on in the next: without a space inside a name, with
    one elsewhere (pdftotext drops the space it broke at)."""
    widest = max((len(line) for line in lines), default=0)
    at_edge = [len(line) >= widest - CODE_EDGE for line in lines]
    if sum(at_edge) < 2:
        at_edge = [False] * len(lines)  # one widest line is no edge
    joined: list[str] = []
    cut = False
    for line, reaches in zip(lines, at_edge, strict=True):
        if cut and joined and line:
            name = NAME_CHAR.match(joined[-1][-1]) and NAME_CHAR.match(line[0])
            joined[-1] += line if name else f" {line}"
        else:
            joined.append(line)
        # No statement ends on "=": the name after it did not fit beside it.
        cut = reaches or line.endswith("=")
    return joined
