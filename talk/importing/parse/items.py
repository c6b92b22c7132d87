"""The reader of an item section's block (`ItemsReader`), or of an extra
section's, which holds notes."""

import re

from sections import record as words

from .. import text as T
from ..text import Line
from .common import (
    ITEM_ATTRIBUTION,
    MAX_TITLE,
    MAX_URL,
    NAME,
    NUMBERED,
    ONLY_URL,
    BlockReader,
    attribution,
    label_of,
    subgroup_of,
)
from .parsed import ParsedItem

POINT = re.compile(r"^(?P<n>\d{1,3})\s*[）)]\s*(?P<text>.*)$")
FROM_URL = re.compile(r"^from\s*[-:：]?\s*(?P<url>https?://\S+)$", re.IGNORECASE)
TEXT_THEN_URL = re.compile(rf"^(?P<title>.*?\S)\s*(?P<url>https?://{T.URL_CHARS}+)$", re.IGNORECASE)
ITEM_ALONE_ATTRIBUTION = re.compile(
    rf"^(?:--|－－|——|—|-\s*from\s+)\s*(?P<name>{NAME})\s*$", re.IGNORECASE
)
# The end of a title the page pushed to a line of its own: "- 知乎".
TITLE_TAIL = re.compile(r"^-\s+\S")
# A remark on what stands above it: "注：…", "ps：…".
ASIDE = re.compile(r"^(?:注|ps)\s*[:：]", re.IGNORECASE)


def from_prefix(line: str, link: str) -> str:
    """What a source link's line writes before the link ("from-")."""
    return line[: line.index(link)][:20]


class ItemsReader(BlockReader):
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
            self.point(stripped, bulleted=line.number is None)
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
                self.from_link(link, from_prefix(stripped, link))
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
            if found[1] == "from":
                item.url_prefix = from_prefix(stripped, found[0])
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

    def from_link(self, link: str, prefix: str) -> None:
        """A source link ("from-https://…") gives its entry the link."""
        item = self.last_item() or (self.section.items[-1] if self.section.items else None)
        if self.pending:
            title = self.take_pending()
            self.add(ParsedItem(subgroup=self.subgroup, title=title, url=link, url_prefix=prefix))
        elif item is not None and not item.url and item.kind == "entry":
            item.url, item.url_prefix = link, prefix
        else:
            self.add(ParsedItem(subgroup=self.subgroup, url=link, url_prefix=prefix))

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
            self.point(text, bulleted=True)
        else:
            self.standalone(text)

    def standalone(self, text: str) -> None:
        note = ParsedItem(kind="note", subgroup=self.subgroup, body=text)
        self.section.items.append(note)
        self.carried = note

    def point(
        self, line: str, number: int | None = None, text: str | None = None, *, bulleted=False
    ) -> None:
        """A point of the entry above ("1）…" or a bullet). Its number goes
        when it is the one the export writes before it; the first point says
        whether the list is bulleted."""
        target = self.open or self.pointed or (self.paragraph[-1] if self.paragraph else None)
        if target is None and self.pending:
            target = ParsedItem(subgroup=self.subgroup, title=self.take_pending())
            self.add(target)
        if target is None or target.kind == "note":
            self.standalone(line)
            return
        if number is not None and number != len(target.points) + 1:
            text = line
        if not target.points:
            target.bulleted_points = bulleted
        target.points.append(text if text is not None else line)
        self.pointed = target

    def next_position(self) -> int:
        """The number the export gives the next entry of this sub-group
        (notes among the entries are bulleted or plain, not counted)."""
        body = [i for i in self.section.items if words.list_of(i.kind) == words.BODY]
        numbered = [i for i in body if i.kind != "note" and i.listed]
        return 1 + sum(1 for i in numbered if i.subgroup == self.subgroup)

    def code(self, code: str, language: str) -> None:
        self.pointed = None
        if self.open is not None and not self.open.code:
            self.open.code, self.open.language, self.open.kind = code, language, "snippet"
            return
        title = self.take_pending() if self.pending else ""
        # Code with no title to it is a block of its own, not an entry.
        self.section.items.append(
            ParsedItem(
                kind="snippet",
                subgroup=self.subgroup,
                title=title,
                code=code,
                language=language,
                listed=bool(title),
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
