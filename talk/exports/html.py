"""The standalone HTML export: the Markdown export's layout as one page.

One file that references nothing (no stylesheet, script, font or image to
fetch), readable on screen and in print; the PDF is rendered from it. Member
bodies go through the desk's Markdown sanitiser, code through its code
renderer; every other string is escaped, and only http(s) URLs become links.
"""

import re

from django.conf import settings
from django.utils.html import escape
from pygments.formatters import HtmlFormatter

from sections import record as words
from sections.markup import render_code, render_line, render_markdown, safe_url

from . import layout

STYLE = (settings.BASE_DIR / "templates" / "exports" / "issue.css").read_text(encoding="utf-8")
CODE_STYLE = "\n".join(HtmlFormatter(style="default").get_token_style_defs("pre"))
# A link in an imported record's text (【talk 视频】：【…】https://…).
URL = re.compile(r"https?://[^\s<>\"'，。；、（）【】《》“”‘’！？]+")


def render(snapshot: dict) -> bytes:
    parts = [
        "<!doctype html>",
        '<html lang="zh-Hans">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(snapshot['title'])}</title>",
        f"<style>\n{STYLE}\n{CODE_STYLE}\n</style>",
        "</head>",
        "<body>",
        # The page is the issue: one landmark for a screen reader to go to.
        "<main>",
        f"<h1>{escape(snapshot['title'])}</h1>",
        *_preface(snapshot),
        *_record(snapshot),
    ]
    preface = layout.imported_preface(snapshot)
    for section in snapshot["sections"]:
        if section is not preface:
            parts += _section(snapshot, section)
    if snapshot["references"] and not layout.references_sections(snapshot):
        parts += [
            '<section id="references">',
            f"<h2>{words.REFERENCES_HEADING}</h2>",
            *_references(snapshot["references"]),
            "</section>",
        ]
    parts += ["</main>", "</body>", "</html>"]
    return ("\n".join(parts) + "\n").encode()


def _text(text: str) -> str:
    """Plain text, escaped, its line breaks kept."""
    return "<br>".join(escape(line) for line in layout.text_lines(text))


def _title(text: str) -> str:
    """A title: its emphasis and code shown as on the page, its line breaks kept."""
    return "<br>".join(render_line(line) for line in layout.text_lines(text))


def _field(label: str, value: str) -> str:
    return f'<p class="field"><span class="label">{escape(label)}</span>{value}</p>'


def _link(url: str) -> str:
    """The URL as a link when it is http(s); otherwise shown as text."""
    target = safe_url(url)
    if not target:
        return f'<span class="url">{_text(url)}</span>'
    return _anchor(target, _text(url), "url")


def _with_links(text: str) -> str:
    """Plain text, escaped, with its http(s) links made links."""
    parts, start = [], 0
    for match in URL.finditer(text):
        url = match.group().rstrip(".,;:!?)")
        parts += [escape(text[start : match.start()]), _link(url)]
        start = match.start() + len(url)
    return "".join([*parts, escape(text[start:])])


def _preface(snapshot: dict) -> list[str]:
    parts = ['<section id="preface">', f"<h2>{words.PREFACE_HEADING}</h2>"]
    if imported := layout.imported_preface(snapshot):
        parts += _preface_groups(imported, in_record=False)
    for label, text in layout.preface_texts(snapshot):
        lines = [line for line in layout.text_lines(text) if line.strip()]
        for number, line in enumerate(lines):
            parts.append(
                _field(label, escape(line)) if number == 0 and label else f"<p>{escape(line)}</p>"
            )
    parts.append("</section>")
    return parts


def _record(snapshot: dict) -> list[str]:
    parts = ['<section id="record">', f"<h2>{words.RECORD_HEADING}</h2>"]
    for label, text, own in layout.record(snapshot):
        if own:
            value = _with_links(text)
        elif label == words.label(words.VIDEO_LABEL):
            value = _link(text)
        elif label == words.label(words.HIGHLIGHTS_LABEL):
            value = render_line(text)
        else:
            value = escape(text)
        parts.append(_field(label, value))
    if imported := layout.imported_preface(snapshot):
        parts += _preface_groups(imported, in_record=True)
    parts.append("</section>")
    return parts


