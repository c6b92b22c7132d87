"""Reading the answers of the desk's views: which template or partial they
rendered, whether they told the page that something changed, and the markup
of one element of a page."""

import json
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

from django.template import PartialTemplate
from django.urls import reverse
from django.utils.html import escape

HTMX = {"HX-Request": "true"}
# For pytest.mark.parametrize("htmx", BOTH_WAYS): every write view answers a
# plain form post and an htmx request differently.
BOTH_WAYS = [False, True]
CHANGED = "desk:changed"


def headers(htmx: bool) -> dict:
    return HTMX if htmx else {}


def htmx_from(page: str) -> dict:
    """Headers of an htmx request sent from `page` (a path on the test server)."""
    return {**HTMX, "HX-Current-URL": f"http://testserver{page}"}


def template_names(response) -> list[str]:
    """What the response rendered, in order, named as views name them.

    The test client records a partial under its bare name ("claim-box"), so
    `assertTemplateUsed(response, "sections/section.html#claim-box")` never
    matches; this spells partials "page.html#name" again.
    """
    return [
        f"{t.origin.template_name}#{t.name}" if isinstance(t, PartialTemplate) else t.name
        for t in response.templates
    ]


def rendered(response) -> str:
    """The template or partial the view asked for (the others are included)."""
    names = template_names(response)
    assert names, "the response rendered no template"
    return names[0]


def triggered(response) -> bool:
    return CHANGED in json.loads(response.headers.get("HX-Trigger", "{}"))


def says(response, message) -> bool:
    """The message is on the page, escaped as templates escape it."""
    return escape(str(message)) in response.text


class _Finder(HTMLParser):
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self, html: str, name: str, value: str):
        super().__init__(convert_charrefs=True)
        self.html = html
        self.name = name
        self.value = value
        self.line_starts = [0]
        # The parser counts lines by "\n" only (splitlines knows more breaks).
        for line in html.split("\n"):
            self.line_starts.append(self.line_starts[-1] + len(line) + 1)
        self.start: int | None = None
        self.end: int | None = None
        self.depth = 0

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        if self.end is not None:
            return
        if self.start is None:
            if dict(attrs).get(self.name) == self.value:
                self.start = self._offset()
                self.depth = 0 if tag in self.VOID else 1
                if not self.depth:
                    self.end = self.html.index(">", self.start) + 1
        elif tag not in self.VOID:
            self.depth += 1

    def handle_endtag(self, tag):
        if self.start is None or self.end is not None or tag in self.VOID:
            return
        self.depth -= 1
        if self.depth == 0:
            self.end = self.html.index(">", self._offset()) + 1


def by_id(html: str, element_id: str) -> str:
    """The markup of the element with this id, as it is in the page."""
    return by_attr(html, "id", element_id)


def by_attr(html: str, name: str, value: str) -> str:
    """The markup of the first element whose attribute `name` is `value`
    (an out-of-band swap, say, which has no id of its own)."""
    finder = _Finder(html, name, value)
    finder.feed(html)
    finder.close()
    assert finder.start is not None, f"no element with {name}={value!r}"
    return html[finder.start : finder.end]


def assert_changed(response, *, htmx: bool, fragment: str, page: str):
    """A write that succeeded: the fragment that changed and the `desk:changed`
    event for htmx, a redirect to the place on the page otherwise."""
    if htmx:
        assert response.status_code == 200, response.text
        assert rendered(response) == fragment
        assert triggered(response)
    else:
        assert response.status_code == 302, response.text
        assert response.url == page


def assert_refused(response, *, htmx: bool, status: int, message):
    """A refusal in words: in the page's #flash region, either swapped in by
    htmx or on the whole page rendered again."""
    assert response.status_code == status, response.text
    assert not triggered(response)
    if htmx:
        assert rendered(response) == "sections/refusal.html"
        assert response.headers["HX-Retarget"] == "#flash"
        assert says(response, message)
    else:
        assert rendered(response) == "talk/issue.html"
        assert escape(str(message)) in by_id(response.text, "flash")


def assert_sent_to_log_in(response, *, htmx: bool, back_to: str):
    """A visitor is sent to the login page, to come back to `back_to` after:
    a plain request by a redirect; an htmx one by HX-Redirect, so the login
    page opens as a whole page instead of being swapped into a fragment."""
    if htmx:
        assert response.status_code == 200, response.text
        assert "Location" not in response.headers
        assert not response.content
        target = urlsplit(response.headers["HX-Redirect"])
    else:
        assert response.status_code == 302, response.text
        assert "HX-Redirect" not in response.headers
        target = urlsplit(response.url)
    assert not triggered(response)
    assert target.path == reverse("accounts:login")
    assert parse_qs(target.query) == {"next": [back_to]}
