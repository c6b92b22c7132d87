"""The CJK font the PDF export sets Chinese in, and where it comes from.

The export's stylesheet (templates/exports/issue.css) asks for Noto Sans CJK
SC. A system that has it (Debian's fonts-noto-cjk, which CI installs) serves it
through fontconfig, bold weight included. Anywhere else the PDF loads the Noto
Sans CJK collection that the noto-cjk-sans-otc package puts into the Python
environment (SIL Open Font License 1.1; regular weight only) through an
@font-face rule. WeasyPrint adds every face of a collection to fontconfig
under its own family names as well as the rule's, so the stylesheet's "Noto
Sans CJK SC" picks the collection's SC face (and "Noto Sans Mono CJK SC" its
monospaced one) rather than the first face, which is the Japanese one.
"""

from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext
from weasyprint.text.ffi import ffi, fontconfig

from .errors import RenderError

FAMILY = "Noto Sans CJK SC"
BUNDLE = "noto-cjk-sans-otc"
# The @font-face rule's own family name: one the stylesheet never asks for,
# since fontconfig would give it to all ten faces of the collection alike.
FACE_FAMILY = "Noto Sans CJK bundled"


@dataclass(frozen=True)
class CJKFont:
    name: str  # as the export row records it
    file: Path | None = None  # loaded through @font-face; None: fontconfig has it


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
    """The system's Noto Sans CJK SC, else the bundled file, else None."""
    if FAMILY in system_families():
        return CJKFont(f"{FAMILY} (system)")
    if settings.PDF_CJK_FONT:
        file = Path(settings.PDF_CJK_FONT).resolve()
        return CJKFont(file.name, file) if file.is_file() else None
    try:
        import noto_cjk_sans_otc
    except ImportError:
        return None
    file = Path(str(noto_cjk_sans_otc.FONT_PATH))
    if not file.is_file():
        return None
    return CJKFont(f"{FAMILY} ({BUNDLE} {metadata.version(BUNDLE)})", file)


def system_families() -> set[str]:
    """Every font family fontconfig finds on the system, read the way
    WeasyPrint reads it (its own bindings, a fresh configuration: a font
    installed a moment ago counts, as it does for the next PDF)."""
    config = ffi.gc(fontconfig.FcInitLoadConfigAndFonts(), fontconfig.FcConfigDestroy)
    fonts = fontconfig.FcConfigGetFonts(config, fontconfig.FcSetSystem)
    families: set[str] = set()
    if fonts == ffi.NULL:
        return families
    value = ffi.new("FcChar8 **")
    for index in range(fonts.nfont):
        number = 0
        while (
            fontconfig.FcPatternGetString(fonts.fonts[index], b"family", number, value)
            == fontconfig.FcResultMatch
        ):
            families.add(ffi.string(value[0]).decode())
            number += 1
    return families
