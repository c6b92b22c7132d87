"""Lines of an issue as the importer reads them.

The corpus is text that pdftotext took out of the published PDFs: lines are
hard-wrapped at the page's width (links too), a page break leaves a blank line
and a form feed, bullets come out as symbol-font characters and code loses its
indentation. Markdown (the desk's own export, or a hand-written file) is turned
into the same kind of lines, with what its syntax says explicitly (headings,
list items, fences) kept as flags, so one parser reads both.
"""

import re
import unicodedata
from dataclasses import dataclass

# Symbol-font bullets as pdftotext writes them, and the usual ones.
BULLETS = "\uf06c\uf0a1\u2022\u25cf\u25aa"
LINE_BREAKS = re.compile(r"\r\n|[\r\x0b\x1c\x1d\x1e\x85\u2028\u2029]")
URL_CHARS = r"[^\s<>\"'，。；、（）【】《》“”‘’！？]"
URL = re.compile(rf"https?://{URL_CHARS}+", re.IGNORECASE)
# What the PDF left of a link that ran past the page's edge: no spaces, no
# CJK, only characters a URL can hold.
URL_FRAGMENT = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&*+,;=%]+$")
SENTENCE_END = "。！？!?"
# A line that ends on a comma has more of its sentence to come.
CLAUSE_GOES_ON = "，、"
# Punctuation Chinese never starts a line with: a line that does is the end
# of the one above, cut by the PDF's layout ("…组织了~）" / "、版块的负责").
NEVER_STARTS_A_LINE = "、，。；：！？）》」』】"
TRAILING_URL_PUNCTUATION = ".,;:!?)"


@dataclass
class Line:
    text: str
    bullet: bool = False  # a PDF bullet, or a Markdown list item (maybe its first code line)
    number: int | None = None  # a Markdown ordered list item's number
    heading: int = 0  # a Markdown heading's level
    code: bool = False  # inside a Markdown fence
    language: str = ""
    quote: bool = False  # a Markdown block quote (a reply, in the desk's export)
    nested: bool = False  # a Markdown list item under another one (points)

    @property
    def blank(self) -> bool:
        return not self.text.strip() and not self.code


