"""Message text (CommonMark: paragraphs, links, **bold**, "- " lists) in each
platform's flavour, cut to the platform's size limit without splitting a
character, a link, a tag or an entity.

The platforms that render Markdown themselves get the text as it is, cut at a
safe place; Slack's mrkdwn and Telegram's HTML are rendered from a small
parse of the subset the messages use.
"""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

ELLIPSIS = "…"
_PUNCTUATION = r"[!-/:-@\[-`{-~]"  # what a backslash escapes in CommonMark
_UNESCAPE = re.compile(rf"\\({_PUNCTUATION})")
_INLINE = re.compile(
    rf"\\(?P<escaped>{_PUNCTUATION})"
    r"|\*\*(?P<bold>[^\n]+?)\*\*"
    r"|\[(?P<label>(?:\\.|[^\]\\\n])*)\]\((?P<url>[^()\s]+)\)"
)
_BULLET = re.compile(r"(?m)^([ \t]*)[-*+][ \t]+")


def utf8_len(text: str) -> int:
    return len(text.encode())


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, limit: int) -> str:
    """Plain text cut to `limit` characters."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def markdown_label(text: str) -> str:
    """Plain text (a title) safe inside Markdown's [label](url)."""
    return re.sub(r"([\\\[\]*_`])", r"\\\1", text)


# One unit a cut must keep whole: an escape, a link, a bold marker.
_MARKDOWN_ATOM = re.compile(r"\\.|\[(?:\\.|[^\]\\\n])*\]\([^()\s]+\)|\*\*")


def truncate_markdown(text: str, limit: int, *, measure: Callable[[str], int] = len) -> str:
    """Markdown source cut to at most `limit` (as `measure` counts: characters,
    or UTF-8 bytes), between characters and outside links, with bold closed."""
    if measure(text) <= limit:
        return text
    budget = limit - measure(ELLIPSIS) - measure("**")
    used = 0
    cut = 0
    bold_at_cut = False
    bold = False
    position = 0
    while position < len(text):
        atom = _MARKDOWN_ATOM.match(text, position)
        unit = atom.group() if atom else text[position]
        used += measure(unit)
        if used > budget:
            break
        position += len(unit)
        if unit == "**":
            bold = not bold
        cut, bold_at_cut = position, bold
    kept = text[:cut].rstrip()
    return kept + ELLIPSIS + ("**" if bold_at_cut else "")


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Bold:
    children: list["Node"]


@dataclass(frozen=True)
class Link:
    label: str
    url: str


Node = Text | Bold | Link


def parse(markdown: str, *, bullet: str = "• ") -> list[Node]:
    """The inline parts of `markdown`; list markers become `bullet`."""
    source = _BULLET.sub(lambda match: match.group(1) + bullet, markdown)
    nodes: list[Node] = []
    position = 0
    for match in _INLINE.finditer(source):
        if match.start() > position:
            nodes.append(Text(source[position : match.start()]))
        if match.group("escaped"):
            nodes.append(Text(match.group("escaped")))
        elif match.group("bold"):
            nodes.append(Bold(parse(match.group("bold"), bullet=bullet)))
        else:
            nodes.append(Link(_UNESCAPE.sub(r"\1", match.group("label")), match.group("url")))
        position = match.end()
    if position < len(source):
        nodes.append(Text(source[position:]))
    return nodes


@dataclass(frozen=True)
class _Flavour:
    bold: tuple[str, str]
    escape: Callable[[str], str]
    link: Callable[[str], tuple[str, str]]  # opening and closing markup around a label
    text_cost: Callable[[str, str], int]  # of a character, given its escaped piece
    markup_cost: Callable[[str], int]


