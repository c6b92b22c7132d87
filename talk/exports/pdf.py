"""The PDF export: the HTML export laid out by WeasyPrint.

WeasyPrint would fetch whatever a document points at (file: paths, http(s)
URLs, data: URLs) through its url_fetcher. The HTML export references nothing,
and the fetcher given here refuses every URL but one, so a document can never
make the export read a local file or call out to the network. The one is the
bundled CJK font's file, when the system has no Noto CJK (talk.exports.fonts):
the fetcher reads it from the path it was given, whatever the URL would say.

A PDF whose Chinese has no glyph is never made: it would be stored and frozen
with a box for every character.
"""

import logging
import re
import threading
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from . import html
from .fonts import FACE_FAMILY, CJKFont, NoCJKFont, cjk_font

logger = logging.getLogger(__name__)

# WeasyPrint warns once per character drawn as .notdef: some 20,000 lines for
# an issue laid out without a CJK font.
NOTDEF = ".notdef glyph rendered"
# Han, CJK punctuation, kana, hangul and full-width forms: what any CJK font
# has. A character outside (an emoji, a rare ideograph) costs its own box only.
CJK = re.compile(
    "[\u3000-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
)


class FetchRefused(ValueError):
    """The PDF export fetches nothing but its font."""


class RefusingFetcher(URLFetcher):
    def __init__(self, font_file: Path | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.font_file = font_file
        self.font_url = font_file.as_uri() if font_file else None

    def fetch(self, url, headers=None):
        if self.font_file is not None and url == self.font_url:
            return URLFetcherResponse(url, body=self.font_file.read_bytes())
        raise FetchRefused(f"the PDF export fetches nothing; refused {url[:200]!r}")


NO_HARFBUZZ_SUBSET = "Using fontTools instead of HarfBuzz-Subset"


class MissingGlyphs(logging.Filter):
    """Takes WeasyPrint's .notdef warnings off the log and keeps their
    characters, for the render running on this thread only."""

    def __init__(self) -> None:
        super().__init__()
        self.thread = threading.get_ident()
        self.characters: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.thread != self.thread:
            return True
        if str(record.msg).startswith(NO_HARFBUZZ_SUBSET):
            # A machine without libharfbuzz-subset (a bare Debian has none):
            # WeasyPrint subsets the fonts with fontTools instead, the same
            # file a little slower, and says so for every font of every PDF.
            return False
        if not str(record.msg).startswith(NOTDEF):
            return True
        self.characters.add(str(record.args[0]) if record.args else "?")
        return False


def render(snapshot: dict) -> bytes:
    return html_to_pdf(html.render(snapshot).decode())


def html_to_pdf(document: str, font: CJKFont | None = None) -> bytes:
    """The document as a PDF, its Chinese set in `font` (by default the one
    cjk_font() finds). Raises NoCJKFont rather than draw boxes."""
    font = font or cjk_font()
    if font is None:
        raise NoCJKFont()
    fetcher = RefusingFetcher(font.file)
    font_config = FontConfiguration()
    stylesheets = []
    if font.file is not None:
        face = f'@font-face {{ font-family: "{FACE_FAMILY}"; src: url("{fetcher.font_url}"); }}'
        stylesheets.append(CSS(string=face, font_config=font_config, url_fetcher=fetcher))
    missing = MissingGlyphs()
    weasyprint_log = logging.getLogger("weasyprint")
    weasyprint_log.addFilter(missing)
    try:
        # WeasyPrint logs a refused resource and lays out the page without
        # it: a stray reference costs that resource, never the export.
        # Tagged (headings, lists, paragraphs as structure) for screen
        # readers: about a sixth more time (corpus 003: 0.75 → 0.87 s).
        data = HTML(string=document, url_fetcher=fetcher).write_pdf(
            stylesheets=stylesheets, font_config=font_config, pdf_tags=True
        )
    finally:
        weasyprint_log.removeFilter(missing)
    if any(CJK.match(character) for character in missing.characters):
        raise NoCJKFont()
    if missing.characters:
        logger.warning(
            "The PDF shows %d characters that no font has as boxes: %s",
            len(missing.characters),
            "".join(sorted(missing.characters))[:100],
        )
    return data