def _preface_groups(section: dict, *, in_record: bool) -> list[str]:
    parts = []
    for name, rows in layout.preface_groups(section, in_record=in_record):
        if name and not in_record:
            parts.append(f"<h3>{escape(name)}</h3>")
        if rows:
            parts += ['<ul class="entries">', *(_item(item) for item in rows), "</ul>"]
    return parts


def _section(snapshot: dict, section: dict) -> list[str]:
    parts = [
        f'<section id="section-{escape(section["key"])}" class="section section-{escape(section["kind"])}">',
        f"<h2>{escape(layout.section_heading(section))}</h2>",
    ]
    if layout.headed(section):
        parts += [
            _field(words.label(section["title"]), escape(layout.section_summary(section))),
            _field(
                words.label(words.CONTRIBUTORS_LABEL), escape(layout.contributors_line(section))
            ),
        ]
    for label, entries in layout.areas(section):
        if written := layout.area_line(entries):
            # As the text wrote them: "【提名区】：位置编码、量化".
            parts.append(_field(words.label(label), "".join(escape(t + s) for t, s in written)))
            continue
        parts.append(_field(words.label(label), ""))
        if entries:
            parts += ['<ul class="entries">', *(_item(entry) for entry in entries), "</ul>"]
    if theme := layout.theme(section):
        parts.append(_field(words.label(theme[0]), escape(theme[1])))
    items = layout.body_items(section)
    questions = layout.by_section(snapshot["questions"], section["key"])
    if section["kind"] in ("items", "questions") or items or questions:
        for name, rows, asked in layout.subgroups(section, items, questions):
            if name:
                parts.append(f"<h3>{escape(name)}</h3>")
            if rows and section["kind"] == "items":
                # Entries numbered, notes bulleted, what stood on its own plain.
                for style, start, run in layout.entry_runs(rows):
                    if style == layout.PLAIN:
                        parts += [_item(item, tag="div") for item in run]
                        continue
                    tag = "ol" if style == layout.NUMBERED else "ul"
                    first = f' start="{start}"' if tag == "ol" and start > 1 else ""
                    parts += [
                        f'<{tag} class="entries"{first}>',
                        *(_item(item) for item in run),
                        f"</{tag}>",
                    ]
            elif rows:
                parts += ['<ul class="entries">', *(_item(item) for item in rows), "</ul>"]
            for question in asked:
                parts += _question(question)
    chat = layout.by_section(snapshot["chat"], section["key"])
    if chat:
        parts += ['<ul class="chat">', *(_chat_line(line) for line in chat), "</ul>"]
    if section["kind"] == "references":
        parts += _references(snapshot["references"])
        if notes := layout.reference_notes(section):
            parts += ['<ul class="entries">', *(_item(item) for item in notes), "</ul>"]
    parts.append("</section>")
    return parts


