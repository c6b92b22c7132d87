"""Markdown to safe HTML, for pages and exports alike.

Two layers: markdown-it never emits raw HTML from the source and refuses
`javascript:`-like links; nh3 then keeps only the tags, attributes, classes and
URL schemes listed here, so nothing a member typed can carry a script, an event
handler, an `hx-*` attribute or a `data:` URL into a page.
"""

import html
import re
from functools import lru_cache
from urllib.parse import urlsplit

import nh3
from django.utils.html import escape
from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
SAFE_SCHEMES = {"http", "https", "mailto"}
PYGMENTS_CLASSES = {name for name in STANDARD_TYPES.values() if name}

_formatter = HtmlFormatter(nowrap=True)


@lru_cache(maxsize=128)
def _lexer(language: str):
    # Finding a lexer by name loads and instantiates its class, which costs
    # more than highlighting a short snippet; a lexer keeps no state between
    # texts, so one per language serves every block.
    try:
        return get_lexer_by_name(language) if language else None
    except ClassNotFound:
        return None


def _highlight(code: str, language: str, _attrs) -> str:
    lexer = _lexer(language)
    if lexer is None:
        return ""  # markdown-it escapes and wraps it as plain code
    return highlight(code, lexer, _formatter)


def _image_as_link(renderer, tokens, idx, options, env):
    # Remote images would track readers and break the CSP; keep them as links.
    token = tokens[idx]
    alt = renderer.renderInlineAsText(token.children or [], options, env) or token.attrGet("src")
    return f'<a href="{escape(token.attrGet("src") or "")}">{escape(alt)}</a>'


# Full-width punctuation never belongs to a link in this community's text.
URL_STOP = re.compile(r"[，。；：、（）【】《》“”‘’！？]")


class _Linkify(LinkifyIt):
    """linkify-it, with a bare link ending at full-width punctuation: posts
    write "https://zhuanlan.zhihu.com/p/640522290；可参考…" with no space, and
    the default would take the "；" and the words after it into the link."""

    def normalize(self, match):
        if stop := URL_STOP.search(match.raw):
            match.last_index = match.index + stop.start()
            match.raw = match.text = match.url = match.raw[: stop.start()]
        super().normalize(match)

    def match(self, text):
        # A link typed without its scheme counts from "www." or with a path
        # (github.com/…): a bare "model.py", "README.md" or "run.sh" names a
        # file here, and linkify-it would link it for its country ending.
        found = [
            m
            for m in super().match(text) or []
            if m.schema
            or m.raw.lower().startswith("www.")
            or "/" in m.raw
            or m.url.startswith("mailto:")
        ]
        return found or None


# A line break typed in a post is kept (breaks): members write answers and
# write-ups line by line, and the corpus' own text is laid out in lines.
_markdown = MarkdownIt(
    "gfm-like", {"html": False, "linkify": True, "breaks": True, "highlight": _highlight}
)
_markdown.linkify = _Linkify()
_markdown.add_render_rule("image", _image_as_link)


def _demote_headings(state) -> None:
    """A member's "# 标题" becomes an h4: the page's h1 is the issue, h2 its
    sections and h3 their sub-groups, and a screen reader's outline goes by
    those levels."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + 3)}"


_markdown.core.ruler.push("demote_headings", _demote_headings)


# A link in a text, or the start of one: with its scheme, from "www.", or a
# host with a path. Only the bare ones need linkify-it's word on them, which
# would cost a large issue's page a quarter of a second if asked of every text.
LINK = re.compile(
    r"(?:https?://|(?<![\w.@/-])(?:www\.|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/))"
    r"[^\s<>()\[\]{}\"'，。；、（）【】]*",
    re.IGNORECASE,
)
TRAILING_PUNCTUATION = ".,;:!?"


def links_in(text: str) -> list[str]:
    """The web links of a text, in order: the links it has with their scheme
    and the bare ones the page links too, as it links them ("www.x.org" is
    http://www.x.org)."""
    links = []
    for match in LINK.finditer(text or ""):
        link = match.group().rstrip(TRAILING_PUNCTUATION)
        if not link.lower().startswith(("http://", "https://")):
            found = _markdown.linkify.match(link)
            if not found or found[0].index != 0:
                continue
            link = found[0].url
        links.append(link)
    return links


def clean_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes={"span": PYGMENTS_CLASSES},
        url_schemes=SAFE_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
        strip_comments=True,
    )


def parse(text: str) -> list[Token]:
    """The tokens of member-written Markdown as the desk reads it: with its
    typed line breaks kept and its bare links found as render_markdown
    finds them (the Markdown export writes both out for other renderers)."""
    return _markdown.parse(text)


@lru_cache(maxsize=8192)
def render_markdown(text: str) -> str:
    """Render member-written Markdown; the result is safe to mark as such.

    Cached because the same bodies are rendered on every page view and every
    export; the cache is keyed by the text, so an edit renders anew.
    """
    if not text:
        return ""
    return _focusable(clean_html(_markdown.render(text)))


# One-line fields (titles, the highlights line) take emphasis and code, as
# the community types them ("**7B** 模型", "`vllm`"), and nothing that
# would make a link, an image, a heading or HTML of them: a title is already
# its item's link, and the exports write one-line fields escaped against
# both (talk/exports/markdown.py).
_line = MarkdownIt("zero").enable(["emphasis", "backticks", "escape", "strikethrough"])


@lru_cache(maxsize=8192)
def render_line(text: str) -> str:
    """A one-line field as inline HTML (strong, em, del, code); safe."""
    if not text:
        return ""
    return clean_html(_line.renderInline(text))


def plain_line(text: str) -> str:
    """A one-line field's words without its marks ("**7B**" reads "7B"), for
    what is plain text: a textarea, a feed, a count of characters."""
    words = []
    for token in _line.parseInline(text)[0].children or []:
        if token.type in ("text", "code_inline"):
            words.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            words.append(" ")
    return "".join(words)


def plain_text(text: str) -> str:
    """Member-written Markdown as plain text, for a line that quotes it (the
    live bar's question under discussion)."""
    return html.unescape(nh3.clean(render_markdown(text), tags=set())).strip()


@lru_cache(maxsize=1024)
def render_code(code: str, language: str) -> str:
    """A code block (practice write-ups) with highlighting when the language
    is known; cached like `render_markdown`."""
    highlighted = _highlight(code, language, None)
    if not highlighted:
        return _focusable(f"<pre><code>{escape(code)}</code></pre>")
    return _focusable(clean_html(f"<pre><code>{highlighted}</code></pre>"))


def _focusable(html: str) -> str:
    """Code blocks that take keyboard focus: on the page a long line scrolls
    sideways, and a region that scrolls must be reachable without a mouse
    (WCAG 2.1.1; axe's scrollable-region-focusable). After the sanitiser,
    which keeps no tabindex: every "<pre>" left is a tag it let through."""
    return html.replace("<pre>", '<pre tabindex="0">')


def clear_caches() -> None:
    """Forget every rendering, as a fresh process would (for benchmarks)."""
    render_markdown.cache_clear()
    render_line.cache_clear()
    render_code.cache_clear()
    _lexer.cache_clear()


def safe_url(url: str) -> str:
    """The URL if it is an absolute http(s) link, else an empty string."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    if parts.scheme.lower() in {"http", "https"} and parts.netloc:
        return url.strip()
    return ""
