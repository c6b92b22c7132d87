"""The Markdown export, in the community's own layout (see corpus/).

The published issues are read as plain text as much as they are rendered, so
the file keeps the corpus' lines (【编号】：…, Q1：… --初七, A1：…) and is also
valid CommonMark: blocks are separated by blank lines, and everything that
belongs to a list item is indented under it so a renderer keeps it there.

Member text is written as typed (bodies are Markdown already; titles and
names are not escaped, so the record reads as it was written), with two
exceptions that keep the file inert in any renderer, even one that passes
HTML through (`_inert`): a "<" that would open a tag gets a backslash before
it, and a link to a javascript:, vbscript:, data: or file: URL loses its link
syntax the same way (on its "["). Both read the same as plain text. Code is
left alone.

An imported issue's preface and record (本期记录) are written in its text's
words, kept in the snapshot's "record" (`record`, docs/importing.md).

The helpers that decide the wording (labels, budgets, grouping) are shared
with the HTML export, so both say the same thing in the same order.
"""

import datetime
import re
import unicodedata

from sections.markup import safe_url

NOMINATIONS = "nomination"
SUGGESTIONS = "suggestion"
AREAS = ((NOMINATIONS, "提名区", "has_nominations"), (SUGGESTIONS, "建议区", "has_suggestions"))
NAME_SEPARATOR = "、"
ACCEPTED = "（已采纳）"
CARRIED_OVER = "上期遗留"
DEFAULT_THEME_LABEL = "本期主题"
REFERENCES_TITLE = "参考资料"
# What an import makes of the text's 序章 (talk/importing/parse.py): the section
# of this key holds what it could not place there, under the text's own
# sub-headings, of which 本期记录 is the record.
PREFACE = "preface"
RECORD_GROUP = "本期记录"
# 序章's labels an imported text may word its own way, and the series' field
# each stands for.
PREFACE_LABELS = {"缘起": "origin", "结构": "structure"}
# The notices 序章 writes after them: the series' privacy notice and notices
# for an issue made in the desk; for an imported one, those its text had.
NOTICE_LABELS = ("隐私提示", "talk 模板", "小要求")
# A description that already ends a sentence gets no extra separator.
SENTENCE_END = ("；", ";", "。", "！", "？", ".", "!", "?")
# A line that would start a block of its own (fence, heading, list, quote,
# table, indented code) cannot follow "Q1：" on the same line.
BLOCK_START = re.compile(
    r"^(?: {4}|\t| {0,3}(?:```|~~~|#{1,6}(?:\s|$)|[-*+](?:\s|$)|\d{1,9}[.)](?:\s|$)|>|\|))"
)


# Wording shared with the HTML export


def text_lines(text: str) -> list[str]:
    """Lines of member text, with Windows and old Mac line ends made one kind
    (so the output does not depend on the browser that sent it)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    return text.split("\n") if text else []


def names(values: list[str]) -> str:
    return NAME_SEPARATOR.join(values)


def meeting_time(snapshot: dict) -> str:
    """The meeting's local time as the series writes it, zone spelled out."""
    if not snapshot.get("meeting_at"):
        return ""
    moment = datetime.datetime.fromisoformat(snapshot["meeting_at"])
    return f"{moment:%Y-%m-%d %H:%M} ({snapshot['series']['time_zone']})"


def highlights(snapshot: dict) -> str:
    return "".join(f"{part}；" for part in snapshot["highlights"])


def owners_line(snapshot: dict) -> str:
    """【版块负责人】: each claimed section with its owners."""
    return "".join(
        f"{section['title']}：{names(section['owners'])}；"
        for section in snapshot["sections"]
        if section["owners"]
    )


def imported_record(snapshot: dict) -> list[dict]:
    """The preface's labels as an imported text wrote them, in order; none for
    an issue made in the desk (nor in a revision frozen before they were kept)."""
    return snapshot.get("record", [])