def _item(item: dict, tag: str = "li") -> str:
    # The title and link sit in the list item itself, not in a paragraph, so
    # a print marker ("1.") shares their line instead of taking one of its own.
    # A source link ("from-https://…") closes the entry, as the text wrote it.
    prefix = item.get("url_prefix", "") if item["url"] else ""
    target = "" if prefix else safe_url(item["url"])
    head = []
    if item["title"] and target:
        head.append(_anchor(target, _title(item["title"]), "entry-title"))
    elif item["title"]:
        head.append(f'<span class="entry-title">{_title(item["title"])}</span>')
    if target:
        head.append(_anchor(target, _text(item["url"]), "url"))
    elif item["url"] and not prefix:
        head.append(f'<span class="url">{_text(item["url"])}</span>')
    rest = []
    if item["body"]:
        rest.append(f'<div class="body">{render_markdown(item["body"])}</div>')
    if item["points"]:
        points = "".join(f"<li>{escape(point)}</li>" for point in item["points"])
        listed = "ul" if item.get("bulleted_points") else "ol"
        rest.append(f'<{listed} class="points">{points}</{listed}>')
    if item["code"]:
        caption = f"<figcaption>{escape(item['language'])}</figcaption>" if item["language"] else ""
        code = render_code(item["code"], item["language"])
        rest.append(f'<figure class="code">{caption}{code}</figure>')
    if prefix:
        rest.append(f'<p class="source">{escape(prefix)}{_link(item["url"])}</p>')
    if item["author"]:
        # As in the Markdown: a bare title ends with its author's name.
        by = f'<span class="by">{words.BY}{escape(item["author"])}</span>'
        if rest or not head:
            rest.append(f'<p class="by">{words.BY}{escape(item["author"])}</p>')
        elif len(head) == 1:
            head[0] += f" {by}"
        else:
            head.append(by)
    return f'<{tag} class="entry">{"<br>".join(head)}{"".join(rest)}</{tag}>'


def _anchor(target: str, shown: str, css: str) -> str:
    return f'<a class="{css}" href="{escape(target)}" rel="nofollow noopener">{shown}</a>'


def _post(css: str, label: str, body: str, marks: str, inner: str = "") -> str:
    return f'<div class="post {css}">{_with_ends(render_markdown(body), label, marks)}{inner}</div>'


def _with_ends(rendered: str, label: str, marks: str) -> str:
    """The sanitised body with "Q1：" before its first paragraph's text and
    "--初七" after its last, as the corpus writes a post on one line; a body
    that starts or ends with another block (code, a list) gets them on lines
    of their own. Only escaped text of ours is inserted, between tags."""
    lead = f'<span class="label">{escape(label)}</span>' if label else ""
    tail = f'<span class="by">{escape(marks)}</span>' if marks else ""
    body = rendered.strip()
    if not body:
        return f"<p>{lead}{tail}</p>" if lead or tail else ""
    if lead:
        body = f"<p>{lead}{body[3:]}" if body.startswith("<p>") else f"<p>{lead}</p>{body}"
    if tail:
        body = f"{body[:-4]} {tail}</p>" if body.endswith("</p>") else f"{body}<p>{tail}</p>"
    return body


def _question(question: dict) -> list[str]:
    number = question["number"]
    parts = [_post("question", f"Q{number}：", question["body"], layout.question_marks(question))]
    for answer in question["answers"]:
        parts.append(_answer(answer, f"A{number}："))
    if layout.empty_answer_line(question):
        parts.append(_post("answer empty", f"A{number}：", "", ""))
    return parts


def _answer(answer: dict, label: str) -> str:
    replies = "".join(_reply(reply) for reply in answer["replies"])
    css = "answer accepted" if answer["accepted"] else "answer"
    return _post(css, label, answer["body"], layout.answer_marks(answer), replies)


def _reply(reply: dict) -> str:
    replies = "".join(_reply(inner) for inner in reply["replies"])
    text = _with_ends(render_markdown(reply["body"]), "", layout.answer_marks(reply))
    return f'<blockquote class="reply">{text}{replies}</blockquote>'


def _chat_line(line: dict) -> str:
    who = " ".join(
        f'<span class="{css}">{escape(value)}</span>'
        for css, value in (("speaker", line["speaker"]), ("time", line["time"]))
        if value
    )
    prefix = f"{who}：" if who else ""
    return f"<li>{prefix}{_text(line['text'])}</li>"


def _references(references: list[dict]) -> list[str]:
    if not references:
        return []
    rows = []
    for ref in references:
        title = "" if ref["title"] == ref["url"] else f"{_title(ref['title'])}<br>"
        rows.append(f"<li>{title}{_link(ref['url'])}</li>")
    return ['<ol class="entries references">', *rows, "</ol>"]
