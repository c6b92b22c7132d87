"""The PDF export: the HTML export laid out by WeasyPrint.

WeasyPrint would fetch whatever a document points at (file: paths, http(s)
URLs, data: URLs) through its url_fetcher. The HTML export references nothing,
and the fetcher given here refuses every URL all the same, so a document can
never make the export read a local file or call out to the network. Fonts
come from the system (fontconfig: Noto CJK), not through the fetcher.
"""

from weasyprint import HTML
from weasyprint.urls import URLFetcher

from . import html


class FetchRefused(ValueError):
    """The PDF export fetches nothing."""


class RefusingFetcher(URLFetcher):
    def fetch(self, url, headers=None):
        raise FetchRefused(f"the PDF export fetches nothing; refused {url[:200]!r}")


def render(snapshot: dict) -> bytes:
    return html_to_pdf(html.render(snapshot).decode())


def html_to_pdf(document: str) -> bytes:
    # WeasyPrint logs a refused resource and lays out the page without it:
    # a stray reference costs that resource, never the export.
    return HTML(string=document, url_fetcher=RefusingFetcher()).write_pdf()
