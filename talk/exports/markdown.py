"""The Markdown export, in the community's own layout (see corpus/).

The published issues are read as plain text as much as they are rendered, so
the file keeps the corpus' lines (【编号】：…, Q1：… --初七, A1：…) and is also
valid CommonMark: blocks are separated by blank lines, and everything that
belongs to a list item is indented under it so a renderer keeps it there.

Member text is written as typed (bodies are Markdown already), with what
keeps the file inert in any renderer, even one that passes HTML through or
follows any link: one-line fields (titles, names, marks) get a backslash
before "[", "]", "\\" and an entity's "&", so no link or image is made from
them and they read as typed (`_plain`); and everywhere outside code
(`_inert`) a "<" that would open a tag or an autolink other than an http(s)
one, the "[" of a link or reference whose URL is javascript:, vbscript:,
data: or file: (also spelled with entities or escapes: `jav&#x61;script:`),
and the "!" of an image get a backslash before them. An image reads as a
link to it, as on the page; everything else reads the same as plain text.
Code is left alone.

Then (`_portable`) what the desk's renderer assumes is written out, so
that GitHub and other renderers show what the desk shows: a typed line
break as a hard break, a bare link touching other text as a link.

An imported issue's preface and record (本期记录) are written in its text's
words, kept in the snapshot's "record" (`record`, docs/importing.md).

What to say and in what order (labels, budgets, grouping) is layout.py's,
shared with the HTML export; this module writes it as Markdown.
"""

import html
import itertools
import re

from sections import markup
from sections import record as words
from sections.markup import safe_url

from . import layout
from .layout import text_lines

# A line that would start a block of its own (fence, heading, list, quote,
# table, indented code) cannot follow "Q1：" on the same line.
BLOCK_START = re.compile(
    r"^(?: {4}|\t| {0,3}(?:```|~~~|#{1,6}(?:\s|$)|[-*+](?:\s|$)|\d{1,9}[.)](?:\s|$)|>|\|))"
)


def render(snapshot: dict) -> bytes:
    blocks: list[list[str]] = [[f"# {_plain(snapshot['title'])}"]]
    blocks += _preface(snapshot)
    blocks += _record(snapshot)
    preface = layout.imported_preface(snapshot)
    for section in snapshot["sections"]:
        if section is not preface:
            blocks += _section(snapshot, section)
    if snapshot["references"] and not layout.references_sections(snapshot):
        blocks += [[f"## {words.REFERENCES_HEADING}"], *_references(snapshot["references"])]
    return (_portable(_inert("\n\n".join("\n".join(block) for block in blocks))) + "\n").encode()


# What `_inert` escapes, where no backslash already does (an even run of
# them is their own): a tag's or an autolink's "<" (not the "<" of a link
# destination the export writes, "](<https://…>)", nor an http(s)
# autolink), the "[" of a link or a reference definition (its URL in group
# "url"), an image's "!".
_FREE = r"(?<!\\)(?P<escapes>(?:\\\\)*)"
RAW_TAG = re.compile(
    _FREE + r"(?!(?<=\]\()<https?://|<https?://[^\s<>]*>)(?P<mark><)(?=[A-Za-z/!?])"
)
LINK = re.compile(_FREE + r"(?P<mark>\[)(?=[^\]\n]*\](?:\(\s*<?|:[ \t]*<?)(?P<url>[^\s)>]*))")
IMAGE = re.compile(_FREE + r"(?P<mark>!)(?=\[)")
UNSAFE_SCHEME = re.compile(r"(?:javascript|vbscript|data|file):", re.I)
CODE_SPAN = re.compile(r"(`+).*?(?<!`)\1(?!`)")
FENCE_LINE = re.compile(r"^\s*(`{3,}|~{3,})")


def _unsafe(url: str) -> bool:
    """A destination as a renderer reads it: entities and backslash escapes
    resolved, the whitespace and controls browsers skip dropped."""
    url = html.unescape(re.sub(r"\\(?=[!-/:-@\[-`{-~])", "", url))
    return bool(UNSAFE_SCHEME.match(re.sub(r"[\x00-\x20]", "", url)))


def _plain(text: str) -> str:
    """A one-line field as text a renderer makes no link or image of, and
    shows as typed (an entity's "&" too: `&#x61;` is not "a")."""
    return re.sub(r"([\\\[\]]|&(?=#?\w+;))", r"\\\1", text)


def _inert(document: str) -> str:
    """The document with raw HTML, unsafe links and images written as text,
    outside fenced code and code spans."""
    # Most issues hold links (every titled item is one), all of them safe:
    # a scan of the document then, and no line is touched.
    unsafe_link = any(_unsafe(link["url"]) for link in LINK.finditer(document))
    if not (unsafe_link or RAW_TAG.search(document) or IMAGE.search(document)):
        return document
    lines, fence = [], ""
    for line in document.split("\n"):
        opening = FENCE_LINE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
        elif opening:
            fence = opening.group(1)
        else:
            line = _inert_line(line)
        lines.append(line)
    return "\n".join(lines)


