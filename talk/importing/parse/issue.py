"""The reader of an issue (`IssueReader`): its title, its blocks, and the
labels wherever they stand; each block's body goes to the reader of its kind
(items.py, free_talk.py, chat.py)."""

import datetime
import re

from sections import record as words

from .. import text as T
from ..text import Line
from .chat import ChatReader
from .common import (
    ISSUE_LABELS,
    ITEM_ATTRIBUTION,
    LABEL,
    MAX_NAME,
    MAX_NUMBER,
    MAX_PLAIN_NAMES,
    MAX_THEME,
    MAX_TITLE,
    MAX_URL,
    MAX_WRITTEN,
    NUMBERED,
    ONLY_URL,
    attribution,
    heading_of,
    label_of,
    split_names,
    strip_remarks,
    subgroup_of,
)
from .free_talk import FreeTalkReader
from .items import ItemsReader
from .parsed import ParsedIssue, ParsedItem, ParsedSection, SeriesText

# A preface label the desk writes itself, from the issue's content: when the
# source says the same, the record does not keep it a second time. (Notices,
# 隐私提示 included, are kept as written: an imported record is exported with
# its own, never the series'.)
DESK_WORDED = {words.ISSUE_CONTRIBUTORS_LABEL}
# Labels whose content may stand on the lines below them rather than after
# the colon: nominations listed one per line, a video's title and link.
LISTED_LABELS = {
    *(area.heading for area in words.AREAS),
    words.VIDEO_LABEL,
    words.HIGHLIGHTS_LABEL,
}
BUDGET = re.compile(
    rf"(?:共\s*)?~?\s*(?P<minutes>\d{{1,3}})\s*{words.MINUTES}\s*[；;]?\s*$"
    rf"|{words.NO_TIME_LIMIT}\s*[；;]?\s*$"
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


class IssueReader:
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
                FreeTalkReader(self, section).read(block)
            elif key == "chat":
                ChatReader(self, section).read(block)
            else:
                ItemsReader(self, section).read(block)
        self.issue.sections = list(self.sections.values())
        return self.issue

    def _title(self) -> int:
        """The title line: the series' name, perhaps in brackets, then the
        issue's number or a special edition's label ("OpenLLM Talk 003",
        "【OpenLLM Talk】番外 01：…"); the name may end a line of its own,
        the label beginning the next one. Where it is, among the first five
        lines; 0 when none is."""
        name = r"\s*".join(re.escape(word) for word in self.series.name.split())
        pattern = re.compile(
            rf"^(?P<before>.*?)(?P<open>【)?{name}(?(open)】)\s*"
            rf"(?P<label>番外\s*\d{{1,4}}|[^\W\d_]{{1,10}}\s*\d{{1,4}}|\d{{1,12}})"
            rf"(?P<after>(?:\s|[^\w]).*)?$",
            re.IGNORECASE,
        )
        name_alone = re.compile(rf"^【?{name}】?$", re.IGNORECASE)
        bracketed = re.compile(rf"^【{name}】", re.IGNORECASE)
        candidates = [
            (index, line) for index, line in enumerate(self.lines) if not (line.blank or line.code)
        ][:5]
        for place, (index, line) in enumerate(candidates):
            if self.markdown and line.heading != 1:
                continue
            text = line.text.strip()
            # A record line ("【编号】：OpenLLM Talk 003") is not the title.
            if text.startswith("【") and not bracketed.match(text):
                continue
            joined = [line]
            if name_alone.match(text) and place + 1 < len(candidates):
                following = candidates[place + 1][1]
                joined.append(following)
                text = f"{text} {following.text.strip()}"
            match = pattern.match(text)
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
            if (
                match.group("before").strip()
                or (match.group("after") or "").strip()
                or match.group("open")
            ):
                for part in joined:
                    preface.note(part.text.strip())
            last = index if len(joined) == 1 else candidates[place + 1][0]
            return last + 1
        return 0

    # Stage 3: blocks

    def _blocks(self, start: int):
        """(key, extra title, optional, lines) for each block, in order."""
        key, title, optional, block = words.PREFACE, words.PREFACE_HEADING, False, []
        for line in self.lines[start:]:
            found = heading_of(line)
            if found is None:
                block.append(line)
                continue
            new_key, new_title, written, new_optional = found
            if not (new_key == key == words.PREFACE):
                yield key, title, optional, block
                key, title, optional, block = new_key, new_title, new_optional, []
            if written in words.PREFACE_PARTS:
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
        known = {extra: key for key, extra in words.HEADINGS.values() if extra}
        if title in known:
            return known[title]
        base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:30] or "extra"
        key, n = base, 1
        template_keys = {key for key, extra in words.HEADINGS.values() if extra is None}
        while key in self.sections or key in template_keys:
            n += 1
            key = f"{base}-{n}"
        return key

    def _preface(self) -> ParsedSection:
        if words.PREFACE not in self.sections:
            self.sections[words.PREFACE] = ParsedSection(
                key=words.PREFACE, title=words.PREFACE_HEADING, template=False
            )
        return self.sections[words.PREFACE]

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
        if label == words.HIGHLIGHTS_LABEL:
            issue.highlights = T.join_wrapped(issue.highlights, text) if issue.highlights else text
            return True
        if label in words.PREFACE_LABELS:
            field = words.PREFACE_LABELS[label]
            return self._said_by_series(text, getattr(self.series, field))
        if label == words.TIME_LABEL:
            day, time = meeting_of(text)
            if day and not issue.meeting_date:
                issue.meeting_date, issue.meeting_time = day, time
            return False
        if label in (words.HOST_LABEL, words.EDITOR_LABEL):
            names, _remarks = strip_remarks(text)
            names = words.NAME_SEPARATOR.join(split_names(names))
            attribute = "host_name" if label == words.HOST_LABEL else "editor_name"
            if len(names) <= MAX_PLAIN_NAMES and not getattr(issue, attribute):
                setattr(issue, attribute, names)
            return text == names == getattr(issue, attribute)
        if label == words.VIDEO_LABEL:
            links = [link for link in T.links_in(text) if len(link) <= MAX_URL]
            if links and not issue.video_url:
                issue.video_url = links[0]
            return bool(text) and text == issue.video_url
        if label == words.ISSUE_CONTRIBUTORS_LABEL:
            # The desk lists them itself, from everyone's contributions.
            return not text or self.markdown
        if label == words.NUMBER_LABEL:
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
        first = kept
        for name in split_names(text):
            plain, remarks = strip_remarks(name)
            if words.EDITOR_LABEL in remarks and not self.issue.editor_name:
                self.issue.editor_name = plain
            kept = (
                kept
                and all(remark == words.EDITOR_LABEL for remark in remarks)
                and len(plain) <= MAX_NAME
                and not T.URL.search(name)
            )
            if plain and len(plain) <= MAX_NAME and plain not in section.contributors:
                section.contributors.append(plain)
        if not kept:
            section.note(raw, subgroup)
        elif (
            first
            and text != words.NAME_SEPARATOR.join(section.contributors)
            and len(text) <= MAX_WRITTEN
        ):
            section.contributors_written = text

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
        if section.key == words.PREFACE:
            self.record_label(label, text, raw)
        elif label in (section.title, *self._template_titles(section)):
            self.describe(section, text, raw, subgroup)
        elif label == words.CONTRIBUTORS_LABEL:
            self.contributors(section, text, raw, subgroup)
        elif area := words.area_headed(label):
            if any(item.kind == area.kind for item in section.items):
                section.note(raw, subgroup)  # a section has one of each area
            else:
                after = self._area(section, area, text, block, after)
        elif label in words.THEME_LABELS:
            theme = text.rstrip("；;").strip()
            if len(theme) <= MAX_THEME and not section.theme_label:
                section.theme_label, section.theme = label, theme
            else:
                section.note(raw, subgroup)
        elif label in ISSUE_LABELS | set(words.PREFACE_LABELS) | set(words.NOTICE_LABELS):
            self.issue_label(label, text, raw, section, subgroup)
        else:
            section.note(raw, subgroup)
        return after

    @staticmethod
    def _template_titles(section: ParsedSection) -> tuple[str, ...]:
        titles = words.TEMPLATE_TITLES
        return (titles[section.key],) if section.key in titles else ()

    def _area(
        self, section: ParsedSection, area: words.Area, text: str, block: list[Line], index: int
    ) -> int:
        """提名区 and 建议区: "A、B；C" on the line, or one per line below it."""
        entries: list[tuple[str, str]] = []  # (entry, the separator after it)
        for piece in text.split("\n"):
            numbered = NUMBERED.match(piece.strip())
            piece = numbered.group("text") if numbered else piece
            # Nominations are also listed with "、"; a suggestion is a sentence,
            # which may hold one.
            splitter = r"([、；;])" if area == words.NOMINATIONS else r"([；;])"
            parts = re.split(splitter, piece)
            for at in range(0, len(parts), 2):
                after = parts[at + 1] if at + 1 < len(parts) and not numbered else ""
                if parts[at].strip():
                    entries.append((parts[at].strip(), after))
        if not text:
            # Markdown writes them as a list under the label.
            probe = index
            while probe < len(block) and block[probe].blank:
                probe += 1
            while probe < len(block) and block[probe].bullet and not block[probe].nested:
                entries.append((block[probe].text.strip(), ""))
                probe += 1
            if probe > index and entries:
                index = probe
        for entry, separator in entries:
            title, author = attribution(entry, ITEM_ATTRIBUTION)
            if len(title) <= MAX_TITLE:
                found = ParsedItem(kind=area.kind, title=title, author=author)
            else:
                found = ParsedItem(kind=area.kind, body=title, author=author)
            found.separator = separator
            section.items.append(found)
        return index
