"""The PDF export, through WeasyPrint."""

from weasyprint import HTML

from . import html


def render(snapshot: dict) -> bytes:
    return HTML(string=html.render(snapshot).decode()).write_pdf()