def _first(entries: list[dict], label: str) -> int | None:
    return next((i for i, entry in enumerate(entries) if entry["label"] == label), None)


def preface_texts(snapshot: dict) -> list[tuple[str, str]]:
    """序章's texts with their labels: 【缘起】 and 【结构】 as an imported text
    wrote them (the series' own when it did not), then the notices: the
    series' privacy notice and notices (labels included), or an imported
    text's own, if it had any. A published record does not gain notices the
    series wrote after it."""
    series, entries = snapshot["series"], imported_record(snapshot)
    texts = []
    for label, key in PREFACE_LABELS.items():
        found = _first(entries, label)
        texts.append((f"【{label}】：", series[key] if found is None else entries[found]["text"]))
    if not entries:
        return [*texts, ("【隐私提示】：", series["privacy_notice"]), ("", series["notices"])]
    notices = [entry for entry in entries if entry["label"] in NOTICE_LABELS]
    return [*texts, *((f"【{entry['label']}】：", entry["text"]) for entry in notices)]


def record(snapshot: dict) -> list[tuple[str, str, bool]]:
    """The 本期记录 lines: (label as written, text, whether the text is an
    imported text's own).

    The desk's labels come in its order. An imported issue's label shows the
    text's words ("羡鱼（后续每期由大家自行认领）") while they still say what
    the issue says (`_says`). When they do not (a host claimed the role since,
    the editor was named elsewhere in the text), the label shows the issue's
    value, and the text's line comes after it, with the labels the desk has no
    field for, in the text's order: nothing the text said is dropped.
    """
    entries = imported_record(snapshot)
    # 序章 writes these.
    used = {_first(entries, label) for label in PREFACE_LABELS}
    used |= {index for index, entry in enumerate(entries) if entry["label"] in NOTICE_LABELS}
    lines = []
    for label, written, value, wanted in _desk_record(snapshot):
        found = _first(entries, label)
        text = entries[found]["text"] if found is not None else ""
        says = found is not None and _says(text, wanted)
        if says or (found is not None and not text.strip()):
            used.add(found)  # an empty line of the text is the desk's to fill
        lines.append((written, one_line(text), True) if says else (written, value, False))
    lines += [
        (f"【{entry['label']}】：", one_line(entry["text"]), True)
        for index, entry in enumerate(entries)
        if index not in used
    ]
    if revision := revision_line(snapshot):
        lines.append(("【版本】：", revision, False))
    return lines


def _desk_record(snapshot: dict) -> list[tuple[str, str, str, list[str]]]:
    """(label, label as written, the issue's value, what a text must hold to
    still say it): each part of the value (names, highlights), or the
    meeting's day."""
    rows = [
        ("编号", snapshot["title"]),
        ("时间", meeting_time(snapshot)),
        ("本期提要", highlights(snapshot)),
        ("本期贡献者", names(snapshot["contributors"])),
        ("主持人", snapshot["host"]),
        ("编辑", snapshot["editor"]),
        ("版块负责人", owners_line(snapshot)),
    ]
    if snapshot["video_url"]:
        rows.append(("talk 视频", snapshot["video_url"]))
    desk = []
    for label, value in rows:
        written = "【本期贡献者】- 排名不分先后：" if label == "本期贡献者" else f"【{label}】："
        wanted = [part for part in re.split(r"[、；]", value) if part]
        if label == "时间" and snapshot.get("meeting_at"):
            wanted = [f"{datetime.datetime.fromisoformat(snapshot['meeting_at']):%Y%m%d}"]
        desk.append((label, written, value, wanted))
    return desk


def _says(text: str, wanted: list[str]) -> bool:
    # Letters and digits only: "2023-07-15" is the day of "20230715 晚上九点".
    said = _letters_and_digits(text)
    return all(_letters_and_digits(part) in said for part in wanted)


# talk.importing.text has the same one line; the importer imports the
# services, which import the exports, so importing it here would be a cycle.
def _letters_and_digits(text: str) -> str:
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN")


