"""The PDF export: the HTML export's page laid out by Typst.

Typst is given the page as data (talk.exports.tree), never as markup, so a
member's text cannot be evaluated; its template reads no file and imports no
package. The compiler's root and package folders are empty directories of
its own, and its only fonts are the CJK font's files, so nothing a document
holds can make the export read a local file or call out to the network.

A PDF whose Chinese has no glyph is never made: it would be stored and frozen
with a box for every character.
"""

import functools
import json
import logging
import re
import tempfile
import threading
import unicodedata
from datetime import datetime
from pathlib import Path

import typst
from django.conf import settings

from . import html
from .fonts import CJKFont, NoCJKFont, cjk_font, coverage
from .tree import characters, document_tree

logger = logging.getLogger(__name__)

TEMPLATE = (settings.BASE_DIR / "templates" / "exports" / "issue.typ").read_bytes()
# Han, CJK punctuation, kana, hangul and full-width forms: what any CJK font
# has. A character outside (an emoji, a rare ideograph) costs its own box only.
CJK = re.compile(
    "[\u3000-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
)
# One compiler per font and process keeps the fonts it has read; a compiler
# compiles one document at a time.
_compiling = threading.Lock()


def render(snapshot: dict) -> bytes:
    # Dated when the revision was frozen, a revision's PDF is the same bytes
    # whenever it is rendered, like its other exports.
    frozen_at = snapshot.get("revision", {}).get("frozen_at")
    dated = datetime.fromisoformat(frozen_at).replace(microsecond=0) if frozen_at else None
    return html_to_pdf(html.render(snapshot).decode(), dated=dated)


def html_to_pdf(document: str, font: CJKFont | None = None, dated: datetime | None = None) -> bytes:
    """The HTML export's page as a PDF, its Chinese set in `font` (by default
    the one cjk_font() finds), dated `dated` (by default now). Raises
    NoCJKFont rather than draw boxes."""
    font = font or cjk_font()
    if font is None:
        raise NoCJKFont()
    tree = document_tree(document)
    shown = characters(tree["body"]) | set(tree["title"])
    missing = {c for c in shown if _drawn(c)} - coverage(font.file)
    if any(CJK.match(character) for character in missing):
        raise NoCJKFont()
    if missing:
        logger.warning(
            "The PDF shows %d characters that no font has as boxes: %s",
            len(missing),
            "".join(sorted(missing))[:100],
        )
    with _compiling:
        data = _compiler(font).compile(
            input=TEMPLATE,
            format="pdf",
            sys_inputs={"document": json.dumps(tree, ensure_ascii=False)},
            timestamp=dated,
        )
    assert isinstance(data, bytes)
    return data


def _drawn(character: str) -> bool:
    """Whether the character needs a glyph (spaces and controls do not)."""
    return not character.isspace() and unicodedata.category(character) not in ("Cc", "Cf")


@functools.cache
def _compiler(font: CJKFont) -> typst.Compiler:
    # Typst reads fonts from folders: one holding links to the font's files
    # alone. The root and the package folders stay empty.
    fonts = Path(tempfile.mkdtemp(prefix="desk-pdf-fonts-"))
    for number, file in enumerate(font.files):
        (fonts / f"{number}-{file.name}").symlink_to(file)
    empty = tempfile.mkdtemp(prefix="desk-pdf-root-")
    return typst.Compiler(
        root=empty,
        font_paths=typst.Fonts(
            include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(fonts)]
        ),
        package_path=empty,
        package_cache_path=empty,
    )