def width(text: str) -> int:
    """Display width: a CJK character takes two columns, as on the page."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def letters_and_digits(text: str) -> str:
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN")


def clean(text: str) -> str:
    """One line break, no control characters (PostgreSQL refuses NUL), no
    lone surrogates (not UTF-8): none of them is a letter or a digit."""
    text = LINE_BREAKS.sub("\n", text).replace("\t", "    ")
    return "".join(
        c
        for c in text
        if c in "\n\f" or unicodedata.category(c) not in ("Cc", "Cs", "Co") or c in BULLETS
    )


def looks_like_markdown(text: str) -> bool:
    for line in text.split("\n"):
        if line.strip():
            return bool(re.match(r"#\s+\S", line.strip("\f").lstrip()))
    return False


def pdf_lines(text: str) -> list[Line]:
    """The extracted text as lines: page breaks undone, bullets flagged."""
    lines: list[Line] = []
    for raw in clean(text).split("\n"):
        page_break = raw.startswith("\f")
        raw = raw.replace("\f", "").strip()
        # The blank line before a form feed is the page's end, not a paragraph's.
        if page_break and lines and lines[-1].blank:
            lines.pop()
        bullet = bool(raw) and raw[0] in BULLETS
        if bullet:
            raw = raw.lstrip(BULLETS).strip()
        lines.append(Line(raw, bullet=bullet))
    return _join_url_fragments(lines)


def _join_url_fragments(lines: list[Line]) -> list[Line]:
    """A link the PDF wrapped ends one full line and goes on at the start of the next."""
    limit = wrap_limit(lines)
    out: list[Line] = []
    for line in lines:
        previous = out[-1] if out else None
        if (
            previous is not None
            and URL_FRAGMENT.match(line.text)
            and "://" not in line.text
            and ends_with_url(previous.text)
            and width(previous.text) >= limit
        ):
            previous.text += line.text
            continue
        out.append(line)
    return out


def ends_with_url(text: str) -> bool:
    return any(match.end() == len(text) for match in URL.finditer(text))


def wrap_limit(lines: list[Line]) -> int:
    """How wide a line is when the page wrapped it: a little under the widest
    lines of this document (the page width differs between issues)."""
    widths = sorted(width(line.text) for line in lines if line.text)
    if len(widths) < 10:
        return 70
    return max(40, int(widths[int(len(widths) * 0.9)] * 0.9))


def first_word(text: str) -> str:
    match = re.match(r"[A-Za-z0-9_\-./:]+", text)
    return match.group() if match else text[:1]


# A line that starts something of its own: a point, a numbered line, a
# question or answer, a label, a link.
STARTS_ITS_OWN = re.compile(
    r"^(?:\d{1,3}\s*[）)]|\d{1,4}\s*[.．、](?!\d)|[QA]\s*\d*\s*[:：]|答\s*[:：]|【|https?://)",
    re.IGNORECASE,
)


def continues(previous: str, line: str, limit: int) -> bool:
    """`line` carries on the sentence the page cut at the end of `previous`."""
    if not previous or not line:
        return False
    if line[0] in NEVER_STARTS_A_LINE:
        return True
    if previous.endswith(tuple(SENTENCE_END)):
        return False
    if STARTS_ITS_OWN.match(line):
        return False
    if previous.endswith("》") and line.startswith("《"):
        return False  # one title ends, another begins (a list of papers)
    if previous.endswith(tuple(CLAUSE_GOES_ON)):
        return True
    if _cjk_letter(previous[-1]) and _cjk_letter(line[0]) and line[1:2] in NEVER_STARTS_A_LINE:
        # "版块的负责" / "人；参与项目": a word cut before its last letter.
        return True
    return width(previous) + width(first_word(line)) >= limit


def join_wrapped(left: str, right: str) -> str:
    """Two pieces of one wrapped line. pdftotext turned the space between a
    word and the next into the line break, except inside CJK text."""
    if not left or not right:
        return left + right
    a, b = left[-1], right[0]
    if _cjk(a) or _cjk(b):
        # Chinese puts a space between a CJK letter and a Latin word only.
        spaced = (_cjk_letter(a) and _latin(b)) or (_latin(a) and _cjk_letter(b))
        return f"{left} {right}" if spaced else left + right
    return f"{left} {right}"


def _cjk(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"


def _cjk_letter(char: str) -> bool:
    return _cjk(char) and unicodedata.category(char)[0] in "LN"


def _latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


def links_in(text: str) -> list[str]:
    return [match.rstrip(TRAILING_URL_PUNCTUATION) for match in URL.findall(text)]


# Markdown

FENCE = re.compile(r"^(`{3,}|~{3,})\s*([^`]*)$")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
LIST_ITEM = re.compile(r"^([-*+]|(\d{1,9})[.)])\s+(.*)$")
LINK = re.compile(r"\[([^\]\n]*)\]\(<?([^)\s>]+)>?\)")
AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")


def markdown_lines(text: str) -> list[Line]:
    """Markdown as lines the document parser reads: list items flagged (a
    nested one is a point), fences as code lines, a link written [title](url)
    as its title with the link on the next line, as the corpus writes them."""
    lines: list[Line] = []
    fence = ""
    language = ""
    indent = 0  # where the current list item's content starts
    code_indent = 0  # what the open fence's lines are indented by
    item: dict = {}  # the flags of the list item a fence opened on, for its first line
    for raw in clean(text).replace("\f", "").split("\n"):
        stripped = raw.strip()
        if fence:
            if stripped.startswith(fence) and not stripped[len(fence) :].strip():
                fence, item = "", {}
                continue
            lines.append(Line(_dedent(raw, code_indent), code=True, language=language, **item))
            item = {}
            continue
        if not stripped:
            lines.append(Line(""))
            continue
        stripped = _unbroken(stripped)
        here = len(raw) - len(raw.lstrip(" "))
        if here < indent:
            indent = 0
        if match := FENCE.match(stripped):
            fence, language = match.group(1), match.group(2).strip()
            code_indent = indent
            continue
        if here - indent < 4 and (match := HEADING.match(stripped)):
            indent = 0
            lines.append(Line(match.group(2), heading=len(match.group(1))))
            continue
        if match := LIST_ITEM.match(stripped):
            nested = here > 0 and here >= indent > 0
            number = int(match.group(2)) if match.group(2) else None
            if not nested:
                indent = here + len(match.group(1)) + 1
            if opening := FENCE.match(match.group(3)):
                # "1. ```python", its code and closing fence indented under the
                # marker: how the desk's export writes an entry that is only code.
                fence, language = opening.group(1), opening.group(2).strip()
                code_indent = here + len(stripped) - len(match.group(3))
                item = {"bullet": True, "number": number, "nested": nested}
                continue
            lines += _link_lines(
                Line(match.group(3), bullet=True, number=number, nested=nested), lines
            )
            continue
        quote = stripped.startswith(">")
        if quote:
            stripped = re.sub(r"^(>\s?)+", "", stripped)
        lines += _link_lines(Line(stripped, quote=quote), lines)
    return lines


def _link_words(match: re.Match) -> str:
    """A link inside a line as its words and its URL; a link that is its
    URL (the export's [www.x.org/a](<http://www.x.org/a>)) as the URL typed."""
    shown, url = match.group(1), match.group(2)
    return shown if url in (shown, f"http://{shown}") else f"{shown} {url}"


def _unbroken(text: str) -> str:
    """The line without a hard break written as "\\" at its end, which
    keeps it a line of its own in CommonMark (the export's two spaces are
    stripped with the rest of the line's blanks)."""
    trailing = len(text) - len(text.rstrip("\\"))
    return text[:-1] if trailing % 2 else text


def _dedent(raw: str, indent: int) -> str:
    lead = len(raw) - len(raw.lstrip(" "))
    return raw[min(lead, indent) :].rstrip()


def _link_lines(line: Line, before: list[Line]) -> list[Line]:
    text = AUTOLINK.sub(r"\1", line.text)
    whole = LINK.fullmatch(text.strip())
    if whole:
        line.text = whole.group(1)
        return [line, Line(whole.group(2), quote=line.quote)]
    line.text = LINK.sub(_link_words, text)
    # The desk's export repeats an entry's link under its linked title.
    if before and before[-1].text == line.text and URL.fullmatch(line.text):
        return []
    return [line]