class _Output:
    """Rendered text that stops before `limit`, leaving room for the markup it
    still has to close, and (when `cutting`) for an ellipsis where it stops."""

    def __init__(self, flavour: _Flavour, limit: int, *, cutting: bool) -> None:
        self.flavour = flavour
        self.limit = limit
        self.parts: list[str] = []
        # What is still open: its closer, and where its opener stands in parts.
        self.closers: list[tuple[str, int]] = []
        self.used = 0
        self.full = False
        self.reserved = flavour.text_cost(ELLIPSIS, ELLIPSIS) if cutting else 0

    def _fits(self, cost: int) -> bool:
        pending = sum(self.flavour.markup_cost(closer) for closer, _at in self.closers)
        return self.used + cost + pending + self.reserved <= self.limit

    def text(self, text: str) -> None:
        for char in text:
            piece = self.flavour.escape(char)
            cost = self.flavour.text_cost(char, piece)
            if self.full or not self._fits(cost):
                self.full = True
                return
            self.parts.append(piece)
            self.used += cost

    def open(self, markup: str, closer: str) -> bool:
        cost = self.flavour.markup_cost(markup) + self.flavour.markup_cost(closer)
        if self.full or not self._fits(cost):
            self.full = True
            return False
        self.closers.append((closer, len(self.parts)))
        self.parts.append(markup)
        self.used += self.flavour.markup_cost(markup)
        return True

    def close(self) -> None:
        closer, _at = self.closers.pop()
        self.parts.append(closer)
        self.used += self.flavour.markup_cost(closer)

    def write(self, nodes: list[Node]) -> None:
        for node in nodes:
            if self.full:
                return
            if isinstance(node, Text):
                self.text(node.text)
            elif isinstance(node, Bold):
                if self.open(*self.flavour.bold):
                    self.write(node.children)
                    self._close_unless_full()
            elif self.open(*self.flavour.link(node.url)):
                self.text(node.label)
                self._close_unless_full()

    def _close_unless_full(self) -> None:
        # A full output closes what is open after its ellipsis, in result().
        if not self.full:
            self.close()

    def result(self) -> str:
        if not self.full:
            return "".join(self.parts)
        # Markup opened just before the cut would be empty: leave it out.
        while self.closers and self.closers[-1][1] == len(self.parts) - 1:
            self.closers.pop()
            self.parts.pop()
        text = "".join(self.parts).rstrip() + ELLIPSIS
        return text + "".join(closer for closer, _at in reversed(self.closers))


def _render(flavour: _Flavour, nodes: list[Node], limit: int) -> str:
    whole = _Output(flavour, limit, cutting=False)
    whole.write(nodes)
    if not whole.full:
        return whole.result()
    cut = _Output(flavour, limit, cutting=True)
    cut.write(nodes)
    return cut.result()


def _slack_escape(char: str) -> str:
    return {"&": "&amp;", "<": "&lt;", ">": "&gt;"}.get(char, char)


def _slack_link(url: str) -> tuple[str, str]:
    escaped = "".join(_slack_escape(char) for char in url).replace("|", "%7C")
    return f"<{escaped}|", ">"


# mrkdwn: *bold*, <url|label>, and &, <, > escaped. Slack's limits count the
# characters sent, markup and escapes included.
_SLACK = _Flavour(
    bold=("*", "*"),
    escape=_slack_escape,
    link=_slack_link,
    text_cost=lambda char, piece: len(piece),
    markup_cost=len,
)

# Telegram's HTML subset. Its limit counts the text once the tags are read, in
# UTF-16 code units: tags cost nothing, an entity is one character.
_TELEGRAM = _Flavour(
    bold=("<b>", "</b>"),
    escape=lambda char: html.escape(char, quote=False),
    link=lambda url: (f'<a href="{html.escape(url, quote=True)}">', "</a>"),
    text_cost=lambda char, piece: utf16_len(char),
    markup_cost=lambda markup: 0,
)


def slack_mrkdwn(nodes: list[Node], limit: int) -> str:
    return _render(_SLACK, nodes, limit)


def telegram_html(nodes: list[Node], limit: int) -> str:
    return _render(_TELEGRAM, nodes, limit)
