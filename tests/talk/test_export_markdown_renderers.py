"""The Markdown export of every corpus issue as renderers nobody here wrote
read it: markdown-it-py with linkify (as GitHub links bare URLs), mistune
with its url plugin, and plain CommonMark. Their links are the links the
desk's own HTML export has, each ending where it should, the lines of an
entry stay lines, and every line of the source issue can be read in what
they show."""

import itertools
import re
from html.parser import HTMLParser
from urllib.parse import unquote

import mistune
import pytest
from markdown_it import MarkdownIt

from tests.talk.conftest import FILES
from tests.talk.test_import_corpus import MARKER, reduced

RENDERERS = {
    "markdown-it-py, linkify": MarkdownIt("commonmark", {"linkify": True}).enable("linkify").render,
    "mistune, url plugin": mistune.create_markdown(escape=True, plugins=["url"]),
    "CommonMark, no linkify": MarkdownIt("commonmark").render,
}
LINKIFYING = {"markdown-it-py, linkify", "mistune, url plugin"}
BREAK = "⏎"  # where a rendered text breaks: a <br> or the end of a block
# Corpus issues with no entry of several lines (their bodies are one line each).
FEW_LINES = {"openllm-talk-000.txt", "openllm-talk-001.txt"}
BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "blockquote", "pre", "ul", "ol", "tr", "td"}


class _Reader(HTMLParser):
    """A rendered page's links (target and text) and its text as a browser
    lays it out: whitespace collapsed, a BREAK where a line ends, a numbered
    list's numbers."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.text: list[str] = []
        # The text with each link's target after a link that shows other
        # words: a line "LLM 打辩论 https://…" reads as the title linked to it.
        self.seen: list[str] = []
        self._href: str | None = None
        self._shown: list[str] = []
        self._numbers: list[int | None] = []  # the next number of each open list

    def handle_starttag(self, tag, attrs):
        if tag in ("ol", "ul"):
            start = dict(attrs).get("start") or "1"
            self._numbers.append(int(start) if tag == "ol" else None)
        if tag == "li" and self._numbers and self._numbers[-1] is not None:
            self.text += [BREAK, f"{self._numbers[-1]}. "]
            self.seen.append(f"{self._numbers[-1]}. ")
            self._numbers[-1] += 1
            return
        if tag == "a":
            self._href, self._shown = dict(attrs).get("href") or "", []
        elif tag == "br" or tag in BLOCKS:
            self.text.append(BREAK)

    def handle_endtag(self, tag):
        if tag in ("ol", "ul") and self._numbers:
            self._numbers.pop()
        if tag == "a" and self._href is not None:
            words = "".join(self._shown)
            self.links.append((self._href, words))
            if self._href not in (words, f"http://{words}"):
                self.seen.append(self._href)
            self._href = None
        elif tag in BLOCKS:
            self.text.append(BREAK)

    def handle_data(self, data):
        self.text.append(data)
        self.seen.append(data)
        if self._href is not None:
            self._shown.append(data)


def read(page: str) -> _Reader:
    reader = _Reader()
    reader.feed(page)
    reader.close()
    return reader


def laid_out(reader: _Reader) -> str:
    text = re.sub(r"\s+", " ", "".join(reader.text))
    return re.sub(rf"\s*{BREAK}[\s{BREAK}]*", f" {BREAK} ", text)


def web(links: list[tuple[str, str]]) -> set[str]:
    """The http(s) targets, but for a bare domain a renderer links of its own
    accord ("arxiv.org": markdown-it's fuzzy links; the desk, as GitHub, links
    a domain only with "www." or a path)."""
    return {
        unquote(href)
        for href, shown in links
        if href.startswith(("http://", "https://")) and href.rstrip("/") != f"http://{shown}"
    }


def line_pairs(snapshot: dict, desk: str) -> list[tuple[str, str]]:
    """Two lines typed one after the other in an entry that the desk's own
    HTML export shows as two lines, plain text both (no Markdown of their
    own). Not the imported preface's: both exports write its texts as the
    record's, one line each."""
    plain = re.compile(r"^[^*_`\[\]<>#|\\~>=-][^*_`\[\]<>#|\\~]*$")
    pairs = []
    for section in snapshot["sections"]:
        if section["key"] == "preface":
            continue
        for item in section["items"]:
            lines = [line.strip() for line in item["body"].splitlines()]
            pairs += [
                (a, b)
                for a, b in itertools.pairwise(lines)
                if plain.match(a) and plain.match(b) and f"{a} {BREAK} {b}" in desk
            ]
    return pairs


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("imported", FILES, indirect=True)
def test_every_link_ends_where_the_desk_ends_it(imported, renderer):
    desk = web(read(imported["html"]).links)
    theirs = read(RENDERERS[renderer](imported["markdown"]))

    assert web(theirs.links) <= desk, web(theirs.links) - desk
    if renderer in LINKIFYING:
        assert web(theirs.links) == desk, desk - web(theirs.links)
    for href, shown in theirs.links:
        if shown.startswith(("http://", "https://", "www.")):
            # A link shown as its URL is its URL: no words after it pulled in.
            assert unquote(href) in (unquote(shown), f"http://{unquote(shown)}"), (href, shown)


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("imported", FILES, indirect=True)
def test_the_lines_of_an_entry_stay_lines(imported, renderer):
    text = laid_out(read(RENDERERS[renderer](imported["markdown"])))
    pairs = line_pairs(imported["json"], laid_out(read(imported["html"])))

    assert pairs or imported["name"] in FEW_LINES
    for a, b in pairs:
        assert a in text, a
        assert b in text, b
        assert f"{a} {b}" not in text, (a, b)
        assert f"{a}{b}" not in text, (a, b)


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("imported", FILES, indirect=True)
def test_every_line_of_the_source_can_be_read_in_the_rendered_page(imported, renderer):
    # The desk numbers questions, answers and lists itself (MARKER); every
    # other letter and digit of a line is on the page, in the line's order.
    page = reduced("".join(read(RENDERERS[renderer](imported["markdown"])).seen))

    lost = [
        line
        for line in imported["text"].replace("\f", "").split("\n")
        if reduced(MARKER.sub("", line)) not in page
    ]

    assert lost == []