def _inert_line(line: str) -> str:
    parts, start = [], 0
    for span in CODE_SPAN.finditer(line):
        parts += [_inert_text(line[start : span.start()]), span.group()]
        start = span.end()
    return "".join([*parts, _inert_text(line[start:])])


def _escaped(match: re.Match) -> str:
    return f"{match['escapes']}\\{match['mark']}"


def _inert_text(text: str) -> str:
    def link(match: re.Match) -> str:
        return _escaped(match) if _unsafe(match["url"]) else match.group()

    return RAW_TAG.sub(_escaped, IMAGE.sub(_escaped, LINK.sub(link, text)))


# Where a bare link cannot be the one the desk found: in code, in a link
# (its text or its destination) or an autolink.
NOT_BARE = re.compile(r"(`+).*?(?<!`)\1(?!`)|\[[^\]\n]*\]\([^)\n]*\)|<[^<>\s]*>")


def _portable(document: str) -> str:
    """The document as the desk shows it, in any CommonMark renderer.

    The desk keeps a line break typed in a paragraph, CommonMark joins the
    lines: every line of a paragraph but its last ends in a hard break
    (two spaces). And the desk ends a bare link at full-width punctuation, where a
    renderer that links bare URLs its own way (GitHub, linkify) takes the
    words after it into the link ("https://zhuanlan.zhihu.com/p/640522290；
    可参考模板"), or leaves one after "：" unlinked: such a bare link is
    written as a link, an autolink (<https://…>) when it has its scheme."""
    lines = document.split("\n")
    tokens = markup.parse(document)
    for opening, inline in itertools.pairwise(tokens):
        if opening.type != "paragraph_open" or inline.map is None:
            continue
        start, end = inline.map
        found = [
            (child.attrGet("href") or "", text.content)
            for child, text in itertools.pairwise(inline.children or [])
            if child.type == "link_open" and child.markup == "linkify"
        ]
        paragraph = _linked("\n".join(lines[start:end]), found).split("\n")
        lines[start:end] = [_broken(line) for line in paragraph[:-1]] + paragraph[-1:]
    return "\n".join(lines)


def _linked(text: str, found: list[tuple[str, str]]) -> str:
    """The paragraph with each bare link the desk found, in order, written
    as a link where it touches other text (GitHub links one only after a
    space, and others end it at the next); a mail address is left as typed."""
    cursor = 0
    for href, raw in found:
        if not href.startswith(("http://", "https://")):
            continue
        kept = [span.span() for span in NOT_BARE.finditer(text)]
        at = text.find(raw, cursor)
        while at != -1 and any(begin <= at < stop for begin, stop in kept):
            at = text.find(raw, at + 1)
        if at == -1:
            continue
        after = at + len(raw)
        if (
            text[at - 1 : at].strip() == ""
            and text[after : after + 1].strip() == ""
            and raw == href
        ):
            # Between spaces: every renderer that links it ends it there too.
            cursor = after
            continue
        link = (
            f"<{raw}>" if raw.lower().startswith(("http://", "https://")) else f"[{raw}](<{href}>)"
        )
        text = text[:at] + link + text[at + len(raw) :]
        cursor = at + len(link)
    return text


def _broken(line: str) -> str:
    """The line ended by a hard break, unless it ends in one already. Two
    spaces, not "\\": a renderer that links a bare URL ending the line would
    take the backslash into it."""
    trailing = len(line) - len(line.rstrip("\\"))
    if trailing % 2 or line.endswith("  "):
        return line
    return line + "  "


def _paragraphs(label: str, text: str) -> list[list[str]]:
    """A labelled series text, one paragraph per line as the admin wrote it.
    A label with no text stays, as the record's do: an imported text that
    wrote "【小要求】" alone said so."""
    lines = [line for line in text_lines(text) if line.strip()]
    if not lines:
        return [[label]] if label else []
    return [[f"{label}{lines[0]}" if label else lines[0]], *([line] for line in lines[1:])]


def _preface(snapshot: dict) -> list[list[str]]:
    blocks = [[f"## {words.PREFACE_HEADING}"]]
    if imported := layout.imported_preface(snapshot):
        blocks += _preface_groups(imported, in_record=False)
    for label, text in layout.preface_texts(snapshot):
        blocks += _paragraphs(label, text)
    return blocks


def _record(snapshot: dict) -> list[list[str]]:
    record = layout.record(snapshot)
    blocks = [[f"## {words.RECORD_HEADING}"], *([f"{label}{text}"] for label, text, _own in record)]
    if imported := layout.imported_preface(snapshot):
        blocks += _preface_groups(imported, in_record=True)
    return blocks


def _preface_groups(section: dict, *, in_record: bool) -> list[list[str]]:
    blocks = []
    for name, rows in layout.preface_groups(section, in_record=in_record):
        if name and not in_record:
            blocks.append([f"### {name}"])
        if rows:
            blocks.append(_list([_item(item) for item in rows], numbered=False))
    return blocks


