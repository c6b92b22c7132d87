"""The HTML export's page as plain data, for the PDF's template to lay out.

The PDF renders the very document the HTML export is (talk.exports.html), so
the two never drift apart. Typst cannot read HTML, and member text must never
become Typst markup (it would be code: `#read("/etc/passwd")`), so the page's
<main> is turned into nested lists and strings, passed to the template as
JSON: an element is {"t": tag, "c": class, "a": attribute, "k": children},
text is a string. Only what the export writes is kept: its tags, the class
that styles them, and a link's target or a list's start.
"""

import re
from html.parser import HTMLParser

# Elements whose whitespace-only text is layout of the source, not content.
BLOCKS = {
    "main", "section", "div", "ul", "ol", "figure", "blockquote",
    "table", "thead", "tbody", "tr",
}  # fmt: skip
VOID = {"br", "hr", "img", "meta", "link"}
SPACE = re.compile(r"\s+")
LINKED = ("http://", "https://", "mailto:")


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: dict = {"t": "main", "k": []}
        self.stack: list[dict] = []
        self.title = ""
        self._in_title = False
        self._pre = 0

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self._in_title = True
            return
        if tag == "main":
            self.stack = [self.root]
            return
        if not self.stack:
            return
        attributes = dict(attrs)
        element = {"t": tag, "k": []}
        if attributes.get("class"):
            element["c"] = attributes["class"]
        # The export links only these; anything else would be no link in the
        # PDF either, whatever wrote it.
        if tag == "a" and (attributes.get("href") or "").startswith(LINKED):
            element["a"] = attributes["href"]
        if tag == "ol" and (attributes.get("start") or "").isdigit():
            element["a"] = int(attributes["start"])
        self.stack[-1]["k"].append(element)
        if tag == "pre":
            self._pre += 1
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1]["t"] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
            return
        if tag == "pre" and self._pre:
            self._pre -= 1
        # The export's HTML is well formed; close up to the matching tag.
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth]["t"] == tag:
                children = self.stack[depth]["k"]
                if not self._pre and children and isinstance(children[-1], str):
                    # Nor does it end with a space.
                    children[-1] = children[-1].rstrip()
                    if not children[-1]:
                        children.pop()
                del self.stack[depth:]
                break
        if tag == "main":
            self.stack = []

    def handle_data(self, data):
        if self._in_title:
            self.title += data
            return
        if not self.stack:
            return
        parent = self.stack[-1]
        if not self._pre:
            if parent["t"] in BLOCKS and not data.strip():
                return
            data = SPACE.sub(" ", data)
        children = parent["k"]
        if not self._pre and (not children or _is_break(children[-1])):
            # As a browser does: a line starts with its text, not a space.
            data = data.lstrip()
            if not data:
                return
        if children and isinstance(children[-1], str):
            children[-1] += data
        else:
            children.append(data)


def _is_break(node) -> bool:
    return isinstance(node, dict) and node["t"] == "br"


def document_tree(document: str) -> dict:
    """{"title": the page's title, "body": its <main> as elements}."""
    builder = _Builder()
    builder.feed(document)
    builder.close()
    return {"title": builder.title.strip(), "body": _flatten_code(builder.root["k"])}


def _flatten_code(nodes: list) -> list:
    """A <pre>'s highlighting spans as its text alone: the PDF sets code in
    one colour, and its lines must stay as written."""
    for node in nodes:
        if isinstance(node, dict):
            if node["t"] == "pre":
                node["k"] = ["".join(_text(node))]
            else:
                _flatten_code(node["k"])
    return nodes


def _text(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if node["t"] == "br":
        return ["\n"]
    return [piece for child in node["k"] for piece in _text(child)]


def characters(nodes: list) -> set[str]:
    """Every character of the text in the tree."""
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, str):
            found.update(node)
        else:
            found |= characters(node["k"])
    return found