def one_line(text: str) -> str:
    """An imported record text on one line, as the record writes each label
    (and as the importer reads a Markdown label back: to the end of its line)."""
    return " ".join(line.strip() for line in text_lines(text) if line.strip())


def imported_preface(snapshot: dict) -> dict | None:
    """The section an import made of the text's 序章, when it kept the text's
    record: the exports write what it holds inside their own 序章 and 本期记录,
    so the preface is there once."""
    if not imported_record(snapshot):
        return None
    return next((s for s in snapshot["sections"] if s["key"] == PREFACE), None)


def preface_groups(section: dict, *, in_record: bool) -> list[tuple[str, list[dict]]]:
    """An imported 序章's sub-groups with their entries: 本期记录's (`in_record`;
    the desk's own block is its heading), or the others, for 序章."""
    return [
        (name, rows)
        for name, rows in groups(section["items"], section["subgroups"])
        if (name == RECORD_GROUP) == in_record and (name or rows)
    ]


def revision_line(snapshot: dict) -> str:
    """The 【版本】 line, for corrections only: revision 1 is the issue itself."""
    revision = snapshot.get("revision") or {}
    if (revision.get("number") or 0) <= 1:
        return ""
    note = revision.get("note") or ""
    return f"r{revision['number']} — {note}" if note else f"r{revision['number']}"


def section_heading(section: dict) -> str:
    return f"{section['title']}-optional" if section["optional"] else section["title"]


def budget(section: dict) -> str:
    # Revisions frozen before the wording was kept have no such key.
    if wording := section.get("time_budget_wording"):
        return wording
    minutes = section["time_budget_minutes"]
    return f"~{minutes} 分钟" if minutes else "时间不限"


def section_summary(section: dict) -> str:
    """What follows 【<title>】：, e.g. "LLM/AI news…；~10 分钟；"."""
    description = section["description"].strip()
    if description and not description.endswith(SENTENCE_END):
        description += "；"
    return f"{description}{budget(section)}；"


def headed(section: dict) -> bool:
    """Whether the section opens with its 【title】 and 【贡献者】 lines: the
    series' sections do (each has its description), while the blocks an
    import keeps as they were (注意事项, 后续计划…) had no such lines."""
    return bool(section["description"].strip() or section["contributors"] or section["owners"])


def areas(section: dict) -> list[tuple[str, list[dict]]]:
    """提名区 and 建议区 with their entries: those the section has, and any
    that holds entries anyway (an imported issue)."""
    found = []
    for kind, label, flag in AREAS:
        entries = [item for item in section["items"] if item["kind"] == kind]
        if section[flag] or entries:
            found.append((label, entries))
    return found


def theme(section: dict) -> tuple[str, str] | None:
    """(label, theme), when the section has a theme."""
    if not section["theme_label"] and not section["theme"]:
        return None
    return section["theme_label"] or DEFAULT_THEME_LABEL, section["theme"]


def groups(rows: list[dict], subgroups: list[str]) -> list[tuple[str, list[dict]]]:
    """Rows under their sub-group, ungrouped first, then the template's
    sub-groups (even empty ones: the corpus keeps their headings), then any
    sub-group the template does not know, in the order the rows use them."""
    found: dict[str, list[dict]] = {"": []}
    for name in subgroups:
        found.setdefault(name, [])
    for row in rows:
        found.setdefault(row["subgroup"], []).append(row)
    return list(found.items())


def body_items(section: dict) -> list[dict]:
    """The entries outside 提名区 and 建议区: a section's items, or the notes an
    import kept in a section of another kind (a references section's come
    after its list: `reference_notes`)."""
    if section["kind"] == "references":
        return []
    return [item for item in section["items"] if item["kind"] not in (NOMINATIONS, SUGGESTIONS)]


def reference_notes(section: dict) -> list[dict]:
    """An imported 参考资料's entries without a link, after the list: the
    links, its own included, are in snapshot["references"] already."""
    return [item for item in section["items"] if not item["url"]]


