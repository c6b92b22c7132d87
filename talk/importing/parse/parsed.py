"""What a text is read into: plain data, which the import service writes."""

import datetime
from dataclasses import dataclass, field


@dataclass
class ParsedItem:
    kind: str = "entry"
    subgroup: str = ""
    title: str = ""
    url: str = ""
    body: str = ""
    points: list[str] = field(default_factory=list)
    bulleted_points: bool = False
    listed: bool = True
    code: str = ""
    language: str = ""
    author: str = ""
    separator: str = ""
    url_prefix: str = ""


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
    # The text had an answer line ("A5：") under it, even an empty one.
    answer_line: bool = False
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
    contributors_written: str = ""
    theme_label: str = ""
    theme: str = ""
    items: list[ParsedItem] = field(default_factory=list)
    questions: list[ParsedQuestion] = field(default_factory=list)
    chat: list[ParsedChatLine] = field(default_factory=list)

    def note(self, body: str, subgroup: str = "") -> None:
        if body.strip():
            self.items.append(ParsedItem(kind="note", subgroup=subgroup, body=body, listed=False))


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