def _section(snapshot: dict, section: dict) -> list[list[str]]:
    blocks = [[f"## {_plain(layout.section_heading(section))}"]]
    if layout.headed(section):
        contributors = _plain(layout.contributors_line(section))
        blocks += [
            [_plain(words.label(section["title"]) + layout.section_summary(section))],
            [words.label(words.CONTRIBUTORS_LABEL) + contributors],
        ]
    for heading, entries in layout.areas(section):
        if written := layout.area_line(entries):
            # As the text wrote them: "【提名区】：位置编码、量化".
            blocks.append([words.label(heading) + "".join(_plain(t) + s for t, s in written)])
            continue
        blocks.append([words.label(heading)])
        if entries:
            blocks.append(_list([_item(entry) for entry in entries], numbered=False))
    if found := layout.theme(section):
        blocks.append([_plain(words.label(found[0]) + found[1])])
    items = layout.body_items(section)
    questions = layout.by_section(snapshot["questions"], section["key"])
    if section["kind"] in ("items", "questions") or items or questions:
        for name, rows, asked in layout.subgroups(section, items, questions):
            if name:
                blocks.append([f"### {_plain(name)}"])
            if rows and section["kind"] == "items":
                # Entries numbered, notes bulleted, what stood on its own plain.
                for style, start, run in layout.entry_runs(rows):
                    entries = [_item(item) for item in run]
                    if style == layout.PLAIN:
                        blocks += [_join(entry) for entry in entries]
                    else:
                        numbered = style == layout.NUMBERED
                        blocks.append(_list(entries, numbered=numbered, start=start))
            elif rows:
                blocks.append(_list([_item(item) for item in rows], numbered=False))
            for question in asked:
                blocks += _question(question)
    chat = layout.by_section(snapshot["chat"], section["key"])
    if chat:
        blocks.append(_list([_chat_line(line) for line in chat], numbered=False, tight=True))
    if section["kind"] == "references":
        blocks += _references(snapshot["references"])
        if notes := layout.reference_notes(section):
            blocks.append(_list([_item(item) for item in notes], numbered=False))
    return [block for block in blocks if block]


def _list(
    entries: list[list[list[str]]], *, numbered: bool = True, tight: bool = False, start: int = 1
) -> list[str]:
    """A Markdown list; each entry is its blocks, indented under the marker.

    Entries are separated by blank lines (a loose list) unless each is one
    line of its own (points, chat): most hold several paragraphs, which a
    tight list would run together.
    """
    lines: list[str] = []
    for number, blocks in enumerate(entries, start=start):
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
    # A source link ("from-https://…") closes the entry, as the text wrote it.
    prefix = item.get("url_prefix", "") if item["url"] else ""
    head = _title_lines(item["title"], "" if prefix else item["url"])
    # A linked title carries its URL: written again it would read twice.
    if item["url"] and not prefix and not (len(head) == 1 and _link_target(item["url"])):
        head.append(item["url"])
    body = text_lines(item["body"])
    points = _list(
        [[[_plain(point)]] for point in item["points"]],
        numbered=not item.get("bulleted_points", False),
        tight=True,
    )
    code = _fence(item["code"], item["language"]) if item["code"] else []
    source = [_plain(prefix) + item["url"]] if prefix else []
    blocks = [block for block in (head, body, points, code, source) if block]
    if not item["author"]:
        return blocks
    attribution = _plain(f"{words.BY}{item['author']}")
    prose = bool(blocks) and any(blocks[-1] is block for block in (head, body, source))
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
    lines = [_plain(line) for line in text_lines(title)]
    target = _link_target(url)
    if len(lines) == 1 and target:
        return [f"[{lines[0]}]({target})"]
    # A title of several lines stays plain; the URL follows anyway.
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
    blocks = [_post(f"Q{number}：", question["body"], _plain(layout.question_marks(question)))]
    for answer in question["answers"]:
        blocks.append(_answer(answer, f"A{number}："))
    if layout.empty_answer_line(question):
        blocks.append([f"A{number}："])
    return blocks


def _answer(answer: dict, label: str) -> list[str]:
    lines = _post(label, answer["body"], _plain(layout.answer_marks(answer)))
    for reply in answer["replies"]:
        quoted = _quote(_answer(reply, ""))
        lines += ["", *quoted] if lines else quoted
    return lines


def _quote(lines: list[str]) -> list[str]:
    return [f"> {line}" if line else ">" for line in lines]


def _chat_line(line: dict) -> list[list[str]]:
    prefix = _plain(layout.chat_prefix(line))
    lines = text_lines(line["text"])
    if prefix:
        lines = [f"{prefix}：{lines[0]}", *lines[1:]] if lines else [f"{prefix}："]
    return [lines]


def _references(references: list[dict]) -> list[list[str]]:
    if not references:
        return []
    entries = [
        [[ref["url"]]]
        if ref["title"] == ref["url"]
        else [[*map(_plain, text_lines(ref["title"])), ref["url"]]]
        for ref in references
    ]
    return [_list(entries)]