def subgroups(
    section: dict, items: list[dict], questions: list[dict]
) -> list[tuple[str, list[dict], list[dict]]]:
    """(sub-group, its entries, its questions), in the order of `groups`: an
    imported note under 群里讨论 comes before that sub-group's questions, as
    it stood in the text."""
    asked = dict(groups(questions, section["subgroups"]))
    return [
        (name, rows, asked.get(name, []))
        for name, rows in groups(items, [*section["subgroups"], *asked])
    ]


def by_section(rows: list[dict], key: str) -> list[dict]:
    return [row for row in rows if row["section"] == key]


def question_marks(question: dict) -> str:
    """What follows a question's body: "--初七 --上期遗留（007）"."""
    marks = [f"--{question['author']}"] if question["author"] else []
    if question["carried_over"]:
        origin = (question.get("carried_from") or {}).get("issue") or ""
        marks.append(
            f"--{CARRIED_OVER}（{issue_label(origin)}）" if origin else f"--{CARRIED_OVER}"
        )
    return " ".join(marks)


def answer_marks(answer: dict) -> str:
    by = f"--{answer['author']}" if answer["author"] else ""
    return by + (ACCEPTED if answer["accepted"] else "")


def issue_label(code: str) -> str:
    # A numbered issue's code is its number; issues are shown zero-padded.
    return f"{int(code):03d}" if code.isdigit() else code


def chat_prefix(line: dict) -> str:
    return " ".join(part for part in (line["speaker"], line["time"]) if part)


def references_sections(snapshot: dict) -> bool:
    return any(section["kind"] == "references" for section in snapshot["sections"])


# The Markdown file


def render(snapshot: dict) -> bytes:
    blocks: list[list[str]] = [[f"# {snapshot['title']}"]]
    blocks += _preface(snapshot)
    blocks += _record(snapshot)
    preface = imported_preface(snapshot)
    for section in snapshot["sections"]:
        if section is not preface:
            blocks += _section(snapshot, section)
    if snapshot["references"] and not references_sections(snapshot):
        blocks += [[f"## {REFERENCES_TITLE}"], *_references(snapshot["references"])]
    return (_inert("\n\n".join("\n".join(block) for block in blocks)) + "\n").encode()


# What `_inert` escapes: a tag's "<" (not the "<" of a link destination the
# export writes, "](<https://…>)"), and the "[" of a link to an unsafe URL.
RAW_TAG = re.compile(r"(?<!\]\()<(?=[A-Za-z/!?])")
UNSAFE_LINK = re.compile(r"\[(?=[^\]\n]*\]\(\s*<?\s*(?:javascript|vbscript|data|file):)", re.I)
CODE_SPAN = re.compile(r"(`+).*?(?<!`)\1(?!`)")
FENCE_LINE = re.compile(r"^\s*(`{3,}|~{3,})")


def _inert(document: str) -> str:
    """The document with raw HTML and unsafe links written as text, outside
    fenced code and code spans."""
    if not (RAW_TAG.search(document) or UNSAFE_LINK.search(document)):
        return document  # most issues: one scan, no line is touched
    lines, fence = [], ""
    for line in document.split("\n"):
        opening = FENCE_LINE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
        elif opening:
            fence = opening.group(1)
        elif RAW_TAG.search(line) or UNSAFE_LINK.search(line):
            line = _inert_line(line)
        lines.append(line)
    return "\n".join(lines)


def _inert_line(line: str) -> str:
    parts, start = [], 0
    for span in CODE_SPAN.finditer(line):
        parts += [_inert_text(line[start : span.start()]), span.group()]
        start = span.end()
    return "".join([*parts, _inert_text(line[start:])])


def _inert_text(text: str) -> str:
    return RAW_TAG.sub(r"\\<", UNSAFE_LINK.sub(r"\\[", text))


