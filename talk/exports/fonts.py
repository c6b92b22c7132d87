"""The CJK font the PDF export sets Chinese in, and where it comes from.

The PDF's template (templates/exports/issue.typ) asks for Noto Sans CJK SC,
and Noto Sans Mono CJK SC for code. A system that has them (Debian's
fonts-noto-cjk, which CI installs) gives their files, bold weight included.
Anywhere else the PDF uses the Noto Sans CJK collection that the
noto-cjk-sans-otc package puts into the Python environment (SIL Open Font
License 1.1; regular weight only), or the file PDF_CJK_FONT names. Typst is
given these files and no other font, so what they cover is what the PDF can
show.
"""

import functools
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import typst
from django.conf import settings
from django.utils.translation import gettext
from fontTools.ttLib import TTCollection, TTFont

from .errors import RenderError

FAMILY = "Noto Sans CJK SC"
MONO_FAMILY = "Noto Sans Mono CJK SC"
BUNDLE = "noto-cjk-sans-otc"


@dataclass(frozen=True)
class CJKFont:
    name: str  # as the export row records it
    files: tuple[Path, ...]  # the regular face's file first

    @property
    def file(self) -> Path:
        return self.files[0]


class NoCJKFont(RenderError):
    """No font with Chinese glyphs: the PDF would show boxes, so none is made."""

    def __init__(self) -> None:
        super().__init__(
            gettext(
                "The PDF was not made: no font on this server has its Chinese characters, "
                "which would show as boxes. An administrator can install fonts-noto-cjk or "
                "the noto-cjk-sans-otc package (make setup installs it); then try again."
            )
        )


def cjk_font() -> CJKFont | None:
    """The system's Noto Sans CJK SC, else the configured or bundled file,
    else None."""
    if found := system_fonts().get(FAMILY):
        return CJKFont(f"{FAMILY} (system)", tuple(found))
    if settings.PDF_CJK_FONT:
        file = Path(settings.PDF_CJK_FONT).resolve()
        return CJKFont(file.name, (file,)) if file.is_file() else None
    try:
        import noto_cjk_sans_otc
    except ImportError:
        return None
    file = Path(str(noto_cjk_sans_otc.FONT_PATH))
    if not file.is_file():
        return None
    return CJKFont(f"{FAMILY} ({BUNDLE} {metadata.version(BUNDLE)})", (file,))


def system_fonts() -> dict[str, list[Path]]:
    """The files of each font family installed on the system, its regular
    weight first, read afresh (a font installed a moment ago counts, as it
    does for the next PDF)."""
    found: dict[str, list[Path]] = {}
    for info in typst.Fonts(include_system_fonts=True, include_embedded_fonts=False).fonts():
        if info.path is None:
            continue
        files = found.setdefault(info.family, [])
        path = Path(info.path)
        if path in files:
            continue
        if info.weight == 400:
            files.insert(0, path)
        else:
            files.append(path)
    if FAMILY in found:
        # Code is set in the monospaced face; Debian keeps it in the same files.
        found[FAMILY] += [p for p in found.get(MONO_FAMILY, []) if p not in found[FAMILY]]
    return found


@functools.cache
def coverage(file: Path) -> frozenset[str]:
    """The characters the font's Noto Sans CJK SC face (or its only face) has."""
    with file.open("rb") as opened:
        collection = opened.read(4) == b"ttcf"
    if collection:
        faces = TTCollection(str(file), lazy=True).fonts
    else:
        faces = [TTFont(str(file), lazy=True)]
    face = next((f for f in faces if f["name"].getDebugName(1) == FAMILY), faces[0])
    return frozenset(map(chr, face.getBestCmap()))
