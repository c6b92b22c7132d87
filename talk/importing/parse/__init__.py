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

The readers: issue.py (stages 2 and 3, and the labels), then by the block's
kind items.py, free_talk.py or chat.py; common.py has what they share and
parsed.py the data they fill. The record's words (headings, labels, marks)
are sections.record's, which the exports write with.
"""

from .. import text as T
from .issue import IssueReader
from .parsed import (
    ParsedAnswer,
    ParsedChatLine,
    ParsedIssue,
    ParsedItem,
    ParsedQuestion,
    ParsedSection,
    SeriesText,
)

__all__ = [
    "ParsedAnswer",
    "ParsedChatLine",
    "ParsedIssue",
    "ParsedItem",
    "ParsedQuestion",
    "ParsedSection",
    "SeriesText",
    "parse_issue",
]


def parse_issue(source: str, series: SeriesText | None = None) -> ParsedIssue:
    series = series or SeriesText()
    markdown = T.looks_like_markdown(source)
    lines = T.markdown_lines(source) if markdown else T.pdf_lines(source)
    return IssueReader(lines, series, markdown).read()
