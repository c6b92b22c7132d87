"""What the exports write, and in what order: the labels, budgets, marks and
grouping that the Markdown export (markdown.py) and the HTML export (html.py)
share, so both say the same thing in the same order.

They read a revision's snapshot (talk.snapshot) and answer with text and
rows; the words are the record format's (sections.record), which the
importer reads back.
"""

import datetime
import re
import unicodedata

from sections import record as words

# A description that already ends a sentence gets no extra separator.
SENTENCE_END = ("；", ";", "。", "！", "？", ".", "!", "?")


def text_lines(text: str) -> list[str]:
    """Lines of member text, with Windows and old Mac line ends made one kind
    (so the output does not depend on the browser that sent it)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    return text.split("\n") if text else []


def names(values: list[str]) -> str:
    return words.NAME_SEPARATOR.join(values)


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
    for label, key in words.PREFACE_LABELS.items():
        found = _first(entries, label)
        texts.append((words.label(label), series[key] if found is None else entries[found]["text"]))
    if not entries:
        privacy = words.label(words.NOTICE_LABELS[0])
        return [*texts, (privacy, series["privacy_notice"]), ("", series["notices"])]
    notices = [entry for entry in entries if entry["label"] in words.NOTICE_LABELS]
    return [*texts, *((words.label(entry["label"]), entry["text"]) for entry in notices)]


def record(snapshot: dict) -> list[tuple[str, str, bool]]:
    """The 本期记录 lines: (label as written, text, whether the text is an
    imported text's own).

    The desk's labels come in its order, and an imported text's lines where
    the text has them: an imported issue's record reads in the text's order.
    Its label shows the text's words ("羡鱼（后续每期由大家自行认领）") while
    they still say what the issue says (`_says`). When they do not (a host
    claimed the role since, the editor was named elsewhere in the text), the
    label shows the issue's value, and the text's line comes after all the
    others: nothing the text said is dropped.
    """
    entries = imported_record(snapshot)
    # 序章 writes these.
    used = {_first(entries, label) for label in words.PREFACE_LABELS}
    used |= {index for index, entry in enumerate(entries) if entry["label"] in words.NOTICE_LABELS}
    # Each line with where it goes: its place in the text; a desk line the
    # text does not say, just after the desk line before it; the text's own
    # line for a value the issue has changed since, after everything.
    placed: list[tuple[float, tuple[str, str, bool]]] = []
    said_otherwise = set()
    place = -1.0
    for label, written, value, wanted in _desk_record(snapshot):
        found = _first(entries, label)
        text = entries[found]["text"] if found is not None else ""
        says = found is not None and _says(text, wanted)
        if says or (found is not None and not text.strip()):
            used.add(found)  # an empty line of the text is the desk's to fill
        elif found is not None:
            said_otherwise.add(found)
        place = float(found) if says and found is not None else place + 0.001
        placed.append((place, (written, one_line(text), True) if says else (written, value, False)))
    end = float(len(entries))
    placed += [
        (
            end + index if index in said_otherwise else float(index),
            (words.label(entry["label"]), one_line(entry["text"]), True),
        )
        for index, entry in enumerate(entries)
        if index not in used
    ]
    lines = [line for _place, line in sorted(placed, key=lambda pair: pair[0])]
    if revision := revision_line(snapshot):
        lines.append((words.label(words.REVISION_LABEL), revision, False))
    return lines


def _desk_record(snapshot: dict) -> list[tuple[str, str, str, list[str]]]:
    """(label, label as written, the issue's value, what a text must hold to
    still say it): each part of the value (names, highlights), or the
    meeting's day."""
    rows = [
        (words.NUMBER_LABEL, snapshot["title"]),
        (words.TIME_LABEL, meeting_time(snapshot)),
        (words.HIGHLIGHTS_LABEL, highlights(snapshot)),
        (words.ISSUE_CONTRIBUTORS_LABEL, names(snapshot["contributors"])),
        (words.HOST_LABEL, snapshot["host"]),
        (words.EDITOR_LABEL, snapshot["editor"]),
        (words.OWNERS_LABEL, owners_line(snapshot)),
    ]
    if snapshot["video_url"]:
        rows.append((words.VIDEO_LABEL, snapshot["video_url"]))
    desk = []
    for label, value in rows:
        remark = f"- {words.UNRANKED}" if label == words.ISSUE_CONTRIBUTORS_LABEL else ""
        written = words.label(label, remark)
        wanted = [part for part in re.split(r"[、；]", value) if part]
        if label == words.TIME_LABEL and snapshot.get("meeting_at"):
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
    return next((s for s in snapshot["sections"] if s["key"] == words.PREFACE), None)


def preface_groups(section: dict, *, in_record: bool) -> list[tuple[str, list[dict]]]:
    """An imported 序章's sub-groups with their entries: 本期记录's (`in_record`;
    the desk's own block is its heading), or the others, for 序章."""
    return [
        (name, rows)
        for name, rows in groups(section["items"], section["subgroups"])
        if (name == words.RECORD_HEADING) == in_record and (name or rows)
    ]


def revision_line(snapshot: dict) -> str:
    """The 【版本】 line, for corrections only: revision 1 is the issue itself."""
    revision = snapshot.get("revision") or {}
    if (revision.get("number") or 0) <= 1:
        return ""
    note = revision.get("note") or ""
    return f"r{revision['number']} — {note}" if note else f"r{revision['number']}"


def section_heading(section: dict) -> str:
    return section["title"] + (words.OPTIONAL_MARK if section["optional"] else "")


def budget(section: dict) -> str:
    # Revisions frozen before the wording was kept have no such key.
    if wording := section.get("time_budget_wording"):
        return wording
    return words.budget_words(section["time_budget_minutes"])


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
    for area in words.AREAS:
        entries = [item for item in section["items"] if item["kind"] == area.kind]
        if section[area.flag] or entries:
            found.append((area.heading, entries))
    return found


def contributors_line(section: dict) -> str:
    """The section's 【贡献者】: as an imported text wrote them ("羡鱼（编辑）
    +OpenLLM 群友") while they are those names, else the names the desk lists."""
    return section.get("contributors_written") or names(section["contributors"])


def area_line(entries: list[dict]) -> list[tuple[str, str]] | None:
    """(text, separator) of each entry of 提名区 or 建议区, when they go on
    the label's line as the community writes them ("量化", "位置编码、量化",
    "A；B；"): each a bare title, and one alone or every one but the last
    followed by the separator the text had. None when they are listed one
    per line (as the desk writes several entries of its own)."""
    bare = all(
        entry["title"] and not (entry["url"] or entry["body"] or entry["points"] or entry["code"])
        for entry in entries
    )
    separators = [entry.get("separator", "") for entry in entries]
    written = len(entries) == 1 or (any(separators) and all(separators[:-1]))
    if not (entries and bare and written):
        return None
    return [
        (entry["title"] + (f" {words.BY}{entry['author']}" if entry["author"] else ""), separator)
        for entry, separator in zip(entries, separators, strict=True)
    ]


NUMBERED, BULLETED, PLAIN = "numbered", "bulleted", "plain"


def entry_runs(rows: list[dict]) -> list[tuple[str, int, list[dict]]]:
    """The rows of a section's body as runs of (style, first number, rows),
    as the text had them: entries numbered, counting on across what stands
    between them; notes bulleted (后续计划's points); a paragraph or code
    block the text wrote on its own (注意事项's lines) plain."""
    runs: list[tuple[str, int, list[dict]]] = []
    number = 1
    for row in rows:
        if not row.get("listed", True):
            style = PLAIN
        else:
            style = BULLETED if row["kind"] == "note" else NUMBERED
        if runs and runs[-1][0] == style:
            runs[-1][2].append(row)
        else:
            runs.append((style, number, [row]))
        number += style == NUMBERED
    return runs


def theme(section: dict) -> tuple[str, str] | None:
    """(label, theme), when the section has a theme."""
    if not section["theme_label"] and not section["theme"]:
        return None
    return section["theme_label"] or words.THEME_LABEL, section["theme"]


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
    return [item for item in section["items"] if words.list_of(item["kind"]) == words.BODY]


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


def empty_answer_line(question: dict) -> bool:
    """Whether an empty "A3：" stands under the question: while it has no
    answer, unless it was imported from a text that had no answer line
    (revisions frozen before that was recorded hold no `answer_line`)."""
    return not question["answers"] and question.get("answer_line", True)


def question_marks(question: dict) -> str:
    """What follows a question's body: "--初七 --上期遗留（007）"."""
    marks = [f"{words.BY}{question['author']}"] if question["author"] else []
    if question["carried_over"]:
        origin = (question.get("carried_from") or {}).get("issue") or ""
        marks.append(
            f"{words.BY}{words.CARRIED_OVER}（{issue_label(origin)}）"
            if origin
            else f"{words.BY}{words.CARRIED_OVER}"
        )
    return " ".join(marks)


def answer_marks(answer: dict) -> str:
    by = f"{words.BY}{answer['author']}" if answer["author"] else ""
    return by + (words.ACCEPTED if answer["accepted"] else "")


def issue_label(code: str) -> str:
    # A numbered issue's code is its number; issues are shown zero-padded.
    return f"{int(code):03d}" if code.isdigit() else code


def chat_prefix(line: dict) -> str:
    return " ".join(part for part in (line["speaker"], line["time"]) if part)


def references_sections(snapshot: dict) -> bool:
    return any(section["kind"] == "references" for section in snapshot["sections"])