def _paragraphs(label: str, text: str) -> list[list[str]]:
    """A labelled series text, one paragraph per line as the admin wrote it.
    A label with no text stays, as the record's do: an imported text that
    wrote "【小要求】" alone said so."""
    lines = [line for line in text_lines(text) if line.strip()]
    if not lines:
        return [[label]] if label else []
    return [[f"{label}{lines[0]}" if label else lines[0]], *([line] for line in lines[1:])]


def _preface(snapshot: dict) -> list[list[str]]:
    blocks = [["## 序章"]]
    if imported := imported_preface(snapshot):
        blocks += _preface_groups(imported, in_record=False)
    for label, text in preface_texts(snapshot):
        blocks += _paragraphs(label, text)
    return blocks


def _record(snapshot: dict) -> list[list[str]]:
    blocks = [["## 本期记录"], *([f"{label}{text}"] for label, text, _own in record(snapshot))]
    if imported := imported_preface(snapshot):
        blocks += _preface_groups(imported, in_record=True)
    return blocks


def _preface_groups(section: dict, *, in_record: bool) -> list[list[str]]:
    blocks = []
    for name, rows in preface_groups(section, in_record=in_record):
        if name and not in_record:
            blocks.append([f"### {name}"])
        if rows:
            blocks.append(_list([_item(item) for item in rows], numbered=False))
    return blocks


def _section(snapshot: dict, section: dict) -> list[list[str]]:
    blocks = [[f"## {section_heading(section)}"]]
    if headed(section):
        blocks += [
            [f"【{section['title']}】：{section_summary(section)}"],
            [f"【贡献者】：{names(section['contributors'])}"],
        ]
    for label, entries in areas(section):
        blocks.append([f"【{label}】："])
        if entries:
            blocks.append(_list([_item(entry) for entry in entries], numbered=False))
    if found := theme(section):
        blocks.append([f"【{found[0]}】：{found[1]}"])
    items = body_items(section)
    questions = by_section(snapshot["questions"], section["key"])
    if section["kind"] in ("items", "questions") or items or questions:
        for name, rows, asked in subgroups(section, items, questions):
            if name:
                blocks.append([f"### {name}"])
            if rows:
                # Entries are numbered; notes kept elsewhere stand as bullets.
                numbered = section["kind"] == "items"
                blocks.append(_list([_item(item) for item in rows], numbered=numbered))
            for question in asked:
                blocks += _question(question)
    chat = by_section(snapshot["chat"], section["key"])
    if chat:
        blocks.append(_list([_chat_line(line) for line in chat], numbered=False, tight=True))
    if section["kind"] == "references":
        blocks += _references(snapshot["references"])
        if notes := reference_notes(section):
            blocks.append(_list([_item(item) for item in notes], numbered=False))
    return [block for block in blocks if block]


def _list(
    entries: list[list[list[str]]], *, numbered: bool = True, tight: bool = False
) -> list[str]:
    """A Markdown list; each entry is its blocks, indented under the marker.

    Entries are separated by blank lines (a loose list) unless each is one
    line of its own (points, chat): most hold several paragraphs, which a
    tight list would run together.
    """
    lines: list[str] = []
    for number, blocks in enumerate(entries, start=1):
        if lines and not tight:
            lines.append("")
        lines += _list_entry(f"{number}. " if numbered else "- ", blocks)
    return lines


def _list_entry(marker: str, blocks: list[list[str]]) -> list[str]:
    content = _join(blocks)
    indent = " " * len(marker)
    if not content:
        return [marker.rstrip()]
    # Content that starts indented would turn into a code block after the
    # marker; on the next line, under the marker's indent, it stays as typed.
    if content[0][:1] in (" ", "\t"):
        first, rest = [marker.rstrip()], content
    else:
        first, rest = [marker + content[0]], content[1:]
    return first + [indent + line if line else "" for line in rest]


def _join(blocks: list[list[str]]) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        if not block:
            continue
        if lines:
            lines.append("")
        lines += block
    return lines


