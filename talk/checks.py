"""System checks: what `manage.py check` (and every command) warns about."""

from django.conf import settings
from django.core.checks import Warning, register


@register()
def pdf_font_check(app_configs, **kwargs) -> list[Warning]:
    """Without a CJK font every PDF export fails (rather than show boxes):
    say so before the first freeze does."""
    from .exports.fonts import cjk_font

    if cjk_font() is not None:
        return []
    where = (
        f"PDF_CJK_FONT points at {settings.PDF_CJK_FONT}, which is not a file"
        if settings.PDF_CJK_FONT
        else "the noto-cjk-sans-otc package (its font file) is missing"
    )
    return [
        Warning(
            "No CJK font can be found: PDF exports will fail.",
            hint=(
                f"The system has no Noto Sans CJK SC and {where}. Install fonts-noto-cjk, or "
                "the Python packages (make setup), or set PDF_CJK_FONT to a Noto Sans CJK file."
            ),
            id="talk.W001",
        )
    ]