def _item(item: dict) -> list[list[str]]:
    head = _title_lines(item["title"], item["url"])
    if item["url"]:
        head.append(item["url"])
    body = text_lines(item["body"])
    points = _list([[[point]] for point in item["points"]], tight=True)
    code = _fence(item["code"], item["language"]) if item["code"] else []
    blocks = [block for block in (head, body, points, code) if block]
    if not item["author"]:
        return blocks
    attribution = f"--{item['author']}"
    prose = bool(blocks) and (blocks[-1] is head or blocks[-1] is body)
    # A one-line entry ends with its name, as the corpus writes "北大 chatlaw
    # --群友"; under a title and link the name closes that paragraph; after a
    # body, points or code it closes the entry on a line of its own.
    if prose and len(blocks) == 1 and len(blocks[0]) == 1:
        blocks[0] = [f"{blocks[0][0]} {attribution}"]
    elif prose and blocks[-1] is head:
        head.append(attribution)
    else:
        blocks.append([attribution])
    return blocks


def _title_lines(title: str, url: str) -> list[str]:
    lines = text_lines(title)
    target = _link_target(url)
    if len(lines) == 1 and target and not re.search(r"[\[\]\\]", lines[0]):
        return [f"[{lines[0]}]({target})"]
    # A title the link syntax cannot hold stays plain; the URL follows anyway.
    return lines


def _link_target(url: str) -> str:
    """The URL as a link destination, or "" when it is not an http(s) link
    or cannot be written as one."""
    url = safe_url(url)
    if not url or re.search(r"[<>\n]", url):
        return ""
    return f"<{url}>" if re.search(r"[\s()]", url) else url


def _fence(code: str, language: str) -> list[str]:
    language = " ".join(language.split())
    # Backticks cannot sit in a backtick fence's info string; tildes can.
    char = "~" if "`" in language else "`"
    longest = max((len(run) for run in re.findall(re.escape(char) + "+", code)), default=0)
    fence = char * max(3, longest + 1)
    return [fence + language, *text_lines(code), fence]


def _post(label: str, body: str, marks: str) -> list[str]:
    """ "Q1：body --初七": inline when the body is one line, as the corpus
    writes it; a longer body keeps its blocks, the marks close it."""
    lines = text_lines(body)
    tail = f" {marks}" if marks and lines else marks
    if not lines:
        return [f"{label}{tail}"] if label or tail else []
    if len(lines) == 1:
        return [f"{label}{lines[0]}{tail}"]
    if label and BLOCK_START.match(lines[0]):
        out = [label, "", *lines]
    else:
        out = [f"{label}{lines[0]}", *lines[1:]]
    return [*out, "", marks] if marks else out


def _question(question: dict) -> list[list[str]]:
    number = question["number"]
    blocks = [_post(f"Q{number}：", question["body"], question_marks(question))]
    for answer in question["answers"]:
        blocks.append(_answer(answer, f"A{number}："))
    if not question["answers"]:
        blocks.append([f"A{number}："])
    return blocks


def _answer(answer: dict, label: str) -> list[str]:
    lines = _post(label, answer["body"], answer_marks(answer))
    for reply in answer["replies"]:
        quoted = _quote(_answer(reply, ""))
        lines += ["", *quoted] if lines else quoted
    return lines


def _quote(lines: list[str]) -> list[str]:
    return [f"> {line}" if line else ">" for line in lines]


def _chat_line(line: dict) -> list[list[str]]:
    prefix = chat_prefix(line)
    lines = text_lines(line["text"])
    if prefix:
        lines = [f"{prefix}：{lines[0]}", *lines[1:]] if lines else [f"{prefix}："]
    return [lines]


def _references(references: list[dict]) -> list[list[str]]:
    if not references:
        return []
    entries = [
        [[ref["url"]]] if ref["title"] == ref["url"] else [[*text_lines(ref["title"]), ref["url"]]]
        for ref in references
    ]
    return [_list(entries)]
